// Page objects: what a user sees and does in the Berth window, by data-testid
// (ui/src/lib/testIds.js is the contract shared with the UI).
import { TestId } from '../../../ui/src/lib/testIds.js';
import { waitFor } from '../support/wait.js';

const sel = (id) => `[data-testid="${id}"]`;

/** Types into a field whose test id sits on the input itself or on a wrapper around it. */
async function fill(browser, id, value) {
  let el = await browser.$(sel(id));
  await el.waitForExist({ timeout: 5_000 });
  const tag = (await el.getTagName()).toLowerCase();
  if (tag !== 'input' && tag !== 'textarea') el = await el.$('input, textarea');
  await el.setValue(value);
}

/** Clicks an element, hovering first: row actions may only show on hover. */
async function click(el) {
  await el.waitForExist({ timeout: 5_000 });
  await el.scrollIntoView({ block: 'center' });
  await el.moveTo();
  await el.waitForClickable({ timeout: 5_000 });
  await el.click();
}

export class ContainerList {
  constructor(app) { this.browser = app.browser; }

  row(name) { return this.browser.$(`${sel(TestId.containerRow)}[data-name="${name}"]`); }

  /**
   * Scrolls the list until the row of `name` is rendered (the list renders only the rows on
   * screen, and other tests' containers on the shared engine can push it below them); false when
   * no row has that name.
   */
  async reveal(name) {
    return this.browser.execute(async (list, row) => {
      const found = () => document.querySelector(row) !== null;
      const view = document.querySelector(list)?.parentElement;
      if (found() || !view) return found();
      const frame = () => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
      const from = view.scrollTop;
      for (let top = 0; top < view.scrollHeight; top += Math.max(100, view.clientHeight)) {
        view.scrollTop = top;
        await frame();
        if (found()) return true;
      }
      view.scrollTop = from;
      return false;
    }, sel(TestId.containerList), `${sel(TestId.containerRow)}[data-name="${name}"]`);
  }

  /** The row's data-state, or null while the row is not there. */
  async state(name) {
    return (await this.reveal(name)) ? this.row(name).getAttribute('data-state') : null;
  }

  async waitForList(timeout = 20_000) {
    await this.browser.$(sel(TestId.containerList)).waitForDisplayed({ timeout });
  }

  async waitForState(name, state, timeout = 15_000) {
    await waitFor(async () => (await this.state(name)) === state,
      { timeout, message: `row ${name} with data-state=${state}` });
  }

  async waitForGone(name, timeout = 15_000) {
    await waitFor(async () => !(await this.reveal(name)),
      { timeout, message: `row ${name} to disappear` });
  }

  /** Clicks a row action: start|stop|restart|kill|pause|unpause|remove. */
  async action(name, action) {
    await this.reveal(name);
    await click(this.row(name).$(sel(TestId.action(action))));
  }

  /** Opens the container's details (a click on the row's name). */
  async open(name) {
    await this.reveal(name);
    const row = this.row(name);
    // Whatever element shows the name (a button or a cell): markup-agnostic, by text.
    const label = row.$(`.//*[normalize-space(text())="${name}"]`);
    await click((await label.isExisting()) ? label : row);
    await this.browser.$(sel(TestId.details)).waitForDisplayed({ timeout: 10_000 });
    return new Details(this.browser);
  }
}

export class Details {
  constructor(browser) { this.browser = browser; }

  async tab(name) { await click(this.browser.$(sel(TestId.tab(name)))); }

  /** The CPU and memory cards' text, once the first sample has arrived. */
  async statsText() {
    const cpu = this.browser.$(sel(TestId.statsCpu));
    await cpu.waitForDisplayed({ timeout: 15_000 });
    return { cpu: await cpu.getText(), memory: await this.browser.$(sel(TestId.statsMemory)).getText() };
  }

  /** The status text beside the container's name. */
  async statusText() { return this.browser.$(`${sel(TestId.details)} header .status`).getText(); }

  /** The text of the rendered log lines. */
  async logLines() {
    return this.browser.execute((s) => [...document.querySelectorAll(s)].map((l) => l.textContent), sel(TestId.logLine));
  }

  /**
   * Types `text` into the terminal once its shell has printed something, through xterm's
   * input textarea (WebDriver key events, at WebDriver's speed); "\n" is the Enter key.
   */
  async typeInTerminal(text) {
    await waitFor(async () => /\S/.test(await this.terminalText()), { timeout: 20_000, message: 'the shell prompt' });
    await click(this.browser.$(sel(TestId.terminal)));
    await this.browser.$(`${sel(TestId.terminal)} .xterm-helper-textarea`).addValue(text.replace(/\n/g, '\uE007'));
  }

  /** The terminal's rows as text, one line per xterm row. */
  async terminalText() {
    const rows = await this.browser.execute((s) =>
      [...document.querySelectorAll(s)].map((r) => r.textContent), `${sel(TestId.terminal)} .xterm-rows > div`);
    return rows.join('\n').replace(/\u00a0/g, ' '); // xterm pads rows with non-breaking spaces
  }
}

export class ConfirmDialog {
  constructor(app) { this.browser = app.browser; }

  async waitOpen() { await this.browser.$(sel(TestId.confirmDialog)).waitForDisplayed({ timeout: 5_000 }); }

  async ok() { await click(this.browser.$(sel(TestId.confirmOk))); }

  async cancel() { await click(this.browser.$(sel(TestId.confirmCancel))); }

  text() { return this.browser.$(sel(TestId.confirmDialog)).getText(); }
}

export class RunDialog {
  constructor(app) { this.browser = app.browser; }

  async open() {
    await click(this.browser.$(sel(TestId.runOpen)));
    await this.browser.$(sel(TestId.runDialog)).waitForDisplayed({ timeout: 5_000 });
  }

  /** Fills the named fields (image, name, command, ports...). */
  async fill(fields) {
    for (const [field, value] of Object.entries(fields)) await fill(this.browser, TestId.runField(field), value);
  }

  async submit() { await click(this.browser.$(sel(TestId.runSubmit))); }

  fieldError(field) { return this.browser.$(sel(TestId.fieldError(field))); }

  isOpen() { return this.browser.$(sel(TestId.runDialog)).isDisplayed(); }

  async waitOpen() { await this.browser.$(sel(TestId.runDialog)).waitForDisplayed({ timeout: 5_000 }); }

  value(field) { return this.browser.$(sel(TestId.runField(field))).getValue(); }

  async close() {
    await click(this.browser.$(`${sel(TestId.runDialog)} button.close`));
    await this.browser.$(sel(TestId.runDialog)).waitForDisplayed({ timeout: 5_000, reverse: true });
  }
}

export class EngineBar {
  constructor(app) { this.browser = app.browser; }

  async name() { return (await this.browser.$(sel(TestId.engineName)).getProperty('textContent')).trim(); }

  async waitForName(name, timeout = 20_000) {
    await waitFor(async () => {
      const shown = await this.name();
      if (shown !== name) throw new Error(`it shows ${JSON.stringify(shown)}`);
      return true;
    }, { timeout, message: `engine bar to show ${name}` });
  }

  /** The "Remote engine …" line, or null when the engine is local. */
  async remote() {
    const el = this.browser.$(sel(TestId.engineRemote));
    return (await el.isExisting()) ? (await el.getProperty('textContent')).trim() : null;
  }

  /** Opens the switcher and waits until it lists `host`; returns that entry's text. */
  async candidate(host, timeout = 15_000) {
    const menu = this.browser.$(sel(TestId.engineSwitcher));
    if ((await menu.getAttribute('aria-expanded')) !== 'true') await click(menu);
    const entry = this.browser.$(`${sel(TestId.engineCandidate)}[data-host="${host}"]`);
    await entry.waitForExist({ timeout });
    return (await entry.getProperty('textContent')).replace(/\s+/g, ' ').trim();
  }

  /** Picks `host` in the switcher. */
  async pick(host) {
    await this.candidate(host);
    await click(this.browser.$(`${sel(TestId.engineCandidate)}[data-host="${host}"]`));
  }
}

export class EngineBanner {
  constructor(app) { this.browser = app.browser; }

  down() { return this.browser.$(sel(TestId.engineDown)); }

  async waitDown(timeout = 10_000) { await this.down().waitForDisplayed({ timeout }); }

  async waitUp(timeout = 30_000) { await this.down().waitForDisplayed({ timeout, reverse: true }); }
}

export class ImagesPage {
  constructor(app) { this.browser = app.browser; }

  async open() {
    await click(this.browser.$(sel(TestId.nav('images'))));
    await this.browser.$(sel(TestId.imageList)).waitForDisplayed({ timeout: 10_000 });
  }

  row(name) { return this.browser.$(`${sel(TestId.imageRow)}[data-name="${name}"]`); }

  async waitForRow(name, timeout = 20_000) {
    await waitFor(() => this.row(name).isExisting(), { timeout, message: `image row ${name}` });
  }

  async waitForGone(name, timeout = 15_000) {
    await waitFor(async () => !(await this.row(name).isExisting()), { timeout, message: `image row ${name} to go` });
  }

  /** Clicks a row action: details|push|save|remove. */
  async action(name, action) { await click(this.row(name).$(sel(TestId.imageAction(action)))); }

  async push(name, target) {
    await this.action(name, 'push');
    await fill(this.browser, TestId.pushTarget, target);
    await click(this.browser.$(sel(TestId.pushSubmit)));
  }

  async openPull() {
    await click(this.browser.$(sel(TestId.imagePullOpen)));
    await this.browser.$(sel(TestId.pullDialog)).waitForDisplayed({ timeout: 5_000 });
  }

  async typeReference(text) { await fill(this.browser, TestId.pullReference, text); }

  referenceError() { return this.browser.$(sel(TestId.fieldError('reference'))); }

  /** Searches a private registry and picks a repository; returns the offered tags. */
  async searchRegistry(registry, term, pick) {
    await this.browser.$(sel(TestId.searchSource)).selectByAttribute('value', 'registry');
    await fill(this.browser, TestId.searchRegistry, registry);
    await fill(this.browser, TestId.searchTerm, term);
    await click(this.browser.$(sel(TestId.searchSubmit)));
    const result = this.browser.$(`${sel(TestId.searchResult)}[data-name="${pick}"]`);
    await click(result);
    const tag = this.browser.$(sel(TestId.searchTag));
    await waitFor(async () => (await tag.isExisting()) && (await tag.getTagName()) === 'select',
      { timeout: 10_000, message: 'the tag list' });
    return (await tag.$$('option').map((o) => o.getText()));
  }

  async submitPull() { await click(this.browser.$(sel(TestId.pullSubmit))); }

  /** Searches Docker Hub from the open pull dialog: { error } as shown, or { results } (names). */
  async searchHub(term) {
    await this.browser.$(sel(TestId.searchSource)).selectByAttribute('value', 'hub');
    await fill(this.browser, TestId.searchTerm, term);
    await click(this.browser.$(sel(TestId.searchSubmit)));
    const error = this.browser.$(sel(TestId.searchError));
    const results = () => this.browser.$$(sel(TestId.searchResult));
    await waitFor(async () => (await error.isExisting()) || (await results().length) > 0,
      { timeout: 60_000, message: 'Hub search results or its error' });
    if (await error.isExisting()) return { error: await error.getText() };
    return { results: await results().map((r) => r.getAttribute('data-name')) };
  }

  /** Opens the details pane of `name` and presses its Run button. */
  async runFromDetails(name) {
    await this.action(name, 'details');
    const run = this.browser.$(`${sel(TestId.imageDetails)} ${sel(TestId.imageAction('run'))}`);
    await run.waitForDisplayed({ timeout: 10_000 });
    await click(run);
  }

  /** Picks a prune scope (dangling|unused) from the toolbar; a confirmation follows. */
  async prune(scope) { await this.browser.$(sel(TestId.imagePrune)).selectByAttribute('value', scope); }

  async cancelTransfer(reference) { await click(this.transfer(reference).$(sel(TestId.transferCancel))); }

  transfer(reference) { return this.browser.$(`${sel(TestId.transfer)}[data-reference="${reference}"]`); }

  /** Waits for the pull/push of `reference` to end; returns its final state. */
  async waitTransfer(reference, timeout = 120_000) {
    let state = null;
    await waitFor(async () => {
      const t = this.transfer(reference);
      state = (await t.isExisting()) ? await t.getAttribute('data-state') : null;
      return state && state !== 'running';
    }, { timeout, message: `transfer ${reference} to end` });
    return { state, text: await this.transfer(reference).getText() };
  }
}

export class StacksPage {
  constructor(app) { this.browser = app.browser; }

  async open() {
    await click(this.browser.$(sel(TestId.nav('stacks'))));
    await this.browser.$(sel(TestId.stacksView)).waitForDisplayed({ timeout: 10_000 });
  }

  /** Types a folder into the Stacks view's opener: the project panel opens on its Up tab. */
  async openFolder(dir) {
    await fill(this.browser, TestId.stackFolderPath, dir);
    await click(this.browser.$(sel(TestId.stackFolderOpen)));
    // A folder that also has a Dockerfile opens on its Build tab: switch to Up.
    const panel = this.browser.$(sel(TestId.stackProject));
    const upTab = this.browser.$(sel(TestId.projectAction('compose-up')));
    await waitFor(async () => (await panel.isDisplayed()) || upTab.isExisting(), { timeout: 10_000, message: 'the project panel' });
    if (await upTab.isExisting()) await click(upTab);
    await panel.waitForDisplayed({ timeout: 10_000 });
  }

  async upError() {
    const el = this.browser.$(sel(TestId.upError));
    await el.waitForDisplayed({ timeout: 30_000 });
    return el.getText();
  }

  async undoUp() { await click(this.browser.$(sel(TestId.upUndo))); }

  /** The Up tab's orphans row text, or null when the project has none. */
  async orphans() {
    const row = this.browser.$(sel(TestId.upOrphans));
    return (await row.isExisting()) ? row.getText() : null;
  }

  async tickRemoveOrphans() { await click(this.browser.$(sel(TestId.upRemoveOrphans))); }

  async upWarning() {
    const el = this.browser.$(sel(TestId.upWarning));
    await el.waitForDisplayed({ timeout: 30_000 });
    return el.getText();
  }

  /** Up from the project panel, then back to the Stacks view to watch it. */
  async up() {
    await click(this.browser.$(sel(TestId.stackUp)));
    await this.browser.$(sel(TestId.upProgress)).waitForDisplayed({ timeout: 10_000 });
  }

  stack(name) { return this.browser.$(`${sel(TestId.stackRow)}[data-name="${name}"]`); }

  service(stack, name) { return this.stack(stack).$(`${sel(TestId.stackService)}[data-name="${name}"]`); }

  /** `{state, health}` of a service row, or null while it is not shown. */
  async serviceStatus(stack, name) {
    const row = this.service(stack, name);
    if (!(await row.isExisting())) return null;
    return { state: await row.getAttribute('data-state'), health: await row.getAttribute('data-health') };
  }

  async waitForService(stack, name, check, message, timeout = 30_000) {
    await waitFor(async () => check(await this.serviceStatus(stack, name)), { timeout, message });
  }

  async scale(stack, service, replicas) {
    const field = `${sel(TestId.stackRow)}[data-name="${stack}"] ${sel(TestId.stackService)}[data-name="${service}"] ${sel(TestId.serviceAction('scale'))}`;
    await click(this.browser.$(field));
    // Typing into a number field is unreliable over WebDriver: set it and commit, as Enter would.
    await this.browser.execute((s, n) => {
      const el = document.querySelector(s);
      el.value = n;
      el.dispatchEvent(new Event('change', { bubbles: true }));
    }, field, String(replicas));
  }

  async stackAction(stack, action) { await click(this.stack(stack).$(sel(TestId.stackAction(action)))); }

  serviceAction(stack, service, action) { return this.service(stack, service).$(sel(TestId.serviceAction(action))); }

  /** Clicks a service's action in the page itself: other stacks coming and going move the rows. */
  async serviceClick(stack, service, action) {
    const target = `${sel(TestId.stackRow)}[data-name="${stack}"] ${sel(TestId.stackService)}[data-name="${service}"] ${sel(TestId.serviceAction(action))}`;
    await this.browser.$(target).waitForClickable({ timeout: 5_000 });
    await this.browser.execute((s) => document.querySelector(s).click(), target);
  }

  /** The running Build's step line in the stack's row, or null when none runs. */
  async buildProgress(stack) {
    return this.browser.execute((s) => document.querySelector(s)?.textContent ?? null,
      `${sel(TestId.stackRow)}[data-name="${stack}"] ${sel(TestId.stackBuildProgress)}`);
  }

  /** Ticks "Build images before starting" on the project panel's Up tab. */
  async tickBuildBeforeUp() { await click(this.browser.$(sel(TestId.stackUpBuild))); }

  async down(stack, { volumes }) {
    await this.stackAction(stack, 'down');
    await this.browser.$(sel(TestId.downDialog)).waitForDisplayed({ timeout: 5_000 });
    if (volumes) await click(this.browser.$(sel(TestId.downVolumes)));
    await click(this.browser.$(sel(TestId.downSubmit)));
  }

  async logLines() {
    return this.browser.execute((s) => [...document.querySelectorAll(s)].map((l) => l.textContent),
      `${sel(TestId.stackLogs)} ${sel(TestId.logLine)}`);
  }

  async waitForGone(stack, timeout = 30_000) {
    await waitFor(async () => !(await this.stack(stack).isExisting()), { timeout, message: `stack ${stack} to go` });
  }

  /** Opens the compose editor from the project panel (Build view). */
  async openEditor() {
    await click(this.browser.$(sel(TestId.nav('build'))));
    await click(this.browser.$(sel(TestId.stackEdit)));
    await this.browser.$(sel(TestId.composeEditor)).waitForDisplayed({ timeout: 10_000 });
    await this.browser.$(`${sel(TestId.composeEditor)} .cm-content`).waitForExist({ timeout: 10_000 });
  }

  /** Replaces the editor's whole text as the browser's own text input would (select all, insert). */
  async setEditorText(text) {
    await click(this.browser.$(`${sel(TestId.composeEditor)} .cm-content`));
    await this.browser.execute((t) => {
      document.execCommand('selectAll');
      document.execCommand('insertText', false, t);
    }, text);
  }

  async editorStatus() {
    const el = this.browser.$(sel(TestId.composeProblem));
    return { ok: (await el.getAttribute('data-ok')) === 'true', text: await el.getText() };
  }

  async resolved() { return this.browser.$(sel(TestId.composeResolved)).getText(); }

  async apply() { await click(this.browser.$(sel(TestId.composeApply))); }
}

export class RegistriesPage {
  constructor(app) { this.browser = app.browser; }

  async open() {
    await click(this.browser.$(sel(TestId.nav('registries'))));
    await this.browser.$(sel(TestId.registriesView)).waitForDisplayed({ timeout: 10_000 });
  }

  row(host) { return this.browser.$(`${sel(TestId.registryRow)}[data-host="${host}"]`); }

  async waitForRow(host, timeout = 15_000) {
    await waitFor(() => this.row(host).isExisting(), { timeout, message: `registry row ${host}` });
    return this.row(host);
  }

  async waitForGone(host, timeout = 15_000) {
    await waitFor(async () => !(await this.row(host).isExisting()), { timeout, message: `registry row ${host} to go` });
  }

  /** Opens the login dialog, picks a ready entry (hub|ghcr|gitlab|quay|custom) and fills it in. */
  async fillLogin({ preset, host, username, secret }) {
    if (!(await this.browser.$(sel(TestId.loginDialog)).isExisting())) {
      await click(this.browser.$(sel(TestId.loginOpen)));
      await this.browser.$(sel(TestId.loginDialog)).waitForDisplayed({ timeout: 5_000 });
    }
    await click(this.browser.$(sel(TestId.loginPreset(preset))));
    if (host !== undefined) await fill(this.browser, TestId.loginField('host'), host);
    await fill(this.browser, TestId.loginField('username'), username);
    await fill(this.browser, TestId.loginField('secret'), secret);
  }

  async submitLogin() { await click(this.browser.$(sel(TestId.loginSubmit))); }

  dialogOpen() { return this.browser.$(sel(TestId.loginDialog)).isExisting(); }

  fieldError(field) { return this.browser.$(sel(TestId.fieldError(field))); }

  /** The dialog's error about no particular field (no keychain, unreachable registry). */
  loginError() { return this.browser.$(sel(TestId.loginError)); }

  async moveToKeychain(host) { await click(this.row(host).$(sel(TestId.registryMove))); }

  async logout(host) { await click(this.row(host).$(sel(TestId.registryLogout))); }
}

/** The Volumes and Networks views share their shape: a list, a create dialog, row actions. */
class ResourcePage {
  constructor(app, kind) {
    this.browser = app.browser;
    this.kind = kind;
    const ids = kind === 'volumes'
      ? { view: TestId.volumesView, row: TestId.volumeRow, action: TestId.volumeAction, field: TestId.volumeField, dialog: TestId.volumeDialog, submit: TestId.volumeSubmit }
      : { view: TestId.networksView, row: TestId.networkRow, action: TestId.networkAction, field: TestId.networkField, dialog: TestId.networkDialog, submit: TestId.networkSubmit };
    this.ids = ids;
  }

  async open() {
    await click(this.browser.$(sel(TestId.nav(this.kind))));
    await this.browser.$(sel(this.ids.view)).waitForDisplayed({ timeout: 10_000 });
  }

  row(name) { return this.browser.$(`${sel(this.ids.row)}[data-name="${name}"]`); }

  async waitForRow(name, timeout = 15_000) {
    await waitFor(() => this.row(name).isExisting(), { timeout, message: `${this.kind} row ${name}` });
  }

  async waitForGone(name, timeout = 15_000) {
    await waitFor(async () => !(await this.row(name).isExisting()), { timeout, message: `${this.kind} row ${name} to go` });
  }

  /** Opens the create dialog and fills `fields` (by field name; textarea values keep their newlines). */
  async create(fields) {
    await click(this.browser.$(sel(this.ids.action('create'))));
    await this.browser.$(sel(this.ids.dialog)).waitForDisplayed({ timeout: 5_000 });
    await this.fill(fields);
  }

  async fill(fields) {
    for (const [field, value] of Object.entries(fields)) await fill(this.browser, this.ids.field(field), value);
  }

  async submit() { await click(this.browser.$(sel(this.ids.submit))); }

  dialogOpen() { return this.browser.$(sel(this.ids.dialog)).isExisting(); }

  fieldError(field) { return this.browser.$(sel(TestId.fieldError(field))); }

  /** Clicks a row action: details|remove. */
  async action(name, action) { await click(this.row(name).$(sel(this.ids.action(action)))); }
}

export class VolumesPage extends ResourcePage {
  constructor(app) { super(app, 'volumes'); }

  /** Measures every volume's size (a disk walk by the engine). */
  async measure() {
    await click(this.browser.$(sel(TestId.volumeAction('measure'))));
  }

  /** Opens the volume's details, reads its files, and returns their paths. */
  async browse(name) {
    await this.action(name, 'details');
    await click(this.browser.$(sel(TestId.volumeAction('browse'))));
    const table = this.browser.$(sel(TestId.volumeFiles));
    await table.waitForDisplayed({ timeout: 15_000 });
    return table.$$('tr[data-path]').map((r) => r.getAttribute('data-path'));
  }
}

export class NetworksPage extends ResourcePage {
  constructor(app) { super(app, 'networks'); }
}

/** The toasts' texts, newest last. */
export async function toastTexts(browser) {
  return browser.$$(sel(TestId.toast)).map((t) => t.getText());
}

/** Dismisses every toast (an error toast stays until dismissed, and may cover row actions). */
export async function dismissToasts(browser) {
  // Info toasts leave by themselves, so a button found a moment ago may be gone: look again after
  // each click instead of clicking a stale list.
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    const button = await browser.$(`${sel(TestId.toast)} button[aria-label="Dismiss"]`);
    if (!(await button.isExisting())) return;
    try { await button.click(); } catch { /* it left by itself */ }
  }
  throw new Error('toasts were still on screen after 10 s of dismissing them');
}

/** The About panel: versions, engine, diagnostics, log folder. */
export class AboutPanel {
  constructor(app) { this.browser = app.browser; }

  async open() {
    await click(this.browser.$(sel(TestId.aboutOpen)));
    await this.browser.$(sel(TestId.aboutDiagnostics)).waitForDisplayed({ timeout: 10_000 });
  }

  async diagnostics() { return this.browser.$(sel(TestId.aboutDiagnostics)).getText(); }

  async text() { return this.browser.$(sel(TestId.about)).getText(); }

  async copy() { await click(this.browser.$(sel(TestId.aboutCopy))); }

  async openLogFolder() { await click(this.browser.$(sel(TestId.aboutLogFolder))); }

  async close() {
    await click(this.browser.$(`${sel(TestId.about)} button[aria-label="Close"]`));
    await this.browser.$(sel(TestId.about)).waitForExist({ timeout: 5_000, reverse: true });
  }
}

/** The no-engine screen's guidance for this OS (from core). */
export class EngineHelp {
  constructor(app) { this.browser = app.browser; }

  help() { return this.browser.$(sel(TestId.engineHelp)); }

  /** The buttons offered, by action name. */
  async actions() {
    const ids = await this.browser.$$(`${sel(TestId.engineHelp)} button[data-testid^="engine-help-"]`).map((b) => b.getAttribute('data-testid'));
    return ids.map((id) => id.replace('engine-help-', ''));
  }
}
