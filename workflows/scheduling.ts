/**
 * The scheduler a network's rules name, behind one interface for the scanner (pure,
 * workflow-safe): the UTXO scheduler for a chain of outputs, the account scheduler for a chain
 * where one contract holds every balance. The scanner hands both the same things: outputs that
 * reached the key (with their coin on a chain of several), refunds and burns as payments of a coin,
 * and the fee rate read at an agreed block.
 */
import type { Payment, ReceivedOutput, SchedulerState } from '../scheduler/types';
import { admitPayments, createState, forwardPlan, handOver, isDrained, receiveOutputs, schedule, sendChangeTo, takeOver } from '../scheduler';
import { admitAccountPayments, createAccountState, receiveCredits, rotateAccount, scheduleAccount, takeOverAccount } from '../scheduler/account';
import type { AccountSchedulerState } from '../scheduler/account/types';
import type { AnyPlan, AnySchedulerState } from '../scheduler/plans';
import type { ExternalNetwork } from '../messages/networks';
import type { OutputKind } from '../networks/network';
import { chainRules, type AccountChainRules, type UtxoChainRules } from '../networks/rules';

export type { AnyPlan, AnySchedulerState };

/**
 * A scheduler kept in the validator's store, named by the digest of its state: what the scanner's
 * workflow state holds, so the queue's length never reaches a workflow payload. It carries what
 * the workflow shows and checks without loading the state.
 */
export interface StoredScheduler {
  readonly stored: string;
  readonly heldOutputs: readonly string[];
  readonly queuedPayments: number;
}

/** A scheduler as the scanner holds it: the state itself (histories from before the store, a new key's empty scheduler) or a stored one. */
export type SchedulerSlot = AnySchedulerState | StoredScheduler;

export function isStoredScheduler(slot: SchedulerSlot): slot is StoredScheduler {
  return 'stored' in slot;
}

/** The state of a slot that must be loaded: a stored one here is a bug of the caller (the Serai-block activity loads them all first). */
function loaded(slot: SchedulerSlot): AnySchedulerState {
  if (isStoredScheduler(slot)) throw new SchedulingError(`scheduler ${slot.stored} is in the store: load it before scheduling`);
  return slot;
}

/** An output as the scanner keeps it until its Batch is included: the coin is set on a chain of several. */
export type HeldOutput = ReceivedOutput & { readonly coin?: string };
/** A refund or burn to pay: the coin is set on a chain of several. */
export type CoinPayment = Payment & { readonly coin?: string };

export interface Dropped {
  readonly payment: Payment;
  readonly reason: string;
  readonly coin?: string;
}

export interface Scheduling {
  create(key: { networkKey: string; scripts: Record<OutputKind, string> }): AnySchedulerState;
  receive(state: SchedulerSlot, outputs: readonly HeldOutput[]): AnySchedulerState;
  /** Queues what it can; never throws for a payment (`refused` says why). */
  admit(state: SchedulerSlot, payments: readonly CoinPayment[]): { state: AnySchedulerState; refused: { payment: CoinPayment; reason: string }[] };
  schedule(state: SchedulerSlot, feeRate: number): { state: AnySchedulerState; plans: AnyPlan[]; dropped: Dropped[] };
  /** The ids of outputs the scheduler holds (none on an account chain). */
  heldOutputs(state: SchedulerSlot): string[];
  queuedPayments(state: SchedulerSlot): number;
  /** Rotation (reference 1.18), from the existing key's side and its successor's. */
  rotation: RotationScheduling;
}

/** A key as the schedulers see it. */
export interface SchedulerKey {
  networkKey: string;
  scripts: Record<OutputKind, string>;
  /** The key as the chain's contract holds it, when the adapter said (ScannerKey.contractKey). */
  contractKey?: string;
}

export interface RotationScheduling {
  /** Whether the successor's scheduler exists from its activation (UTXO: it holds its own outputs) or is made at the handover (account: it takes the contract's balances and nonce). */
  successorFromActivation: boolean;
  /** New-as-change: the existing key's plans send their change to the successor (UTXO); nothing on an account chain. */
  changeToSuccessor(existing: SchedulerSlot, successor: SchedulerKey): AnySchedulerState;
  /**
   * Forward-from-existing: the existing key hands over its queue (and on a UTXO chain sweeps its
   * pool; on an account chain names its successor on the contract), the successor takes it.
   */
  handOver(existing: SchedulerSlot, successor: { key: SchedulerKey; state: SchedulerSlot | null }, feeRate: number): { existing: AnySchedulerState; successor: AnySchedulerState; plans: AnyPlan[] };
  /** A deposit that reached the retiring key, moved to the successor's forward address (UTXO); null when its fee would leave dust. */
  forward(existing: SchedulerSlot, output: HeldOutput, successor: SchedulerKey, feeRate: number): AnyPlan | null;
  /** Whether the retiring key holds nothing worth moving and waits for nothing of its own. */
  drained(existing: SchedulerSlot, feeRate: number): boolean;
}

export class SchedulingError extends Error {
  override readonly name = 'SchedulingError';
}

const bare = ({ id, address, amount }: CoinPayment): Payment => ({ id, address, amount });

function utxoScheduling(network: ExternalNetwork, rules: UtxoChainRules): Scheduling {
  const of = (state: SchedulerSlot) => loaded(state) as SchedulerState;
  return {
    create: (key) => createState({ network, key: key.networkKey, ...rules.limits, internalAddresses: Object.values(key.scripts) }),
    receive: (state, outputs) => receiveOutputs(of(state), outputs.map(({ coin: _, ...output }) => output as ReceivedOutput)),
    admit(state, payments) {
      const admitted = admitPayments(of(state), payments.map(bare));
      return { state: admitted.state, refused: admitted.refused.map(({ payment, reason }) => ({ payment: payments.find((p) => p.id === payment.id) ?? payment, reason })) };
    },
    schedule(state, feeRate) {
      const scheduled = schedule(of(state), { feeModel: rules.feeModel(feeRate) });
      return { state: scheduled.state, plans: [...scheduled.plans], dropped: [...scheduled.dropped] };
    },
    heldOutputs: (state) => (isStoredScheduler(state) ? [...state.heldOutputs] : of(state).outputs.map((o) => o.id)),
    queuedPayments: (state) => (isStoredScheduler(state) ? state.queuedPayments : of(state).payments.length),
    rotation: {
      successorFromActivation: true,
      changeToSuccessor: (existing, successor) => sendChangeTo(of(existing), successor.scripts.change),
      handOver(existing, successor, feeRate) {
        if (successor.state === null) throw new SchedulingError('a UTXO successor has its scheduler from its activation');
        const handed = handOver(of(existing), { feeModel: rules.feeModel(feeRate) });
        return { existing: handed.state, successor: takeOver(of(successor.state), handed.handover), plans: handed.plans };
      },
      forward: (existing, { coin: _, ...output }, successor, feeRate) =>
        forwardPlan(of(existing), output as ReceivedOutput, successor.scripts.forward, { feeModel: rules.feeModel(feeRate) }),
      drained: (existing, feeRate) => isDrained(of(existing), { feeModel: rules.feeModel(feeRate) }),
    },
  };
}

function accountScheduling(network: ExternalNetwork, rules: AccountChainRules): Scheduling {
  const of = (state: SchedulerSlot) => loaded(state) as AccountSchedulerState;
  const coinOf = (what: string, coin: string | undefined): string => {
    if (coin === undefined) throw new SchedulingError(`${what} names no coin, which ${network} needs`);
    return coin;
  };
  return {
    create: (key) =>
      createAccountState({
        network,
        key: key.networkKey,
        coins: rules.coins,
        maxBatchGas: rules.maxBatchGas,
        firstNonce: rules.firstNonce,
        internalAddresses: [...new Set(Object.values(key.scripts))],
      }),
    receive: (state, outputs) => receiveCredits(of(state), outputs.map((o) => ({ coin: coinOf(`output ${o.id}`, o.coin), amount: o.amount }))),
    admit(state, payments) {
      const admitted = admitAccountPayments(of(state), payments.map((p) => ({ coin: coinOf(`payment ${p.id}`, p.coin), payment: bare(p) })));
      return { state: admitted.state, refused: admitted.refused.map(({ payment, reason }) => ({ payment: payments.find((p) => p.id === payment.id) ?? payment, reason })) };
    },
    schedule(state, feeRate) {
      const scheduled = scheduleAccount(of(state), rules.batchCost(feeRate));
      return { state: scheduled.state, plans: [...scheduled.plans], dropped: [...scheduled.dropped] };
    },
    heldOutputs: () => [],
    queuedPayments: (state) => (isStoredScheduler(state) ? state.queuedPayments : of(state).balances.reduce((n, b) => n + b.queue.length, 0)),
    rotation: {
      successorFromActivation: false,
      // The contract holds every coin: there is no change to send anywhere.
      changeToSuccessor: (existing) => of(existing),
      handOver(existing, successor) {
        // The successor as the contract holds it (as the adapter reported it); keys loaded before it did: from the network key.
        const rotated = rotateAccount(of(existing), successor.key.contractKey ?? rules.contractKey(successor.key.networkKey));
        const config = {
          network,
          key: successor.key.networkKey,
          coins: rules.coins,
          maxBatchGas: rules.maxBatchGas,
          firstNonce: rotated.handover.firstNonce,
          internalAddresses: [...new Set(Object.values(successor.key.scripts))],
        };
        return { existing: rotated.state, successor: takeOverAccount(config, rotated.handover), plans: [rotated.plan] };
      },
      forward() {
        throw new SchedulingError(`${network} keeps every deposit in one contract: nothing is forwarded`);
      },
      drained: (existing) => of(existing).retiredTo !== undefined,
    },
  };
}

export function schedulingFor(network: ExternalNetwork): Scheduling {
  const rules = chainRules(network);
  return rules.scheduler === 'utxo' ? utxoScheduling(network, rules) : accountScheduling(network, rules);
}

/** Whether a plan creates branch outputs the scanner must map back to their branch (UTXO plans only). */
export function hasBranches(plan: AnyPlan): boolean {
  return 'outputs' in plan && plan.outputs.some((o) => o.kind === 'branch');
}
