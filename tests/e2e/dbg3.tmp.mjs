import { launchApp } from './support/app.js';
const app = await launchApp(); const b = app.browser;
await b.$('h3').waitForExist({timeout: 10000});
for (const to of [1000, 5000]) {
  let t = Date.now();
  console.log('isDisplayed', await b.$('[data-testid="nope"]').isDisplayed(), Date.now() - t);
  t = Date.now();
  await b.$('[data-testid="nope"]').waitForDisplayed({ timeout: to }).catch(() => {});
  console.log('waitForDisplayed', to, Date.now() - t);
  t = Date.now();
  await b.$('[data-testid="nope"]').waitForExist({ timeout: to }).catch(() => {});
  console.log('waitForExist', to, Date.now() - t);
}
await app.close();
