// The project actions Berth ships; see actions.ts for how to add one.
import BuildPanel from '../build/BuildPanel.svelte';
import StarterPanel from '../build/StarterPanel.svelte';
import ComposeAction from '../stacks/ComposeAction.svelte';
import PipelineAction from '../pipelines/PipelineAction.svelte';
import { registerProjectAction } from './actions';

registerProjectAction({ id: 'build', label: 'Build', order: 10, applies: (p) => p.dockerfiles.length > 0, component: BuildPanel });
registerProjectAction({
  id: 'starter', label: 'Create a Dockerfile', order: 90,
  applies: (p) => p.dockerfiles.length === 0 && p.language !== null, component: StarterPanel,
});
registerProjectAction({ id: 'compose-up', label: 'Up', order: 20, applies: (p) => p.composeFiles.length > 0, component: ComposeAction });
registerProjectAction({ id: 'pipeline', label: 'Pipeline', order: 30, applies: (p) => p.pipeline !== null, component: PipelineAction });
