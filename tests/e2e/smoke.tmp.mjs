import { launchApp } from './support/app.js';
const app = await launchApp();
const h = await app.browser.$('h3');
await h.waitForDisplayed({ timeout: 10000 });
console.log('h3:', await h.getText());
console.log('shot:', await app.screenshot('smoke'));
await app.browser.keys('abc'.split(''));
await app.close();
console.log('closed');
