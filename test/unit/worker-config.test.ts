import { ConfigError, loadWorkerConfig } from '../../config/worker-config';
import { parseByzantine } from '../../devnet/byzantine';

const valid = {
  VALIDATOR_NAME: 'alice',
  NETWORK: 'bitcoin',
  KEYSTORE_PATH: '/var/lib/processor/keystore.sqlite',
  KEYSTORE_KEY_FILE: '/run/secrets/keystore.key',
  CODEC_KEYS_FILE: '/run/secrets/codec-keys',
  BITCOIN_RPC_URL: 'http://127.0.0.1:18443',
  BITCOIN_RPC_USER: 'rpc',
  BITCOIN_RPC_PASSWORD: 'hunter2-but-long',
};

test('a complete environment gives a config with defaults filled in', () => {
  expect(loadWorkerConfig(valid)).toEqual({
    validator: 'alice',
    network: 'bitcoin',
    temporalAddress: '127.0.0.1:7233',
    namespace: 'default',
    taskQueue: 'processor-alice-bitcoin',
    keystorePath: '/var/lib/processor/keystore.sqlite',
    bitcoinRpc: { url: 'http://127.0.0.1:18443', username: 'rpc', password: 'hunter2-but-long' },
    ethereumRpcUrl: undefined,
    coordinatorNamespace: 'coordinator',
    workflowBundlePath: undefined,
  });
});

test('an Ethereum worker takes its RPC URL, relayer key and DAI address', () => {
  const relayerKey = `0x${'ab'.repeat(32)}`;
  const dai = `0x${'cd'.repeat(20)}`;
  const env = { ...valid, NETWORK: 'ethereum', ETHEREUM_RPC_URL: 'http://127.0.0.1:8545', ETHEREUM_RELAYER_KEY: relayerKey, ETHEREUM_DAI_ADDRESS: dai };
  expect(loadWorkerConfig(env)).toMatchObject({ network: 'ethereum', ethereumRpcUrl: 'http://127.0.0.1:8545', ethereumRelayerKey: relayerKey, ethereumDaiAddress: dai, bitcoinRpc: undefined });
  expect(() => loadWorkerConfig({ ...env, ETHEREUM_RPC_URL: undefined })).toThrow('config: ETHEREUM_RPC_URL must be set when NETWORK=ethereum');
});

test('the RPC password and the relayer key may come from files (Docker secrets), never both ways, and an unreadable file is named', () => {
  const relayerKey = `0x${'ab'.repeat(32)}`;
  const files: Record<string, string> = { '/run/secrets/rpc': 'from-a-file\n', '/run/secrets/relayer': `${relayerKey}\n` };
  const readFile = (path: string) => {
    if (!(path in files)) throw Object.assign(new Error(`ENOENT: ${path}`), { code: 'ENOENT' });
    return files[path]!;
  };
  const bitcoin = { ...valid, BITCOIN_RPC_PASSWORD: undefined, BITCOIN_RPC_PASSWORD_FILE: '/run/secrets/rpc' };
  expect(loadWorkerConfig(bitcoin, readFile).bitcoinRpc?.password).toBe('from-a-file');
  expect(() => loadWorkerConfig({ ...bitcoin, BITCOIN_RPC_PASSWORD: 'inline' }, readFile)).toThrow(new ConfigError('config: set only one of BITCOIN_RPC_PASSWORD and BITCOIN_RPC_PASSWORD_FILE, not both'));
  expect(() => loadWorkerConfig({ ...bitcoin, BITCOIN_RPC_PASSWORD_FILE: '/run/secrets/missing' }, readFile)).toThrow(new ConfigError('config: BITCOIN_RPC_PASSWORD_FILE /run/secrets/missing cannot be read (ENOENT)'));
  const ethereum = { ...valid, NETWORK: 'ethereum', ETHEREUM_RPC_URL: 'http://127.0.0.1:8545', ETHEREUM_RELAYER_KEY_FILE: '/run/secrets/relayer' };
  expect(loadWorkerConfig(ethereum, readFile).ethereumRelayerKey).toBe(relayerKey);
  files['/run/secrets/relayer'] = 'not a key';
  expect(() => loadWorkerConfig(ethereum, readFile)).toThrow(/^config: ETHEREUM_RELAYER_KEY must be 0x and 64 hex characters/);
  expect(() => loadWorkerConfig(ethereum, readFile)).not.toThrow(/not a key/);
});

test('metrics are served only with METRICS_ADDRESS (host:port), sampled every METRICS_SAMPLE_SECONDS (10 by default); bad values are named', () => {
  expect(loadWorkerConfig(valid).metrics).toBeUndefined();
  expect(loadWorkerConfig({ ...valid, METRICS_ADDRESS: '0.0.0.0:9464' }).metrics).toEqual({ address: '0.0.0.0:9464', sampleMs: 10_000 });
  expect(loadWorkerConfig({ ...valid, METRICS_ADDRESS: '127.0.0.1:9464', METRICS_SAMPLE_SECONDS: '2' }).metrics).toEqual({ address: '127.0.0.1:9464', sampleMs: 2_000 });
  expect(() => loadWorkerConfig({ ...valid, METRICS_ADDRESS: 'http://0.0.0.0:9464/metrics' })).toThrow('config: METRICS_ADDRESS must be host:port (where Prometheus scrapes /metrics) (got "http://0.0.0.0:9464/metrics")');
  expect(() => loadWorkerConfig({ ...valid, METRICS_ADDRESS: '0.0.0.0:9464', METRICS_SAMPLE_SECONDS: '0' })).toThrow('config: METRICS_SAMPLE_SECONDS must be at least 1');
  expect(() => loadWorkerConfig({ ...valid, METRICS_ADDRESS: '0.0.0.0:9464', METRICS_SAMPLE_SECONDS: 'often' })).toThrow('config: METRICS_SAMPLE_SECONDS must be a number of seconds');
});

test('large payloads go to a payload store only with PAYLOAD_STORE_URL, from PAYLOAD_CLAIM_CHECK_BYTES (128 KiB by default); bad values are named', () => {
  expect(loadWorkerConfig(valid).payloadStore).toBeUndefined();
  expect(loadWorkerConfig({ ...valid, PAYLOAD_STORE_URL: 'http://coordinator:8900' }).payloadStore).toEqual({ url: 'http://coordinator:8900', claimCheckBytes: 131_072 });
  expect(loadWorkerConfig({ ...valid, PAYLOAD_STORE_URL: 'http://127.0.0.1:8900', PAYLOAD_CLAIM_CHECK_BYTES: '8192' }).payloadStore?.claimCheckBytes).toBe(8192);
  expect(() => loadWorkerConfig({ ...valid, PAYLOAD_STORE_URL: 'coordinator:8900' })).toThrow(/^config: PAYLOAD_STORE_URL must be an http\(s\) URL/);
  expect(() => loadWorkerConfig({ ...valid, PAYLOAD_STORE_URL: 'http://x:1', PAYLOAD_CLAIM_CHECK_BYTES: '100' })).toThrow('config: PAYLOAD_CLAIM_CHECK_BYTES must be at least 1024');
  expect(() => loadWorkerConfig({ ...valid, PAYLOAD_STORE_URL: 'http://x:1', PAYLOAD_CLAIM_CHECK_BYTES: '4194304' })).toThrow(/^config: PAYLOAD_CLAIM_CHECK_BYTES must be at most 2097152/);
});

test('the production config knows nothing of devnet fault injection', () => {
  expect(loadWorkerConfig({ ...valid, DEVNET_BYZANTINE: 'bad-share:4' })).toEqual(loadWorkerConfig(valid));
});

test('devnet fault injection (devnet/validator-worker.ts) is parsed, and anything but the two known behaviours is refused', () => {
  expect(parseByzantine('bad-share:4')).toEqual({ kind: 'bad-share', victim: 4 });
  expect(parseByzantine('false-accuse:3')).toEqual({ kind: 'false-accuse', victim: 3 });
  expect(() => parseByzantine('steal-funds:1')).toThrow('config: DEVNET_BYZANTINE must be bad-share:<participant> or false-accuse:<participant>');
});

test.each([
  ['missing validator', { VALIDATOR_NAME: undefined }, 'config: VALIDATOR_NAME is required'],
  ['bad validator name', { VALIDATOR_NAME: 'Alice!' }, 'config: VALIDATOR_NAME must be 1-32 lowercase letters, digits or dashes (got "Alice!")'],
  ['unknown network', { NETWORK: 'doge' }, 'config: NETWORK must be one of bitcoin, ethereum (got "doge")'],
  ['bad Temporal address', { TEMPORAL_ADDRESS: 'localhost' }, 'config: TEMPORAL_ADDRESS must be host:port (got "localhost")'],
  ['no keystore key', { KEYSTORE_KEY_FILE: undefined }, 'config: KEYSTORE_KEY or KEYSTORE_KEY_FILE must be set'],
  ['short keystore key', { KEYSTORE_KEY_FILE: undefined, KEYSTORE_KEY: 'abcd' }, 'config: KEYSTORE_KEY must be 64 hex characters'],
  ['no codec keys', { CODEC_KEYS_FILE: undefined }, 'config: CODEC_KEYS or CODEC_KEYS_FILE must be set'],
  ['bitcoin without RPC', { BITCOIN_RPC_PASSWORD: undefined }, 'config: BITCOIN_RPC_URL BITCOIN_RPC_USER and BITCOIN_RPC_PASSWORD must be set when NETWORK=bitcoin'],
  ['RPC URL not http', { BITCOIN_RPC_URL: 'ftp://x' }, 'config: BITCOIN_RPC_URL must be an http(s) URL'],
  ['short relayer key', { ETHEREUM_RELAYER_KEY: '0xhunter2' }, "config: ETHEREUM_RELAYER_KEY must be 0x and 64 hex characters (the relayer account's private key)"],
  ['bad DAI address', { ETHEREUM_DAI_ADDRESS: '0x1234' }, 'config: ETHEREUM_DAI_ADDRESS must be 0x and 40 hex characters (got "0x1234")'],
])('%s is a one-line ConfigError', (_name, change, message) => {
  const env = { ...valid, ...change } as NodeJS.ProcessEnv;
  for (const key of Object.keys(change)) if ((change as Record<string, unknown>)[key] === undefined) delete env[key];
  expect(() => loadWorkerConfig(env)).toThrow(ConfigError);
  expect(() => loadWorkerConfig(env)).toThrow(message);
  try {
    loadWorkerConfig(env);
  } catch (err) {
    expect((err as Error).message).not.toContain('\n');
    expect((err as Error).message).not.toContain('hunter2');
  }
});
