/**
 * Two btcd nodes made to fork. The scanner reads node A: a reorg shallower than finality changes
 * nothing it reported (and a deposit in a replaced block is reported once, in the block that
 * finally holds it); a reorg replacing a reported block halts it with an error naming the height
 * and both hashes.
 */
import { schnorr_FROST } from '@noble/curves/secp256k1.js';
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';

import type { BtcdNode } from '../../../nodes/btcd';
import { pollUntil } from '../../../nodes/poll';
import { encodeShorthand, type Shorthand } from '../../../messages/shorthand';
import { BitcoinNetwork } from '../../../networks/bitcoin/chain';
import { DEPOSIT_FEE } from '../../../networks/bitcoin/instructions';
import { outputKeySet } from '../../../networks/bitcoin/keys';
import { FinalizedReorgError, initialScanState, type BlockId, type ScanState } from '../../../networks/finality';
import { pollScanner, type Poll } from '../../../networks/bitcoin/feed';
import { useBtcd } from '../../support/chains';
import { opReturn, RegtestWallet, type Utxo } from '../../support/bitcoin-wallet';

const CONFIRMATIONS = 6;

const waitForPeers = (node: BtcdNode, count: number): Promise<void> =>
  pollUntil(async (signal) => (await node.rpc.getPeerInfo({ signal })).length === count, {
    what: `btcd ${node.rpcPort} to have ${count} peer(s)`,
    timeoutMs: 30_000,
  });

describe('a scanner on one of two forking btcd nodes', () => {
  const a = useBtcd({ listen: true });
  const b = useBtcd();
  const keys = outputKeySet(1, schnorr_FROST.trustedDealer({ min: 3, max: 4 }).public);
  let network: BitcoinNetwork;
  let state: ScanState;
  let pool: Utxo[] = [];
  /** Every block the scanner reported, in order. */
  const reported: BlockId[] = [];
  const peer = () => a().p2pAddress ?? '';

  async function connect(): Promise<void> {
    await b().connectPeer(peer());
    await Promise.all([waitForPeers(a(), 1), waitForPeers(b(), 1)]);
  }

  async function disconnect(): Promise<void> {
    await b().disconnectPeer(peer());
    await Promise.all([waitForPeers(a(), 0), waitForPeers(b(), 0)]);
  }

  async function poll(): Promise<Poll> {
    const result = await pollScanner(network, state, [keys]);
    state = result.state;
    reported.push(...result.blocks.map(({ block }) => ({ height: block.height, hash: block.hash })));
    return result;
  }

  /** Every reported block is still on node A's best chain. */
  async function expectReportedUnchanged(): Promise<void> {
    const now = await Promise.all(reported.map(({ height }) => a().rpc.getBlockHash(height)));
    expect(now).toEqual(reported.map(({ hash }) => hash));
  }

  beforeAll(async () => {
    const key = a().miningKey;
    if (!key) throw new Error('expected a generated mining key');
    await connect();
    await a().activateSoftForks();
    const wallet = new RegtestWallet(a(), [key]);
    const [coinbase] = await wallet.coinbases(1, 1);
    if (!coinbase) throw new Error('expected a mature coinbase');
    const split = wallet.pay([coinbase], Array.from({ length: 4 }, () => ({ script: key.outputScript, value: 100_000_000n })), 10_000n, key);
    await wallet.send(split);
    const [tip = ''] = await a().mine(1);
    await b().waitForBestBlock(tip);
    pool = wallet.ownOutputs(split).filter((utxo) => utxo.value === 100_000_000n);
    network = new BitcoinNetwork(a().rpc, { confirmations: CONFIRMATIONS });
    state = initialScanState({ confirmations: CONFIRMATIONS, startHeight: (await a().rpc.getBlockCount()) - 20 });
    await poll();
    expect(reported.length).toBeGreaterThan(0);
  });

  test('a reorg shallower than finality is followed; a deposit in a replaced block is reported once, where it finally lands', async () => {
    const key = a().miningKey;
    if (!key) throw new Error('expected a generated mining key');
    const wallet = new RegtestWallet(a(), [key]);
    const shorthand: Shorthand = { kind: 'Raw', origin: null, instruction: { kind: 'Transfer', address: 'cd'.repeat(32) } };
    const deposit = wallet.pay(
      [pool.shift() as Utxo],
      [
        { script: hexToBytes(keys.scripts.external), value: 250_000n },
        { script: opReturn(encodeShorthand(shorthand)), value: 0n },
      ],
      10_000n,
      key,
    );

    await disconnect();
    await wallet.send(deposit);
    const onA = await a().mine(2);
    expect((await a().rpc.getBlock(onA[0] ?? '')).tx).toContain(deposit.getId());
    expect((await poll()).blocks.flatMap((block) => block.outputs)).toEqual([]);
    const onB = await b().mine(3);

    await connect();
    await a().waitForBestBlock(onB[2] ?? '');
    const forkHeight = (await a().rpc.getBlockHeader(onB[0] ?? '')).height;
    const followed = await poll();
    expect(followed.followedReorg).toEqual({ height: forkHeight, replaced: onA[0], by: onB[0] });
    expect(followed.blocks.flatMap((block) => block.outputs)).toEqual([]);
    await expectReportedUnchanged();

    // btcd put the deposit back in its mempool when it disconnected the block holding it.
    expect(await a().rpc.getRawMempool()).toContain(deposit.getId());
    const [landed = ''] = await a().mine(1);
    const landedHeight = (await a().rpc.getBlockHeader(landed)).height;
    const deposits = [];
    for (let i = 0; i < CONFIRMATIONS; i++) {
      const result = await poll();
      expect(result.followedReorg).toBeNull();
      deposits.push(...result.blocks.flatMap(({ block, deposits: outcomes }) => outcomes.map((outcome) => ({ block: block.hash, height: block.height, outcome }))));
      await a().mine(1);
    }
    expect(deposits).toEqual([
      {
        block: landed,
        height: landedHeight,
        outcome: {
          kind: 'instruction',
          output: `${deposit.getId()}:0`,
          instruction: { instruction: shorthand.instruction, balance: { coin: 'bitcoin', amount: (250_000n - DEPOSIT_FEE).toString() } },
          refundTo: bytesToHex(key.outputScript),
        },
      },
    ]);
    await expectReportedUnchanged();
    // Heights reported are consecutive and never repeated.
    expect(reported.map(({ height }) => height)).toEqual(Array.from({ length: reported.length }, (_, i) => (reported[0]?.height ?? 0) + i));
  });

  test('a reorg replacing a reported block halts the scanner with an error naming both hashes', async () => {
    await b().waitForBestBlock(await a().rpc.getBestBlockHash());
    await poll();
    await disconnect();
    const onA = await a().mine(CONFIRMATIONS + 1);
    const finalOnA = await poll();
    // The first two of A's new blocks became final and were reported.
    expect(finalOnA.blocks.slice(-2).map(({ block }) => block.hash)).toEqual(onA.slice(0, 2));
    const onB = await b().mine(CONFIRMATIONS + 3);

    await connect();
    await a().waitForBestBlock(onB[onB.length - 1] ?? '');
    const forkHeight = (await a().rpc.getBlockHeader(onB[0] ?? '')).height;
    const halted = await poll().catch((error: unknown) => error);
    expect(halted).toBeInstanceOf(FinalizedReorgError);
    expect(halted).toMatchObject({ height: forkHeight, reportedHash: onA[0], newHash: onB[0], atLeast: false, retryable: false });
    expect((halted as Error).message).toContain(`reported ${onA[0]}, the node's chain now has ${onB[0]}`);
    // It stays halted: the state did not move, and the next poll fails the same way.
    await expect(poll()).rejects.toMatchObject({ name: 'FinalizedReorgError', height: forkHeight, reportedHash: onA[0], newHash: onB[0] });
  });
});
