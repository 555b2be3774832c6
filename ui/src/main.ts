// The app, loaded by first.ts (the page's entry), after the first screen it drew, if any.
import { mark } from './lib/util/startup';
import { mount } from 'svelte';
import App from './App.svelte';
import './app.css';
import { pickBackend } from './lib/bootstrap/backend';
import { createDeps, startDeps } from './lib/bootstrap/deps';
import { firstPage } from './lib/bootstrap/firstScreen';
import { os } from './lib/util/platform';

mark('script');

// Each OS's own font stack (app.css), before the first paint.
document.documentElement.dataset.os = os;
// What index.html carried (settings, engine status, the list) is in the stores at once; without it,
// the app's first frame waits for the theme and the last view, and for the container list when it
// comes quickly (it usually does: the backend connects before the page asks), so that frame holds
// the rows; a slow engine does not hold the window blank for more than a moment.
const first = firstPage();
const deps = createDeps(await pickBackend(), first);
const settings = deps.settings.load();
startDeps(deps);
await settings;
mark('settings');
if (!deps.containers.loaded) await Promise.race([deps.containers.listed, new Promise((r) => setTimeout(r, 250))]);
// In place of the first screen's static copy, in the same task: no frame shows both or neither.
const target = document.getElementById('app')!;
target.replaceChildren();
mount(App, { target, props: { deps } });
mark('mounted');
requestAnimationFrame(() => mark('first-frame'));
