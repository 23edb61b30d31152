/**
 * docker-compose.yml as Docker Compose reads it: loaded by compose-go, the loader Docker Compose
 * itself uses (tools/compose-check, built by `npm run tools`), with its schema, merges and paths, in
 * a copy of the file beside a `secrets/` directory of the files the README's "Production" lists.
 * Docker cannot run containers here, so the file is checked as far as it can be without an engine:
 * its services, pinned images, secrets from files only, and each processor worker's environment
 * accepted by the worker's own configuration (config/worker-config.ts, the codec keyring and the
 * keystore key) with the secret files the service mounts, as `worker.ts` loads them at start.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { loadWorkerConfig } from '../../../config/worker-config';
import { loadCoordinatorConfig } from '../../../devnet/coordinator/main';
import { createKeystoreKeyFile, loadKeystoreKey } from '../../../store';
import { loadCodecKeyring } from '../../../temporal/keyring';

const ROOT = resolve(__dirname, '../../..');
const CHECK = join(ROOT, '.tools', 'bin', 'compose-check');
const VALIDATORS = ['alice', 'bob', 'carol', 'dave'];
const NETWORKS = ['bitcoin', 'ethereum'];

/** The secret files an operator writes under ./secrets (README "Production"), with a well-formed sample of each. */
const SECRETS: Record<string, (path: string) => void> = {
  postgres_password: (path) => writeFileSync(path, 'a-long-random-password\n'),
  'temporal.env': (path) => writeFileSync(path, 'POSTGRES_PWD=a-long-random-password\n'),
  codec_keys: (path) => writeFileSync(path, `k1=${'ab'.repeat(32)}\n`),
  'btcd.conf': (path) => writeFileSync(path, 'rpcuser=custody\nrpcpass=another-long-password\n'),
  btcd_rpc_password: (path) => writeFileSync(path, 'another-long-password\n'),
  ...Object.fromEntries(VALIDATORS.map((v) => [`${v}_keystore_key`, (path: string) => createKeystoreKeyFile(path)])),
  ...Object.fromEntries(VALIDATORS.map((v, i) => [`${v}_relayer_key`, (path: string) => writeFileSync(path, `0x${(i + 1).toString(16).padStart(64, '0')}\n`)])),
  grafana_admin_password: (path) => writeFileSync(path, 'a-third-long-password\n'),
};

interface ComposeService {
  image?: string;
  build?: { context: string; dockerfile: string };
  command?: string[];
  environment?: Record<string, string | null>;
  secrets?: { source: string; target?: string }[];
  volumes?: { type: string; source: string; target: string }[];
  network_mode?: string;
}
interface ComposeProject {
  services: Record<string, ComposeService>;
  secrets: Record<string, { file: string }>;
}

let dir: string;
let project: ComposeProject;

const compose = (file: string) => execFileSync(CHECK, [file], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'compose-'));
  copyFileSync(join(ROOT, 'docker-compose.yml'), join(dir, 'docker-compose.yml'));
  mkdirSync(join(dir, 'secrets'));
  for (const [name, write] of Object.entries(SECRETS)) write(join(dir, 'secrets', name));
  project = JSON.parse(compose(join(dir, 'docker-compose.yml'))) as ComposeProject;
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

const processors = () => VALIDATORS.flatMap((v) => NETWORKS.map((n) => ({ validator: v, network: n, name: `processor-${v}-${n}` })));
/** Where each secret a service mounts appears in its container, and the file it comes from here. */
const mounts = (service: ComposeService) =>
  new Map((service.secrets ?? []).map((s) => [s.target ?? `/run/secrets/${s.source}`, project.secrets[s.source]!.file]));

test('compose-go loads the file: PostgreSQL, Temporal and its UI, the codec server, the coordinator, btcd, anvil, a worker per validator and network, Prometheus and Grafana', () => {
  expect(Object.keys(project.services).sort()).toEqual(
    ['postgresql', 'temporal', 'temporal-ui', 'codec-server', 'coordinator', 'btcd', 'anvil', 'prometheus', 'grafana', ...processors().map((p) => p.name)].sort(),
  );
  // Every secret is one of the files under ./secrets, and every such file is used.
  expect(Object.values(project.secrets).map((s) => s.file).sort()).toEqual(
    Object.keys(SECRETS).filter((name) => name !== 'temporal.env').map((name) => join(dir, 'secrets', name)).sort(),
  );
});

test('every image is pinned to a version, and the processor, codec server and coordinator are built from the repository', () => {
  for (const [name, service] of Object.entries(project.services)) {
    expect([name, service.image]).toEqual([name, expect.stringMatching(/^[a-z0-9./-]+:[A-Za-z0-9._-]+$/)]);
    expect(service.image).not.toMatch(/:latest$/);
  }
  for (const name of ['codec-server', 'coordinator', ...processors().map((p) => p.name)]) {
    expect(project.services[name]!.build).toEqual({ context: dir, dockerfile: 'Dockerfile' });
  }
  expect(readFileSync(join(ROOT, 'Dockerfile'), 'utf8')).toMatch(/scripts\/bundle-workflows\.ts dist\/bundles/);
});

test('no secret is written in the file: keys and passwords come from secret files only', () => {
  const text = readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8');
  const inline = /^\s*-?\s*(KEYSTORE_KEY|CODEC_KEYS|BITCOIN_RPC_PASSWORD|ETHEREUM_RELAYER_KEY|POSTGRES_PASSWORD|POSTGRES_PWD|CODEC_SERVER_TOKEN)\s*[:=]/m;
  expect(text).not.toMatch(inline);
  expect(text).not.toMatch(/[0-9a-fA-F]{64}/);
  for (const [name, service] of Object.entries(project.services)) {
    for (const [variable, value] of Object.entries(service.environment ?? {})) {
      if (variable.endsWith('_FILE') && value?.startsWith('/run/secrets/')) expect([name, variable, mounts(service).has(value)]).toEqual([name, variable, true]);
    }
  }
});

test("every processor worker's environment passes the worker's own configuration, with the secret files it mounts", () => {
  const keystores = new Set<string>();
  for (const { validator, network, name } of processors()) {
    const service = project.services[name]!;
    expect(service.command).toEqual(['node', 'dist/worker.js']);
    const files = mounts(service);
    const env = { ...service.environment } as Record<string, string>;
    // In the container each *_FILE names its mount; here, the file the mount comes from.
    const here = Object.fromEntries(Object.entries(env).map(([k, v]) => [k, k.endsWith('_FILE') ? files.get(v) ?? `${v} (not mounted)` : v]));
    const config = loadWorkerConfig(here);
    expect(config).toMatchObject({ validator, network, namespace: `validator-${validator}`, temporalAddress: 'temporal:7233', taskQueue: `processor-${validator}-${network}`, metrics: { address: '0.0.0.0:9464', sampleMs: 10_000 } });
    if (network === 'bitcoin') expect(config.bitcoinRpc).toEqual({ url: 'http://btcd:18443', username: 'custody', password: 'another-long-password' });
    else expect(config.ethereumRelayerKey).toMatch(/^0x[0-9a-f]{64}$/);
    expect([...loadCodecKeyring(here).keys.keys()]).toEqual(['k1']);
    expect(loadKeystoreKey(here)).toHaveLength(32);
    expect(env.KEYSTORE_KEY_FILE).toBe(`/run/secrets/${validator}_keystore_key`);
    // Each worker keeps its keystore in a volume of its own.
    const volume = service.volumes?.find((v) => v.target === '/var/lib/processor');
    expect(volume?.type).toBe('volume');
    keystores.add(volume!.source);
  }
  expect(keystores.size).toBe(processors().length);
});

test("the coordinator's environment passes its configuration; the codec server stays on the host's loopback", () => {
  const coordinator = project.services.coordinator!;
  expect(loadCoordinatorConfig(coordinator.environment as Record<string, string>)).toMatchObject({ VALIDATORS, COORDINATOR_NAMESPACE: 'coordinator' });
  const files = mounts(coordinator);
  expect(loadCodecKeyring({ CODEC_KEYS_FILE: files.get(coordinator.environment!.CODEC_KEYS_FILE!) }).current).toBe('k1');
  expect(project.services['codec-server']!.network_mode).toBe('host');
  expect(project.services['codec-server']!.environment).not.toHaveProperty('CODEC_SERVER_HOST');
});

test("Prometheus scrapes every worker's metrics address and the Temporal server's; Grafana provisions it as the dashboard's datasource and loads the repository's dashboard", () => {
  const prometheusConfig = readFileSync(join(ROOT, 'ops', 'prometheus.yml'), 'utf8');
  const targets = [...prometheusConfig.matchAll(/^ +- ([a-z0-9-]+:\d+)$/gm)].map((m) => m[1]!).concat([...prometheusConfig.matchAll(/targets: \[([^\]]+)\]/g)].flatMap((m) => m[1]!.split(',').map((t) => t.trim())));
  const metricsPort = (name: string) => project.services[name]!.environment!.METRICS_ADDRESS!.split(':').at(-1);
  expect(targets.sort()).toEqual([...processors().map((p) => `${p.name}:${metricsPort(p.name)}`), `temporal:${project.services.temporal!.environment!.PROMETHEUS_ENDPOINT!.split(':').at(-1)}`].sort());
  const prometheus = project.services.prometheus!;
  expect(prometheus.volumes?.find((v) => v.target === '/etc/prometheus/prometheus.yml')?.source).toBe(join(dir, 'ops', 'prometheus.yml'));
  const grafana = project.services.grafana!;
  const sources = new Map((grafana.volumes ?? []).map((v) => [v.target, v.source]));
  expect(sources.get('/var/lib/grafana/dashboards/custody-dashboard.json')).toBe(join(dir, 'ops', 'grafana', 'custody-dashboard.json'));
  expect(sources.get('/etc/grafana/provisioning')).toBe(join(dir, 'ops', 'grafana', 'provisioning'));
  expect(mounts(grafana).get(grafana.environment!.GF_SECURITY_ADMIN_PASSWORD__FILE!)).toBe(join(dir, 'secrets', 'grafana_admin_password'));
  const datasource = readFileSync(join(ROOT, 'ops', 'grafana', 'provisioning', 'datasources', 'prometheus.yml'), 'utf8');
  expect(datasource).toMatch(/^ +uid: prometheus$/m);
  expect(datasource).toMatch(/^ +url: http:\/\/prometheus:9090$/m);
  expect(readFileSync(join(ROOT, 'ops', 'grafana', 'provisioning', 'dashboards', 'custody.yml'), 'utf8')).toMatch(/path: \/var\/lib\/grafana\/dashboards$/m);
});

test('compose-go refuses a file that breaks the Compose schema, naming where', () => {
  const broken = readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8').replace(/^( {2}anvil:\n)/m, '$1    restart_policy: always\n');
  writeFileSync(join(dir, 'broken.yml'), broken);
  expect(() => compose(join(dir, 'broken.yml'))).toThrow(/services\.anvil\.restart_policy false schema/);
});
