/** Which container the details pane shows, shared by the list and the run dialog. */
export class Selection {
  detailsId = $state<string | null>(null);

  show(id: string | null): void {
    this.detailsId = id;
  }
}
