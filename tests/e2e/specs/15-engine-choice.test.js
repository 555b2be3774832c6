// The engine the docker CLI would use, in the real window: with a stored context `staging` and no
// current context, Berth shows the default engine and only lists staging in the switcher; with
// DOCKER_CONTEXT naming a tcp:// context, the bar says the engine is remote; and the window is
// back within 2 s of its engine answering again after an outage (a relay we cut, never dockerd).
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { launchApp } from '../support/app.js';
import { waitFor, sleep } from '../support/wait.js';
import { EngineBanner, EngineBar } from '../pages/BerthWindow.js';

const engineSocket = process.env.BERTH_TEST_SOCKET ?? '/var/run/docker.sock';

/** Relays every connection to the real engine: a second, distinct endpoint for it. */
function relay(listenOn) {
  const server = net.createServer((client) => {
    server.clients.add(client);
    client.on('close', () => server.clients.delete(client));
    const engine = net.connect(engineSocket);
    client.pipe(engine).pipe(client);
    // Either side ending ends the other: an engine socket left open would keep this process alive.
    const close = () => { client.destroy(); engine.destroy(); };
    for (const end of [client, engine]) for (const event of ['error', 'close']) end.on(event, close);
  });
  server.clients = new Set();
  if (typeof listenOn === 'string') fs.rmSync(listenOn, { force: true });
  return new Promise((resolve) => server.listen(listenOn, () => resolve(server)));
}

/** Stops `server` and drops its connections: the engine is gone for whoever used it. */
function cut(server) {
  return new Promise((resolve) => {
    server.close(resolve);
    for (const c of server.clients ?? []) c.destroy();
  });
}

/** A socket that hangs up on every connection (the engine still down); resolves `tried` at the first one. */
function hangUp(listenOn) {
  let tried;
  const attempt = new Promise((resolve) => { tried = resolve; });
  const server = net.createServer((conn) => { conn.destroy(); tried(); });
  fs.rmSync(listenOn, { force: true });
  return new Promise((resolve) => server.listen(listenOn, () => resolve({ server, attempt })));
}

/** A docker CLI context as `docker context create NAME --docker host=HOST` stores it. */
function writeContext(config, name, host) {
  const dir = path.join(config, 'contexts/meta', crypto.createHash('sha256').update(name).digest('hex'));
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'meta.json'),
    JSON.stringify({ Name: name, Metadata: {}, Endpoints: { docker: { Host: host, SkipTLSVerify: false } } }));
}

describe('engine choice', () => {
  const saved = { DOCKER_CONFIG: process.env.DOCKER_CONFIG, DOCKER_HOST: process.env.DOCKER_HOST, DOCKER_CONTEXT: process.env.DOCKER_CONTEXT };
  const config = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-e2e-contexts-'));
  const stagingSock = path.join(config, 'staging.sock');
  let app, bar, servers = [], tcpPort;

  before(async () => {
    // staging answers (a relay to the real engine): before the fix Berth connected to it.
    servers.push(await relay(stagingSock));
    const tcp = await relay({ host: '127.0.0.1', port: 0 });
    servers.push(tcp);
    tcpPort = tcp.address().port;
    writeContext(config, 'staging', `unix://${stagingSock}`);
    writeContext(config, 'remote', `tcp://127.0.0.1:${tcpPort}`);
    fs.writeFileSync(path.join(config, 'config.json'), '{"auths":{}}');
    // The app inherits this process's environment (through tauri-driver).
    process.env.DOCKER_CONFIG = config;
    delete process.env.DOCKER_HOST;
    delete process.env.DOCKER_CONTEXT;
  });
  after(async () => {
    await app?.close();
    for (const [k, v] of Object.entries(saved)) if (v === undefined) delete process.env[k]; else process.env[k] = v;
    for (const s of servers) await cut(s);
    fs.rmSync(config, { recursive: true, force: true });
  });

  it('shows the default engine, not the stored context, and lists staging in the switcher', async () => {
    app = await launchApp();
    bar = new EngineBar(app);
    await app.guard('default-engine', async () => {
      await bar.waitForName('context: default');
      assert.equal(await bar.remote(), null, 'the default socket is local');
      const staging = await bar.candidate(`unix://${stagingSock}`);
      assert.match(staging, /context: staging/);
      await app.screenshot('engine-choice-default');
    });
  });

  it('switches to staging when the user picks it', () => app.guard('pick-staging', async () => {
    await bar.pick(`unix://${stagingSock}`);
    await bar.waitForName('context: staging');
  }));

  it('says plainly when the chosen engine is remote', async () => {
    await app.close();
    process.env.DOCKER_CONTEXT = 'remote';
    app = await launchApp();
    bar = new EngineBar(app);
    await app.guard('remote-engine', async () => {
      await bar.waitForName('context: remote');
      assert.equal(await bar.remote(), `Remote engine tcp://127.0.0.1:${tcpPort} (context remote)`);
      await app.screenshot('engine-choice-remote');
    });
  });

  it('is back within 2 s of the engine answering again', async () => {
    await app.close();
    delete process.env.DOCKER_CONTEXT;
    const sock = path.join(config, 'outage.sock');
    process.env.DOCKER_HOST = `unix://${sock}`;
    let up = await relay(sock);
    servers.push(up);
    app = await launchApp();
    const banner = new EngineBanner(app);
    await app.guard('outage', async () => {
      await new EngineBar(app).waitForName('DOCKER_HOST');
      await cut(up);
      await banner.waitDown(10_000);
      // Worst case: the engine answers again just after a failed attempt, after a while down (a
      // growing retry delay would have grown by then).
      await sleep(5_000);
      const down = await hangUp(sock);
      await down.attempt;
      await cut(down.server);
      up = await relay(sock);
      servers.push(up);
      const start = Date.now();
      await waitFor(async () => !(await banner.down().isExisting()), { timeout: 10_000, interval: 50, message: 'the window to reconnect' });
      const took = Date.now() - start;
      console.log(`the window reconnected ${took} ms after the engine answered again`);
      assert.ok(took <= 2_000, `reconnected only after ${took} ms`);
    });
  });
});
