// data-testid values, shared by the UI and the end-to-end tests (tests/e2e). Plain JS so node can
// import it without a TypeScript step.
export const TestId = Object.freeze({
  engineBar: 'engine-bar',
  engineName: 'engine-name',
  engineSwitcher: 'engine-switcher',
  engineRemote: 'engine-remote',      // "Remote engine tcp://… (context …)" when the engine is not local
  engineWarning: 'engine-warning',    // e.g. DOCKER_HOST hiding the active context
  engineCandidate: 'engine-candidate', // each switcher entry; also has data-host
  engineDown: 'engine-down',          // the "no engine / engine lost" screen or banner
  engineHelp: 'engine-help',          // its steps for this OS (data-os: linux|macos|windows)
  engineHelpAction: (a) => `engine-help-${a}`, // startDockerService|openDockerDesktop
  engineHelpOutcome: 'engine-help-outcome',
  about: 'about',                     // the About panel (and aboutOpen, the sidebar button)
  aboutOpen: 'about-open',
  aboutDiagnostics: 'about-diagnostics',
  aboutCopy: 'about-copy',
  aboutLogFolder: 'about-log-folder',
  containerList: 'container-list',
  containerRow: 'container-row',      // each row also has data-name and data-state attributes
  containerFilter: 'container-filter',
  containerStateFilter: 'container-state-filter',
  selectAll: 'select-all',
  rowCheckbox: 'row-checkbox',
  bulkActions: 'bulk-actions',
  action: (a) => `action-${a}`,       // start|stop|restart|kill|pause|unpause|remove (row + bulk + details)
  confirmDialog: 'confirm-dialog',
  confirmOk: 'confirm-ok',
  confirmCancel: 'confirm-cancel',
  details: 'container-details',
  tab: (t) => `tab-${t}`,             // summary|logs|stats|terminal|inspect
  logView: 'log-view',
  logLine: 'log-line',
  logSearch: 'log-search',
  terminal: 'terminal',
  stats: 'stats',
  statsCpu: 'stats-cpu',
  statsMemory: 'stats-memory',
  runOpen: 'run-open',
  runDialog: 'run-dialog',
  runField: (f) => `run-${f}`,        // image|name|command|env|ports|volumes|network|restart|autoRemove
  runSubmit: 'run-submit',
  fieldError: (f) => `error-${f}`,
  toast: 'toast',
  nav: (v) => `nav-${v}`,             // containers|images|volumes|networks|registries|stacks|build|pipelines|settings
  imageList: 'image-list',
  imageRow: 'image-row',              // each row also has data-name (repo:tag or <none>) and data-id
  imageFilter: 'image-filter',
  imageAction: (a) => `image-${a}`,   // details|push|save|remove (per row), run (details pane)
  imagePullOpen: 'image-pull-open',
  imagePrune: 'image-prune',
  imageLoad: 'image-load',
  imageSaveSelected: 'image-save-selected',
  imagePick: 'image-pick',
  archiveProgress: 'archive-progress',
  archiveCancel: 'archive-cancel',
  pullDialog: 'pull-dialog',
  pullReference: 'pull-reference',
  pullNormalized: 'pull-normalized',
  pullSubmit: 'pull-submit',
  searchSource: 'search-source',      // select: hub | registry
  searchRegistry: 'search-registry',
  searchTerm: 'search-term',
  searchSubmit: 'search-submit',
  searchResult: 'search-result',      // data-name
  searchTag: 'search-tag',
  searchError: 'search-error',
  transfer: 'transfer',               // data-reference, data-kind, data-state (running|done|failed|cancelled)
  transferCancel: 'transfer-cancel',
  pushDialog: 'push-dialog',
  pushTarget: 'push-target',
  pushSubmit: 'push-submit',
  imageDetails: 'image-details',
  layerRow: 'layer-row',              // data-largest="true" on the biggest
  commitOpen: 'commit-open',
  commitDialog: 'commit-dialog',
  commitField: (f) => `commit-${f}`,  // repository|tag|message|author
  commitSubmit: 'commit-submit',
  renameOpen: 'rename-open',
  renameDialog: 'rename-dialog',
  renameField: 'rename-name',
  renameSubmit: 'rename-submit',
  stacksView: 'stacks-view',
  stackRow: 'stack-row',              // data-name, data-state (running|partial|exited)
  stackAction: (a) => `stack-${a}`,   // start|stop|restart|down|logs|pull|build (per stack)
  stackService: 'stack-service',      // data-name, data-state, data-health
  serviceAction: (a) => `service-${a}`, // start|stop|restart|logs|exec|scale|build
  stackFolderPath: 'stack-folder-path',
  stackFolderOpen: 'stack-folder-open',
  stackFolderBrowse: 'stack-folder-browse',
  stackProject: 'stack-project',
  stackProfile: (p) => `stack-profile-${p}`,
  stackUp: 'stack-up',
  stackUpBuild: 'stack-up-build',     // the Up tab's "Build images before starting"
  stackBuildProgress: 'stack-build-progress', // a running Build in the Stacks view, with Cancel
  stackProblem: 'stack-problem', // why a listed stack's compose files do not load
  stackEdit: 'stack-edit',
  upProgress: 'up-progress',
  upError: 'up-error',
  upUndo: 'up-undo',
  upUndoInherited: 'up-undo-inherited',
  upOrphans: 'up-orphans',            // data-count
  upRemoveOrphans: 'up-remove-orphans',
  upWarning: 'up-warning',
  downDialog: 'down-dialog',
  downVolumes: 'down-volumes',
  downOneOff: 'down-one-off',
  downSubmit: 'down-submit',
  stackLogs: 'stack-logs',
  stackTerminal: 'stack-terminal',
  composeEditor: 'compose-editor',
  composeProblem: 'compose-problem',
  composeResolved: 'compose-resolved',
  composeSave: 'compose-save',
  composeApply: 'compose-apply',
  projectView: 'project-view',        // the Build view: start screen or the open project
  projectOpen: 'project-open',        // "Open folder…"
  projectRecent: 'project-recent',    // each recent folder button, data-folder
  projectPanel: 'project-panel',      // data-folder
  projectError: 'project-error',
  projectAction: (a) => `project-action-${a}`, // build|starter|… (tabs)
  dropOverlay: 'drop-overlay',
  buildField: (f) => `build-${f}`,    // dockerfile|tags|target|noCache|pull|builder|arg (rows, data-name)
  buildContext: 'build-context',      // the context summary line
  buildSubmit: 'build-submit',
  buildLive: 'build-live',            // data-phase (starting|running|done|failed|cancelled), data-builder
  buildStep: 'build-step',            // data-state, data-line
  buildLog: 'build-log',
  buildCancel: 'build-cancel',
  buildResult: 'build-result',        // data-image-id
  buildRun: 'build-run',
  buildPush: 'build-push',
  buildFailure: 'build-failure',
  buildHistory: 'build-history',      // rows have data-outcome
  starterText: 'starter-text',
  starterWrite: 'starter-write',
  registriesView: 'registries-view',
  registryList: 'registry-list',
  registryRow: 'registry-row',        // data-host, data-plain ("true" when config.json holds it in plain text)
  registryUser: 'registry-user',
  registryLogout: 'registry-logout',
  registryPlainWarning: 'registry-plain-warning',
  registryMove: 'registry-move',      // "Move into keychain"
  loginOpen: 'login-open',
  loginDialog: 'login-dialog',
  loginPreset: (p) => `login-preset-${p}`, // hub|ghcr|gitlab|quay|custom
  loginField: (f) => `login-${f}`,    // host|username|secret|shareWithCli|trustTokenHost
  loginSubmit: 'login-submit',
  loginError: 'login-error',
  volumesView: 'volumes-view',
  volumeRow: 'volume-row',            // data-name, data-used ("true" when a container mounts it), data-size (bytes, '' unmeasured)
  volumeFilter: 'volume-filter',
  volumeAction: (a) => `volume-${a}`, // create|measure|prune (toolbar), details|remove (per row), browse (details)
  volumeFiles: 'volume-files',        // rows have data-path, data-kind (file|dir|symlink|other)
  volumeFilesPartial: 'volume-files-partial', // why a listing stops short
  volumeDialog: 'volume-dialog',
  volumeField: (f) => `volume-field-${f}`, // name|driver|labels|driverOpts
  volumeSubmit: 'volume-submit',
  volumeDetails: 'volume-details-pane',
  networksView: 'networks-view',
  networkRow: 'network-row',          // data-name, data-predefined
  networkFilter: 'network-filter',
  networkAction: (a) => `network-${a}`, // create|prune (toolbar), details|remove (per row), connect|disconnect (details)
  networkDialog: 'network-dialog',
  networkField: (f) => `network-field-${f}`, // name|driver|subnet|gateway|internal|labels
  networkSubmit: 'network-submit',
  networkDetails: 'network-details-pane',
  networkConnectField: (f) => `network-connect-${f}`, // container|aliases
  palette: 'palette',
  paletteInput: 'palette-input',
  paletteItem: 'palette-item',        // also has data-id (go-containers, run, pull, settings, …)
  settingsView: 'settings-view',
  setting: (s) => `setting-${s}`,     // tray|theme|notify-build|notify-pull|notify-push|notify-stackUp|notify-containerDied
  settingsProblem: 'settings-problem',
  pipelinesView: 'pipelines-view',
  pipelineOpen: 'pipeline-open',      // "Open folder…" on the start screen
  pipelineShow: 'pipeline-show',      // the project panel's "Open in Pipelines"
  pipelineRecent: 'pipeline-recent',  // each recent folder, data-folder
  pipelineError: 'pipeline-error',    // why the file does not load (file, line, job)
  pipelineRun: 'pipeline-run',        // "Run pipeline"
  pipelineRunWithVariables: 'pipeline-run-variables',
  pipelineCancel: 'pipeline-cancel',
  pipelineClearCache: 'pipeline-clear-cache',
  pipelineStatus: 'pipeline-status',  // data-status of the run on screen (running|success|failed|canceled), data-live
  pipelineGraph: 'pipeline-graph',
  pipelineStage: 'pipeline-stage',    // data-name
  pipelineJob: 'pipeline-job',        // data-name, data-status, data-allowed-failure
  pipelineEdge: 'pipeline-edge',      // data-from, data-to (a needs: edge)
  pipelinePlay: 'pipeline-play',      // a manual job's play button (on its card), data-name
  jobPanel: 'job-panel',              // data-name
  jobReason: 'job-reason',            // why it failed / was skipped / will not run
  jobRerun: 'job-rerun',
  jobLogSave: 'job-log-save',
  jobSection: 'job-section',          // a section header line: data-name, data-collapsed
  artifactRow: 'artifact-row',        // data-path; its button saves
  runHistory: 'run-history',
  runHistoryRow: 'run-history-row',   // data-id, data-status
  variablesDialog: 'variables-dialog',
  variableRow: 'variable-row',        // inputs name|value|masked inside
  variableAdd: 'variable-add',
  variablesRegistry: 'variables-registry',
  variablesAccess: (a) => `variables-access-${a}`, // privileged|socket
  variablesSubmit: 'variables-submit',
  consentDialog: 'consent-dialog',
  consentAnswer: (a) => `consent-${a}`, // privileged|no
});
