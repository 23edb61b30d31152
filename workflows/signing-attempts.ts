/**
 * The one signing-attempt driver for every threshold-signing protocol (Batches, and each chain's plans:
 * transactions or contract calls): preprocess -> share -> aggregate for the current attempt, with fresh nonces
 * on every re-attempt. Serai's attempt manager in workflow form: the protocol supplies the rounds
 * (activities and the messages that carry them), the driver owns attempt numbering, waiting,
 * re-attempts and blame.
 *
 * One behaviour for all protocols:
 *   - the attempt only moves forward, to the highest re-attempt announced;
 *   - every wait ends after `idleTimeout` without progress (`idle`), or as soon as the protocol's
 *     `interrupted()` turns true (a Batch included on Serai, a completion claimed);
 *   - a malformed preprocess or share (named by the share activity) and invalid shares (named by
 *     the aggregate) are reported, then the driver waits for the coordinator's re-attempt;
 *   - round data for any attempt but the current one is kept (it may become current) and never used
 *     for another attempt; the first delivery per (round, attempt) wins.
 */
import { condition, metricMeter, patched } from '@temporalio/workflow';
import type { SignableMessage, SignedOf } from '../activities/signing-protocols';
import type { AggregateOutcome, SignRef } from '../activities/threshold-signing';
import { coordinatorMessageIntent, type CoordinatorMessage, type ParticipantMap, type ProcessorMessage } from '../messages';
import { signingActivities as signer } from './activity-options';
import { SIGNER_SET_REFUSED } from '../activities/failures';
import { NonceReuseError } from '../store/errors';
import { applicationFailureOf, invalidParticipantOf } from './failures';
import { COUNTERS, HISTOGRAMS } from '../temporal/metrics-catalog';

/** Marks histories recorded with this driver; older ones replay through the branches noted below. */
export const SIGNING_DRIVER_PATCH = 'one-signing-driver';

export type RoundDelivery =
  | { round: 'preprocesses'; attempt: number; data: ParticipantMap<string> }
  | { round: 'shares'; attempt: number; data: ParticipantMap<string> }
  | { round: 'reattempt'; attempt: number };

/** A signing round as a coordinator message carries it, with what is being signed and under which session. */
export interface SigningRoundMessage {
  /** `batch-<id>` for a Batch, `transaction-<planId>` for a plan's transaction. */
  subject: string;
  session: number;
  delivery: RoundDelivery;
}

export const batchSubject = (batchId: number) => `batch-${batchId}`;
export const transactionSubject = (planId: string) => `transaction-${planId}`;

/** The signing round a coordinator message carries, under either protocol's message names; undefined for any other message. */
export function signingRoundOf(message: CoordinatorMessage): SigningRoundMessage | undefined {
  switch (message.kind) {
    case 'sign.Preprocesses':
    case 'sign.Shares':
    case 'sign.Reattempt':
      return { subject: transactionSubject(message.id.id), session: message.id.session, delivery: deliveryOf(message) };
    case 'coordinator.SubstratePreprocesses':
    case 'coordinator.SubstrateShares':
    case 'coordinator.BatchReattempt':
      return { subject: message.id.id.kind === 'Batch' ? batchSubject(message.id.id.id) : `${message.id.id.kind}`, session: message.id.session, delivery: deliveryOf(message) };
    default:
      return undefined;
  }
}

type RoundMessage = Extract<
  CoordinatorMessage,
  { kind: 'sign.Preprocesses' | 'sign.Shares' | 'sign.Reattempt' | 'coordinator.SubstratePreprocesses' | 'coordinator.SubstrateShares' | 'coordinator.BatchReattempt' }
>;

function deliveryOf(message: RoundMessage): RoundDelivery {
  if ('preprocesses' in message) return { round: 'preprocesses', attempt: message.id.attempt, data: message.preprocesses };
  if ('shares' in message) return { round: 'shares', attempt: message.id.attempt, data: message.shares };
  return { round: 'reattempt', attempt: message.id.attempt };
}

/** What a protocol does in each round; every method is an activity call or a message to the coordinator. */
export interface SigningRounds<Signed> {
  preprocess(attempt: number): Promise<string[]>;
  sendPreprocess(attempt: number, own: string[]): Promise<void>;
  share(attempt: number, preprocesses: ParticipantMap<string>): Promise<string[]>;
  sendShare(attempt: number, own: string[]): Promise<void>;
  aggregate(attempt: number, round: { preprocesses: ParticipantMap<string>; shares: ParticipantMap<string>; ownShares: string[] }): Promise<AggregateOutcome<Signed>>;
  sendInvalidParticipant(attempt: number, participant: number): Promise<void>;
}

/** The coordinator messages a protocol sends for each round of an attempt. */
export interface RoundMessages {
  preprocess(attempt: number, preprocesses: string[]): ProcessorMessage;
  share(attempt: number, shares: string[]): ProcessorMessage;
  invalid(attempt: number, participant: number): ProcessorMessage;
}

/**
 * The rounds of a protocol over the one set of threshold-signing activities. `legacy` serves
 * histories recorded before the one signing driver, whose activities were the protocol's own.
 */
export function thresholdRounds<M extends SignableMessage>(options: {
  signable: M;
  refOf: (attempt: number) => SignRef;
  send: (message: ProcessorMessage) => Promise<void>;
  messages: RoundMessages;
  legacy?: Pick<SigningRounds<SignedOf<M>>, 'preprocess' | 'share' | 'aggregate'>;
}): SigningRounds<SignedOf<M>> {
  const { signable, refOf, send, messages, legacy } = options;
  return {
    preprocess: (attempt) => legacy?.preprocess(attempt) ?? signer.thresholdPreprocess(refOf(attempt), signable),
    sendPreprocess: (attempt, preprocesses) => send(messages.preprocess(attempt, preprocesses)),
    share: (attempt, preprocesses) => legacy?.share(attempt, preprocesses) ?? signer.thresholdShare(refOf(attempt), signable, preprocesses),
    sendShare: (attempt, shares) => send(messages.share(attempt, shares)),
    aggregate: (attempt, round) =>
      legacy?.aggregate(attempt, round) ?? (signer.thresholdAggregate(refOf(attempt), signable, round) as Promise<AggregateOutcome<SignedOf<M>>>),
    sendInvalidParticipant: (attempt, participant) => send(messages.invalid(attempt, participant)),
  };
}

export type SigningEnd<Signed> = { end: 'signed'; signed: Signed } | { end: 'idle' } | { end: 'interrupted' };

/** The attempt state of one signing, fed by the workflow's signal handler, read by its status query. */
export class SigningAttempts {
  attempt = 0;
  stage = 'preparing';
  /** Idle periods in a row without progress (0 while signing moves). */
  idlePeriods = 0;
  readonly invalid: { attempt: number; participant: number }[] = [];
  private reattemptTo = 0;
  private readonly preprocesses = new Map<number, ParticipantMap<string>>();
  private readonly shares = new Map<number, ParticipantMap<string>>();
  private readonly seen = new Set<string>();

  /**
   * Takes a relayed message if it is a round of this signing (`subject` under `session`), or says
   * why not: another signing's message, or shares from other signers than the attempt's
   * preprocesses (they could never aggregate).
   */
  accept(message: CoordinatorMessage, subject: string, session: number): string | undefined {
    const round = signingRoundOf(message);
    if (!round || round.subject !== subject || round.session !== session) return `not for ${subject} of session ${session}`;
    const { delivery } = round;
    const preprocesses = delivery.round === 'shares' ? this.preprocesses.get(delivery.attempt) : undefined;
    if (delivery.round === 'shares' && preprocesses !== undefined) {
      const expected = Object.keys(preprocesses).sort().join(',');
      const got = Object.keys(delivery.data).sort().join(',');
      if (expected !== got) return `shares of attempt ${delivery.attempt} come from participants ${got || 'none'}, its preprocesses from ${expected || 'none'}`;
    }
    this.receive(delivery, coordinatorMessageIntent(message));
    return undefined;
  }

  /** Records one relayed round; a repeat of the same intent, or a second set for the same attempt, changes nothing. */
  receive(delivery: RoundDelivery, intent: string): void {
    const key = `${delivery.round}/${intent}`;
    if (this.seen.has(key)) return;
    this.seen.add(key);
    if (delivery.round === 'reattempt') this.reattemptTo = Math.max(this.reattemptTo, delivery.attempt);
    else {
      const store = delivery.round === 'preprocesses' ? this.preprocesses : this.shares;
      if (!store.has(delivery.attempt)) store.set(delivery.attempt, delivery.data);
    }
  }

  get reattemptAnnounced(): boolean {
    return this.reattemptTo > this.attempt;
  }

  preprocessesOf(attempt: number): ParticipantMap<string> | undefined {
    return this.preprocesses.get(attempt);
  }

  sharesOf(attempt: number): ParticipantMap<string> | undefined {
    return this.shares.get(attempt);
  }

  /** Moves to the highest announced re-attempt (never backwards). */
  advance(): number {
    this.attempt = Math.max(this.attempt, this.reattemptTo);
    return this.attempt;
  }
}

export interface DriveOptions {
  /** What is signed, for the metrics: a Batch or a plan's transaction or call. */
  kind: 'batch' | 'plan';
  idleTimeout: string | number;
  /** True once signing no longer matters to the protocol; checked by every wait. */
  interrupted: () => boolean;
  /**
   * Never give up (`NEVER_ABANDON_PATCH`): a wait without progress for `idleTimeout` sends this
   * processor's last message again and goes on waiting, and an attempt whose nonces are bound to
   * another signing waits for the next re-attempt. Without it, an idle wait ends the signing.
   */
  persist?: boolean;
  /**
   * Histories of the plan workflow recorded before this driver went back to the same attempt
   * whatever ended the wait after a fault (idle, a claim); only those histories take that branch.
   */
  legacyRetryAfterFault?: boolean;
  /**
   * A message of this processor the coordinator must have before our first round message (the
   * Batch report): the first preprocess is made while it is on its way, and sent once it arrived.
   */
  firstSendAfter?: Promise<void>;
}

/** Marks histories whose signing never gives up while its message is unsigned. */
export const NEVER_ABANDON_PATCH = 'never-abandon-signing';

/**
 * Runs attempts until the protocol's message is signed, the protocol is interrupted, or (without
 * `persist`) a wait idles out. Calling it again resumes from the state's current attempt
 * (re-running that attempt's preprocess, which the nonce ledger answers with the same commitments).
 */
export async function driveSigning<Signed>(state: SigningAttempts, rounds: SigningRounds<Signed>, options: DriveOptions): Promise<SigningEnd<Signed>> {
  /** This processor's last message in the current attempt, sent again after an idle period. */
  let resend: (() => Promise<void>) | undefined;
  let before = options.firstSendAfter;
  const wait = async (ready: () => boolean): Promise<'ready' | 'reattempt' | 'idle' | 'interrupted'> => {
    const waiting = state.stage;
    for (;;) {
      const woke = await condition(() => ready() || state.reattemptAnnounced || options.interrupted(), options.idleTimeout);
      if (woke) {
        state.idlePeriods = 0;
        state.stage = waiting;
        if (options.interrupted()) return 'interrupted';
        return state.reattemptAnnounced ? 'reattempt' : 'ready';
      }
      if (!options.persist) return 'idle';
      state.idlePeriods += 1;
      state.stage = `${waiting} (stuck: no progress for ${state.idlePeriods} idle period${state.idlePeriods === 1 ? '' : 's'}; our last message sent again)`;
      await resend?.();
    }
  };
  /** After reporting a fault: undefined to go on with the next attempt, or how signing ends. */
  const awaitReattempt = async (attempt: number, why = 'awaiting re-attempt'): Promise<SigningEnd<Signed> | undefined> => {
    state.stage = `attempt ${attempt}: ${why}`;
    const step = await wait(() => false);
    if (step === 'reattempt' || step === 'ready') return undefined;
    if (options.legacyRetryAfterFault && !patched(SIGNING_DRIVER_PATCH)) return undefined;
    return { end: step };
  };

  const attempts = metricMeter.createCounter(COUNTERS.signingAttempts, 'attempts', 'signing attempts started, by kind');
  const signed = metricMeter.createCounter(COUNTERS.signed, 'signatures', 'messages signed, by kind');
  const attemptSeconds = metricMeter.createHistogram(HISTOGRAMS.signingAttemptSeconds, 'float', 's', 'signing attempt duration, by kind and end');
  let attemptStart = 0;
  const attemptEnded = (end: 'signed' | 'faulty' | 'refused' | 'reattempt' | 'idle' | 'interrupted') =>
    attemptSeconds.record((Date.now() - attemptStart) / 1000, { kind: options.kind, end });

  for (;;) {
    const attempt = state.advance();
    attempts.add(1, { kind: options.kind });
    attemptStart = Date.now();
    resend = undefined;
    state.stage = `attempt ${attempt}: preprocess`;
    const own = before === undefined ? await rounds.preprocess(attempt) : (await Promise.all([rounds.preprocess(attempt), before]))[0];
    before = undefined;
    resend = () => rounds.sendPreprocess(attempt, own);
    await resend();

    state.stage = `attempt ${attempt}: awaiting preprocesses`;
    let step = await wait(() => state.preprocessesOf(attempt) !== undefined);
    if (step !== 'ready') attemptEnded(step);
    if (step === 'idle' || step === 'interrupted') return { end: step };
    if (step === 'reattempt') continue;
    const preprocesses = state.preprocessesOf(attempt)!;

    state.stage = `attempt ${attempt}: sharing`;
    let ownShares: string[];
    try {
      ownShares = await rounds.share(attempt, preprocesses);
    } catch (err) {
      const failure = applicationFailureOf(err)?.type;
      if (options.persist && (failure === NonceReuseError.type || failure === SIGNER_SET_REFUSED)) {
        // This attempt's nonces already signed something else (a restarted signing), or its signer
        // set cannot sign: sit it out.
        attemptEnded('refused');
        const why = failure === SIGNER_SET_REFUSED ? 'the relayed signers cannot sign' : 'our nonces for this attempt are bound to another signing';
        const end = await awaitReattempt(attempt, `${why}; awaiting re-attempt`);
        if (end) return end;
        continue;
      }
      const participant = invalidParticipantOf(err);
      if (participant === undefined) throw err;
      attemptEnded('faulty');
      state.invalid.push({ attempt, participant });
      resend = () => rounds.sendInvalidParticipant(attempt, participant);
      await resend();
      const end = await awaitReattempt(attempt);
      if (end) return end;
      continue;
    }
    resend = () => rounds.sendShare(attempt, ownShares);
    await resend();

    state.stage = `attempt ${attempt}: awaiting shares`;
    step = await wait(() => state.sharesOf(attempt) !== undefined);
    if (step !== 'ready') attemptEnded(step);
    if (step === 'idle' || step === 'interrupted') return { end: step };
    if (step === 'reattempt') continue;

    const result = await rounds.aggregate(attempt, { preprocesses, shares: state.sharesOf(attempt)!, ownShares });
    if (!result.ok) {
      attemptEnded('faulty');
      for (const participant of result.faulty) {
        state.invalid.push({ attempt, participant });
        await rounds.sendInvalidParticipant(attempt, participant);
      }
      resend = async () => {
        for (const participant of result.faulty) await rounds.sendInvalidParticipant(attempt, participant);
      };
      const end = await awaitReattempt(attempt);
      if (end) return end;
      continue;
    }
    attemptEnded('signed');
    signed.add(1, { kind: options.kind });
    state.stage = 'signed';
    return { end: 'signed', signed: result.signed };
  }
}
