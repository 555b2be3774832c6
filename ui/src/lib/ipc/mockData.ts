import type {
  BuildPlan, Project, ContainerState, ContainerSummary, EngineCandidate, EngineInfo, ImageSummary, NetworkSummary, PortMapping, VolumeSummary, PipelineJob, PipelineView,
} from './bindings';

const now = Math.floor(Date.now() / 1000);

export const mockEngine: EngineInfo = {
  name: 'Docker Engine',
  host: 'unix:///var/run/docker.sock',
  product: 'Docker Engine - Community',
  version: '27.3.1',
  apiVersion: '1.47',
  os: 'Debian GNU/Linux 12 (bookworm)',
  osType: 'linux',
  arch: 'x86_64',
  kernelVersion: '6.1.0-27-amd64',
  cpus: 8,
  memoryBytes: 16_663_797_760,
  containers: 8,
  containersRunning: 5,
  images: 23,
  warning: null,
};

export const mockCandidates: EngineCandidate[] = [
  { name: 'Docker Engine', host: 'unix:///var/run/docker.sock', source: 'wellKnown', error: null },
  { name: 'Docker (rootless)', host: 'unix:///run/user/1000/docker.sock', source: 'wellKnown',
    error: 'No socket at /run/user/1000/docker.sock.' },
  { name: 'Podman (rootless)', host: 'unix:///run/user/1000/podman/podman.sock', source: 'wellKnown',
    error: 'Connection refused: nothing is listening on the Podman socket.' },
  { name: 'context: colima', host: 'unix:///home/dev/.colima/default/docker.sock', source: 'context',
    error: 'No socket at /home/dev/.colima/default/docker.sock.' },
];

let seed = 0x2f6e2b1;
function hexId(): string {
  let s = '';
  while (s.length < 64) {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    s += (seed >>> 8).toString(16).padStart(6, '0');
  }
  return s.slice(0, 64);
}

function port(privatePort: number, publicPort: number | null, ip: string | null = '0.0.0.0'): PortMapping {
  return { ip: publicPort ? ip : null, privatePort, publicPort, protocol: 'tcp' };
}

export function statusText(state: ContainerState, sinceSecs: number, exitCode = 0): string {
  const ago = sinceSecs < 90 ? `${Math.max(1, Math.round(sinceSecs))} seconds` : sinceSecs < 5400
    ? `${Math.round(sinceSecs / 60)} minutes` : `${Math.round(sinceSecs / 3600)} hours`;
  switch (state) {
    case 'running': return `Up ${ago}`;
    case 'paused': return `Up ${ago} (Paused)`;
    case 'exited': return `Exited (${exitCode}) ${ago} ago`;
    case 'restarting': return `Restarting (${exitCode}) ${ago} ago`;
    case 'created': return 'Created';
    case 'dead': return 'Dead';
    default: return state;
  }
}

interface Seed {
  name: string; image: string; command: string; state: ContainerState; age: number;
  ports?: PortMapping[]; project?: string; service?: string; exitCode?: number;
}

const seeds: Seed[] = [
  { name: 'shop-web-1', image: 'nginx:1.27-alpine', command: '/docker-entrypoint.sh nginx -g \'daemon off;\'',
    state: 'running', age: 7200, ports: [port(80, 8080), port(443, 8443)], project: 'shop', service: 'web' },
  { name: 'shop-api-1', image: 'ghcr.io/acme/shop-api:2.4.0', command: 'node dist/server.js',
    state: 'running', age: 7100, ports: [port(3000, 3000)], project: 'shop', service: 'api' },
  { name: 'shop-db-1', image: 'postgres:16', command: 'docker-entrypoint.sh postgres',
    state: 'running', age: 7300, ports: [port(5432, 5432, '127.0.0.1')], project: 'shop', service: 'db' },
  { name: 'shop-cache-1', image: 'redis:7-alpine', command: 'redis-server --appendonly yes',
    state: 'paused', age: 7250, ports: [port(6379, null)], project: 'shop', service: 'cache' },
  { name: 'shop-worker-1', image: 'ghcr.io/acme/shop-api:2.4.0', command: 'node dist/worker.js',
    state: 'restarting', age: 40, project: 'shop', service: 'worker', exitCode: 1 },
  { name: 'grafana', image: 'grafana/grafana:11.2.0', command: '/run.sh',
    state: 'running', age: 86_400, ports: [port(3000, 3001)] },
  { name: 'dev-sandbox', image: 'ubuntu:24.04', command: 'bash', state: 'exited', age: 18_000 },
  { name: 'db-migrate', image: 'ghcr.io/acme/migrate:1.3', command: 'migrate up',
    state: 'exited', age: 3600, exitCode: 1 },
];

export function mockContainers(): ContainerSummary[] {
  return seeds.map((s) => {
    const labels: Record<string, string> = {};
    if (s.project) {
      labels['com.docker.compose.project'] = s.project;
      labels['com.docker.compose.service'] = s.service ?? '';
    }
    return {
      id: hexId(), name: s.name, image: s.image, imageId: `sha256:${hexId()}`, command: s.command,
      state: s.state, status: statusText(s.state, s.age, s.exitCode), created: now - s.age - 60,
      ports: s.ports ?? [], composeProject: s.project ?? null, composeService: s.service ?? null, labels,
    };
  });
}

export const mockImages = [
  'nginx:1.27-alpine', 'postgres:16', 'redis:7-alpine', 'ubuntu:24.04', 'alpine:3.20',
  'grafana/grafana:11.2.0', 'ghcr.io/acme/shop-api:2.4.0', 'ghcr.io/acme/migrate:1.3', 'busybox:latest',
];

export const mockNetworks = ['bridge', 'host', 'none', 'shop_default'];

/** Local images for the mock backend, one per name in `mockImages`, plus one dangling. */
export function mockImageList(): ImageSummary[] {
  const list: ImageSummary[] = mockImages.map((name, i) => ({
    id: `sha256:${hexId()}`, repoTags: [name], repoDigests: [], size: (i + 1) * 23_456_789,
    created: now - (i + 1) * 86_400, containers: 0, dangling: false,
  }));
  list.push({ id: `sha256:${hexId()}`, repoTags: [], repoDigests: [], size: 5_000_000, created: now - 400_000,
    containers: 0, dangling: true });
  return list;
}

export const mockProject: Project = {
  folder: '/home/dev/shop',
  name: 'shop',
  dockerfiles: ['Dockerfile', 'api/Dockerfile'],
  composeFiles: ['compose.yaml'],
  pipeline: '.gitlab-ci.yml',
  language: 'node',
};

export const mockPlan: BuildPlan = {
  dockerfile: 'Dockerfile',
  args: [{ name: 'NODE_VERSION', default: '20', line: 1 }, { name: 'API_URL', default: null, line: 4 }],
  stages: [{ name: 'deps', base: 'node:20', line: 2 }, { name: 'runtime', base: 'node:20-slim', line: 8 }],
  context: { files: 312, bytes: 4_812_331, excludedFiles: 20_118, ignoreFile: '.dockerignore' },
  defaultTag: 'shop',
};

const iso = (agoSecs: number) => new Date((now - agoSecs) * 1000).toISOString();

/** Volumes for the mock backend: the shop stack's (one in use), one unused, one anonymous. */
export function mockVolumeList(): VolumeSummary[] {
  const volume = (name: string, size: number | null, project: string | null, users: [string, string][] = []): VolumeSummary => ({
    name, driver: 'local', mountpoint: `/var/lib/docker/volumes/${name}/_data`, created: iso(size ? 90_000 : 400_000),
    labels: project ? { 'com.docker.compose.project': project, 'com.docker.compose.volume': name.replace(`${project}_`, '') } : {} as Record<string, string>,
    composeProject: project, size,
    containers: users.map(([container, destination]) => ({ id: hexId(), name: container, running: true, destination })),
  });
  return [
    volume('shop_db-data', 412_000_000, 'shop', [['shop-db-1', '/var/lib/postgresql/data']]),
    volume('shop_cache', 1_200_000, 'shop'),
    volume('grafana-storage', 35_000_000, null, [['grafana', '/var/lib/grafana']]),
    volume(hexId(), 0, null),
  ];
}

/** Networks for the mock backend, matching `mockNetworks`. */
export function mockNetworkList(): NetworkSummary[] {
  const network = (name: string, driver: string, subnet: string | null, project: string | null,
    containers: [string, string][] = []): NetworkSummary => ({
    id: hexId(), name, driver, scope: 'local', created: iso(500_000), internal: false, attachable: false, ipv6: false,
    subnets: subnet ? [{ subnet, gateway: subnet.replace(/0\/\d+$/, '1') }] : [],
    labels: project ? { 'com.docker.compose.project': project, 'com.docker.compose.network': 'default' } : {} as Record<string, string>,
    composeProject: project, predefined: ['bridge', 'host', 'none'].includes(name),
    containers: containers.map(([container, ipv4]) => ({ id: hexId(), name: container, running: true, ipv4 })),
  });
  return [
    network('bridge', 'bridge', '172.17.0.0/16', null, [['grafana', '172.17.0.2']]),
    network('host', 'host', null, null),
    network('none', 'null', null, null),
    network('shop_default', 'bridge', '172.20.0.0/16', 'shop', [['shop-web-1', '172.20.0.2'], ['shop-api-1', '172.20.0.3'], ['shop-db-1', '172.20.0.4']]),
  ];
}

const job = (name: string, stage: string, stageIndex: number, extra: Partial<PipelineJob> = {}): PipelineJob => ({
  name, baseName: name, file: '/home/dev/shop/.gitlab-ci.yml', line: 1, stage, stageIndex, image: { name: 'berth-test/debian:bookworm', entrypoint: null, pullPolicy: [], user: null },
  services: [], script: ['echo hi'], variables: [], when: { type: 'onSuccess' }, reason: { type: 'default' },
  allowFailure: { type: 'no' }, needs: null, ignored: [], beforeScript: [], afterScript: [], dependencies: null, artifacts: null,
  caches: [], retry: { max: 0, when: [], exitCodes: [] }, timeout: null, interruptible: false, resourceGroup: null, coverage: null,
  environment: null, ...extra,
});

/** The shop's pipeline: build → test (unit needs compile; lint waits for the stage) → a manual deploy; one job ruled out. */
export const mockPipeline: PipelineView = {
  pipeline: {
    file: '/home/dev/shop/.gitlab-ci.yml',
    project: { root: '/home/dev/shop', path: 'dev/shop', namespace: 'dev', name: 'shop', buildsDir: '/builds/dev/shop' },
    name: null,
    blockedByWorkflow: null,
    stages: ['.pre', 'build', 'test', 'deploy', '.post'],
    jobs: [
      job('compile', 'build', 1, { variables: [{ name: 'TOKEN', value: '[MASKED]', expand: false, masked: true, origin: 'run' }] }),
      job('unit', 'test', 2, { needs: [{ job: 'compile', artifacts: true, optional: false }] }),
      job('lint', 'test', 2, { allowFailure: { type: 'yes' } }),
      job('nightly', 'test', 2, { when: { type: 'never' }, reason: { type: 'rule', index: 0, line: 12, text: 'if: $CI_PIPELINE_SOURCE == "schedule"' } }),
      job('deploy', 'deploy', 3, { when: { type: 'manual' } }),
    ],
    sources: ['/home/dev/shop/.gitlab-ci.yml'],
  },
  settings: { privilegedServices: null, hostEngineSocket: null, registry: null, variables: [{ name: 'TOKEN', value: '', masked: true }] },
  runs: [],
  active: null,
};
