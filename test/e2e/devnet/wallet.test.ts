/**
 * The devnet wallet and miner on a real btcd regtest node: deposits (good and hostile) are
 * accepted, mined, and read back by the Bitcoin scanner with the verdict each deserves; the
 * wallet never spends a coinbase twice, whoever else spends them; BTC amounts and regtest
 * addresses convert exactly; the miner keeps its interval and stops cleanly.
 */
import { schnorr_FROST } from '@noble/curves/secp256k1.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, hexToBytes, utf8ToBytes } from '@noble/hashes/utils.js';
import { payments, Transaction } from 'bitcoinjs-lib';

import { startMiner, MinerOptionError } from '../../../devnet/miner';
import { newRegtestKey } from '../../../nodes/regtest-key';
import {
  addressToScript,
  BtcAmountError,
  CoinbaseNotMatureError,
  DevnetWallet,
  Faucet,
  formatBtc,
  InsufficientCoinbaseError,
  InvalidAddressError,
  MAX_MONEY_SATS,
  NoAddressError,
  parseBtc,
  scriptToAddress,
  WALLET_FEE_RATE,
  WalletInputError,
  type BtcAmountProblem,
  type SentTransaction,
} from '../../../devnet/wallet';
import { decodeShorthand, encodeShorthand } from '../../../messages/shorthand';
import { BitcoinNetwork } from '../../../networks/bitcoin/chain';
import { DEPOSIT_FEE, depositOutcomes, encodeAddress, type DepositOutcome, type InvalidInstruction } from '../../../networks/bitcoin/instructions';
import { outputKeySet } from '../../../networks/bitcoin/keys';
import { RegtestWallet } from '../../support/bitcoin-wallet';
import { randomTaprootScript } from '../../support/bitcoin-tx';
import { useBtcd, withBtcd } from '../../support/chains';

jest.setTimeout(120_000);

const seraiAddress = (label: string) => bytesToHex(sha256(utf8ToBytes(label)));
/** A deposit outcome before its output id is known. */
type Verdict = DepositOutcome extends infer O ? (O extends unknown ? Omit<O, 'output'> : never) : never;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('parseBtc and formatBtc', () => {
  test.each([
    ['1', 100_000_000n],
    ['0.5', 50_000_000n],
    ['0.00000001', 1n],
    ['00.10000000', 10_000_000n],
    ['1234.56789012', 123_456_789_012n],
    ['21000000', MAX_MONEY_SATS],
  ])('parseBtc(%p) is %p sat', (input, sats) => {
    expect(parseBtc(input)).toBe(sats);
  });

  test.each<[string, BtcAmountProblem]>([
    ['0', 'zero'],
    ['0.00000000', 'zero'],
    ['-1', 'negative'],
    ['-0.5', 'negative'],
    ['0.000000001', 'too-many-decimals'],
    ['1.123456789', 'too-many-decimals'],
    ['21000000.00000001', 'above-max-money'],
    ['999999999999999999999999999999', 'above-max-money'],
    ['', 'not-a-decimal'],
    ['.5', 'not-a-decimal'],
    ['1.', 'not-a-decimal'],
    ['+1', 'not-a-decimal'],
    [' 1', 'not-a-decimal'],
    ['1e-3', 'not-a-decimal'],
    ['1,5', 'not-a-decimal'],
    ['0x10', 'not-a-decimal'],
    ['Infinity', 'not-a-decimal'],
  ])('parseBtc(%p) is refused: %s', (input, problem) => {
    expect(() => parseBtc(input)).toThrow(expect.objectContaining({ name: 'BtcAmountError', input, problem }));
    expect(() => parseBtc(input)).toThrow(BtcAmountError);
  });

  test.each([
    [0n, '0'],
    [1n, '0.00000001'],
    [50_000_000n, '0.5'],
    [100_000_000n, '1'],
    [123_456_789_012n, '1234.56789012'],
    [MAX_MONEY_SATS, '21000000'],
    [-150_000_000n, '-1.5'],
  ])('formatBtc(%p) is %p', (sats, text) => {
    expect(formatBtc(sats)).toBe(text);
  });

  test('formatBtc and parseBtc are inverse over positive amounts', () => {
    for (const sats of [1n, 9n, 10n, 99_999_999n, 100_000_001n, 2_099_999_999_999_999n, MAX_MONEY_SATS]) {
      expect(parseBtc(formatBtc(sats))).toBe(sats);
    }
  });
});

describe('regtest addresses', () => {
  const key = newRegtestKey();
  const taproot = randomTaprootScript();

  test('a P2WPKH and a P2TR address map to their output scripts and back', () => {
    expect(addressToScript(key.address)).toBe(bytesToHex(key.outputScript));
    expect(scriptToAddress(bytesToHex(key.outputScript))).toBe(key.address);
    const taprootAddress = scriptToAddress(taproot);
    expect(taprootAddress).toMatch(/^bcrt1p/);
    expect(addressToScript(taprootAddress)).toBe(taproot);
  });

  test.each([
    ['a mainnet address', payments.p2wpkh({ pubkey: key.publicKey }).address ?? ''],
    ['garbage', 'not an address'],
    ['a bech32 address with a broken checksum', `${key.address.slice(0, -1)}${key.address.endsWith('q') ? 'p' : 'q'}`],
  ])('%s is an InvalidAddressError naming it', (_what, address) => {
    expect(() => addressToScript(address)).toThrow(expect.objectContaining({ name: 'InvalidAddressError', address }));
    expect(() => addressToScript(address)).toThrow(InvalidAddressError);
  });

  test('an OP_RETURN script has no address', () => {
    expect(() => scriptToAddress('6a0401020304')).toThrow(NoAddressError);
  });
});

describe('deposits on btcd regtest', () => {
  const btcd = useBtcd();
  const keys = outputKeySet(0, schnorr_FROST.trustedDealer({ min: 2, max: 3 }).public);
  const to = keys.scripts.external;
  let wallet: DevnetWallet;
  let network: BitcoinNetwork;

  beforeAll(async () => {
    await btcd().activateSoftForks();
    wallet = DevnetWallet.of(btcd());
    network = new BitcoinNetwork(btcd().rpc, { confirmations: 1 });
  });

  /** Mines one block, checks it holds every `sent` transaction as sent, and returns the deposit outcomes the scanner reads from it. */
  async function mineAndScan(sent: readonly SentTransaction[]): Promise<Map<string, DepositOutcome>> {
    const [hash = ''] = await btcd().mine(1);
    const block = await btcd().rpc.getBlock(hash);
    expect(block.tx).toEqual(expect.arrayContaining(sent.map((s) => s.txid)));
    for (const s of sent) expect(await btcd().rpc.getRawTransactionHex(s.txid)).toBe(s.hex);
    const outputs = await network.outputsOf(await network.blockAt(block.height), [keys]);
    return new Map(depositOutcomes(outputs).map((outcome) => [outcome.output, outcome]));
  }

  test('a deposit pays the external script, carries the Shorthand Transfer, and scans as an instruction refundable to the wallet', async () => {
    const address = seraiAddress('alice');
    const sent = await wallet.deposit({ to, amount: 250_000n, seraiAddress: address });
    const tx = Transaction.fromHex(sent.hex);
    expect(tx.getId()).toBe(sent.txid);
    expect(sent.vout).toBe(0);
    expect(bytesToHex(tx.outs[0]?.script ?? new Uint8Array())).toBe(to);
    expect(tx.outs[0]?.value).toBe(250_000n);
    // It pays WALLET_FEE_RATE: the fee over the virtual size, within one byte's worth.
    const input = tx.ins[0];
    const spent = Transaction.fromHex(await btcd().rpc.getRawTransactionHex(bytesToHex(Uint8Array.from(input?.hash ?? []).reverse()))).outs[input?.index ?? 0];
    const fee = (spent?.value ?? 0n) - tx.outs.reduce((total, out) => total + out.value, 0n);
    expect(fee).toBeGreaterThanOrEqual(BigInt(tx.virtualSize()) * WALLET_FEE_RATE);
    expect(fee).toBeLessThanOrEqual(BigInt(tx.virtualSize() + 1) * WALLET_FEE_RATE);
    // The presumed origin is the script input 0 spends: the mining key's P2WPKH coinbase output.
    expect(wallet.refundScript).toBe(bytesToHex(btcd().miningKey?.outputScript ?? new Uint8Array()));

    const opReturn = tx.outs.find((out) => out.script[0] === 0x6a);
    const data = opReturn?.script.subarray(2) ?? new Uint8Array();
    expect(opReturn?.script[1]).toBe(data.length);
    expect(decodeShorthand(data)).toEqual({ ok: true, shorthand: { kind: 'Raw', origin: null, instruction: { kind: 'Transfer', address } } });

    const outcomes = await mineAndScan([sent]);
    expect([...outcomes.values()]).toEqual([
      {
        kind: 'instruction',
        output: `${sent.txid}:0`,
        instruction: { instruction: { kind: 'Transfer', address }, balance: { coin: 'bitcoin', amount: (250_000n - DEPOSIT_FEE).toString() } },
        refundTo: wallet.refundScript,
      },
    ]);
  });

  test('an explicit origin is written into the Shorthand and becomes the refund address', async () => {
    const origin = randomTaprootScript();
    const address = seraiAddress('bob');
    const sent = await wallet.deposit({ to, amount: 120_000n, seraiAddress: address, origin });
    const outcomes = await mineAndScan([sent]);
    expect(outcomes.get(`${sent.txid}:0`)).toEqual({
      kind: 'instruction',
      output: `${sent.txid}:0`,
      instruction: { instruction: { kind: 'Transfer', address }, balance: { coin: 'bitcoin', amount: (120_000n - DEPOSIT_FEE).toString() } },
      refundTo: origin,
    });
    const opReturn = Transaction.fromHex(sent.hex).outs[1]?.script ?? new Uint8Array();
    expect(decodeShorthand(opReturn.subarray(2))).toMatchObject({ ok: true, shorthand: { origin: bytesToHex(encodeAddress(hexToBytes(origin)) ?? new Uint8Array()) } });
  });

  test('hostile data in one block: each deposit gets its verdict, refunds go back to the wallet', async () => {
    const valid = encodeShorthand({ kind: 'Raw', origin: null, instruction: { kind: 'Transfer', address: seraiAddress('victim') } });
    const padded = (length: number) => Uint8Array.from({ length }, (_, i) => valid[i] ?? 0);
    const cases: { name: string; data: Uint8Array | Uint8Array[] | null; verdict: Verdict }[] = [];
    const refund = (invalid: InvalidInstruction): Verdict => ({ kind: 'refund', invalid, refund: { address: wallet.refundScript, amount: '150000' } });
    const add = (name: string, data: Uint8Array | Uint8Array[] | null, verdict: Verdict) => cases.push({ name, data, verdict });

    add('truncated Shorthand', valid.subarray(0, valid.length - 1), refund({ reason: 'undecodable', field: 'Raw.instruction.Transfer', detail: 'needs 32 byte(s), 31 left' }));
    add('unknown Shorthand variant byte', Uint8Array.of(7, ...valid.subarray(1)), refund({ reason: 'undecodable', field: 'Shorthand', detail: 'unknown variant 7' }));
    add('unknown InInstruction variant byte', Uint8Array.of(0, 0, 9, ...valid.subarray(3)), refund({ reason: 'undecodable', field: 'Raw.instruction', detail: 'unknown variant 9' }));
    add('512 bytes (the cap): read, and refused for its trailing bytes', padded(512), refund({ reason: 'undecodable', field: 'Shorthand', detail: `${512 - valid.length} trailing byte(s)` }));
    add('513 bytes: over the cap', padded(513), refund({ reason: 'data-too-long' }));
    add('a 521-byte push (past the 520-byte script push limit)', padded(521), refund({ reason: 'data-too-long' }));
    add('no OP_RETURN at all', null, refund({ reason: 'no-data' }));
    add('several pushes, the last one garbage', [valid, Uint8Array.of(0xff, 0xff, 0xff)], refund({ reason: 'undecodable', field: 'Shorthand', detail: 'unknown variant 255' }));
    add('several pushes, the last one a valid Shorthand', [Uint8Array.of(0xff, 0xff, 0xff), valid], {
      kind: 'instruction',
      instruction: { instruction: { kind: 'Transfer', address: seraiAddress('victim') }, balance: { coin: 'bitcoin', amount: (150_000n - DEPOSIT_FEE).toString() } },
      refundTo: wallet.refundScript,
    });

    const sent: SentTransaction[] = [];
    for (const { data } of cases) sent.push(await wallet.depositWithData({ to, amount: 150_000n, data }));
    const good = await wallet.deposit({ to, amount: 150_000n, seraiAddress: seraiAddress('carol') });
    expect(Transaction.fromHex(sent[6]?.hex ?? '').outs.some((out) => out.script[0] === 0x6a)).toBe(false);

    const outcomes = await mineAndScan([...sent, good]);
    expect(outcomes.size).toBe(cases.length + 1);
    expect(outcomes.get(`${good.txid}:0`)?.kind).toBe('instruction');
    for (const [index, { name, verdict }] of cases.entries()) {
      const output = `${sent[index]?.txid}:0`;
      expect({ name, outcome: outcomes.get(output) }).toEqual({ name, outcome: { ...verdict, output } });
    }
  });

  test('bad requests are WalletInputErrors naming the field, and spend nothing', async () => {
    const before = wallet.nextCoinbaseHeight;
    const request = { to, amount: 100_000n, seraiAddress: seraiAddress('dave') };
    const refused = [
      [{ ...request, seraiAddress: 'ab'.repeat(31) }, 'seraiAddress'],
      [{ ...request, seraiAddress: 'AB'.repeat(32) }, 'seraiAddress'],
      [{ ...request, to: 'not hex' }, 'to'],
      [{ ...request, to: '' }, 'to'],
      [{ ...request, amount: 0n }, 'amount'],
      [{ ...request, amount: -5n }, 'amount'],
      [{ ...request, amount: MAX_MONEY_SATS + 1n }, 'amount'],
      [{ ...request, origin: '6a0401020304' }, 'origin'],
    ] as const;
    for (const [bad, field] of refused) {
      await expect(wallet.deposit(bad)).rejects.toThrow(expect.objectContaining({ name: 'WalletInputError', field }));
    }
    await expect(wallet.payTo('0014', 0n)).rejects.toThrow(WalletInputError);
    expect(wallet.nextCoinbaseHeight).toBe(before);
  });

  test('a coinbase that cannot cover the payment is an InsufficientCoinbaseError with the figures', async () => {
    const height = wallet.nextCoinbaseHeight;
    const error: unknown = await wallet.payTo(to, 60n * 100_000_000n).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InsufficientCoinbaseError);
    expect(error).toMatchObject({ height, available: 50n * 100_000_000n });
    expect((error as InsufficientCoinbaseError).needed).toBeGreaterThan(60n * 100_000_000n);
  });

  test('the wallet and any Faucet on the same node share one coinbase cursor: concurrent payments never collide', async () => {
    expect(DevnetWallet.of(btcd())).toBe(wallet);
    const faucet = new Faucet(btcd());
    const before = wallet.nextCoinbaseHeight;
    const results = await Promise.all([
      wallet.deposit({ to, amount: 100_000n, seraiAddress: seraiAddress('erin') }),
      faucet.pay([{ script: randomTaprootScript(), amount: 200_000n }]),
      wallet.payTo(randomTaprootScript(), 300_000n),
      new Faucet(btcd()).pay([{ script: to, amount: 400_000n }]),
    ]);
    const txids = results.map((result) => (typeof result === 'string' ? result : result.txid));
    expect(new Set(txids).size).toBe(4);
    expect(await btcd().rpc.getRawMempool()).toEqual(expect.arrayContaining(txids));
    expect(wallet.nextCoinbaseHeight).toBe(before + 4);
    await btcd().mine(1);
  });

  test('a coinbase another process spent (in the mempool, or mined) is skipped', async () => {
    const node = btcd();
    const miningKey = node.miningKey;
    if (!miningKey) throw new Error('expected a generated mining key');
    const outsider = new RegtestWallet(node, [miningKey]);
    const spendOutOfBand = async (height: number) => {
      const [coinbase] = await outsider.coinbases(height, height);
      if (!coinbase) throw new Error(`no coinbase at ${height}`);
      return outsider.send(outsider.pay([coinbase], [{ script: hexToBytes(randomTaprootScript()), value: 1_000_000n }], 10_000n, miningKey));
    };

    const inMempool = wallet.nextCoinbaseHeight;
    const outsiderTxid = await spendOutOfBand(inMempool);
    const afterMempoolConflict = await wallet.payTo(randomTaprootScript(), 500_000n);
    expect(wallet.nextCoinbaseHeight).toBe(inMempool + 2);
    expect(await node.rpc.getRawMempool()).toEqual(expect.arrayContaining([outsiderTxid, afterMempoolConflict.txid]));

    const mined = wallet.nextCoinbaseHeight;
    await spendOutOfBand(mined);
    await node.mine(1);
    const afterMinedConflict = await wallet.payTo(randomTaprootScript(), 500_000n);
    expect(wallet.nextCoinbaseHeight).toBe(mined + 2);
    expect(await node.rpc.getRawMempool()).toContain(afterMinedConflict.txid);
    await node.mine(1);
  });

  describe('the miner', () => {
    test('mines one block per interval, reporting each, and stops after an in-flight block', async () => {
      const node = btcd();
      const intervalMs = 400;
      const start = await node.rpc.getBlockCount();
      const hashes: string[] = [];
      const errors: unknown[] = [];
      let stopping: Promise<void> | undefined;
      let lastOnBlockFinished = false;
      const began = Date.now();
      let fifthAt = 0;
      const miner = startMiner(node, {
        intervalMs,
        onError: (error) => errors.push(error),
        onBlock: async (hash) => {
          hashes.push(hash);
          if (hashes.length === 5) {
            fifthAt = Date.now();
            // stop() from inside the in-flight block: it must wait for this onBlock to finish.
            stopping = miner.stop();
            await sleep(300);
            lastOnBlockFinished = true;
          }
        },
      });
      while (stopping === undefined) await sleep(50);
      await stopping;
      expect(lastOnBlockFinished).toBe(true);
      expect(errors).toEqual([]);
      expect(miner.blocks).toBe(5);
      // 5 blocks in about 5 intervals: never sooner, and late only by the machine's slowness.
      expect(fifthAt - began).toBeGreaterThanOrEqual(5 * intervalMs - 5);
      expect(fifthAt - began).toBeLessThan(5 * intervalMs + 2_000);
      const chain = await Promise.all(hashes.map((_, i) => node.rpc.getBlockHash(start + 1 + i)));
      expect(chain).toEqual(hashes);

      await sleep(3 * intervalMs);
      expect(await node.rpc.getBlockCount()).toBe(start + 5);
      await miner.stop();
    });

    test('pause holds mining once a block in flight has landed, resume restarts it', async () => {
      const node = btcd();
      const intervalMs = 200;
      const errors: unknown[] = [];
      let blocks = 0;
      const miner = startMiner(node, { intervalMs, onError: (error) => errors.push(error), onBlock: () => void blocks++ });
      try {
        while (blocks < 2) await sleep(20);
        await miner.pause();
        const paused = await node.rpc.getBlockCount();
        await sleep(4 * intervalMs);
        expect(await node.rpc.getBlockCount()).toBe(paused);
        miner.resume();
        miner.resume();
        const resumedAt = miner.blocks;
        while (miner.blocks < resumedAt + 2) await sleep(20);
      } finally {
        await miner.stop();
      }
      expect(errors).toEqual([]);
    });

    test('bad options are MinerOptionErrors', () => {
      const node = btcd();
      expect(() => startMiner(node, { intervalMs: 0, onError: () => undefined })).toThrow(MinerOptionError);
      expect(() => startMiner(node, { intervalMs: Number.NaN, onError: () => undefined })).toThrow(expect.objectContaining({ option: 'intervalMs' }));
    });
  });
});

describe('a fresh node', () => {
  test('has no mature coinbase yet (CoinbaseNotMatureError, nothing used up); a miner on it reports every failure once it is gone', () =>
    withBtcd({}, async (node) => {
      const wallet = DevnetWallet.of(node);
      const error: unknown = await wallet.payTo(randomTaprootScript(), 100_000n).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(CoinbaseNotMatureError);
      expect(error).toMatchObject({ height: 1, tip: 0 });
      expect(wallet.nextCoinbaseHeight).toBe(1);

      const errors: unknown[] = [];
      let blocks = 0;
      const miner = startMiner(node, { intervalMs: 100, onError: (e) => errors.push(e), onBlock: () => void blocks++ });
      try {
        while (blocks < 1) await sleep(20);
        await node.stop();
        while (errors.length < 2) await sleep(20);
      } finally {
        await miner.stop();
      }
      expect(errors[0]).toBeInstanceOf(Error);
      expect(errors[0]).toMatchObject({ name: 'RpcTransportError' });
    }));
});
