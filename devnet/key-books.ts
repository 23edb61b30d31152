/**
 * The books of a rotation, from the chain and Serai alone: what the keys hold on chain against what
 * Serai says was minted, what it burned and is still owed, and what was deposited but not minted
 * yet. Holdings = supply + owed + in transit + reserve, where the reserve is what the processor keeps
 * by its own rules (the deposit fee it keeps of each minted deposit, plus what payouts deducted for their
 * fees, less every fee its transactions paid). The reserve is measured twice, once as the
 * difference of the first four and once from those rules, and the books balance when both agree:
 * a coin that left the keys to no payee, a payee paid twice, a deposit minted at the wrong amount or
 * a mint without a deposit each makes them differ.
 */
import { bytesToHex } from '@noble/hashes/utils.js';
import { Block, Transaction } from 'bitcoinjs-lib';
import type { BitcoinRpc } from '../networks/bitcoin/rpc';
import type { OutputKind } from '../networks/network';

/** Where an output of the keys is: the session whose key it pays, and which of the key's scripts. */
export interface KeyScript {
  session: number;
  kind: OutputKind;
}

const outpointOf = (txid: string, vout: number) => `${txid}:${vout}`;
const inputOutpoint = (input: Transaction['ins'][number]) => outpointOf(bytesToHex(Uint8Array.from(input.hash).reverse()), input.index);

/** Every block from `fromHeight`, fetched once, so the keys' history can be read as of any height. */
export class ChainHistory {
  private readonly blocks: Transaction[][] = [];

  constructor(
    private readonly rpc: BitcoinRpc,
    readonly fromHeight: number,
  ) {}

  /** Fetches the blocks up to `height` not fetched yet (regtest here does not reorganize). */
  async syncTo(height: number): Promise<void> {
    for (let next = this.fromHeight + this.blocks.length; next <= height; next++) {
      this.blocks.push(Block.fromHex(await this.rpc.getBlockHex(await this.rpc.getBlockHash(next))).transactions ?? []);
    }
  }

  /** The keys' outputs and the transactions spending them, in the blocks up to `height`. */
  keysAt(height: number, scripts: ReadonlyMap<string, KeyScript>): KeysView {
    if (height >= this.fromHeight + this.blocks.length) throw new Error(`block ${height} is not fetched yet (fetched up to ${this.fromHeight + this.blocks.length - 1})`);
    const outputs = new Map<string, { value: bigint; key: KeyScript; height: number }>();
    const spentBy = new Map<string, Transaction>();
    const spends: { tx: Transaction; height: number; fee: bigint; forward: boolean }[] = [];
    const payments = new Map<string, { txid: string; value: bigint; height: number }[]>();
    for (let h = this.fromHeight; h <= height; h++) {
      for (const tx of this.blocks[h - this.fromHeight]!) {
        const txid = tx.getId();
        const spent = tx.ins.map(inputOutpoint).filter((o) => outputs.has(o));
        if (spent.length > 0) {
          const fee = spent.reduce((sum, o) => sum + outputs.get(o)!.value, 0n) - tx.outs.reduce((sum, out) => sum + out.value, 0n);
          const forward = tx.ins.length === 1 && tx.outs.length === 1 && scripts.get(bytesToHex(tx.outs[0]!.script))?.kind === 'forward';
          spends.push({ tx, height: h, fee, forward });
          for (const o of spent) spentBy.set(o, tx);
        }
        tx.outs.forEach((out, vout) => {
          const script = bytesToHex(out.script);
          const key = scripts.get(script);
          if (key) outputs.set(outpointOf(txid, vout), { value: out.value, key, height: h });
          else if (spent.length > 0) payments.set(script, [...(payments.get(script) ?? []), { txid, value: out.value, height: h }]);
        });
      }
    }
    return { height, outputs, spentBy, spends, payments };
  }
}

/** The keys' history up to `height`. */
export interface KeysView {
  height: number;
  /** Every output the keys ever had (outpoint `txid:vout`). */
  outputs: ReadonlyMap<string, { value: bigint; key: KeyScript; height: number }>;
  /** The transaction spending each spent output. */
  spentBy: ReadonlyMap<string, Transaction>;
  /** Every transaction spending the keys' outputs, with its fee; `forward`: one deposit moved whole to a key's Forward script. */
  spends: readonly { tx: Transaction; height: number; fee: bigint; forward: boolean }[];
  /** What the keys' transactions paid to each script not of the keys. */
  payments: ReadonlyMap<string, readonly { txid: string; value: bigint; height: number }[]>;
}

/** A deposit the scenario made: its outpoint and the Serai account it credits (one deposit per account). */
export interface BookDeposit {
  txid: string;
  vout: number;
  holder: string;
}

/** A burn the scenario made: its amount, the payee's script, the account it burned from and the Serai block that took it. */
export interface BookBurn {
  holder: string;
  amount: bigint;
  script: string;
  seraiBlock: number;
}

/** What Serai said at one moment (read before the chain's height the books are taken at). */
export interface SeraiBooks {
  height: number;
  minted: bigint;
  burned: bigint;
  balances: Readonly<Record<string, bigint>>;
}

export interface BooksSnapshot {
  stage: string;
  height: number;
  seraiHeight: number;
  /** On-chain holdings per session (every unspent output to the session's scripts). */
  holdings: Record<number, string>;
  /** Serai's minted less burned. */
  supply: string;
  /** Burned on Serai with no payout on chain yet. */
  owed: string;
  /** Deposits on chain that Serai has not minted yet (a forwarded one at what its forward carried). */
  inTransit: string;
  /** holdings - supply - owed - in transit. */
  reserve: string;
  /** The reserve by the processor's rules: deposit fees kept + fees deducted from payouts - fees paid. */
  expectedReserve: string;
  balanced: boolean;
  /** The holdings cover the supply, what is owed and what is in transit. */
  solvent: boolean;
}

/**
 * The books as of chain height `view.height`, with Serai as `serai` says (read earlier than that
 * height was, so every mint it shows has its deposit in the view). `deposits` and `burns` are every
 * deposit and burn made so far; `depositFee` is what Serai keeps of each deposit it mints.
 */
export function booksAt(stage: string, view: KeysView, serai: SeraiBooks, deposits: readonly BookDeposit[], burns: readonly BookBurn[], depositFee: bigint): BooksSnapshot {
  const holdings: Record<number, bigint> = {};
  for (const [outpoint, output] of view.outputs) {
    if (!view.spentBy.has(outpoint)) holdings[output.key.session] = (holdings[output.key.session] ?? 0n) + output.value;
  }
  const total = Object.values(holdings).reduce((sum, v) => sum + v, 0n);
  const seen = burns.filter((burn) => burn.seraiBlock <= serai.height);
  const burnedBy = (holder: string) => seen.filter((burn) => burn.holder === holder).reduce((sum, burn) => sum + burn.amount, 0n);

  let inTransit = 0n;
  let depositFeesKept = 0n;
  for (const deposit of deposits) {
    const outpoint = outpointOf(deposit.txid, deposit.vout);
    const output = view.outputs.get(outpoint);
    if (!output) continue;
    const spender = view.spentBy.get(outpoint);
    const forwarded = spender && view.spends.find((s) => s.tx === spender)?.forward;
    const arrived = forwarded ? spender.outs[0]!.value : output.value;
    const minted = (serai.balances[deposit.holder] ?? 0n) + burnedBy(deposit.holder);
    if (minted === 0n) inTransit += arrived;
    else depositFeesKept += depositFee;
  }

  let owed = serai.burned;
  let deducted = 0n;
  for (const burn of seen) {
    const first = view.payments.get(burn.script)?.[0];
    if (!first) continue;
    const received = view.payments.get(burn.script)!.filter((p) => p.txid === first.txid).reduce((sum, p) => sum + p.value, 0n);
    owed -= burn.amount;
    deducted += burn.amount - received;
  }
  const feesPaid = view.spends.filter((s) => !s.forward).reduce((sum, s) => sum + s.fee, 0n);

  const supply = serai.minted - serai.burned;
  const reserve = total - supply - owed - inTransit;
  const expectedReserve = depositFeesKept + deducted - feesPaid;
  return {
    stage,
    height: view.height,
    seraiHeight: serai.height,
    holdings: Object.fromEntries(Object.entries(holdings).map(([session, value]) => [session, value.toString()])),
    supply: supply.toString(),
    owed: owed.toString(),
    inTransit: inTransit.toString(),
    reserve: reserve.toString(),
    expectedReserve: expectedReserve.toString(),
    balanced: reserve === expectedReserve,
    solvent: reserve >= 0n,
  };
}
