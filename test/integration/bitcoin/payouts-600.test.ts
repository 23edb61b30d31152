/**
 * 600 payments through the scheduler's branch tree (MAX_OUTPUTS 16) on a real btcd regtest node:
 * every plan is built, threshold-signed at 2-of-3 with FROST-BIP340 and published; each block's
 * outputs to the key set are read from the chain and fed back (branch and change outputs), until
 * nothing is left to pay. Then the chain itself is checked: every recipient was paid exactly once,
 * exactly the amount its plan promised.
 */
import type { Key } from '@noble/curves/abstract/frost.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import { Transaction } from 'bitcoinjs-lib';
import { dealKeys } from '../../../crypto/sign/simulate';
import { schemes } from '../../../crypto/suites';
import { completion, verifyClaim } from '../../../networks/bitcoin/eventuality';
import { outputKeySet } from '../../../networks/bitcoin/keys';
import { publish } from '../../../networks/bitcoin/publish';
import { signInProcess } from '../../../networks/bitcoin/sign-local';
import { buildTransaction, outputsToKeySet, parseOutpointId, type SignableTransaction } from '../../../networks/bitcoin/transaction';
import { bitcoinFeeModel } from '../../../networks/bitcoin/transaction-fee';
import {
  addPayments,
  BITCOIN_LIMITS,
  createState,
  receiveOutputs,
  schedule,
  type OutputKind,
  type Payment,
  type Plan,
  type ReceivedOutput,
} from '../../../scheduler';
import { useBtcd } from '../../support/chains';
import { Faucet, outputsPaying, randomSegwitScript, randomTaprootScript } from '../../support/bitcoin-tx';

const PAYMENTS = 600;
const MAX_OUTPUTS = 16;
const FEE_RATE = 7n;
const SIGNER_SETS = [
  [1, 2],
  [2, 3],
  [1, 3],
] as const;

const keys: Map<number, Key> = dealKeys(schemes.bip340, 2, 3);
const pub = keys.get(1)!.public;
const scripts = outputKeySet(0, pub).scripts;
const kindOfScript = new Map(Object.entries(scripts).map(([kind, script]) => [script, kind as OutputKind]));

const btcd = useBtcd();
beforeAll(async () => {
  await btcd().activateSoftForks();
}, 240_000);

const byId = (a: { id: string }, b: { id: string }) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

test('600 payments with MAX_OUTPUTS 16 go out through a branch tree of threshold-signed transactions btcd accepts, each paid once', async () => {
  const node = btcd();
  const { rpc } = node;
  const feeModel = bitcoinFeeModel(FEE_RATE);

  const payments: Payment[] = Array.from({ length: PAYMENTS }, (_, i) => ({
    id: bytesToHex(new TextEncoder().encode(`burn ${i}`)),
    address: i % 3 === 0 ? randomSegwitScript() : randomTaprootScript(),
    // 50 000 .. 1 247 000 sat, varied so no two sibling sums coincide.
    amount: (50_000n + BigInt((i * 7919) % 600) * 2_000n).toString(),
  }));
  expect(new Set(payments.map((p) => p.address)).size).toBe(PAYMENTS);

  let state = createState({
    network: 'bitcoin',
    key: bytesToHex(pub.commitments[0]!),
    ...BITCOIN_LIMITS,
    maxOutputs: MAX_OUTPUTS,
    internalAddresses: Object.values(scripts),
  });

  // Real deposits onto the key's external address, found on chain.
  const depositAmounts = [4n, 2n, 1n].map((btc) => btc * 100_000_000n);
  await new Faucet(node).pay(depositAmounts.map((amount) => ({ script: scripts.external, amount })));
  await node.mine(1);
  const startHeight = await rpc.getBlockCount();
  const deposits = await outputsPaying(rpc, new Set([scripts.external]), startHeight, startHeight);
  expect(deposits.map((d) => d.amount)).toEqual(depositAmounts);
  state = receiveOutputs(
    state,
    deposits.map((d): ReceivedOutput => ({ id: d.id, kind: 'external', amount: d.amount.toString() })),
  );
  state = addPayments(state, payments);

  const plans = new Map<string, { plan: Plan; signable: SignableTransaction; height: number }>();
  let rounds = 0;
  for (; rounds < 10; rounds++) {
    const result = schedule(state, { feeModel });
    expect(result.dropped).toEqual([]);
    if (result.plans.length === 0) {
      state = result.state;
      break;
    }

    const expected: ReceivedOutput[] = [];
    for (const [index, plan] of result.plans.entries()) {
      const signable = buildTransaction(plan, scripts);
      const { signed } = signInProcess(keys, SIGNER_SETS[index % SIGNER_SETS.length]!, pub, signable);
      expect(signed.txid).toBe(signable.eventuality.id);
      expect(await publish(rpc, signed.hex)).toEqual({ kind: 'published' });
      plans.set(signed.txid, { plan, signable, height: -1 });
      expected.push(...outputsToKeySet(plan, signed.txid));
    }
    const [blockHash] = await node.mine(1);
    const height = await rpc.getBlockCount();
    const included = new Set((await rpc.getBlock(blockHash!)).tx);
    for (const plan of result.plans) {
      const entry = [...plans.values()].find((p) => p.plan.id === plan.id)!;
      expect(included.has(entry.signable.eventuality.id)).toBe(true);
      entry.height = height;
    }

    // What the chain pays back to the key set is exactly what the plans said it would.
    const scanned = await outputsPaying(rpc, new Set(Object.values(scripts)), height, height);
    expect(scanned.map((o) => ({ id: o.id, kind: kindOfScript.get(o.script), amount: o.amount.toString() })).sort(byId)).toEqual(
      expected.map((o) => ({ id: o.id, kind: o.kind, amount: o.amount })).sort(byId),
    );
    state = receiveOutputs(result.state, expected);
  }

  expect(state.payments).toEqual([]);
  expect(state.branches).toEqual([]);
  // Root, then the inner branches and root-level leaves, then the inner branches' leaves.
  expect(rounds).toBe(3);
  const planList = [...plans.values()].map((p) => p.plan);
  expect(planList.filter((p) => p.kind === 'payments')).toHaveLength(1);
  expect(planList.filter((p) => p.kind === 'branch')).toHaveLength(39);

  // Every plan's eventuality is completed on chain, at the height it was mined.
  for (const [txid, { signable, height }] of plans) {
    expect(await completion(rpc, signable.eventuality)).toEqual({ completed: true, claim: txid, height });
    expect(await verifyClaim(rpc, signable.eventuality, txid)).toEqual({ valid: true, height });
  }

  // The chain: each recipient received exactly one output, of exactly its promised amount.
  const promised = new Map<string, bigint>();
  for (const plan of planList) {
    for (const output of plan.outputs) if (output.kind === 'payment') promised.set(output.address, BigInt(output.amount));
  }
  expect(promised.size).toBe(PAYMENTS);
  const tip = await rpc.getBlockCount();
  const received = await outputsPaying(rpc, new Set(payments.map((p) => p.address)), startHeight, tip);
  expect(received).toHaveLength(PAYMENTS);
  for (const payment of payments) {
    const landed = received.filter((o) => o.script === payment.address);
    expect(landed).toHaveLength(1);
    expect(landed[0]!.amount).toBe(promised.get(payment.address));
    // The request less its share of the fees.
    expect(landed[0]!.amount).toBeLessThan(BigInt(payment.amount));
    expect(landed[0]!.amount).toBeGreaterThan(BigInt(payment.amount) - 10_000n);
    // Still unspent in the UTXO set.
    const utxo = await rpc.getTxOut(landed[0]!.txid, landed[0]!.vout, true);
    expect(utxo).toMatchObject({ valueSats: landed[0]!.amount, scriptPubKey: { hex: payment.address } });
  }

  // Value on chain: deposits = paid out + miners' fees + what the key set still holds.
  let minerFees = 0n;
  for (const [txid, { plan }] of plans) {
    const tx = Transaction.fromHex(await rpc.getRawTransactionHex(txid));
    const spent = plan.inputs.reduce((total, input) => total + BigInt(input.amount), 0n);
    const created = tx.outs.reduce((total, output) => total + output.value, 0n);
    expect(spent - created).toBe(BigInt(plan.fee) + BigInt(plan.operatingCost));
    expect(BigInt(tx.virtualSize()) * FEE_RATE).toBe(BigInt(plan.fee));
    minerFees += spent - created;
  }
  const held = state.outputs.reduce((total, output) => total + BigInt(output.amount), 0n);
  for (const output of state.outputs) {
    const { txid, vout } = parseOutpointId(output.id, 'output.id');
    expect(await rpc.getTxOut(txid, vout, true)).toMatchObject({ valueSats: BigInt(output.amount), scriptPubKey: { hex: scripts[output.kind] } });
  }
  const paidOut = received.reduce((total, output) => total + output.amount, 0n);
  expect(depositAmounts.reduce((a, b) => a + b, 0n)).toBe(paidOut + minerFees + held);
}, 180_000);
