// data-testid values, shared by the UI and the end-to-end tests (tests/e2e). Plain JS so node can
// import it without a TypeScript step.
export const TestId = Object.freeze({
  engineBar: 'engine-bar',
  engineName: 'engine-name',
  engineSwitcher: 'engine-switcher',
  engineDown: 'engine-down',          // the "no engine / engine lost" screen or banner
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
  tab: (t) => `tab-${t}`,             // summary|logs|terminal|inspect
  logView: 'log-view',
  logLine: 'log-line',
  logSearch: 'log-search',
  terminal: 'terminal',
  runOpen: 'run-open',
  runDialog: 'run-dialog',
  runField: (f) => `run-${f}`,        // image|name|command|env|ports|volumes|network|restart|autoRemove
  runSubmit: 'run-submit',
  fieldError: (f) => `error-${f}`,
  toast: 'toast',
});
