import { mount } from 'svelte';
import App from './App.svelte';
import './app.css';
import { pickBackend } from './lib/bootstrap/backend';
import { createDeps } from './lib/bootstrap/deps';

const deps = createDeps(await pickBackend());
// The theme and the last view, before the first paint.
await deps.settings.load();
mount(App, { target: document.getElementById('app')!, props: { deps } });
