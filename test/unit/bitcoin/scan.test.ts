/**
 * The pure scan over blocks built in memory. The same code runs against real btcd blocks in
 * scan-btcd.test.ts; here every corner of a transaction's data and origin is reachable.
 */
import { schnorr_FROST } from '@noble/curves/secp256k1.js';
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import { Block, Transaction } from 'bitcoinjs-lib';

import { outputKeySet } from '../../../networks/bitcoin/keys';
import {
  BITCOIN_DUST,
  depositOrigins,
  MissingPrevoutError,
  scanBlock,
  transactionData,
  WatchedScripts,
  WatchedScriptCollisionError,
  type Outpoint,
} from '../../../networks/bitcoin/scan';
import { blockTransactionIds } from '../../../networks/bitcoin/scan-txids';
import { opReturn, OP_TRUE_SCRIPT } from '../../support/bitcoin-wallet';

const keys = outputKeySet(3, schnorr_FROST.trustedDealer({ min: 3, max: 4 }).public);
const nextKeys = outputKeySet(4, schnorr_FROST.trustedDealer({ min: 3, max: 4 }).public);
const script = (kind: keyof typeof keys.scripts, set = keys) => hexToBytes(set.scripts[kind]);
const P2WPKH_ORIGIN = hexToBytes(`0014${'11'.repeat(20)}`);
const P2TR_ORIGIN = hexToBytes(`5120${'22'.repeat(32)}`);

let counter = 0;
/** A transaction spending fresh made-up outpoints; returns it with the outpoints it spends. */
function transaction(outputs: { script: Uint8Array; value: bigint }[], inputs = 1): { tx: Transaction; spends: Outpoint[] } {
  const tx = new Transaction();
  const spends: Outpoint[] = [];
  for (let i = 0; i < inputs; i++) {
    const txid = (++counter).toString(16).padStart(64, '0');
    tx.addInput(hexToBytes(txid).reverse(), i);
    spends.push({ txid, vout: i });
  }
  for (const output of outputs) tx.addOutput(output.script, output.value);
  return { tx, spends };
}

function coinbasePaying(outputScript: Uint8Array): Transaction {
  const tx = new Transaction();
  tx.addInput(new Uint8Array(32), 0xffffffff, 0xffffffff, Uint8Array.of(1, 1));
  tx.addOutput(outputScript, 5_000_000_000n);
  return tx;
}

function block(...transactions: Transaction[]): Block {
  const result = new Block();
  result.transactions = [coinbasePaying(script('external')), ...transactions];
  return result;
}

const data = (length: number, byte = 0x5c) => new Uint8Array(length).fill(byte);

describe('transactionData: the last push of the first OP_RETURN of the transaction itself', () => {
  const dataOf = (...scripts: Uint8Array[]) => {
    const { tx } = transaction(scripts.map((s) => ({ script: s, value: 0n })));
    const { status, data: bytes } = transactionData(tx);
    return { status, data: bytes && bytesToHex(bytes) };
  };

  test('the first OP_RETURN wins over later ones; its last push is the data', () => {
    const first = Uint8Array.of(0x6a, 2, 0xaa, 0xbb, 3, 0x01, 0x02, 0x03);
    expect(dataOf(script('external'), first, opReturn(data(40, 0x77)))).toEqual({ status: 'present', data: '010203' });
  });

  test('exactly 512 bytes is data; 513 is oversized and dropped', () => {
    expect(dataOf(opReturn(data(512)))).toEqual({ status: 'present', data: bytesToHex(data(512)) });
    expect(dataOf(opReturn(data(513)))).toEqual({ status: 'oversized', data: null });
  });

  test('a push running past the end of the script is malformed, not an exception', () => {
    for (const hex of ['6a4dffff00', '6a4c', '6a05aabb', '6a4e01000000']) expect(dataOf(hexToBytes(hex))).toEqual({ status: 'malformed', data: null });
  });

  test('no OP_RETURN, a bare OP_RETURN, or one ending in an opcode carry no data', () => {
    expect(dataOf(script('external'))).toEqual({ status: 'absent', data: null });
    expect(dataOf(Uint8Array.of(0x6a))).toEqual({ status: 'absent', data: null });
    expect(dataOf(Uint8Array.of(0x6a, 2, 0xaa, 0xbb, 0x75))).toEqual({ status: 'absent', data: null });
  });
});

describe('scanBlock', () => {
  const watched = new WatchedScripts([keys, nextKeys]);

  test('each deposit carries the data and origin of its own transaction (reference 6.1), decoys included in the block', () => {
    const a = transaction([{ script: script('external'), value: 20_000n }, { script: opReturn(data(40, 0xa1)), value: 0n }]);
    const decoy = transaction([{ script: P2WPKH_ORIGIN, value: 70_000n }, { script: opReturn(data(40, 0xd0)), value: 0n }]);
    const b = transaction([{ script: opReturn(data(40, 0xb2)), value: 0n }, { script: script('external'), value: 30_000n }], 2);
    const c = transaction([{ script: script('external'), value: 40_000n }]);
    const scanned = block(a.tx, decoy.tx, b.tx, c.tx);
    const scripts = new Map<string, Uint8Array>([
      [`${a.spends[0]?.txid}:0`, P2WPKH_ORIGIN],
      [`${b.spends[0]?.txid}:0`, P2TR_ORIGIN],
      [`${c.spends[0]?.txid}:0`, OP_TRUE_SCRIPT],
    ]);
    expect(depositOrigins(scanned, watched)).toEqual([a.spends[0], b.spends[0], c.spends[0]]);
    const outputs = scanBlock(scanned, watched, ({ txid, vout }) => scripts.get(`${txid}:${vout}`));
    expect(outputs).toEqual([
      {
        id: `${a.tx.getId()}:0`,
        txid: a.tx.getId(),
        vout: 0,
        kind: 'external',
        session: 3,
        amount: '20000',
        script: keys.scripts.external,
        presumedOrigin: bytesToHex(P2WPKH_ORIGIN),
        data: bytesToHex(data(40, 0xa1)),
        dataStatus: 'present',
      },
      {
        id: `${b.tx.getId()}:1`,
        txid: b.tx.getId(),
        vout: 1,
        kind: 'external',
        session: 3,
        amount: '30000',
        script: keys.scripts.external,
        presumedOrigin: bytesToHex(P2TR_ORIGIN),
        data: bytesToHex(data(40, 0xb2)),
        dataStatus: 'present',
      },
      {
        id: `${c.tx.getId()}:0`,
        txid: c.tx.getId(),
        vout: 0,
        kind: 'external',
        session: 3,
        amount: '40000',
        script: keys.scripts.external,
        presumedOrigin: null,
        data: null,
        dataStatus: 'absent',
      },
    ]);
  });

  test('outputs are matched per kind and key set; the coinbase and dust are skipped', () => {
    const tx = transaction([
      { script: script('branch'), value: BITCOIN_DUST },
      { script: script('change'), value: BITCOIN_DUST - 1n },
      { script: script('forward', nextKeys), value: 123_456n },
      { script: script('external', nextKeys), value: 99_999n },
      { script: opReturn(data(40)), value: 0n },
    ]);
    const outputs = scanBlock(block(tx.tx), watched, () => P2WPKH_ORIGIN);
    expect(outputs.map(({ vout, kind, session, amount, data: d, presumedOrigin }) => ({ vout, kind, session, amount, data: d, presumedOrigin }))).toEqual([
      { vout: 0, kind: 'branch', session: 3, amount: '10000', data: null, presumedOrigin: null },
      { vout: 2, kind: 'forward', session: 4, amount: '123456', data: null, presumedOrigin: null },
      { vout: 3, kind: 'external', session: 4, amount: '99999', data: bytesToHex(data(40)), presumedOrigin: bytesToHex(P2WPKH_ORIGIN) },
    ]);
  });

  test('only deposits need an origin: a block of change outputs needs no prevout', () => {
    const tx = transaction([{ script: script('change'), value: 50_000n }]);
    const scanned = block(tx.tx);
    expect(depositOrigins(scanned, watched)).toEqual([]);
    expect(scanBlock(scanned, watched, () => undefined)).toHaveLength(1);
  });

  test('a deposit whose origin the caller did not supply is a MissingPrevoutError naming the outpoint', () => {
    const tx = transaction([{ script: script('external'), value: 50_000n }]);
    expect(() => scanBlock(block(tx.tx), watched, () => undefined)).toThrow(MissingPrevoutError);
    expect(() => scanBlock(block(tx.tx), watched, () => undefined)).toThrow(`${tx.spends[0]?.txid}:0`);
  });

  test('two key sets watching one script is a typed error naming both sessions', () => {
    const error = (() => {
      try {
        return new WatchedScripts([keys, { ...keys, session: 9 }]);
      } catch (caught) {
        return caught;
      }
    })();
    expect(error).toBeInstanceOf(WatchedScriptCollisionError);
    expect(error).toMatchObject({ sessions: [3, 9] });
  });
});

describe('blockTransactionIds: txids hashed natively, checked against the merkle root', () => {
  function committed(...transactions: Transaction[]): Block {
    const result = block(...transactions);
    result.merkleRoot = Block.calculateMerkleRoot(result.transactions ?? []);
    return result;
  }
  const witnessed = () => {
    const { tx } = transaction([{ script: script('external'), value: 50_000n }]);
    tx.setWitness(0, [new Uint8Array(71).fill(1), new Uint8Array(33).fill(2)]);
    return tx;
  };

  test("the txids are bitcoinjs-lib's, witnesses excluded, and match the root bitcoinjs-lib computes", () => {
    const txs = [witnessed(), transaction([{ script: script('change'), value: 1n }]).tx, witnessed()];
    const scanned = committed(...txs);
    const ids = blockTransactionIds(scanned);
    expect(ids.txids).toEqual(scanned.transactions?.map((tx) => tx.getId()));
    expect(ids.matchesHeader).toBe(true);
  });

  test('a changed transaction, a missing root or a duplicated last pair (CVE-2012-2459) does not match', () => {
    const txs = [witnessed(), witnessed(), witnessed()];
    const scanned = committed(...txs);
    (scanned.transactions?.[2] as Transaction).outs[0] = { script: script('external'), value: 50_001n };
    expect(blockTransactionIds(scanned).matchesHeader).toBe(false);
    const rootless = block(witnessed());
    expect(blockTransactionIds(rootless).matchesHeader).toBe(false);
    // [coinbase, a, b, b] hashes to the same root as [coinbase, a, b]: refused as mutated.
    const [a, b] = [witnessed(), witnessed()];
    const honest = committed(a, b);
    const mutated = block(a, b, b);
    mutated.merkleRoot = honest.merkleRoot;
    expect(blockTransactionIds(honest).matchesHeader).toBe(true);
    expect(blockTransactionIds(mutated).matchesHeader).toBe(false);
  });
});
