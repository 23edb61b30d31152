import assert from 'node:assert/strict';

import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';

import {
  decodePlan,
  receiveOutputs,
  schedule,
  type DroppedPayment,
  type FeeModel,
  type Plan,
  type ReceivedOutput,
  type SchedulerConfig,
  type SchedulerState,
  type SpendableOutput,
  type TransactionShape,
} from '../../../scheduler';
import { outpoint, outputsToUs } from './bitcoin-model';

export { outpoint, outputsToUs, taprootFees, taprootWeight } from './bitcoin-model';

export const KEY = '02'.repeat(33);

export function config(overrides: Partial<SchedulerConfig> = {}): SchedulerConfig {
  return {
    network: 'bitcoin',
    key: KEY,
    maxInputs: 520,
    maxOutputs: 520,
    dust: '10000',
    maxAmount: '2100000000000000',
    internalAddresses: [],
    ...overrides,
  };
}

export const hash = (label: string): string => bytesToHex(sha256(utf8ToBytes(label)));
/** A P2TR scriptPubKey, as a payment address. */
export const taprootAddress = (label: string): string => `5120${hash(label)}`;
/** A P2WPKH scriptPubKey. */
export const segwitAddress = (label: string): string => `0014${hash(label).slice(0, 40)}`;
export const deposit = (label: string, amount: bigint): ReceivedOutput => ({
  id: outpoint(hash(`deposit ${label}`), 0),
  kind: 'external',
  amount: amount.toString(),
});

export interface Paid {
  readonly amount: bigint;
  readonly planId: string;
}

/**
 * A stand-in for the chain: the multisig's unspent outputs and the payments made. Every plan is
 * checked as a node would check its transaction (inputs exist and are unspent, value balances,
 * the fee is what the model asks for its final shape, limits hold) before its outputs exist.
 */
export class SimulatedChain {
  readonly unspent = new Map<string, SpendableOutput>();
  readonly paid = new Map<string, Paid[]>();
  readonly depth = new Map<string, number>();
  deposited = 0n;
  paidOut = 0n;
  fees = 0n;
  operatingCost = 0n;
  plans = 0;

  constructor(private readonly limits: { maxInputs: number; maxOutputs: number; dust: bigint }) {}

  deposit(output: ReceivedOutput): ReceivedOutput {
    this.unspent.set(output.id, { id: output.id, kind: output.kind, amount: output.amount });
    this.deposited += BigInt(output.amount);
    return output;
  }

  /** Includes `plan` in a block and returns the outputs it pays to the multisig. */
  confirm(plan: Plan, feeModel: FeeModel): ReceivedOutput[] {
    // node:assert rather than expect: this runs thousands of times per property test.
    assert.deepEqual(decodePlan(JSON.parse(JSON.stringify(plan))), plan);
    const outputCount = plan.outputs.length + (plan.change === null ? 0 : 1);
    assert.ok(plan.inputs.length <= this.limits.maxInputs, 'too many inputs');
    assert.ok(outputCount <= this.limits.maxOutputs && outputCount > 0, 'output count out of range');
    let inputs = 0n;
    for (const input of plan.inputs) {
      assert.deepEqual(this.unspent.get(input.id), input, 'spends an output the chain does not hold');
      this.unspent.delete(input.id);
      inputs += BigInt(input.amount);
    }
    const change = plan.change === null ? 0n : BigInt(plan.change);
    const outputs = plan.outputs.reduce((total, output) => total + BigInt(output.amount), 0n);
    assert.equal(inputs, outputs + change + BigInt(plan.fee) + BigInt(plan.operatingCost), 'value not conserved');
    const shape: TransactionShape = {
      inputs: plan.inputs.map((input) => ({ kind: input.kind })),
      outputs: plan.outputs.map((o) => (o.kind === 'payment' ? { kind: 'payment', address: o.address } : { kind: 'branch' })),
      change: plan.change !== null,
    };
    assert.equal(BigInt(plan.fee), feeModel(shape), 'fee differs from the fee model');
    for (const output of plan.outputs) assert.ok(BigInt(output.amount) >= this.minOutput, 'output below dust');
    if (plan.change !== null) assert.ok(change >= this.minOutput, 'change below dust');

    const depth = plan.kind === 'branch' ? this.parentDepth(plan) + 1 : 1;
    this.depth.set(plan.id, depth);
    this.fees += BigInt(plan.fee);
    this.operatingCost += BigInt(plan.operatingCost);
    this.plans += 1;

    for (const output of plan.outputs) {
      if (output.kind !== 'payment') continue;
      const amount = BigInt(output.amount);
      this.paid.set(output.payment, [...(this.paid.get(output.payment) ?? []), { amount, planId: plan.id }]);
      this.paidOut += amount;
    }
    const received = outputsToUs(plan);
    for (const output of received) this.unspent.set(output.id, { id: output.id, kind: output.kind, amount: output.amount });
    return received;
  }

  holdings(): bigint {
    return [...this.unspent.values()].reduce((total, output) => total + BigInt(output.amount), 0n);
  }

  maxDepth(): number {
    return Math.max(0, ...this.depth.values());
  }

  private get minOutput(): bigint {
    return this.limits.dust > 0n ? this.limits.dust : 1n;
  }

  private parentDepth(plan: Plan): number {
    const [input, ...rest] = plan.inputs;
    assert.ok(input?.kind === 'branch' && rest.length === 0, 'a branch plan spends exactly its branch output');
    // A branch output's id is outpoint(parent plan id, index).
    const parent = this.depth.get(input.id.slice(0, 64));
    assert.ok(parent !== undefined, 'a branch plan spends the output of a known plan');
    return parent;
  }
}

export interface Settled {
  readonly state: SchedulerState;
  readonly plans: readonly Plan[];
  readonly dropped: readonly DroppedPayment[];
  readonly rounds: number;
}

/**
 * Schedules, confirms every plan and feeds its outputs back, until a round plans nothing.
 * `feeModelFor(round)` may change the fee rate between rounds.
 */
export function settle(
  start: SchedulerState,
  chain: SimulatedChain,
  feeModelFor: (round: number) => FeeModel,
  maxRounds = 1000,
): Settled {
  let state = start;
  const plans: Plan[] = [];
  const dropped: DroppedPayment[] = [];
  for (let round = 0; round < maxRounds; round++) {
    const feeModel = feeModelFor(round);
    const result = schedule(state, { feeModel });
    dropped.push(...result.dropped);
    if (result.plans.length === 0) return { state: result.state, plans, dropped, rounds: round };
    plans.push(...result.plans);
    const received = result.plans.flatMap((plan) => chain.confirm(plan, feeModel));
    state = receiveOutputs(result.state, received);
  }
  throw new Error(`the scheduler still planned after ${maxRounds} rounds`);
}
