/**
 * The rotation's books (devnet/key-books.ts) on hand-made blocks: they balance when every coin the
 * keys held went to a payee once, to a fee or to the keys, and every mint has its deposit; and they
 * do not when a payee is paid twice, a coin leaves to a script no burn names, or Serai minted more
 * than arrived. The blocks are served by an in-memory stand-in for btcd's two block calls (the
 * rotation e2e test takes the same books from a real btcd).
 */
import { hexToBytes } from '@noble/hashes/utils.js';
import { Block, Transaction } from 'bitcoinjs-lib';
import { booksAt, ChainHistory, type BookBurn, type BookDeposit, type KeyScript, type SeraiBooks } from '../../../devnet/key-books';
import type { BitcoinRpc } from '../../../networks/bitcoin/rpc';

const script = (byte: number) => `5120${byte.toString(16).padStart(2, '0').repeat(32)}`;
const OLD = { external: script(0x10), change: script(0x11), forward: script(0x13) };
const NEW = { external: script(0x20), change: script(0x21), forward: script(0x23) };
const KEYS = new Map<string, KeyScript>([
  [OLD.external, { session: 0, kind: 'external' }],
  [OLD.change, { session: 0, kind: 'change' }],
  [OLD.forward, { session: 0, kind: 'forward' }],
  [NEW.external, { session: 1, kind: 'external' }],
  [NEW.change, { session: 1, kind: 'change' }],
  [NEW.forward, { session: 1, kind: 'forward' }],
]);
const PAYEE = script(0x70);
const STRANGER = script(0x71);
const FEE = 1_600n;

let nonce = 0;
/** A transaction spending `inputs` (txid:vout) into `outputs`. */
function tx(inputs: string[], outputs: [string, bigint][]): Transaction {
  const t = new Transaction();
  for (const input of inputs) {
    const [txid, vout] = input.split(':');
    t.addInput(Uint8Array.from(hexToBytes(txid!)).reverse(), Number(vout));
  }
  for (const [to, value] of outputs) t.addOutput(hexToBytes(to), value);
  t.locktime = nonce++;
  return t;
}
const external = () => `${'ee'.repeat(31)}${(nonce++ % 256).toString(16).padStart(2, '0')}:0`;
const at = (t: Transaction, vout = 0) => `${t.getId()}:${vout}`;

function chainOf(blocks: Transaction[][]): ChainHistory {
  const hexes = blocks.map((transactions, height) => {
    const block = new Block();
    block.version = 1;
    block.prevHash = new Uint8Array(32);
    block.merkleRoot = new Uint8Array(32);
    block.timestamp = 1_700_000_000 + height;
    block.bits = 0x207fffff;
    block.nonce = height;
    block.transactions = transactions;
    return block.toHex();
  });
  const rpc = {
    getBlockHash: async (height: number) => String(height),
    getBlockHex: async (hash: string) => hexes[Number(hash)]!,
  } as unknown as BitcoinRpc;
  return new ChainHistory(rpc, 0);
}

async function viewOf(blocks: Transaction[][]) {
  const chain = chainOf(blocks);
  await chain.syncTo(blocks.length - 1);
  return chain.keysAt(blocks.length - 1, KEYS);
}

const serai = (minted: bigint, burned: bigint, balances: Record<string, bigint>): SeraiBooks => ({ height: 10, minted, burned, balances });

// A deposit of 0.6 BTC, minted less the deposit fee; a burn of 0.1 paid 0.09998 (2,000 sat deducted
// for the fee), the payout paying 1,500 sat of fee with its change to the old key.
const deposit = tx([external()], [[OLD.external, 60_000_000n]]);
const payout = tx([at(deposit)], [[PAYEE, 9_998_000n], [OLD.change, 50_000_500n]]);
const deposits: BookDeposit[] = [{ txid: deposit.getId(), vout: 0, holder: 'h1' }];
const burns: BookBurn[] = [{ holder: 'h1', amount: 10_000_000n, script: PAYEE, seraiBlock: 5 }];
const afterBurn = serai(60_000_000n - FEE, 10_000_000n, { h1: 50_000_000n - FEE });

test('a deposit minted less its fee and a burn paid once: the books balance, the reserve is the kept fee plus the deduction less the fee paid', async () => {
  const books = booksAt('s', await viewOf([[deposit], [payout]]), afterBurn, deposits, burns, FEE);
  expect(books).toMatchObject({ holdings: { 0: '50000500' }, supply: String(50_000_000n - FEE), owed: '0', inTransit: '0', balanced: true, solvent: true });
  expect(books.reserve).toBe(String(FEE + 2_000n - 1_500n));
  expect(books.expectedReserve).toBe(books.reserve);
});

test('before its payout a burn is owed, and before its mint a deposit is in transit; the books still balance', async () => {
  const owed = booksAt('s', await viewOf([[deposit]]), afterBurn, deposits, burns, FEE);
  expect(owed).toMatchObject({ owed: '10000000', inTransit: '0', reserve: String(FEE), balanced: true, solvent: true });
  const unminted = booksAt('s', await viewOf([[deposit]]), serai(0n, 0n, {}), deposits, [], FEE);
  expect(unminted).toMatchObject({ inTransit: '60000000', supply: '0', reserve: '0', balanced: true, solvent: true });
});

test('a payee paid a second time, or a coin sent to a script no burn names, unbalances the books', async () => {
  const again = tx([at(payout, 1)], [[PAYEE, 9_998_000n], [OLD.change, 40_001_500n]]);
  const twice = booksAt('s', await viewOf([[deposit], [payout], [again]]), afterBurn, deposits, burns, FEE);
  expect(twice.balanced).toBe(false);
  expect(BigInt(twice.expectedReserve) - BigInt(twice.reserve)).toBe(9_998_000n);

  const stray = tx([at(payout, 1)], [[STRANGER, 50_000_000n]]);
  const lost = booksAt('s', await viewOf([[deposit], [payout], [stray]]), afterBurn, deposits, burns, FEE);
  expect(lost).toMatchObject({ balanced: false, solvent: false });
});

test('a mint of more than what arrived less the deposit fee unbalances the books', async () => {
  const books = booksAt('s', await viewOf([[deposit]]), serai(60_000_000n, 0n, { h1: 60_000_000n }), deposits, [], FEE);
  expect(books.balanced).toBe(false);
});

test("a deposit to the old key forwarded to the new key's Forward script: in transit at what the forward carried, its fee the depositor's", async () => {
  const late = tx([external()], [[OLD.external, 40_000_000n]]);
  const forward = tx([at(late)], [[NEW.forward, 39_999_000n]]);
  const lateDeposits = [...deposits, { txid: late.getId(), vout: 0, holder: 'h3' }];
  const blocks = [[deposit], [payout], [late], [forward]];
  const beforeMint = booksAt('s', await viewOf(blocks), afterBurn, lateDeposits, burns, FEE);
  expect(beforeMint).toMatchObject({ holdings: { 0: '50000500', 1: '39999000' }, inTransit: '39999000', balanced: true, solvent: true });
  const minted = serai(60_000_000n - FEE + 39_999_000n - FEE, 10_000_000n, { h1: 50_000_000n - FEE, h3: 39_999_000n - FEE });
  const afterMint = booksAt('s', await viewOf(blocks), minted, lateDeposits, burns, FEE);
  expect(afterMint).toMatchObject({ inTransit: '0', balanced: true, solvent: true });
  expect(BigInt(afterMint.reserve)).toBe(2n * FEE + 2_000n - 1_500n);

  // The old key's outputs swept to the new key: its holdings move whole, less the sweep's fee.
  const sweep = tx([at(payout, 1)], [[NEW.change, 49_999_500n]]);
  const swept = booksAt('s', await viewOf([...blocks, [sweep]]), minted, lateDeposits, burns, FEE);
  expect(swept).toMatchObject({ holdings: { 1: String(39_999_000n + 49_999_500n) }, balanced: true, solvent: true });
  expect(BigInt(swept.reserve)).toBe(2n * FEE + 2_000n - 1_500n - 1_000n);
});

test('the history refuses a height it has not fetched', async () => {
  const chain = chainOf([[deposit], [payout]]);
  await chain.syncTo(0);
  expect(() => chain.keysAt(1, KEYS)).toThrow('block 1 is not fetched yet (fetched up to 0)');
});
