import { once } from 'node:events';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { address as bitcoinAddress, Block, networks, Transaction } from 'bitcoinjs-lib';
import { z } from 'zod';
import { BtcdOptionError, COINBASE_MATURITY, SOFT_FORK_ACTIVE_TIP_HEIGHT, startBtcd, type BtcdNode } from '../../../nodes/btcd';
import { pollUntil } from '../../../nodes/poll';
import { ManagedProcess, ProcessStartError, startProcess, startWithRetries } from '../../../nodes/process';
import { toolPath, ToolMissingError } from '../../../nodes/tools';
import { BitcoinRpc } from '../../../networks/bitcoin/rpc';
import { isNotInMainChain, RpcError, RpcErrorCode, RpcHttpError, RpcResponseError, RpcTransportError } from '../../../networks/bitcoin/rpc-errors';
import { NODE_HOOK_TIMEOUT_MS, useBtcd, withBtcd } from '../../support/chains';

const REGTEST_SUBSIDY_SATS = 50n * 100_000_000n;
const ZERO_HASH = '00'.repeat(32);

describe('btcd regtest node', () => {
  const btcd = useBtcd({ addrIndex: true });
  let hashes: string[] = [];

  beforeAll(async () => {
    hashes = await btcd().mine(COINBASE_MATURITY + 1);
  });

  test('mines 101 blocks whose heights and hashes read back chained by previousblockhash', async () => {
    const { rpc } = btcd();
    expect(hashes).toHaveLength(101);
    expect(await rpc.getBlockCount()).toBe(101);
    expect(await rpc.getBestBlockHash()).toBe(hashes[100]);

    let previous = await rpc.getBlockHash(0);
    for (let height = 1; height <= 101; height++) {
      const hash = hashes[height - 1];
      expect(await rpc.getBlockHash(height)).toBe(hash);
      const block = await rpc.getBlock(hash ?? '');
      expect(block).toMatchObject({ hash, height, previousblockhash: previous, confirmations: 102 - height });
      const header = await rpc.getBlockHeader(hash ?? '');
      expect(header).toMatchObject({ hash, height, previousblockhash: previous, merkleroot: block.merkleroot });
      previous = block.hash;
    }
  });

  test('every coinbase pays the mining address, generated from our own key', async () => {
    const node = btcd();
    const key = node.miningKey;
    if (!key) throw new Error('expected a generated mining key');
    const expectedScript = bitcoinAddress.toOutputScript(node.miningAddress, networks.regtest);
    expect(Buffer.from(expectedScript).equals(Buffer.from(key.outputScript))).toBe(true);

    for (const hash of hashes) {
      const block = await node.rpc.getBlock(hash);
      const coinbaseId = block.tx[0] ?? '';
      const coinbase = Transaction.fromHex(await node.rpc.getRawTransactionHex(coinbaseId));
      expect(coinbase.getId()).toBe(coinbaseId);
      expect(coinbase.isCoinbase()).toBe(true);
      expect(Buffer.from(coinbase.outs[0]?.script ?? []).equals(Buffer.from(expectedScript))).toBe(true);
      expect(coinbase.outs[0]?.value).toBe(REGTEST_SUBSIDY_SATS);
    }

    const firstCoinbase = (await node.rpc.getBlock(hashes[0] ?? '')).tx[0] ?? '';
    const unspent = await node.rpc.getTxOut(firstCoinbase, 0);
    expect(unspent).toMatchObject({
      coinbase: true,
      confirmations: 101,
      valueSats: REGTEST_SUBSIDY_SATS,
      scriptPubKey: { hex: Buffer.from(expectedScript).toString('hex'), address: node.miningAddress },
    });
    expect(await node.rpc.getRawTransaction(firstCoinbase)).toMatchObject({ txid: firstCoinbase, blockhash: hashes[0], confirmations: 101 });
  });

  test('raw block hex parses with bitcoinjs-lib and hashes to the block hash', async () => {
    const { rpc } = btcd();
    for (const hash of [hashes[0], hashes[50], hashes[100]]) {
      const info = await rpc.getBlock(hash ?? '');
      const block = Block.fromHex(await rpc.getBlockHex(hash ?? ''));
      expect(block.getId()).toBe(hash);
      expect(Buffer.from(block.prevHash ?? []).reverse().toString('hex')).toBe(info.previousblockhash);
      expect(Buffer.from(block.merkleRoot ?? []).reverse().toString('hex')).toBe(info.merkleroot);
      expect(block.transactions?.map((tx) => tx.getId())).toEqual(info.tx);
      expect(block.checkTxRoots()).toBe(true);
    }
  });

  test('searchrawtransactions finds the coinbases paying the mining address', async () => {
    const node = btcd();
    const found = await node.rpc.searchRawTransactions(node.miningAddress, { count: 1000 });
    const coinbaseIds = await Promise.all(hashes.map(async (hash) => (await node.rpc.getBlock(hash)).tx[0]));
    expect(found.map((hex) => Transaction.fromHex(hex).getId())).toEqual(coinbaseIds);
  });

  test('the mempool is empty and getinfo reports the chain height', async () => {
    const { rpc } = btcd();
    expect(await rpc.getRawMempool()).toEqual([]);
    expect(await rpc.getInfo()).toMatchObject({ blocks: 101, connections: 0, testnet: false });
  });

  test('a refused call is an RpcError carrying the node code', async () => {
    const { rpc } = btcd();
    const outOfRange = await rpc.getBlockHash(1_000_000).catch((error: unknown) => error);
    expect(outOfRange).toBeInstanceOf(RpcError);
    expect(outOfRange).toMatchObject({ method: 'getblockhash', code: RpcErrorCode.misc, nodeMessage: 'Block number out of range', retryable: false });

    await expect(rpc.getBlock(ZERO_HASH)).rejects.toMatchObject({ name: 'RpcError', code: RpcErrorCode.invalidAddressOrKey });
    await expect(rpc.getRawTransactionHex(ZERO_HASH)).rejects.toMatchObject({ name: 'RpcError', code: RpcErrorCode.invalidAddressOrKey });
    await expect(rpc.sendRawTransaction('00')).rejects.toMatchObject({ name: 'RpcError', code: RpcErrorCode.deserialization });
    await expect(rpc.call('nosuchmethod', [], z.unknown())).rejects.toMatchObject({ code: RpcErrorCode.methodNotFound });
    expect(await rpc.getTxOut(ZERO_HASH, 0)).toBeNull();
  });

  test('wrong credentials are a non-retryable RpcHttpError 401 from the real node', async () => {
    const wrong = new BitcoinRpc({ url: btcd().rpc.url, username: 'nobody', password: 'wrong' });
    const error = await wrong.getBlockCount().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(RpcHttpError);
    expect(error).toMatchObject({ status: 401, retryable: false });
  });

  test('an aborted call is an RpcTransportError of kind aborted, not retryable', async () => {
    const controller = new AbortController();
    controller.abort();
    const error = await btcd().rpc.getBlockCount({ signal: controller.signal }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(RpcTransportError);
    expect(error).toMatchObject({ kind: 'aborted', retryable: false });
  });
});

describe('btcd lifecycle', () => {
  test(
    'starts in its own data dir, stops idempotently, and then calls fail with a retryable transport error',
    async () => {
      const started = performance.now();
      const node = await startBtcd();
      const startupMs = performance.now() - started;
      try {
        expect(node.p2pAddress).toBeUndefined();
        expect(node.process.isRunning).toBe(true);
        expect(await node.rpc.getBlockCount()).toBe(0);
        expect(await new BitcoinRpc(node.rpcCredentials).getBlockCount()).toBe(0);
        const commandLine = readFileSync(`/proc/${node.process.pid}/cmdline`, 'utf8');
        expect(commandLine).toContain('--regtest');
        expect(commandLine).not.toContain(node.rpcCredentials.password);
        expect(statSync(join(node.dataDir, 'btcd.conf')).mode & 0o777).toBe(0o600);
        const mineStarted = performance.now();
        await node.mine(101);
        console.info(`btcd startup ${startupMs.toFixed(0)} ms; mining 101 blocks ${(performance.now() - mineStarted).toFixed(0)} ms`);
      } finally {
        await Promise.all([node.stop(), node.stop()]);
      }
      await node.stop();
      expect(node.process.isRunning).toBe(false);
      expect(existsSync(node.dataDir)).toBe(false);
      const error = await node.rpc.getBlockCount().catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(RpcTransportError);
      expect(error).toMatchObject({ kind: 'unreachable', retryable: true });
    },
    NODE_HOOK_TIMEOUT_MS,
  );

  test(
    'a restarted btcd begins again at genesis: it wipes its regtest database at start',
    async () => {
      const dataDir = mkdtempSync(join(tmpdir(), 'btcd-restart-'));
      try {
        await withBtcd({ dataDir }, async (node) => {
          await node.mine(3);
          expect(await node.rpc.getBlockCount()).toBe(3);
        });
        await withBtcd({ dataDir }, async (node) => {
          expect(await node.rpc.getBlockCount()).toBe(0);
          expect(readFileSync(node.logPath, 'utf8')).toMatch(/Removing regression test database/);
        });
      } finally {
        rmSync(dataDir, { recursive: true, force: true });
      }
    },
    NODE_HOOK_TIMEOUT_MS,
  );

  test('activates segwit and taproot for the block after height 431', async () => {
    await withBtcd({}, async (node) => {
      const before = await node.rpc.getBlockchainInfo();
      expect(before.bip9_softforks?.taproot?.status).toBe('defined');
      expect(await node.activateSoftForks()).toBe(SOFT_FORK_ACTIVE_TIP_HEIGHT);
      const after = await node.rpc.getBlockchainInfo();
      expect(after).toMatchObject({ chain: 'regtest', blocks: 431 });
      expect(after.bip9_softforks?.segwit?.status).toBe('active');
      expect(after.bip9_softforks?.taproot?.status).toBe('active');
    });
  });

  test('a missing tool is a ToolMissingError naming the override variable', () => {
    expect(() => toolPath('btcd', { BTCD_PATH: '/nonexistent/btcd' })).toThrow(ToolMissingError);
    expect(() => toolPath('btcd', { BTCD_PATH: '/nonexistent/btcd' })).toThrow(/BTCD_PATH=\/nonexistent\/btcd/);
    expect(toolPath('btcd', {})).toMatch(/\.tools\/bin\/btcd$/);
  });

  test('a mainnet mining address is a BtcdOptionError naming the option', async () => {
    const error = await startBtcd({ miningAddress: 'bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4' }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(BtcdOptionError);
    expect(error).toMatchObject({ option: 'miningAddress' });
  });
});

describe('two btcd nodes', () => {
  const a = useBtcd({ listen: true });
  const b = useBtcd();

  const waitForPeers = (node: BtcdNode, count: number): Promise<void> =>
    pollUntil(async (signal) => (await node.rpc.getPeerInfo({ signal })).length === count, {
      what: `btcd ${node.rpcPort} to have ${count} peer(s)`,
      timeoutMs: 30_000,
    });

  test('sync over P2P, fork while disconnected, and reorg to the longer chain on reconnect', async () => {
    const peer = a().p2pAddress ?? '';
    expect(peer).toMatch(/^127\.0\.0\.1:\d+$/);

    await b().connectPeer(peer);
    await Promise.all([waitForPeers(a(), 1), waitForPeers(b(), 1)]);
    const shared = await a().mine(5);
    const sharedTip = shared[4] ?? '';
    await b().waitForBestBlock(sharedTip);

    await b().disconnectPeer(peer);
    await Promise.all([waitForPeers(a(), 0), waitForPeers(b(), 0)]);
    const onA = await a().mine(2);
    const onB = await b().mine(3);
    expect(await a().rpc.getBlockCount()).toBe(7);
    expect(await b().rpc.getBlockCount()).toBe(8);
    expect((await a().rpc.getBlock(onA[0] ?? '')).previousblockhash).toBe(sharedTip);
    expect((await b().rpc.getBlock(onB[0] ?? '')).previousblockhash).toBe(sharedTip);

    await b().connectPeer(peer);
    await a().waitForBestBlock(onB[2] ?? '');
    expect(await a().rpc.getBlockHash(6)).toBe(onB[0]);
    for (const replaced of onA) {
      const error = await a().rpc.getBlockHeader(replaced).catch((caught: unknown) => caught);
      expect(isNotInMainChain(error)).toBe(true);
    }
    expect(isNotInMainChain(await a().rpc.getBlock(onB[0] ?? '').catch((caught: unknown) => caught))).toBe(false);
    const replacedBlock = Block.fromHex(await a().rpc.getBlockHex(onA[0] ?? ''));
    expect(replacedBlock.getId()).toBe(onA[0]);
    expect(Buffer.from(replacedBlock.prevHash ?? []).reverse().toString('hex')).toBe(sharedTip);
  });
});

describe('BitcoinRpc against a misbehaving HTTP server', () => {
  let server: Server;
  let url = '';
  let reply: (body: string) => { status: number; body: string } = () => ({ status: 200, body: '' });

  beforeAll(async () => {
    server = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString()));
      request.on('end', () => {
        const answer = reply(body);
        if (answer.status === 0) return; // never answer
        response.writeHead(answer.status, { 'content-type': 'application/json' }).end(answer.body);
      });
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolveClose) => server.close(resolveClose));
  });

  const rpc = () => new BitcoinRpc({ url, username: 'u', password: 'p', timeoutMs: 1_000 });
  const requestId = (body: string): unknown => (JSON.parse(body) as { id: unknown }).id;

  test('a body that is not JSON is an RpcResponseError', async () => {
    reply = () => ({ status: 200, body: '<html>' });
    await expect(rpc().getBlockCount()).rejects.toThrow(RpcResponseError);
  });

  test('a result of the wrong shape is an RpcResponseError naming the method', async () => {
    reply = (body) => ({ status: 200, body: JSON.stringify({ result: 'zz', error: null, id: requestId(body) }) });
    await expect(rpc().getBestBlockHash()).rejects.toThrow(/getbestblockhash: invalid response/);
    reply = (body) => ({ status: 200, body: JSON.stringify({ result: -1, error: null, id: requestId(body) }) });
    await expect(rpc().getBlockCount()).rejects.toThrow(RpcResponseError);
  });

  test('an answer to another request id is an RpcResponseError', async () => {
    reply = () => ({ status: 200, body: JSON.stringify({ result: 5, error: null, id: 999_999 }) });
    await expect(rpc().getBlockCount()).rejects.toThrow(/does not match request id/);
  });

  test('a JSON error envelope with HTTP 500 (bitcoind style) is still an RpcError with its code', async () => {
    reply = (body) => ({ status: 500, body: JSON.stringify({ result: null, error: { code: -8, message: 'bad' }, id: requestId(body) }) });
    await expect(rpc().getBlockHash(1)).rejects.toMatchObject({ name: 'RpcError', code: -8 });
  });

  test('a server that never answers is a retryable timeout', async () => {
    reply = () => ({ status: 0, body: '' });
    const error = await rpc().getBlockCount().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(RpcTransportError);
    expect(error).toMatchObject({ kind: 'timeout', retryable: true });
  });

  test('HTTP 503 without a JSON body is a retryable RpcHttpError', async () => {
    reply = () => ({ status: 503, body: 'busy' });
    await expect(rpc().getBlockCount()).rejects.toMatchObject({ name: 'RpcHttpError', status: 503, retryable: true });
  });
});

describe('node process supervision', () => {
  let logDir = '';
  beforeAll(() => {
    logDir = mkdtempSync(join(tmpdir(), 'process-test-'));
  });
  afterAll(() => rmSync(logDir, { recursive: true, force: true }));

  const isAlive = (pid: number | undefined): boolean => {
    try {
      process.kill(pid ?? -1, 0);
      return true;
    } catch {
      return false;
    }
  };

  test('a process that exits during startup fails with the tail of its log', async () => {
    const error = await startProcess(
      { name: 'btcd', command: toolPath('btcd'), args: ['--regtest', '--no-such-flag'], logPath: join(logDir, 'bad-flag.log') },
      { probe: async () => false, timeoutMs: 30_000 },
    ).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ProcessStartError);
    expect(error).toMatchObject({ processName: 'btcd', reason: 'exited with code 1' });
    expect((error as ProcessStartError).logTail).toMatch(/unknown flag `no-such-flag'/);
    expect((error as ProcessStartError).message).toContain((error as ProcessStartError).logTail);
  });

  test('a process that never becomes ready is stopped and reported with its log', async () => {
    const error = await startProcess(
      {
        name: 'sleeper',
        command: process.execPath,
        args: ['-e', 'console.log("booting"); setInterval(() => {}, 1000)'],
        logPath: join(logDir, 'sleeper.log'),
      },
      { probe: async () => false, timeoutMs: 1_500 },
    ).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ProcessStartError);
    const startError = error as ProcessStartError;
    expect(startError.reason).toMatch(/timed out after 1500 ms waiting for sleeper to become ready/);
    expect(startError.logTail).toBe('booting');
    expect(startError.pid).toEqual(expect.any(Number));
    expect(isAlive(startError.pid)).toBe(false);
  });

  test('stop escalates to SIGKILL when SIGTERM is ignored, and is idempotent', async () => {
    const logPath = join(logDir, 'stubborn.log');
    const stubborn = await startProcess(
      {
        name: 'stubborn',
        command: process.execPath,
        args: ['-e', 'process.on("SIGTERM", () => console.log("ignoring SIGTERM")); console.log("ready"); setInterval(() => {}, 1000)'],
        logPath,
      },
      { probe: async () => readFileSync(logPath, 'utf8').includes('ready'), timeoutMs: 30_000 },
    );
    expect(stubborn).toBeInstanceOf(ManagedProcess);
    const [first, second] = await Promise.all([stubborn.stop(500), stubborn.stop(500)]);
    expect(first).toEqual({ code: null, signal: 'SIGKILL' });
    expect(second).toBe(first);
    expect(await stubborn.stop()).toBe(first);
    expect(stubborn.logTail()).toContain('ignoring SIGTERM');
    expect(isAlive(stubborn.pid)).toBe(false);
  });

  test('startWithRetries retries start failures only', async () => {
    const startFailure = new ProcessStartError('x', undefined, 'exited with code 1', '/dev/null', '');
    let calls = 0;
    const result = await startWithRetries(3, async (attempt) => {
      calls++;
      if (attempt < 3) throw startFailure;
      return 'started';
    });
    expect({ result, calls }).toEqual({ result: 'started', calls: 3 });

    const other = new TypeError('bad option');
    calls = 0;
    await expect(
      startWithRetries(3, async () => {
        calls++;
        throw other;
      }),
    ).rejects.toBe(other);
    expect(calls).toBe(1);

    await expect(startWithRetries(2, async () => Promise.reject(startFailure))).rejects.toThrow(/failed 2 start attempts; last: exited with code 1/);
  });
});
