// First: its clock starts with the bundle's evaluation (the timeline's `bundle` mark).
import { mark } from './lib/util/startup';
import { mount } from 'svelte';
import App from './App.svelte';
import './app.css';
import { pickBackend } from './lib/bootstrap/backend';
import { createDeps, startDeps } from './lib/bootstrap/deps';
import { os } from './lib/util/platform';

mark('script');

// Each OS's own font stack (app.css), before the first paint.
document.documentElement.dataset.os = os;
const deps = createDeps(await pickBackend());
// Before the first paint: the theme and the last view, and the container list when it comes
// quickly (it usually does: the backend connects before the page asks), so the first frame
// holds the rows; a slow engine does not hold the window blank for more than a moment.
const settings = deps.settings.load();
startDeps(deps);
await settings;
mark('settings');
await Promise.race([deps.containers.listed, new Promise((r) => setTimeout(r, 250))]);
mount(App, { target: document.getElementById('app')!, props: { deps } });
mark('mounted');
requestAnimationFrame(() => mark('first-frame'));
