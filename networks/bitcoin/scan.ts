/**
 * Finds the outputs of a parsed Bitcoin block that pay our keys. Pure: the caller supplies the
 * block and the scripts spent by the deposits' first inputs (for their presumed origin).
 *
 * Per transaction, never across transactions (the original attributed the last transaction's
 * data and origin to every deposit of the block, reference section 6.1):
 * - data: the last push of the transaction's first OP_RETURN output, if at most MAX_DATA_LEN
 *   bytes; larger data is reported as `oversized`, an unparseable script as `malformed`;
 * - presumed origin: the script spent by input 0, when Serai can encode it as an address.
 * The coinbase is skipped (it is subject to maturity) and outputs below DUST are dropped.
 */
import { bytesToHex } from '@noble/hashes/utils.js';
import { script as bitcoinScript, type Block, type Transaction } from 'bitcoinjs-lib';

import { MAX_DATA_LEN } from '../../messages/limits';
import type { OutputKind, OutputKeySet, ReceivedOutput } from '../network';
import { isRefundableScript } from './instructions';

/** `DUST` (reference section 5): outputs worth less are ignored entirely. */
export const BITCOIN_DUST = 10_000n;

const OP_RETURN = bitcoinScript.OPS.OP_RETURN;

/** What became of a deposit transaction's data. */
export type DataStatus = 'present' | 'absent' | 'oversized' | 'malformed';

export interface ScannedOutput extends ReceivedOutput {
  /** The session of the key set the output pays. */
  session: number;
  /** Why `data` is null, or `present`. Only External outputs carry data. */
  dataStatus: DataStatus;
}

export interface Outpoint {
  txid: string;
  vout: number;
}

/** The output script an outpoint holds, or undefined when the caller does not know it. */
export type PrevoutScripts = (outpoint: Outpoint) => Uint8Array | undefined;

export class WatchedScriptCollisionError extends Error {
  override readonly name = 'WatchedScriptCollisionError';
  constructor(
    readonly script: string,
    readonly sessions: readonly [number, number],
  ) {
    super(`output script ${script} is watched twice (sessions ${sessions[0]} and ${sessions[1]})`);
  }
}

export class MissingPrevoutError extends Error {
  override readonly name = 'MissingPrevoutError';
  constructor(readonly outpoint: Outpoint) {
    super(`the script spent by ${outpoint.txid}:${outpoint.vout} is needed for a presumed origin and was not supplied`);
  }
}

interface Watched {
  session: number;
  kind: OutputKind;
}

/** The watched scripts, indexed for the scan. Build once per set of keys. */
export class WatchedScripts {
  private readonly byScript = new Map<string, Watched>();
  private readonly lengths = new Set<number>();

  constructor(keySets: readonly OutputKeySet[]) {
    for (const set of keySets) {
      for (const [kind, script] of Object.entries(set.scripts) as [OutputKind, string][]) {
        const existing = this.byScript.get(script);
        if (existing) throw new WatchedScriptCollisionError(script, [existing.session, set.session]);
        this.byScript.set(script, { session: set.session, kind });
        this.lengths.add(script.length / 2);
      }
    }
  }

  match(script: Uint8Array): (Watched & { script: string }) | undefined {
    if (!this.lengths.has(script.length)) return undefined;
    const hex = bytesToHex(script);
    const watched = this.byScript.get(hex);
    return watched && { ...watched, script: hex };
  }
}

/** The data a transaction attaches to its deposits. */
export function transactionData(tx: Transaction): { status: DataStatus; data: Uint8Array | null } {
  const opReturn = tx.outs.find((out) => out.script[0] === OP_RETURN);
  if (opReturn === undefined) return { status: 'absent', data: null };
  const chunks = bitcoinScript.decompile(opReturn.script);
  if (chunks === null) return { status: 'malformed', data: null };
  const last = chunks[chunks.length - 1];
  // decompile turns pushes of 0 or 1 byte into opcodes; no Shorthand is that short.
  if (!(last instanceof Uint8Array)) return { status: 'absent', data: null };
  if (last.length > MAX_DATA_LEN) return { status: 'oversized', data: null };
  return { status: 'present', data: last };
}

interface Match {
  tx: Transaction;
  /** Position in the block. */
  index: number;
  vout: number;
  watched: Watched & { script: string };
  amount: bigint;
}

function* matches(block: Block, watched: WatchedScripts): Generator<Match> {
  for (const [index, tx] of (block.transactions ?? []).entries()) {
    if (tx.isCoinbase()) continue;
    for (let vout = 0; vout < tx.outs.length; vout++) {
      const out = tx.outs[vout] as Transaction['outs'][number];
      const match = watched.match(out.script);
      if (match && out.value >= BITCOIN_DUST) yield { tx, index, vout, watched: match, amount: out.value };
    }
  }
}

/** The outpoint an input spends (txids are shown byte-reversed). */
export function outpointOf(input: Transaction['ins'][number]): Outpoint {
  return { txid: bytesToHex(Uint8Array.from(input.hash).reverse()), vout: input.index };
}

function firstInputOutpoint(tx: Transaction): Outpoint {
  return outpointOf(tx.ins[0] as Transaction['ins'][number]);
}

/** The outpoints whose scripts `scanBlock` needs: input 0 of each transaction with a deposit. */
export function depositOrigins(block: Block, watched: WatchedScripts): Outpoint[] {
  const origins = new Map<Transaction, Outpoint>();
  for (const { tx, watched: match } of matches(block, watched)) {
    if (match.kind === 'external' && !origins.has(tx)) origins.set(tx, firstInputOutpoint(tx));
  }
  return [...origins.values()];
}

interface TransactionFacts {
  txid: string;
  data: ReturnType<typeof transactionData>;
  /** Computed at the transaction's first External output: only deposits need an origin. */
  origin?: string | null;
}

/**
 * The outputs of `block` paying `watched`, in block order. `txids` (in block order) spares
 * hashing when the caller already has them; they are computed per matching transaction otherwise.
 */
export function scanBlock(block: Block, watched: WatchedScripts, prevoutScripts: PrevoutScripts, txids?: readonly string[]): ScannedOutput[] {
  const perTransaction = new Map<Transaction, TransactionFacts>();
  const outputs: ScannedOutput[] = [];
  for (const { tx, index, vout, watched: match, amount } of matches(block, watched)) {
    let facts = perTransaction.get(tx);
    if (facts === undefined) {
      facts = { txid: txids?.[index] ?? tx.getId(), data: transactionData(tx) };
      perTransaction.set(tx, facts);
    }
    const external = match.kind === 'external';
    if (external && facts.origin === undefined) facts.origin = presumedOrigin(tx, prevoutScripts);
    outputs.push({
      id: `${facts.txid}:${vout}`,
      kind: match.kind,
      txid: facts.txid,
      vout,
      amount: amount.toString(),
      script: match.script,
      session: match.session,
      presumedOrigin: external ? (facts.origin ?? null) : null,
      data: external && facts.data.data ? bytesToHex(facts.data.data) : null,
      dataStatus: external ? facts.data.status : 'absent',
    });
  }
  return outputs;
}

function presumedOrigin(tx: Transaction, prevoutScripts: PrevoutScripts): string | null {
  const outpoint = firstInputOutpoint(tx);
  const script = prevoutScripts(outpoint);
  if (script === undefined) throw new MissingPrevoutError(outpoint);
  return isRefundableScript(script) ? bytesToHex(script) : null;
}
