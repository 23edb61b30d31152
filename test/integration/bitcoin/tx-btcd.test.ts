/**
 * Plans built into transactions, threshold-signed at 3-of-4 with FROST-BIP340 and published to a
 * real btcd regtest node with Taproot active; the publish outcomes btcd v0.24.2 actually gives;
 * eventualities and claims checked against its chain.
 */
import type { Key } from '@noble/curves/abstract/frost.js';
import { bytesToHex, randomBytes } from '@noble/hashes/utils.js';
import { Transaction } from 'bitcoinjs-lib';
import { dealKeys } from '../../../crypto/sign/simulate';
import { schemes } from '../../../crypto/suites';
import { freePorts } from '../../../nodes/ports';
import { completion, verifyClaim } from '../../../networks/bitcoin/eventuality';
import { outputKeySet } from '../../../networks/bitcoin/keys';
import { MissingInputsError, publish, PublishUnavailableError, TransactionRejectedError } from '../../../networks/bitcoin/publish';
import { BitcoinRpc } from '../../../networks/bitcoin/rpc';
import { RpcError, RpcErrorCode } from '../../../networks/bitcoin/rpc-errors';
import { signInProcess } from '../../../networks/bitcoin/sign-local';
import { buildTransaction, outpointId, outputsToKeySet, parseOutpointId, shapeOf, type SignableTransaction } from '../../../networks/bitcoin/transaction';
import { bitcoinFeeModel, transactionWeight } from '../../../networks/bitcoin/transaction-fee';
import { admitPayments, BITCOIN_LIMITS, createState, forwardPlan, handOver, receiveOutputs, schedule, sendChangeTo, type OutputKind, type Plan, type SpendableOutput, type TransactionShape } from '../../../scheduler';
import type { PlanOutputBody } from '../../../scheduler/plan-id';
import { useBtcd } from '../../support/chains';
import { Faucet, makePlan, outputsPaying, randomSegwitScript, randomTaprootScript } from '../../support/bitcoin-tx';

const FEE_RATE = 3n;
const feeModel = bitcoinFeeModel(FEE_RATE);
const keys: Map<number, Key> = dealKeys(schemes.bip340, 3, 4);
const pub = keys.get(1)!.public;
const scripts = outputKeySet(0, pub).scripts;
const KEY = bytesToHex(pub.commitments[0]!);

const btcd = useBtcd();
let faucet: Faucet;

beforeAll(async () => {
  await btcd().activateSoftForks();
  faucet = new Faucet(btcd());
}, 240_000);

/** Pays `amounts` onto our scripts of `kinds` and mines them; returns them as spendable outputs. */
async function deposit(kinds: readonly OutputKind[], amounts: readonly bigint[]): Promise<SpendableOutput[]> {
  const txid = await faucet.pay(kinds.map((kind, i) => ({ script: scripts[kind], amount: amounts[i]! })));
  await btcd().mine(1);
  return kinds.map((kind, vout) => ({ id: outpointId(txid, vout), kind, amount: amounts[vout]!.toString() }));
}

/** A plan spending `inputs` to `outputs`, with the exact fee at FEE_RATE and the rest as change. */
function planSpending(inputs: readonly SpendableOutput[], outputs: readonly PlanOutputBody[], withChange = true): Plan {
  const body = { network: 'bitcoin', key: KEY, kind: 'payments' as const, inputs, outputs, operatingCost: '0' };
  const shape: TransactionShape = {
    inputs: inputs.map((input) => ({ kind: input.kind })),
    outputs: outputs.map((output) => (output.kind === 'payment' ? { kind: 'payment', address: output.address } : { kind: 'branch' })),
    change: withChange,
  };
  const fee = feeModel(shape);
  const available = inputs.reduce((total, input) => total + BigInt(input.amount), 0n);
  const rest = available - outputs.reduce((total, output) => total + BigInt(output.amount), 0n) - fee;
  return withChange
    ? makePlan({ ...body, change: rest.toString(), fee: fee.toString() })
    : makePlan({ ...body, change: null, fee: (fee + rest).toString() });
}

const payment = (script: string, amount: bigint): PlanOutputBody => ({
  kind: 'payment',
  payment: bytesToHex(randomBytes(32)),
  address: script,
  amount: amount.toString(),
});

/** btcd's own answer to sendrawtransaction, to pin what publish() reads. */
async function nodeAnswer(hex: string): Promise<{ code: number; nodeMessage: string }> {
  const error = await btcd()
    .rpc.sendRawTransaction(hex)
    .then(() => new Error('expected btcd to refuse the transaction'))
    .catch((caught: unknown) => caught);
  expect(error).toBeInstanceOf(RpcError);
  const { code, nodeMessage } = error as RpcError;
  return { code, nodeMessage };
}

function sign(signable: SignableTransaction, signers: readonly number[] = [1, 2, 3]) {
  return signInProcess(keys, signers, pub, signable).signed;
}

test('a plan spending an output of every kind, signed at 3-of-4, is accepted by btcd and completes its eventuality', async () => {
  const node = btcd();
  const inputs = await deposit(['external', 'branch', 'change', 'forward'], [50_000_000n, 30_000_000n, 20_000_000n, 10_000_000n]);
  const segwitPayee = randomSegwitScript();
  const taprootPayee = randomTaprootScript();
  const plan = planSpending(inputs, [
    payment(segwitPayee, 60_000_000n),
    payment(taprootPayee, 30_000_000n),
    { kind: 'branch', amount: '9000000' },
  ]);
  const signable = buildTransaction(plan, scripts);

  // Signers 1, 3 and 4: any threshold subset of the key set.
  const signed = sign(signable, [1, 3, 4]);
  expect(signed.txid).toBe(signable.eventuality.id);
  expect(await completion(node.rpc, signable.eventuality)).toEqual({ completed: false });

  expect(await publish(node.rpc, signed.hex)).toEqual({ kind: 'published' });
  expect(await node.rpc.getRawMempool()).toContain(signed.txid);
  // In the mempool is not completed.
  expect(await completion(node.rpc, signable.eventuality)).toEqual({ completed: false });

  const [blockHash] = await node.mine(1);
  const height = await node.rpc.getBlockCount();
  expect((await node.rpc.getBlock(blockHash!)).tx).toContain(signed.txid);
  expect(await completion(node.rpc, signable.eventuality)).toEqual({ completed: true, claim: signed.txid, height });

  // The fee the scheduler's model predicted is exactly the signed transaction's vsize x rate.
  const tx = Transaction.fromHex(signed.hex);
  expect(tx.weight()).toBe(transactionWeight(shapeOf(plan)));
  expect(BigInt(tx.virtualSize()) * FEE_RATE).toBe(BigInt(plan.fee));
  expect(tx.ins.every((input) => input.witness.length === 1 && input.witness[0]!.length === 64)).toBe(true);

  // On chain: outputs in plan order, change last, with the promised amounts.
  const expected = [
    { script: segwitPayee, amount: 60_000_000n },
    { script: taprootPayee, amount: 30_000_000n },
    { script: scripts.branch, amount: 9_000_000n },
    { script: scripts.change, amount: BigInt(plan.change!) },
  ];
  for (const [vout, output] of expected.entries()) {
    const utxo = await node.rpc.getTxOut(signed.txid, vout, false);
    expect(utxo).toMatchObject({ valueSats: output.amount, scriptPubKey: { hex: output.script }, confirmations: 1 });
  }
  expect(await node.rpc.getTxOut(signed.txid, expected.length, false)).toBeNull();
  for (const input of inputs) {
    expect(await node.rpc.getTxOut(input.id.slice(0, 64), 0, true)).toBeNull();
  }
});

test('publishing tells apart already-in-mempool, already-confirmed and conflicting spends without throwing', async () => {
  const node = btcd();
  const [first, second] = await deposit(['external', 'external'], [20_000_000n, 20_000_000n]);
  const planA = planSpending([first!], [payment(randomSegwitScript(), 5_000_000n)]);
  const signableA = buildTransaction(planA, scripts);
  const attempt1 = sign(signableA, [1, 2, 3]);
  expect(await publish(node.rpc, attempt1.hex)).toEqual({ kind: 'published' });
  expect(await publish(node.rpc, attempt1.hex)).toEqual({ kind: 'already-in-mempool' });
  expect(await nodeAnswer(attempt1.hex)).toEqual({
    code: RpcErrorCode.verifyRejected,
    nodeMessage: `TX rejected: already have transaction in mempool ${attempt1.txid}`,
  });

  // Another signing attempt (other signers, fresh nonces): other witnesses, the same txid.
  const attempt2 = sign(signableA, [2, 3, 4]);
  expect(attempt2.hex).not.toBe(attempt1.hex);
  expect(attempt2.txid).toBe(attempt1.txid);
  expect(await publish(node.rpc, attempt2.hex)).toEqual({ kind: 'already-in-mempool' });

  // A different transaction spending the same input, while A waits in the mempool.
  const planB = planSpending([first!], [payment(randomTaprootScript(), 7_000_000n)]);
  const signedB = sign(buildTransaction(planB, scripts));
  expect(signedB.txid).not.toBe(attempt1.txid);
  expect(await publish(node.rpc, signedB.hex)).toEqual({
    kind: 'conflict',
    reason: `input ${first!.id.slice(0, 64)}:0 is spent by mempool transaction ${attempt1.txid}`,
  });
  expect(await nodeAnswer(signedB.hex)).toEqual({
    code: RpcErrorCode.verifyRejected,
    nodeMessage: `TX rejected: output already spent in mempool: output=${first!.id.slice(0, 64)}:0, tx=${attempt1.txid}`,
  });

  await node.mine(1);
  // Confirmed with unspent outputs: btcd says so (-27).
  expect(await publish(node.rpc, attempt2.hex)).toEqual({ kind: 'already-confirmed' });
  expect(await nodeAnswer(attempt2.hex)).toEqual({
    code: RpcErrorCode.verifyAlreadyInChain,
    nodeMessage: 'TX rejected: transaction already exists in blockchain',
  });
  // B's input is now spent on chain: btcd calls B an orphan; the chain says conflict.
  expect(await publish(node.rpc, signedB.hex)).toEqual({
    kind: 'conflict',
    reason: `input ${first!.id.slice(0, 64)}:0 is already spent by another transaction`,
  });
  expect(await nodeAnswer(signedB.hex)).toEqual({
    code: RpcErrorCode.verify,
    nodeMessage: `TX rejected: orphan transaction ${signedB.txid} references outputs of unknown or fully-spent transaction ${first!.id.slice(0, 64)}`,
  });

  // Confirmed and every output spent since: btcd calls it an orphan too; the chain says confirmed.
  const aggregation = planSpending([second!], [], true);
  const signedC = sign(buildTransaction(aggregation, scripts));
  expect(await publish(node.rpc, signedC.hex)).toEqual({ kind: 'published' });
  await node.mine(1);
  const changeOfC: SpendableOutput = { id: outpointId(signedC.txid, 0), kind: 'change', amount: aggregation.change! };
  const signedD = sign(buildTransaction(planSpending([changeOfC], [payment(randomSegwitScript(), 1_000_000n)]), scripts));
  expect(await publish(node.rpc, signedD.hex)).toEqual({ kind: 'published' });
  await node.mine(1);
  expect(await node.rpc.getTxOut(signedC.txid, 0, true)).toBeNull();
  expect(await nodeAnswer(signedC.hex)).toEqual({
    code: RpcErrorCode.verify,
    nodeMessage: `TX rejected: orphan transaction ${signedC.txid} references outputs of unknown or fully-spent transaction ${second!.id.slice(0, 64)}`,
  });
  expect(await publish(node.rpc, signedC.hex)).toEqual({ kind: 'already-confirmed' });
});

test('a missing input, an invalid signature and an unreachable node are typed errors', async () => {
  const node = btcd();
  const unknown: SpendableOutput = { id: outpointId(bytesToHex(randomBytes(32)), 1), kind: 'external', amount: '5000000' };
  const orphan = sign(buildTransaction(planSpending([unknown], [payment(randomSegwitScript(), 1_000_000n)]), scripts));
  const missing = await publish(node.rpc, orphan.hex).catch((error: unknown) => error);
  expect(missing).toBeInstanceOf(MissingInputsError);
  expect(missing).toMatchObject({ txid: orphan.txid, outpoint: `${unknown.id.slice(0, 64)}:1`, retryable: true });

  const [funded] = await deposit(['external'], [3_000_000n]);
  // A known transaction without that output: invalid, not a conflict.
  const beyond: SpendableOutput = { id: outpointId(funded!.id.slice(0, 64), 99), kind: 'external', amount: '5000000' };
  const nonexistent = sign(buildTransaction(planSpending([beyond], [payment(randomSegwitScript(), 1_000_000n)]), scripts));
  await expect(publish(node.rpc, nonexistent.hex)).rejects.toMatchObject({
    name: 'TransactionRejectedError',
    nodeMessage: expect.stringMatching(/does not exist\)$/),
  });

  const signed = sign(buildTransaction(planSpending([funded!], [payment(randomSegwitScript(), 1_000_000n)]), scripts));
  const forged = Transaction.fromHex(signed.hex);
  const signature = Uint8Array.from(forged.ins[0]!.witness[0]!);
  signature[63] = signature[63]! ^ 1;
  forged.setWitness(0, [signature]);
  const rejected = await publish(node.rpc, forged.toHex()).catch((error: unknown) => error);
  expect(rejected).toBeInstanceOf(TransactionRejectedError);
  // btcd reports script failures with -25, the code it also uses for orphans: the message decides.
  expect(rejected).toMatchObject({ txid: signed.txid, retryable: false, code: RpcErrorCode.verify });
  expect((rejected as TransactionRejectedError).nodeMessage).toMatch(/^TX rejected: failed to validate input/);
  // The valid attempt of the same plan still goes out.
  expect(await publish(node.rpc, signed.hex)).toEqual({ kind: 'published' });

  const [closedPort] = await freePorts(1);
  const nowhere = new BitcoinRpc({ url: `http://127.0.0.1:${closedPort}`, username: 'u', password: 'p', timeoutMs: 5_000 });
  const unavailable = await publish(nowhere, signed.hex).catch((error: unknown) => error);
  expect(unavailable).toBeInstanceOf(PublishUnavailableError);
  expect(unavailable).toMatchObject({ txid: signed.txid, retryable: true });
});

test("another validator's claim is accepted only for the plan's txid, confirmed, spending the plan's inputs", async () => {
  const node = btcd();
  const [funded] = await deposit(['external'], [4_000_000n]);
  const plan = planSpending([funded!], [payment(randomTaprootScript(), 2_000_000n)]);
  const signable = buildTransaction(plan, scripts);
  const signed = sign(signable);
  const { eventuality } = signable;

  expect(await verifyClaim(node.rpc, eventuality, signed.txid)).toEqual({
    valid: false,
    reason: 'the transaction is not on the best chain with 1 confirmations',
    pending: false,
  });
  expect(await publish(node.rpc, signed.hex)).toEqual({ kind: 'published' });
  // In the mempool: not valid yet, but pending, so the claim is followed rather than refused.
  expect(await verifyClaim(node.rpc, eventuality, signed.txid)).toEqual({
    valid: false,
    reason: 'the transaction is not on the best chain with 1 confirmations',
    pending: true,
  });
  await node.mine(1);
  const height = await node.rpc.getBlockCount();

  expect(await verifyClaim(node.rpc, eventuality, signed.txid)).toEqual({ valid: true, height });
  expect(await verifyClaim(node.rpc, eventuality, signed.txid, 2)).toMatchObject({ valid: false });
  expect(await verifyClaim(node.rpc, eventuality, 'not a txid')).toEqual({ valid: false, reason: 'the claim is not a txid' });
  expect(await verifyClaim(node.rpc, eventuality, signed.txid.toUpperCase())).toEqual({ valid: false, reason: 'the claim is not a txid' });
  // A real, confirmed transaction that is not this plan's (the faucet's).
  const other = funded!.id.slice(0, 64);
  expect(await verifyClaim(node.rpc, eventuality, other)).toEqual({
    valid: false,
    reason: 'the claim names a different transaction than the plan',
  });
  // An eventuality that says the plan spends something else is not completed by this transaction.
  const tampered = { id: eventuality.id, spends: [outpointId(other, 1)] };
  expect(await verifyClaim(node.rpc, tampered, signed.txid)).toEqual({
    valid: false,
    reason: "the transaction does not spend the plan's inputs",
  });

  const found = await outputsPaying(node.rpc, new Set([plan.outputs[0]!.kind === 'payment' ? plan.outputs[0]!.address : '']), height, height);
  expect(found).toEqual([expect.objectContaining({ txid: signed.txid, vout: 0, amount: 2_000_000n })]);
});

test("rotation on btcd: the retiring key's change goes to its successor, its pool is swept and a late deposit forwarded, and the successor spends them all", async () => {
  const node = btcd();
  const successorKeys: Map<number, Key> = dealKeys(schemes.bip340, 3, 4);
  const successorPub = successorKeys.get(1)!.public;
  const successor = outputKeySet(0, successorPub).scripts;
  const ours = Object.values(scripts);
  let retiring = createState({ network: 'bitcoin', key: KEY, ...BITCOIN_LIMITS, internalAddresses: ours });
  const deposits = await deposit(['external', 'external', 'external'], [40_000_000n, 25_000_000n, 5_000_000n]);
  retiring = receiveOutputs(retiring, deposits.map(({ id, amount }) => ({ id, kind: 'external' as const, amount })));

  // NewAsChange: a payment's change goes to the successor's change script.
  retiring = sendChangeTo(retiring, successor.change);
  const payee = randomSegwitScript();
  retiring = admitPayments(retiring, [{ id: bytesToHex(randomBytes(32)), address: payee, amount: '30000000' }]).state;
  const paid = schedule(retiring, { feeModel });
  retiring = paid.state;
  expect(paid.plans.map((p) => [p.kind, p.changeTo])).toEqual([['payments', successor.change]]);

  // ForwardFromExisting: the rest of the pool is swept to the successor, and a deposit that still
  // reaches the retiring key is forwarded to the successor's forward script.
  const handed = handOver(retiring, { feeModel });
  expect(handed.plans.map((p) => p.kind)).toEqual(['sweep']);
  const [late] = await deposit(['external'], [7_000_000n]);
  const forward = forwardPlan(handed.state, { id: late!.id, kind: 'external', amount: late!.amount }, successor.forward, { feeModel })!;

  const toSuccessor: SpendableOutput[] = [];
  for (const plan of [...paid.plans, ...handed.plans, forward]) {
    const signable = buildTransaction(plan, scripts);
    const signed = sign(signable);
    expect(await publish(node.rpc, signed.hex)).toEqual({ kind: 'published' });
    // Nothing of these transactions returns to the retiring key.
    expect(outputsToKeySet(plan, signed.txid)).toEqual([]);
    const vout = plan.outputs.length;
    toSuccessor.push({ id: outpointId(signed.txid, vout), kind: plan.kind === 'forward' ? 'forward' : 'change', amount: plan.change! });
  }
  await node.mine(1);
  for (const output of toSuccessor) {
    const { txid, vout } = parseOutpointId(output.id, 'output');
    const utxo = await node.rpc.getTxOut(txid, vout, false);
    expect(utxo).toMatchObject({ valueSats: BigInt(output.amount), scriptPubKey: { hex: output.kind === 'forward' ? successor.forward : successor.change } });
  }
  // The retiring key holds nothing on chain: every output it had is spent.
  for (const { id } of [...deposits, late!]) {
    const { txid, vout } = parseOutpointId(id, 'deposit');
    expect(await node.rpc.getTxOut(txid, vout, true)).toBeNull();
  }
  const moved = toSuccessor.reduce((t, o) => t + BigInt(o.amount), 0n);
  const spentFees = [...paid.plans, ...handed.plans, forward].reduce((t, p) => t + BigInt(p.fee), 0n);
  const paidOut = paid.plans.flatMap((p) => p.outputs).reduce((t, o) => t + BigInt(o.amount), 0n);
  expect(moved + paidOut + spentFees).toBe(77_000_000n);

  // The successor's key spends all three in one plan.
  const spend = planSpending(toSuccessor, [payment(randomTaprootScript(), 10_000_000n)]);
  const signable = buildTransaction(spend, successor);
  const signed = signInProcess(successorKeys, [2, 3, 4], successorPub, signable).signed;
  expect(await publish(node.rpc, signed.hex)).toEqual({ kind: 'published' });
  await node.mine(1);
  expect(await completion(node.rpc, signable.eventuality)).toMatchObject({ completed: true, claim: signed.txid });
});
