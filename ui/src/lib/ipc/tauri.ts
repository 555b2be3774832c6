import { Channel, invoke } from '@tauri-apps/api/core';
import { listen } from '@tauri-apps/api/event';
import { getCurrentWebview } from '@tauri-apps/api/webview';
import type { Backend, ExecSink, Unsubscribe } from './backend';
import { IpcError } from './error';
import type {
  ArchiveEvent, BuildEvent, ComposeProgress, ContainersChanged, DropEvent, EngineStatus, ImageSummary, LogEvent,
  StatsEvent, TransferEvent, UpEvent, NetworkSummary, VolumeSummary, PipelineEvent, Stack,
} from './types';

async function call<T>(command: string, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(command, args);
  } catch (reason) {
    throw IpcError.from(reason, command);
  }
}

/** `listen()` registers asynchronously; unlisten as soon as it resolves if we were already disposed. */
function subscribe<T>(event: string, handler: (payload: T) => void): Unsubscribe {
  let disposed = false;
  let unlisten: Unsubscribe | null = null;
  listen<T>(event, (e) => { if (!disposed) handler(e.payload); }).then(
    (fn) => { if (disposed) fn(); else unlisten = fn; },
    (reason) => console.error(`listen(${event}) failed`, reason),
  );
  return () => {
    disposed = true;
    unlisten?.();
  };
}

/** Tauri's drag-drop events of this webview, folded to what the UI needs. */
function onDrop(handler: (e: DropEvent) => void): Unsubscribe {
  let disposed = false;
  let unlisten: Unsubscribe | null = null;
  getCurrentWebview().onDragDropEvent(({ payload }) => {
    if (disposed) return;
    if (payload.type === 'drop') handler({ type: 'drop', paths: payload.paths });
    else if (payload.type === 'leave') handler({ type: 'leave' });
    else handler({ type: 'over' });
  }).then(
    (fn) => { if (disposed) fn(); else unlisten = fn; },
    (reason) => console.error('onDragDropEvent failed', reason),
  );
  return () => {
    disposed = true;
    unlisten?.();
  };
}

function execChannel(sink: ExecSink): Channel<ArrayBuffer> {
  return new Channel<ArrayBuffer>((message) => {
    const bytes = message instanceof ArrayBuffer ? new Uint8Array(message) : Uint8Array.from(message as ArrayLike<number>);
    if (bytes.byteLength === 0) sink.exit();
    else sink.output(bytes);
  });
}

export function createTauriBackend(): Backend {
  return {
    engineStatus: () => call('engine_status'),
    engineCandidates: () => call('engine_candidates'),
    engineSelect: (host) => call('engine_select', { host }),
    engineHelp: () => call('engine_help'),
    engineHelpAct: (action) => call('engine_help_act', { action }),

    containerList: () => call('container_list'),
    containerAction: (ids, action) => call('container_action', { ids, action }),
    containerRemove: (ids, force) => call('container_remove', { ids, force }),
    containerInspect: (id) => call('container_inspect', { id }),
    containerRun: (spec) => call('container_run', { spec }),

    containerLogsSubscribe: (id, options, onEvent) =>
      call('container_logs_subscribe', { id, options, channel: new Channel<LogEvent>(onEvent) }),
    containerLogsSave: (id, timestamps) => call('container_logs_save', { id, timestamps }),
    containerStatsSubscribe: (id, onEvent) =>
      call('container_stats_subscribe', { id, channel: new Channel<StatsEvent>(onEvent) }),
    subscriptionCancel: (id) => call('subscription_cancel', { id }),

    execStart: (containerId, cols, rows, sink) =>
      call('exec_start', { containerId, cols, rows, channel: execChannel(sink) }),
    execWrite: (execId, data) => call('exec_write', { execId, data }),
    execResize: (execId, cols, rows) => call('exec_resize', { execId, cols, rows }),
    execClose: (execId) => call('exec_close', { execId }),

    imageNames: () => call('image_names'),
    networkNames: () => call('network_names'),
    portOpen: (port) => call('port_open', { port }),
    appReady: (rows) => call('app_ready', { rows }),
    appAbout: () => call('app_about'),
    appOpenLogFolder: () => call('app_open_log_folder'),
    appQuit: () => call('app_quit'),
    settingsGet: () => call('settings_get'),
    settingsSet: (settings) => call('settings_set', { settings }),
    notifyDone: (work) => call('notify_done', { work }),
    launchFolder: () => call('launch_folder'),
    onOpenFolder: (handler) => subscribe<string>('app://open-folder', handler),

    imageList: () => call('image_list'),
    imageDetails: (image) => call('image_details', { image }),
    imageRemove: (image, force) => call('image_remove', { image, force }),
    imagePruneEstimate: (scope) => call('image_prune_estimate', { scope }),
    imagePrune: (scope, images) => call('image_prune', { scope, images }),
    imageReference: (input) => call('image_reference', { input }),
    imagePull: (reference, onEvent) => call('image_pull', { reference, channel: new Channel<TransferEvent>(onEvent) }),
    imagePush: (image, target, onEvent) =>
      call('image_push', { image, target, channel: new Channel<TransferEvent>(onEvent) }),
    imageTag: (image, target) => call('image_tag', { image, target }),
    imageSearchHub: (term) => call('image_search_hub', { term }),
    imageRegistrySearch: (registry, term) => call('image_registry_search', { registry, term }),
    imageRegistryTags: (registry, repository) => call('image_registry_tags', { registry, repository }),
    imageSave: (images, onEvent) => call('image_save', { images, channel: new Channel<ArchiveEvent>(onEvent) }),
    projectOpen: (folder) => call('project_open', { folder }),
    projectPick: () => call('project_pick'),
    projectRecent: () => call('project_recent'),
    buildPlan: (folder, dockerfile) => call('build_plan', { folder, dockerfile }),
    buildStart: (request, onEvent) => call('build_start', { request, channel: new Channel<BuildEvent>(onEvent) }),
    buildHistory: (folder) => call('build_history', { folder }),
    starterPreview: (language) => call('starter_preview', { language }),
    starterWrite: (folder, starter) => call('starter_write', { folder, starter }),
    onDrop,
    imageLoad: (onEvent) => call('image_load', { channel: new Channel<ArchiveEvent>(onEvent) }),
    containerCommit: (spec) => call('container_commit', { spec }),

    composeStacks: () => call('compose_stacks'),
    composeOpen: (dir, profiles) => call('compose_open', { dir, profiles }),
    composeUp: (dir, profiles, options, onEvent) =>
      call('compose_up', { dir, profiles, options, channel: new Channel<UpEvent>(onEvent) }),
    composeBuild: (dir, services, onEvent) =>
      call('compose_build', { dir, services, channel: new Channel<UpEvent>(onEvent) }),
    composeDown: (project, options, onProgress) =>
      call('compose_down', { project, options, channel: new Channel<ComposeProgress>(onProgress) }),
    composePull: (dir, services, onProgress) =>
      call('compose_pull', { dir, services, channel: new Channel<ComposeProgress>(onProgress) }),
    composeAction: (project, service, action) => call('compose_action', { project, service, action }),
    composeUndo: (created, inherited) => call('compose_undo', { created, inherited }),
    composeLogsSubscribe: (project, service, options, onEvent) =>
      call('compose_logs_subscribe', { project, service, options, channel: new Channel<LogEvent>(onEvent) }),
    composeValidate: (dir, file, text, profiles) => call('compose_validate', { dir, file, text, profiles }),
    composeFileRead: (dir, file) => call('compose_file_read', { dir, file }),
    composeFileSave: (dir, file, text) => call('compose_file_save', { dir, file, text }),
    registryList: () => call('registry_list'),
    registryLogin: (request) => call('registry_login', { request }),
    registryLogout: (host) => call('registry_logout', { host }),
    registryMoveToKeychain: (host, cliHelper) => call('registry_move_to_keychain', { host, cliHelper }),

    onEngineStatus: (handler) => subscribe<EngineStatus>('engine://status', handler),
    onContainersChanged: (handler) => subscribe<ContainersChanged>('containers://changed', handler),
    onImagesChanged: (handler) => subscribe<ImageSummary[]>('images://changed', handler),

    volumeList: () => call('volume_list'),
    volumeMeasure: () => call('volume_measure'),
    volumeCreate: (spec) => call('volume_create', { spec }),
    volumeInspect: (name) => call('volume_inspect', { name }),
    volumeRemove: (name) => call('volume_remove', { name }),
    volumePruneEstimate: () => call('volume_prune_estimate'),
    volumePrune: (volumes) => call('volume_prune', { volumes }),
    volumeBrowse: (name) => call('volume_browse', { name }),
    volumeBrowseCancel: (name) => call('volume_browse_cancel', { name }),
    onVolumesChanged: (handler) => subscribe<VolumeSummary[]>('volumes://changed', handler),

    networkList: () => call('network_list'),
    networkCreate: (spec) => call('network_create', { spec }),
    networkInspect: (network) => call('network_inspect', { network }),
    networkConnect: (network, container, aliases) => call('network_connect', { network, container, aliases }),
    networkDisconnect: (network, container) => call('network_disconnect', { network, container }),
    networkRemove: (network) => call('network_remove', { network }),
    networkPruneEstimate: () => call('network_prune_estimate'),
    networkPrune: (networks) => call('network_prune', { networks }),
    onNetworksChanged: (handler) => subscribe<NetworkSummary[]>('networks://changed', handler),
    onStacksChanged: (handler) => subscribe<Stack[]>('stacks://changed', handler),

    pipelineLoad: (folder) => call('pipeline_load', { folder }),
    pipelineRun: (request, onEvent) => call('pipeline_run', { request, channel: new Channel<PipelineEvent>(onEvent) }),
    pipelineCancel: (id) => call('pipeline_cancel', { id }),
    pipelinePlay: (id, job) => call('pipeline_play', { id, job }),
    pipelineConsent: (folder, privilegedServices, hostEngineSocket) =>
      call('pipeline_consent', { folder, privilegedServices, hostEngineSocket }),
    pipelineHistory: (folder) => call('pipeline_history', { folder }),
    pipelineLog: (folder, id, job) => call('pipeline_log', { folder, id, job }),
    pipelineLogSave: (folder, id, job) => call('pipeline_log_save', { folder, id, job }),
    pipelineArtifacts: (folder, id, job) => call('pipeline_artifacts', { folder, id, job }),
    pipelineArtifactSave: (folder, id, job, path) => call('pipeline_artifact_save', { folder, id, job, path }),
    pipelineCacheClear: (folder) => call('pipeline_cache_clear', { folder }),
  };
}

export function isTauri(): boolean {
  return typeof window !== 'undefined' && '__TAURI_INTERNALS__' in window;
}
