// What the Project panel offers for a folder. Each feature registers one action: when it
// `applies` to the opened project, a tab with its `label` shows its `component`.
//
// To add one (e.g. "Up" for compose files, "Run pipeline" for .gitlab-ci.yml):
//   registerProjectAction({ id: 'compose-up', label: 'Up', order: 20,
//     applies: (p) => p.composeFiles.length > 0, component: ComposeUpPanel });
// in `builtin.ts`. The component receives `ProjectActionProps`; the project's detected files are
// in `project.composeFiles` / `project.pipeline` (berth-core `build::project`).
import type { Component } from 'svelte';
import type { Project } from '../ipc/types';
import type { RunForm } from '../run/validate';

export interface ProjectActionProps {
  project: Project;
  /** Open the run dialog, pre-filled. */
  onrun: (prefill: Partial<RunForm>) => void;
  /** The project changed on disk (e.g. a Dockerfile was written): show it anew. */
  onchange: (project: Project) => void;
}

export interface ProjectAction {
  id: string;
  label: string;
  applies: (project: Project) => boolean;
  component: Component<ProjectActionProps>;
  /** Lower comes first; the first that applies is selected when a project opens. */
  order: number;
}

const registry: ProjectAction[] = [];

export function registerProjectAction(action: ProjectAction): void {
  const at = registry.findIndex((a) => a.id === action.id);
  if (at >= 0) registry.splice(at, 1, action);
  else registry.push(action);
}

/** The actions for `project`, in order. */
export function projectActions(project: Project): ProjectAction[] {
  return registry.filter((a) => a.applies(project)).sort((a, b) => a.order - b.order);
}
