/**
 * The scheduler's JSON boundary. Everything here is stored in Temporal workflow state and
 * history, so it is plain JSON: amounts are canonical decimal strings, ids and addresses are
 * lowercase hex without `0x`.
 */

export type Hex = string;
/** A non-negative integer amount in the network's base unit (satoshis), as a decimal string. */
export type AmountString = string;

/** How an output reached the multisig; only `branch` outputs are matched to waiting payments. */
export type OutputKind = 'external' | 'branch' | 'change' | 'forward';

/** An output the multisig can spend. `id` is network-defined (Bitcoin: txid || vout). */
export interface SpendableOutput {
  readonly id: Hex;
  readonly kind: OutputKind;
  readonly amount: AmountString;
}

/** An output reported by the scanner. A branch output names the branch (from its plan) it funds. */
export type ReceivedOutput =
  | { readonly id: Hex; readonly kind: 'external' | 'change' | 'forward'; readonly amount: AmountString }
  | { readonly id: Hex; readonly kind: 'branch'; readonly amount: AmountString; readonly branch: Hex };

/** A payout. `id` is unique and derived by every validator alike (e.g. from the burn it pays). */
export interface Payment {
  readonly id: Hex;
  /** The destination as opaque bytes (Bitcoin: the scriptPubKey). */
  readonly address: Hex;
  /** The amount requested; fees are deducted from it. */
  readonly amount: AmountString;
}

/** Payments waiting on a branch output of `amount`; `output` is set once it has arrived. */
export interface PendingBranch {
  readonly id: Hex;
  readonly amount: AmountString;
  readonly payments: readonly Payment[];
  readonly output: SpendableOutput | null;
}

/** Fixed for the life of one scheduler (one multisig key on one network). */
export interface SchedulerConfig {
  readonly network: string;
  /** The multisig key this scheduler spends for; bound into every plan id. */
  readonly key: Hex;
  readonly maxInputs: number;
  readonly maxOutputs: number;
  /** No output below this is created or accepted. */
  readonly dust: AmountString;
  /** The largest single amount accepted (Bitcoin: 21e6 BTC). */
  readonly maxAmount: AmountString;
  /** Our own branch/change/forward addresses: payments to them are refused. */
  readonly internalAddresses: readonly Hex[];
}

export interface SchedulerState {
  readonly version: 1;
  readonly config: SchedulerConfig;
  /** Spendable outputs, largest first (ties by id). */
  readonly outputs: readonly SpendableOutput[];
  /** Payments not yet placed in a plan, first in first out. */
  readonly payments: readonly Payment[];
  /** Branches created by plans, by id; their payments are released when the output arrives. */
  readonly branches: readonly PendingBranch[];
  /**
   * Value spent beyond what was charged to payments (aggregation fees, change too small to
   * create), net of value kept from dropped payments. Positive: recouped from later payments.
   * Negative: a surplus, never handed out. Signed decimal string. The books always balance:
   * deposits - payments consumed (paid or dropped, at their requested amounts)
   *   = held outputs (pool and in flight) + sum over branches (payments - amount) + operatingCosts.
   */
  readonly operatingCosts: string;
  /**
   * The successor key's change script once rotation began (Serai's NewAsChange): every plan's
   * change goes there. Absent before.
   */
  readonly changeTo?: Hex;
  /** Set once the queue and the pool were handed over: no payment or new coin is taken again. Absent before. */
  readonly retiring?: true;
}

/**
 * What a retiring key's scheduler hands its successor's: the payments still queued, oldest first,
 * and its operating costs (to be recouped by the successor's payments, as they would have been by its own).
 */
export interface Handover {
  readonly payments: readonly Payment[];
  readonly operatingCosts: string;
}

/**
 * `payments` spends pool outputs to pay the queue; `branch` spends one branch output; `aggregation`
 * merges outputs; `sweep` moves a retiring key's pool to its successor; `forward` moves one output
 * that reached a retiring key to its successor.
 */
export type PlanKind = 'payments' | 'branch' | 'aggregation' | 'sweep' | 'forward';

export type PlanOutput =
  | { readonly kind: 'payment'; readonly payment: Hex; readonly address: Hex; readonly amount: AmountString }
  | { readonly kind: 'branch'; readonly branch: Hex; readonly amount: AmountString };

/**
 * One transaction to build: inputs, then `outputs` in this order, then change (if any) last.
 * Value is conserved exactly: sum(inputs) = sum(outputs) + change + fee + operatingCost.
 */
export interface Plan {
  readonly id: Hex;
  readonly network: string;
  readonly key: Hex;
  readonly kind: PlanKind;
  readonly inputs: readonly SpendableOutput[];
  readonly outputs: readonly PlanOutput[];
  readonly change: AmountString | null;
  /** The fee the fee model asks for this exact transaction. */
  readonly fee: AmountString;
  /** Value left to miners on top of `fee` because a change output would have been dust. */
  readonly operatingCost: AmountString;
  /** Where the change goes when it is not this key's own change address: the successor's script (rotation). */
  readonly changeTo?: Hex;
}

/** `dust-after-fee`: its fee share left less than dust. `fee-exceeds-payments`: its plan could not pay its fee. */
export type DropReason = 'dust-after-fee' | 'fee-exceeds-payments';

/** A payment the scheduler will never pay; its requested amount is credited to the books. */
export interface DroppedPayment {
  readonly payment: Payment;
  readonly reason: DropReason;
}

export interface ScheduleResult {
  readonly state: SchedulerState;
  readonly plans: readonly Plan[];
  readonly dropped: readonly DroppedPayment[];
}
