/**
 * The first screen as static markup (issue 15). The app's own script is 46 kB that WebKit takes
 * ~30 ms to evaluate, then the stores and the mount; a static page of rows paints without any of
 * it. So the window's HTML carries what the first screen shows (the app process puts a data block
 * into index.html: settings, engine status, the container list read ahead) and src/first.ts, a
 * few kB, draws the containers view from it here; the app loads once that frame is on screen and
 * mounts in its place. The copy is inert (no clicks, no focus) for the ~60 ms it lasts.
 *
 * The markup is the Svelte components' (App, EngineBar, ContainersView, ContainerRow, StateBadge,
 * PortLinks) in their first frame, with the same scoped classes (svelte.config.js names them
 * `s-<Component>`) and the same helpers for order, grouping and wording. firstScreen.test.ts
 * renders both from the same data and requires the same DOM: a change to one that the other
 * lacks fails there.
 */
import type { ContainerSummary, EngineStatus, FirstPage, PortMapping } from '../ipc/types';
import { ICON_PATHS, iconFill, type IconName } from '../components/icons';
import { rowsInView } from '../components/virtualWindow';
import { groupByProject, sortContainers, STATE_FILTERS } from '../containers/filter';
import { COLUMNS, lineHeight, stateCount, tableLines, type Line } from '../containers/table';
import { TONE } from '../containers/tone';
import { remoteLabel } from '../engine/remote';
import { modKey } from '../palette/commands';
import { formatBytes, portLabel, publishedPorts, relativeTime, shortId } from '../util/format';

/** The id of the data block in index.html. */
export const FIRST_PAGE_ID = 'berth-first-page';

let taken: FirstPage | null = null;

/**
 * The data block's contents (the block leaves the page), or null when it has none or an
 * unreadable one. The app's stores start from it too ([`firstPage`]).
 */
export function takeFirstPage(doc: Document): FirstPage | null {
  const block = doc.getElementById(FIRST_PAGE_ID);
  block?.remove();
  const text = block?.textContent;
  try {
    taken = text ? (JSON.parse(text) as FirstPage) : null;
  } catch {
    taken = null;
  }
  return taken;
}

/** What `takeFirstPage` took, for the app's stores. */
export const firstPage = (): FirstPage | null => taken;

/** Where the first screen is drawn: the window's height and the clock, as the app would see them. */
export interface Viewport {
  /** `location.hash`: a reload keeps its view. */
  hash: string;
  height: number;
  now: number;
}

/**
 * The first screen's markup when it is the containers view with a list to show (the app's own
 * choice: the address, else the last view; an engine that is down shows another screen), else null.
 */
export function firstScreen(page: FirstPage, at: Viewport): { html: string; rows: number } | null {
  const list = page.containers;
  const view = at.hash.slice(1) || page.settings.settings.lastView || 'containers';
  if (!list || view !== 'containers' || page.engine.type === 'disconnected') return null;
  return { html: `<div class="shell s-App" inert>${sidebar(page.engine, list)} ${main(list, at)}</div>`, rows: list.length };
}

const esc = (s: string | number) =>
  String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** Attributes and text below are written as the components write them: `c(...)` is a scoped class. */
const c = (component: string, classes = '') => `class="${classes ? `${classes} ` : ''}s-${component}"`;

function icon(name: IconName, size = 14): string {
  return `<svg width="${size}" height="${size}" viewBox="0 0 16 16" fill="none" stroke="currentColor" stroke-width="1.6"`
    + ` stroke-linecap="round" stroke-linejoin="round" aria-hidden="true"><path d="${ICON_PATHS[name]}" fill="${iconFill(name)}"></path></svg>`;
}

// ---- App: the sidebar ------------------------------------------------------------------------

const NAV: [id: string, title: string, counted: boolean][] = [
  ['containers', 'Containers', true], ['images', 'Images', true], ['volumes', 'Volumes', true],
  ['networks', 'Networks', true], ['registries', 'Registries', false], ['stacks', 'Stacks', true],
  ['build', 'Build', true], ['pipelines', 'Pipelines', true], ['settings', 'Settings', false],
];

function sidebar(engine: EngineStatus, list: ContainerSummary[]): string {
  const app = (classes = '') => c('App', classes);
  const links = NAV.map(([id, title, counted]) => {
    const active = id === 'containers';
    // Only the containers' count is known at first; the other lists load after the first frame.
    const count = id === 'containers' && engine.type === 'connected' ? `<span ${app('count')}>${list.length}</span>` : '';
    return `<a href="#${id}"${active ? ' aria-current="page"' : ''} ${app(active ? 'active' : '')}>${title}${counted ? ` ${count}` : ''}</a>`;
  }).join(' ');
  return `<aside ${app('sidebar')}><div ${app('brand')}><span ${app('logo')}>⚓</span> Berth</div> <nav ${app()}>${links}</nav>`
    + ` <button type="button" ${app('palette-hint')} title="Command palette">Commands <kbd ${app()}>${esc(modKey)}K</kbd></button>`
    + ` <div ${app('grow')}></div> <button type="button" ${app('about')}>About Berth</button> ${engineBar(engine)}</aside>`;
}

// ---- EngineBar -------------------------------------------------------------------------------

function engineBar(status: EngineStatus): string {
  const e = (classes = '') => c('EngineBar', classes);
  const info = status.type === 'connected' ? status.engine : null;
  const host = info?.host ?? (status.type === 'connecting' ? status.host : null) ?? '';
  const name = info?.name ?? (status.type === 'connecting' ? 'Connecting…' : 'No engine');
  const remote = info && remoteLabel(info);
  const notes = [remote && `<div ${e('note remote')}>${esc(remote)}</div>`, info?.warning && `<div ${e('note')}>${esc(info.warning)}</div>`]
    .map((n) => n || '').join(' ');
  const facts = info
    ? `<dl ${e('facts')}><dt ${e()}>Engine</dt><dd ${e()} title="${esc(info.product)}">${esc(info.product)} ${esc(info.version)}</dd>`
      + ` <dt ${e()}>OS</dt><dd ${e()} title="${esc(`${info.os} · kernel ${info.kernelVersion}`)}">${esc(info.osType)}/${esc(info.arch)}</dd>`
      + ` <dt ${e()}>Resources</dt><dd ${e()}>${esc(info.cpus)} CPUs · ${esc(formatBytes(info.memoryBytes))}</dd></dl>`
    : '';
  return `<div ${e('engine')}><button type="button" ${e('current')} aria-expanded="false" title="Switch container engine">`
    + `<span ${e(`dot ${status.type}`)} aria-label="${status.type}"></span> <span ${e('text')}><span ${e('name')}>${esc(name)}</span>`
    + ` <span ${e('host')}>${esc(host)}</span></span> <span ${e('caret')}>▾</span></button> ${notes} ${facts} </div>`;
}

// ---- ContainersView --------------------------------------------------------------------------

function main(list: ContainerSummary[], at: Viewport): string {
  const v = (classes = '') => c('ContainersView', classes);
  const visible = sortContainers(list, { key: 'name', dir: 'asc' });
  const lines = tableLines(groupByProject(visible), true, new Set());
  const inView = rowsInView(lines.map(lineHeight), 0, at.height, 0);
  const running = list.filter((x) => x.state === 'running').length;
  const spacer = (px: number) => (px > 0 ? `<tr ${v('spacer')} aria-hidden="true"><td colspan="9" ${v()} style="height: ${px}px;"></td></tr>` : '');
  const rows = lines.slice(inView.start, inView.end).map((l) => line(l, at.now)).join('');
  const heads = COLUMNS.map((col) => {
    if (!col.key) return `<th ${v()}>${col.label}</th>`;
    const sorted = col.key === 'name';
    return `<th ${v()}${sorted ? ' aria-sort="ascending"' : ''}><button type="button" ${v('sort')}>${col.label}`
      + `${sorted ? `<span ${v('arrow')}>▲</span>` : ''}</button></th>`;
  }).join('');
  const empty = list.length === 0
    ? `<p ${v('empty')}>No containers yet. Start one with <strong>Run container</strong>.</p>` : '';
  const options = STATE_FILTERS.map((f) => `<option value="${f.value}">${f.label}</option>`).join('');
  return `<main ${c('App')}><section ${v('view')}><header ${v('toolbar')}><h1 ${v()}>Containers</h1>`
    + ` <span ${v('summary')}>${running} running · ${list.length} total</span> <span ${v('spacer')}></span>`
    + ` <input type="search" placeholder="Filter by name, image, id or project" aria-label="Filter containers" ${v()}>`
    + ` <select aria-label="Filter by state">${options}</select>`
    + ` <label ${v('toggle')}><input type="checkbox" checked> Group by project</label>`
    + ` <button type="button" class="primary">${icon('plus')} Run container</button></header>`
    + ` <div ${v('table-wrap')}><table ${v()} style="--row-px: 42px; --group-px: 32px;"><colgroup><col style="width: 40px;">`
    + `${COLUMNS.map((col) => `<col style="width: ${col.width};">`).join('')}<col style="width: 150px;"></colgroup>`
    + `<thead ${v()}><tr><th ${v('check')}><input type="checkbox" aria-label="Select all"${list.length ? '' : ' disabled'}></th>`
    + `${heads}<th ${v()}></th></tr></thead><tbody>${spacer(inView.above)}${rows}${spacer(inView.below)}</tbody></table> ${empty}</div>`
    + `</section> </main>`;
}

function line(l: Line, now: number): string {
  const v = (classes = '') => c('ContainersView', classes);
  if ('container' in l) return row(l.container, l.nested, now);
  return `<tr ${v('group')}><td ${v('check')}><input type="checkbox" aria-label="Select project ${esc(l.project)}"></td>`
    + `<td colspan="8" ${v()}><span ${v('chevron open')}>${icon('chevron', 12)}</span> <strong>${esc(l.project)}</strong>`
    + ` <span ${v('muted')}>compose · ${stateCount(l.members)}</span></td></tr>`;
}

// ---- ContainerRow, StateBadge, PortLinks -----------------------------------------------------

function row(x: ContainerSummary, nested: boolean, now: number): string {
  const r = (classes = '') => c('ContainerRow', classes);
  const sub = `${shortId(x.id)}${x.composeService ? ` · ${x.composeService}` : ''}`;
  return `<tr ${r()}><td ${r('check')}><input type="checkbox" aria-label="Select ${esc(x.name)}"></td>`
    + `<td ${r(nested ? 'name nested' : 'name')}><button type="button" ${r('name-link')}>${esc(x.name)}</button> <span ${r('sub')}>${esc(sub)}</span></td>`
    + `<td ${r('image')} title="${esc(x.image)}">${esc(x.image)}</td>`
    + `<td ${r()}><span ${c('StateBadge', `badge ${TONE[x.state]}`)}>${x.state}</span></td>`
    + `<td ${r('status')}>${esc(x.status)}</td>`
    + `<td ${r()}>${ports(x.ports, x.state === 'running')}</td>`
    + `<td ${r('created')}>${relativeTime(x.created, now)}</td>`
    + `<td ${r('project')}>${esc(x.composeProject ?? '')}</td><td ${r('row-actions')}></td></tr>`;
}

function ports(list: PortMapping[], running: boolean): string {
  const p = (classes = '') => c('PortLinks', classes);
  const items = publishedPorts(list).map((port) => {
    const label = esc(portLabel(port));
    return port.publicPort && running && port.protocol === 'tcp'
      ? `<button type="button" ${p('link')} title="Open http://localhost:${port.publicPort}">${label}</button>`
      : `<span ${p('plain')}>${label}</span>`;
  });
  return `<span ${p('ports')}>${items.join('')}</span>`;
}
