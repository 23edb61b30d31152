/**
 * From a scheduler plan to the unsigned Bitcoin transaction the key set signs (pure).
 *
 * The transaction is version 2, locktime 0, every input with sequence 0xffffffff (final, no RBF
 * signal), inputs in plan order, outputs in plan order with change last (the scheduler's layout,
 * which its branch ids and fee shape assume). Every input spends one of our P2TR outputs, whose
 * script follows from the key set and the input's output kind; that script and the amount are
 * the prevouts BIP341 signs over.
 *
 * Output ids (the scheduler's `SpendableOutput.id`) are the outpoint as hex: the txid as RPC
 * shows it (32 bytes) followed by the output index as 4 little-endian bytes.
 *
 * The eventuality is the txid: witnesses do not enter it, so every signing attempt of a plan
 * yields the same txid and any valid signature completes the plan.
 */
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import { Transaction } from 'bitcoinjs-lib';
import { z } from 'zod';
import { decodePlan, type Hex, type Plan, type ReceivedOutput, type TransactionShape } from '../../scheduler';
import type { Eventuality, OutputKind } from '../network';
import { TransactionBuildError } from '../chain-errors';
import { CHANGE_DUST, MAX_STANDARD_TX_WEIGHT, transactionWeight } from './transaction-fee';

/** The output script (hex) of each kind of one key set, as `outputKeySet(...).scripts` gives them. */
export type KeyScripts = Readonly<Record<OutputKind, Hex>>;

/** What an input spends, as BIP341 signs it: our script of `kind` and the amount in satoshis. */
export interface Prevout {
  readonly kind: OutputKind;
  readonly script: Hex;
  readonly amount: string;
}

/** The txid a plan's transaction has whatever its witnesses, and the outpoints it spends. */
export interface BitcoinEventuality extends Eventuality {
  readonly spends: readonly Hex[];
}

/** Everything the signing steps need, as plain JSON (it travels in workflow payloads). */
export interface SignableTransaction {
  readonly plan: Hex;
  /** The transaction without witnesses, hex. */
  readonly unsigned: Hex;
  readonly prevouts: readonly Prevout[];
  readonly eventuality: BitcoinEventuality;
}

const TX_VERSION = 2;
const LOCKTIME = 0;
const TXID = /^[0-9a-f]{64}$/;
const OUTPOINT_ID = /^[0-9a-f]{72}$/;
const KINDS: readonly OutputKind[] = ['external', 'branch', 'change', 'forward'];

/** The scheduler's id of output `vout` of transaction `txid` (RPC byte order). */
export function outpointId(txid: string, vout: number): Hex {
  if (!TXID.test(txid)) throw new TransactionBuildError('txid', 'expected 64 lowercase hex digits');
  if (!Number.isInteger(vout) || vout < 0 || vout > 0xffffffff) throw new TransactionBuildError('vout', 'expected a u32');
  const index = new Uint8Array(4);
  new DataView(index.buffer).setUint32(0, vout, true);
  return txid + bytesToHex(index);
}

export function parseOutpointId(id: string, field: string): { txid: string; vout: number } {
  if (typeof id !== 'string' || !OUTPOINT_ID.test(id)) {
    throw new TransactionBuildError(field, 'expected a 36-byte outpoint: txid || vout (little-endian u32), lowercase hex');
  }
  const vout = new DataView(hexToBytes(id.slice(64)).buffer).getUint32(0, true);
  return { txid: id.slice(0, 64), vout };
}

/** The txid in the byte order a transaction input carries it. */
const internalHash = (txid: string): Uint8Array => hexToBytes(txid).reverse();

/**
 * The standard output templates a payment may use (reference 24: the `ExternalAddress` forms):
 * P2PKH, P2SH, P2WPKH, P2WSH, P2TR. Anything else a node would refuse to relay, leaving the
 * plan unpublishable forever.
 */
const STANDARD_SCRIPTS: readonly RegExp[] = [
  /^76a914[0-9a-f]{40}88ac$/,
  /^a914[0-9a-f]{40}87$/,
  /^0014[0-9a-f]{40}$/,
  /^0020[0-9a-f]{64}$/,
  /^5120[0-9a-f]{64}$/,
];

function paymentScript(address: Hex, field: string, ours: ReadonlySet<Hex>): Uint8Array {
  if (!STANDARD_SCRIPTS.some((pattern) => pattern.test(address))) {
    throw new TransactionBuildError(field, 'expected a P2PKH, P2SH, P2WPKH, P2WSH or P2TR output script');
  }
  if (ours.has(address)) throw new TransactionBuildError(field, 'a payment may not pay one of our own scripts');
  return hexToBytes(address);
}

/** This key's change script, or the successor's a rotating key's plan names (a P2TR script of another key). */
function changeScript(plan: Plan, ours: ReadonlySet<Hex>, scripts: KeyScripts): Uint8Array {
  if (plan.changeTo === undefined) return hexToBytes(scripts.change);
  if (!/^5120[0-9a-f]{64}$/.test(plan.changeTo)) throw new TransactionBuildError('plan.changeTo', 'expected a P2TR output script (hex)');
  if (ours.has(plan.changeTo)) throw new TransactionBuildError('plan.changeTo', "expected the successor's script, not one of this key's");
  return hexToBytes(plan.changeTo);
}

function checkScripts(scripts: KeyScripts): void {
  for (const kind of KINDS) {
    const script: unknown = scripts?.[kind];
    if (typeof script !== 'string' || !/^5120[0-9a-f]{64}$/.test(script)) {
      throw new TransactionBuildError(`scripts.${kind}`, 'expected a P2TR output script (hex)');
    }
  }
}

/** The fee model's view of a plan: the shape its signed transaction has. */
export function shapeOf(plan: Plan): TransactionShape {
  return {
    inputs: plan.inputs.map((input) => ({ kind: input.kind })),
    outputs: plan.outputs.map((output) => (output.kind === 'payment' ? { kind: 'payment', address: output.address } : { kind: 'branch' })),
    change: plan.change !== null,
  };
}

/**
 * The unsigned transaction of `plan` (validated as the scheduler's `decodePlan` does) spending
 * outputs of the key set whose scripts are `scripts`.
 */
export function buildTransaction(planValue: unknown, scripts: KeyScripts): SignableTransaction {
  const plan = decodePlan(planValue);
  checkScripts(scripts);
  const ours = new Set(KINDS.map((kind) => scripts[kind]));

  const tx = new Transaction();
  tx.version = TX_VERSION;
  tx.locktime = LOCKTIME;
  const prevouts = plan.inputs.map((input, index): Prevout => {
    const { txid, vout } = parseOutpointId(input.id, `plan.inputs.${index}.id`);
    tx.addInput(internalHash(txid), vout, Transaction.DEFAULT_SEQUENCE);
    return { kind: input.kind, script: scripts[input.kind], amount: input.amount };
  });
  plan.outputs.forEach((output, index) => {
    const script =
      output.kind === 'payment' ? paymentScript(output.address, `plan.outputs.${index}.address`, ours) : hexToBytes(scripts.branch);
    tx.addOutput(script, BigInt(output.amount));
  });
  if (plan.change !== null) {
    if (BigInt(plan.change) < CHANGE_DUST) throw new TransactionBuildError('plan.change', `expected at least ${CHANGE_DUST} sat`);
    tx.addOutput(changeScript(plan, ours, scripts), BigInt(plan.change));
  }
  if (tx.outs.length === 0) throw new TransactionBuildError('plan.outputs', 'a transaction needs at least one output');
  if (transactionWeight(shapeOf(plan)) > MAX_STANDARD_TX_WEIGHT) {
    throw new TransactionBuildError('plan', `the signed transaction would weigh more than ${MAX_STANDARD_TX_WEIGHT}`);
  }
  return {
    plan: plan.id,
    unsigned: tx.toHex(),
    prevouts,
    eventuality: { id: tx.getId(), spends: plan.inputs.map((input) => input.id) },
  };
}

/**
 * The outputs `plan`'s transaction `txid` pays back to the key set, as the scheduler receives
 * them once confirmed: each branch output (naming its branch) and the change, last.
 */
export function outputsToKeySet(plan: Plan, txid: string): ReceivedOutput[] {
  const received = plan.outputs.flatMap((output, index): ReceivedOutput[] =>
    output.kind === 'branch' ? [{ id: outpointId(txid, index), kind: 'branch', amount: output.amount, branch: output.branch }] : [],
  );
  // Change sent to a successor is the successor's to receive.
  if (plan.change !== null && plan.changeTo === undefined) received.push({ id: outpointId(txid, plan.outputs.length), kind: 'change', amount: plan.change });
  return received;
}

const hex = z.string().regex(/^(?:[0-9a-f]{2})+$/, 'expected lowercase hex bytes');
const signableSchema = z.strictObject({
  plan: z.string().regex(TXID, 'expected a 32-byte plan id'),
  unsigned: hex,
  prevouts: z
    .array(
      z.strictObject({
        kind: z.enum(['external', 'branch', 'change', 'forward']),
        script: z.string().regex(/^5120[0-9a-f]{64}$/, 'expected a P2TR output script'),
        amount: z.string().regex(/^(0|[1-9][0-9]{0,15})$/, 'expected a decimal amount in satoshis'),
      }),
    )
    .min(1, 'expected at least one input'),
  eventuality: z.strictObject({
    id: z.string().regex(TXID, 'expected a txid'),
    spends: z.array(z.string().regex(OUTPOINT_ID, 'expected an outpoint id')),
  }),
});

/** A SignableTransaction with its unsigned transaction parsed, as the signing steps use it. */
export interface ParsedSignable extends SignableTransaction {
  readonly tx: Transaction;
}

/**
 * Validates a SignableTransaction received across an activity boundary: the unsigned
 * transaction parses, has no witnesses, spends exactly `eventuality.spends` in order (one prevout
 * each) and has the eventuality's txid.
 */
export function parseSignable(value: unknown): ParsedSignable {
  const parsed = signableSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new TransactionBuildError(['signable', ...(issue?.path ?? []).map(String)].join('.'), issue?.message ?? 'is invalid');
  }
  const signable = parsed.data;
  let tx: Transaction;
  try {
    tx = Transaction.fromHex(signable.unsigned);
  } catch {
    throw new TransactionBuildError('signable.unsigned', 'not a serialized transaction');
  }
  if (tx.toHex() !== signable.unsigned || tx.hasWitnesses()) {
    throw new TransactionBuildError('signable.unsigned', 'expected the canonical serialization without witnesses');
  }
  const { spends } = signable.eventuality;
  if (tx.ins.length !== signable.prevouts.length || tx.ins.length !== spends.length) {
    throw new TransactionBuildError('signable.prevouts', 'expected one prevout and one outpoint per input');
  }
  tx.ins.forEach((input, index) => {
    const spent = outpointId(bytesToHex(Uint8Array.from(input.hash).reverse()), input.index);
    if (spent !== spends[index]) throw new TransactionBuildError(`signable.eventuality.spends.${index}`, 'differs from the input');
  });
  if (tx.getId() !== signable.eventuality.id) throw new TransactionBuildError('signable.eventuality.id', 'differs from the txid');
  return { ...signable, tx };
}
