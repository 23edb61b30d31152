/**
 * The pure transaction builder: layout, eventuality, exact fee model, and typed refusals.
 * (btcd's acceptance of what it builds is tested in tx-btcd and payouts-600.)
 */
import type { Key } from '@noble/curves/abstract/frost.js';
import { bytesToHex, randomBytes } from '@noble/hashes/utils.js';
import { Transaction } from 'bitcoinjs-lib';
import { dealKeys } from '../../../crypto/sign/simulate';
import { schemes } from '../../../crypto/suites';
import { outputKeySet } from '../../../networks/bitcoin/keys';
import { signInProcess } from '../../../networks/bitcoin/sign-local';
import { buildTransaction, outpointId, outputsToKeySet, parseOutpointId, parseSignable, shapeOf } from '../../../networks/bitcoin/transaction';
import { TransactionBuildError } from '../../../networks/chain-errors';
import { bitcoinFeeModel, MAX_STANDARD_TX_WEIGHT, transactionWeight } from '../../../networks/bitcoin/transaction-fee';
import { SchedulerError, type OutputKind, type SpendableOutput } from '../../../scheduler';
import type { PlanOutputBody } from '../../../scheduler/plan-id';
import { makePlan, randomSegwitScript, randomTaprootScript } from '../../support/bitcoin-tx';

const keys: Map<number, Key> = dealKeys(schemes.bip340, 2, 3);
const pub = keys.get(1)!.public;
const scripts = outputKeySet(0, pub).scripts;
const KINDS: readonly OutputKind[] = ['external', 'branch', 'change', 'forward'];

const txid = () => bytesToHex(randomBytes(32));
const input = (kind: OutputKind, amount: bigint, vout = 0): SpendableOutput => ({ id: outpointId(txid(), vout), kind, amount: amount.toString() });
const pay = (address: string, amount: bigint): PlanOutputBody => ({ kind: 'payment', payment: txid(), address, amount: amount.toString() });

/** A plan whose fee is whatever is left after outputs and change. */
function plan(inputs: readonly SpendableOutput[], outputs: readonly PlanOutputBody[], change: bigint | null) {
  const total = inputs.reduce((sum, i) => sum + BigInt(i.amount), 0n);
  const spent = outputs.reduce((sum, o) => sum + BigInt(o.amount), 0n) + (change ?? 0n);
  return makePlan({
    network: 'bitcoin',
    key: bytesToHex(pub.commitments[0]!),
    kind: 'payments',
    inputs,
    outputs,
    change: change === null ? null : change.toString(),
    fee: (total - spent).toString(),
    operatingCost: '0',
  });
}

/** Every standard payment template (P2PKH, P2SH, P2WPKH, P2WSH, P2TR). */
const PAYEES = [
  `76a914${'11'.repeat(20)}88ac`,
  `a914${'22'.repeat(20)}87`,
  randomSegwitScript(),
  `0020${'33'.repeat(32)}`,
  randomTaprootScript(),
];

test('inputs in plan order with final sequences, outputs in plan order with change last; version 2, locktime 0', () => {
  const inputs = [input('external', 300_000n, 3), input('change', 200_000n, 0), input('forward', 100_000n, 70_000)];
  const outputs = [pay(PAYEES[0]!, 150_000n), { kind: 'branch' as const, amount: '120000' }, pay(PAYEES[4]!, 110_000n)];
  const p = plan(inputs, outputs, 200_000n);
  const signable = buildTransaction(p, scripts);
  const tx = Transaction.fromHex(signable.unsigned);

  expect(tx.version).toBe(2);
  expect(tx.locktime).toBe(0);
  expect(tx.ins.map((i) => outpointId(bytesToHex(Uint8Array.from(i.hash).reverse()), i.index))).toEqual(inputs.map((i) => i.id));
  expect(tx.ins.every((i) => i.sequence === 0xffffffff && i.script.length === 0 && i.witness.length === 0)).toBe(true);
  expect(tx.outs.map((o) => [bytesToHex(o.script), o.value])).toEqual([
    [PAYEES[0], 150_000n],
    [scripts.branch, 120_000n],
    [PAYEES[4], 110_000n],
    [scripts.change, 200_000n],
  ]);
  expect(signable.prevouts).toEqual(inputs.map((i) => ({ kind: i.kind, script: scripts[i.kind], amount: i.amount })));
  expect(signable.eventuality).toEqual({ id: tx.getId(), spends: inputs.map((i) => i.id) });
  expect(signable.plan).toBe(p.id);
  // Deterministic: every validator builds the same bytes.
  expect(buildTransaction(JSON.parse(JSON.stringify(p)), scripts)).toEqual(signable);

  expect(outputsToKeySet(p, signable.eventuality.id)).toEqual([
    { id: outpointId(signable.eventuality.id, 1), kind: 'branch', amount: '120000', branch: (p.outputs[1] as { branch: string }).branch },
    { id: outpointId(signable.eventuality.id, 3), kind: 'change', amount: '200000' },
  ]);
});

test('the fee model gives exactly the weight of the threshold-signed transaction, for every kind and payment template', () => {
  const rate = 11n;
  const shapes = [
    plan([input('external', 100_000n)], [pay(PAYEES[2]!, 50_000n)], null),
    plan(KINDS.map((k) => input(k, 100_000n)), PAYEES.map((payee) => pay(payee, 20_000n)), 200_000n),
    plan([input('branch', 500_000n)], [{ kind: 'branch', amount: '200000' }, { kind: 'branch', amount: '200000' }], null),
    plan([input('change', 100_000n), input('change', 100_000n)], [], 150_000n),
  ];
  for (const p of shapes) {
    const signable = buildTransaction(p, scripts);
    const { signed } = signInProcess(keys, [1, 3], pub, signable);
    const tx = Transaction.fromHex(signed.hex);
    expect(tx.weight()).toBe(transactionWeight(shapeOf(p)));
    expect(bitcoinFeeModel(rate)(shapeOf(p))).toBe(BigInt(tx.virtualSize()) * rate);
  }
});

test('the fee model counts the 3-byte input and output counts from 253 on', () => {
  // Same weight as signed: a BIP340 key-path witness is always one 64-byte signature.
  const inputs = Array.from({ length: 253 }, (_, i) => input(KINDS[i % 4]!, 2_000_000n, i));
  const outputs = Array.from({ length: 253 }, (_, i) => pay(PAYEES[i % PAYEES.length]!, 15_000n));
  for (const [ins, outs] of [
    [inputs, outputs.slice(0, 2)],
    [inputs.slice(0, 2), outputs],
    [inputs.slice(0, 252), outputs.slice(0, 252)],
  ] as const) {
    const p = plan(ins, outs, null);
    const tx = Transaction.fromHex(buildTransaction(p, scripts).unsigned);
    tx.ins.forEach((_, index) => tx.setWitness(index, [new Uint8Array(64)]));
    expect(transactionWeight(shapeOf(p))).toBe(tx.weight());
  }
});

test('a plan the scheduler could not have made, or that pays a non-standard or own script, is refused by field', () => {
  const good = plan([input('external', 100_000n)], [pay(PAYEES[0]!, 50_000n)], 40_000n);
  const expectRefusal = (value: unknown, field: string, type: typeof TransactionBuildError | typeof SchedulerError = TransactionBuildError) => {
    let error: unknown;
    try {
      buildTransaction(value, scripts);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(type);
    expect(error).toMatchObject({ field });
  };
  expectRefusal({ ...good, change: '40001' }, 'plan', SchedulerError);
  expectRefusal({ ...good, inputs: [] }, 'plan.inputs', SchedulerError);
  expectRefusal(plan([{ ...input('external', 100_000n), id: txid() }], [pay(PAYEES[0]!, 50_000n)], null), 'plan.inputs.0.id');
  expectRefusal(plan([input('external', 100_000n)], [pay('6a04deadbeef', 50_000n)], null), 'plan.outputs.0.address');
  expectRefusal(plan([input('external', 100_000n)], [pay(`${PAYEES[2]!}00`, 50_000n)], null), 'plan.outputs.0.address');
  expectRefusal(plan([input('external', 100_000n)], [pay(scripts.change, 50_000n)], null), 'plan.outputs.0.address');
  expectRefusal(plan([input('external', 100_000n)], [pay(PAYEES[1]!, 50_000n)], 545n), 'plan.change');
  expectRefusal(plan([input('external', 100_000n)], [], null), 'plan.outputs');
  const heavy = Array.from({ length: 1_800 }, (_, i) => input('external', 20_000n, i));
  expect(transactionWeight(shapeOf(plan(heavy, [], 1_000_000n)))).toBeGreaterThan(MAX_STANDARD_TX_WEIGHT);
  expectRefusal(plan(heavy, [], 1_000_000n), 'plan');

  expect(() => buildTransaction(good, { ...scripts, branch: PAYEES[2]! })).toThrow(
    expect.objectContaining({ name: 'TransactionBuildError', field: 'scripts.branch' }),
  );
});

test('a signable transaction received across an activity boundary is checked against itself', () => {
  const signable = buildTransaction(plan([input('external', 100_000n), input('change', 90_000n)], [pay(PAYEES[3]!, 150_000n)], null), scripts);
  expect(parseSignable(JSON.parse(JSON.stringify(signable))).tx.getId()).toBe(signable.eventuality.id);

  const refused = (value: unknown) => {
    try {
      parseSignable(value);
    } catch (error) {
      expect(error).toBeInstanceOf(TransactionBuildError);
      return (error as TransactionBuildError).field;
    }
    throw new Error('expected a refusal');
  };
  const [first, second] = signable.eventuality.spends;
  expect(refused({ ...signable, eventuality: { ...signable.eventuality, id: txid() } })).toBe('signable.eventuality.id');
  expect(refused({ ...signable, eventuality: { ...signable.eventuality, spends: [second, first] } })).toBe('signable.eventuality.spends.0');
  expect(refused({ ...signable, prevouts: signable.prevouts.slice(1) })).toBe('signable.prevouts');
  expect(refused({ ...signable, prevouts: [{ ...signable.prevouts[0]!, script: PAYEES[2] }, signable.prevouts[1]] })).toBe(
    'signable.prevouts.0.script',
  );
  expect(refused({ ...signable, unsigned: 'zz' })).toBe('signable.unsigned');
  expect(refused({ ...signable, unsigned: '0200' })).toBe('signable.unsigned');
  const witnessed = Transaction.fromHex(signable.unsigned);
  witnessed.setWitness(0, [new Uint8Array(64)]);
  expect(refused({ ...signable, unsigned: witnessed.toHex() })).toBe('signable.unsigned');
  expect(refused({ ...signable, extra: 1 })).toBe('signable');
});

test('outpoint ids are the txid then the output index, little-endian', () => {
  const id = outpointId('ab'.repeat(32), 0x01020304);
  expect(id).toBe(`${'ab'.repeat(32)}04030201`);
  expect(parseOutpointId(id, 'x')).toEqual({ txid: 'ab'.repeat(32), vout: 0x01020304 });
  expect(() => parseOutpointId('ab'.repeat(32), 'outputs.3.id')).toThrow(expect.objectContaining({ field: 'outputs.3.id' }));
  expect(() => outpointId('AB'.repeat(32), 0)).toThrow(TransactionBuildError);
  expect(() => outpointId('ab'.repeat(32), -1)).toThrow(TransactionBuildError);
});

test("a rotating key's plan sends its change to the successor's P2TR script, never back to one of its own, and only with change", () => {
  const successor = randomTaprootScript();
  const inputs = [input('external', 300_000n)];
  const withChange = (changeTo: string, change: bigint | null = 200_000n) => {
    const base = plan(inputs, [pay(PAYEES[2]!, 90_000n)], change);
    const { id: _, ...body } = base;
    return makePlan({ ...body, changeTo });
  };
  const signable = buildTransaction(withChange(successor), scripts);
  const tx = Transaction.fromHex(signable.unsigned);
  expect(tx.outs.map((o) => bytesToHex(o.script))).toEqual([PAYEES[2], successor]);
  expect(outputsToKeySet(withChange(successor), signable.eventuality.id)).toEqual([]);

  for (const [changeTo, reason] of [
    [scripts.change, /not one of this key's/],
    [scripts.external, /not one of this key's/],
    [PAYEES[2]!, /P2TR/],
  ] as const) {
    expect(() => buildTransaction(withChange(changeTo), scripts)).toThrow(reason);
  }
  expect(() => buildTransaction(withChange(successor, null), scripts)).toThrow(/plan\.changeTo/);
});
