/**
 * Scanning real btcd regtest blocks (real consensus, signatures checked by the node): a 3-of-4
 * FROST key receives deposits spread over several blocks, among decoys and hostile data, and the
 * scanner reports them exactly, each with its own transaction's InInstruction, only once final.
 */
import { schnorr_FROST } from '@noble/curves/secp256k1.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, hexToBytes, utf8ToBytes } from '@noble/hashes/utils.js';
import type { Transaction } from 'bitcoinjs-lib';

import { newRegtestKey } from '../../../nodes/regtest-key';
import { encodeShorthand, type Shorthand } from '../../../messages/shorthand';
import { BitcoinNetwork } from '../../../networks/bitcoin/chain';
import { DEPOSIT_FEE, encodeAddress, type DepositOutcome, type InvalidInstruction } from '../../../networks/bitcoin/instructions';
import { outputKeySet } from '../../../networks/bitcoin/keys';
import type { ScannedOutput } from '../../../networks/bitcoin/scan';
import { initialScanState, type ScanState } from '../../../networks/finality';
import { pollScanner, type ScannedBlock } from '../../../networks/bitcoin/feed';
import { useBtcd } from '../../support/chains';
import { opReturn, OP_TRUE_SCRIPT, RegtestWallet, type TxOutput, type Utxo } from '../../support/bitcoin-wallet';

const CONFIRMATIONS = 6;
/** A deposit outcome before its output id is known. */
type ExpectedOutcome = DepositOutcome extends infer O ? (O extends unknown ? Omit<O, 'output'> : never) : never;
const FEE = 10_000n;
const COIN = 100_000_000n;

const seraiAddress = (label: string) => bytesToHex(sha256(utf8ToBytes(label)));
const transfer = (label: string, origin: string | null = null): Shorthand => ({
  kind: 'Raw',
  origin,
  instruction: { kind: 'Transfer', address: seraiAddress(label) },
});

describe('scanning btcd regtest blocks for a 3-of-4 threshold key', () => {
  const btcd = useBtcd();
  const keys = outputKeySet(0, schnorr_FROST.trustedDealer({ min: 3, max: 4 }).public);
  const external = hexToBytes(keys.scripts.external);
  const other = newRegtestKey();
  let wallet: RegtestWallet;
  let network: BitcoinNetwork;
  let state: ScanState;
  const pools = { mining: [] as Utxo[], other: [] as Utxo[], anyoneCanSpend: [] as Utxo[] };
  const take = (pool: Utxo[]): Utxo => {
    const utxo = pool.shift();
    if (!utxo) throw new Error('test wallet ran out of outputs');
    return utxo;
  };
  const miningScript = () => bytesToHex(btcd().miningKey?.outputScript ?? new Uint8Array());

  beforeAll(async () => {
    const node = btcd();
    const mining = node.miningKey;
    if (!mining) throw new Error('expected a generated mining key');
    await node.activateSoftForks();
    wallet = new RegtestWallet(node, [mining, other]);
    const [first, second] = await wallet.coinbases(1, 2);
    if (!first || !second) throw new Error('expected two mature coinbases');
    const split = (to: Uint8Array, count: number): TxOutput[] => Array.from({ length: count }, () => ({ script: to, value: COIN / 2n }));
    const fundMining = wallet.pay([first], split(mining.outputScript, 80), FEE, mining);
    const fundOthers = wallet.pay([second], [...split(other.outputScript, 10), ...split(OP_TRUE_SCRIPT, 4)], FEE, mining);
    for (const tx of [fundMining, fundOthers]) await wallet.send(tx);
    await node.mine(1);
    for (const utxo of [...wallet.ownOutputs(fundMining), ...wallet.ownOutputs(fundOthers)]) {
      if (utxo.value !== COIN / 2n) continue;
      const script = bytesToHex(utxo.script);
      (script === bytesToHex(other.outputScript) ? pools.other : script === bytesToHex(OP_TRUE_SCRIPT) ? pools.anyoneCanSpend : pools.mining).push(utxo);
    }
    network = new BitcoinNetwork(node.rpc, { confirmations: CONFIRMATIONS });
    state = initialScanState({ confirmations: CONFIRMATIONS, startHeight: (await node.rpc.getBlockCount()) + 1 });
  });

  /** Publishes `txs`, mines one block and checks it holds all of them. */
  async function mineWith(txs: readonly Transaction[]): Promise<{ hash: string; height: number }> {
    for (const tx of txs) await wallet.send(tx);
    const [hash = ''] = await btcd().mine(1);
    const block = await btcd().rpc.getBlock(hash);
    expect(block.tx).toEqual(expect.arrayContaining(txs.map((tx) => tx.getId())));
    return { hash, height: block.height };
  }

  async function poll(): Promise<ScannedBlock[]> {
    const result = await pollScanner(network, state, [keys]);
    expect(result.followedReorg).toBeNull();
    state = result.state;
    return result.blocks;
  }

  /** A deposit transaction: our output, the data as OP_RETURN (before or after it), change. */
  interface DepositOptions {
    amount: bigint;
    data?: Uint8Array | null;
    opReturnScript?: Uint8Array;
    inputs?: Utxo[];
    dataFirst?: boolean;
  }
  function deposit(options: DepositOptions): Transaction {
    const pay = { script: external, value: options.amount };
    const dataScript = options.opReturnScript ?? (options.data ? opReturn(options.data) : undefined);
    const outputs = dataScript === undefined ? [pay] : options.dataFirst ? [{ script: dataScript, value: 0n }, pay] : [pay, { script: dataScript, value: 0n }];
    return wallet.pay(options.inputs ?? [take(pools.mining)], outputs, FEE, btcd().miningKey ?? other);
  }

  /** Transactions with OP_RETURN instructions that pay nothing to us, in the same blocks as deposits. */
  function decoys(label: string): Transaction[] {
    return [0, 1].map((i) =>
      wallet.pay([take(pools.mining)], [{ script: opReturn(encodeShorthand(transfer(`attacker ${label} ${i}`))), value: 0n }], FEE, btcd().miningKey ?? other),
    );
  }

  function expectedDeposit(tx: Transaction, amount: bigint, shorthand: Shorthand, presumedOrigin: string): { output: ScannedOutput; outcome: DepositOutcome } {
    const vout = tx.outs.findIndex((out) => bytesToHex(out.script) === keys.scripts.external);
    const data = bytesToHex(encodeShorthand(shorthand));
    const id = `${tx.getId()}:${vout}`;
    // The only explicit origin these tests write is the other key's address.
    const ownOrigin = shorthand.origin === null ? null : bytesToHex(other.outputScript);
    if (shorthand.kind !== 'Raw') throw new Error('expected a Raw shorthand');
    return {
      output: { id, txid: tx.getId(), vout, kind: 'external', session: 0, amount: amount.toString(), script: keys.scripts.external, presumedOrigin, data, dataStatus: 'present' },
      outcome: {
        kind: 'instruction',
        output: id,
        instruction: { instruction: shorthand.instruction, balance: { coin: 'bitcoin', amount: (amount - DEPOSIT_FEE).toString() } },
        refundTo: ownOrigin ?? presumedOrigin,
      },
    };
  }

  const byId = <T extends { id?: string; output?: string }>(items: T[]): T[] => [...items].sort((a, b) => String(a.id ?? a.output).localeCompare(String(b.id ?? b.output)));

  test('20 deposits over 3 blocks, several per block, each with its own InInstruction, are reported exactly and only once final', async () => {
    const otherAddress = bytesToHex(encodeAddress(other.outputScript) ?? new Uint8Array());
    const groups = [8, 7, 5];
    const expected: ReturnType<typeof expectedDeposit>[][] = [];
    const mined: { hash: string; height: number }[] = [];
    let index = 0;
    for (const [block, size] of groups.entries()) {
      const txs: Transaction[] = [];
      const blockExpected: ReturnType<typeof expectedDeposit>[] = [];
      for (let i = 0; i < size; i++, index++) {
        const amount = 100_000n + BigInt(index) * 1_000n;
        const shorthand = transfer(`depositor ${index}`, index % 4 === 0 ? otherAddress : null);
        // Deposit 9 spends another key's output first: its presumed origin is that key, not the miner.
        const inputs = index === 9 ? [take(pools.other), take(pools.mining)] : undefined;
        const tx = deposit({ amount, data: encodeShorthand(shorthand), inputs, dataFirst: index % 2 === 1 });
        txs.push(tx);
        blockExpected.push(expectedDeposit(tx, amount, shorthand, index === 9 ? bytesToHex(other.outputScript) : miningScript()));
      }
      txs.push(...decoys(`block ${block}`));
      if (block === 0) {
        // A deposit below DUST (dropped) and at DUST (kept), both with valid data.
        const dust = deposit({ amount: 9_999n, data: encodeShorthand(transfer('dust')) });
        const atDust = deposit({ amount: 10_000n, data: encodeShorthand(transfer('at dust')) });
        txs.push(dust, atDust);
        blockExpected.push(expectedDeposit(atDust, 10_000n, transfer('at dust'), miningScript()));
      }
      mined.push(await mineWith(txs));
      expected.push(blockExpected);
      expect(await poll()).toEqual([]);
    }
    expect(expected.flat()).toHaveLength(21); // the 20 deposits and the one at DUST

    const first = mined[0]?.height ?? 0;
    const reportedAt = new Map<number, ScannedBlock[]>();
    for (let tip = first + 3; tip <= first + 8; tip++) {
      await btcd().mine(1);
      reportedAt.set(tip, await poll());
    }
    // Block k (height first + k) is final, and reported, exactly when the tip reaches first + k + 5.
    expect([...reportedAt.entries()].map(([tip, blocks]) => [tip - first, blocks.map((b) => b.block.height - first)])).toEqual([
      [3, []],
      [4, []],
      [5, [0]],
      [6, [1]],
      [7, [2]],
      [8, [3]],
    ]);
    const reported = [5, 6, 7].map((k) => reportedAt.get(first + k)?.[0]);
    for (const [k, block] of reported.entries()) {
      if (!block) throw new Error(`block ${k} was not reported`);
      const wanted = expected[k] ?? [];
      expect(block.block).toMatchObject({ hash: mined[k]?.hash, height: first + k });
      expect(byId(block.outputs)).toEqual(byId(wanted.map((entry) => entry.output)));
      expect(byId(block.deposits)).toEqual(byId(wanted.map((entry) => entry.outcome)));
    }
    expect(reportedAt.get(first + 8)?.[0]?.outputs).toEqual([]);
    // Nothing is reported twice.
    expect(await poll()).toEqual([]);
  });

  test("a block's time is the BIP113 median time past the node reports", async () => {
    const tip = await btcd().rpc.getBlockCount();
    const [ref, info] = await Promise.all([network.blockAt(tip), btcd().rpc.getBlockchainInfo()]);
    expect(ref).toMatchObject({ height: tip, hash: info.bestblockhash, time: info.mediantime });
  });

  test('hostile data in the same block as good deposits: the good ones are unaffected, the rest refunded or reported unusable', async () => {
    const otherAddress = bytesToHex(encodeAddress(other.outputScript) ?? new Uint8Array());
    const good = [0, 1, 2].map((i) => {
      const shorthand = transfer(`good ${i}`);
      const tx = deposit({ amount: 200_000n, data: encodeShorthand(shorthand), dataFirst: i === 1 });
      return { tx, expected: expectedDeposit(tx, 200_000n, shorthand, miningScript()) };
    });
    const valid = encodeShorthand(transfer('victim'));
    const hostile: { name: string; tx: Transaction; outcome: ExpectedOutcome }[] = [];
    const refund = (invalid: InvalidInstruction, address = miningScript()) => ({ kind: 'refund' as const, invalid, refund: { address, amount: '150000' } });
    const add = (name: string, options: Omit<DepositOptions, 'amount'>, outcome: ExpectedOutcome) =>
      hostile.push({ name, tx: deposit({ amount: 150_000n, ...options }), outcome });

    add('truncated', { data: valid.subarray(0, valid.length - 1) }, refund({ reason: 'undecodable', field: 'Raw.instruction.Transfer', detail: 'needs 32 byte(s), 31 left' }));
    add('trailing byte', { data: Uint8Array.of(...valid, 0) }, refund({ reason: 'undecodable', field: 'Shorthand', detail: '1 trailing byte(s)' }));
    add('unknown Shorthand variant', { data: Uint8Array.of(7, ...valid.subarray(1)) }, refund({ reason: 'undecodable', field: 'Shorthand', detail: 'unknown variant 7' }));
    add('unknown InInstruction variant', { data: Uint8Array.of(0, 0, 9, ...valid.subarray(3)) }, refund({ reason: 'undecodable', field: 'Raw.instruction', detail: 'unknown variant 9' }));
    add('oversized (600 bytes)', { data: new Uint8Array(600).fill(0) }, refund({ reason: 'data-too-long' }));
    add('OP_RETURN push running past the script', { opReturnScript: hexToBytes('6a4dffff00') }, refund({ reason: 'malformed-script' }));
    add('no OP_RETURN', { data: null }, refund({ reason: 'no-data' }));
    add(
      'Swap (todo!() in the original) with its own origin',
      { data: encodeShorthand({ kind: 'Swap', origin: otherAddress, coin: 'ether', minimum: '1', out: { address: 'aa', data: null } }) },
      refund({ reason: 'unsupported', shorthand: 'Swap' }, bytesToHex(other.outputScript)),
    );
    add('invalid data, first input not an address', { data: Uint8Array.of(1), inputs: [take(pools.anyoneCanSpend)] }, { kind: 'unusable', invalid: { reason: 'no-data' } });
    add('truncated, first input not an address', { data: valid.subarray(0, 5), inputs: [take(pools.anyoneCanSpend)] }, {
      kind: 'unusable',
      invalid: { reason: 'undecodable', field: 'Raw.instruction.Transfer', detail: 'needs 32 byte(s), 2 left' },
    });

    const mined = await mineWith([...good.map((g) => g.tx), ...hostile.map((h) => h.tx), ...decoys('hostile block')]);
    await btcd().mine(CONFIRMATIONS - 2);
    expect((await poll()).filter((scanned) => scanned.outputs.length > 0)).toEqual([]);
    await btcd().mine(1);
    const [block, ...rest] = await poll();
    expect(rest).toEqual([]);
    expect(block?.block.hash).toBe(mined.hash);
    const outcomes = new Map(block?.deposits.map((outcome) => [outcome.output, outcome]));
    expect(outcomes.size).toBe(good.length + hostile.length);
    for (const { expected } of good) expect(outcomes.get(expected.output.id)).toEqual(expected.outcome);
    for (const { name, tx, outcome } of hostile) {
      const id = `${tx.getId()}:${tx.outs.findIndex((out) => bytesToHex(out.script) === keys.scripts.external)}`;
      expect({ name, outcome: outcomes.get(id) }).toEqual({ name, outcome: { ...outcome, output: id } });
    }
  });
});
