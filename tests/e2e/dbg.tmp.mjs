import { launchApp } from './support/app.js';
const t0 = Date.now(); const T = (m) => console.log(((Date.now()-t0)/1000).toFixed(1), m);
const app = await launchApp(); T('launched');
try { await app.browser.$('[data-testid="container-list"]').waitForDisplayed({ timeout: 20000 }); } catch (e) { T('wait failed'); }
await app.screenshot('x'); T('shot');
await app.close(); T('closed');
