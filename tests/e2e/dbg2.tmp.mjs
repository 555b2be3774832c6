import { launchApp } from './support/app.js';
const app = await launchApp(); const b = app.browser;
for (let i = 0; i < 40; i++) {
  const t = Date.now();
  const els = await b.findElements('css selector', '[data-testid="container-list"]');
  const t1 = Date.now();
  await b.execute(() => 1);
  const t2 = Date.now();
  const h = await b.findElements('css selector', 'h3');
  await b.isElementDisplayed(h[0]['element-6066-11e4-a52e-4f2ef9d0e91c']).catch(e=>e.message);
  console.log(i, t1 - t, t2 - t1, Date.now() - t2);
}
await app.close();
