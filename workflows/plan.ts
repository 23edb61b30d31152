import { ApplicationFailure, log, patched, setHandler, sleep } from '@temporalio/workflow';
import type { ProcessorMessage } from '../messages';
import { intake } from './intake';
import { coordinatorLink as link, signingActivities as signer, transactionActivities as chain } from './activity-options';
import { planMessageSignal, planSignId, planStatusQuery, type PlanInput, type PlanOutcome } from './plan-defs';
import { driveSigning, NEVER_ABANDON_PATCH, SIGNING_DRIVER_PATCH, SigningAttempts, thresholdRounds, transactionSubject } from './signing-attempts';

/** Marks histories whose plan watches the chain for its own transaction while it waits to sign. */
export const PLAN_WATCHES_CHAIN_PATCH = 'plan-watches-chain';

/** Marks histories that read the signing key and build the plan's transaction in one activity (before: two in a row). */
export const PLAN_KEY_WITH_SIGNABLE_PATCH = 'plan-key-with-signable';

/**
 * One plan: its transaction signed through the coordinator by the one signing driver
 * (workflows/signing-attempts.ts), published, rebroadcast until final, and one `Completed`.
 * Another validator's `Completed` ends it too, but only once the chain confirms the claim matches
 * this plan's eventuality.
 */
export async function signPlan(input: PlanInput): Promise<PlanOutcome> {
  const { network, plan, settings } = input;
  const current = patched(SIGNING_DRIVER_PATCH);
  const persist = patched(NEVER_ABANDON_PATCH);
  const { key, signable } = patched(PLAN_KEY_WITH_SIGNABLE_PATCH) ? await signer.planSigning({ network, session: input.session, plan }) : await keyThenSignable(input);
  const keyRef = { session: key.session, attempt: key.attempt };
  const txid = signable.eventuality.id;
  const context = { t: key.t, n: key.n, own: key.participants };
  const state = new SigningAttempts();
  let claim: string | undefined;
  const rejected: string[] = [];

  setHandler(planStatusQuery, () => ({ attempt: state.attempt, stage: state.stage, idlePeriods: state.idlePeriods, rejected: [...rejected] }));
  setHandler(planMessageSignal, (raw) => {
    const message = intake(raw, { network, participants: context }, rejected);
    if (!message) return;
    if (message.kind === 'sign.Completed') {
      if (message.id !== plan.id || message.session !== key.session) rejected.push(`${message.kind}: not for plan ${plan.id}`);
      else claim ??= message.tx;
      return;
    }
    const refused = state.accept(message, transactionSubject(plan.id), key.session);
    if (refused) rejected.push(`${message.kind}: ${refused}`);
  });

  const send = (message: ProcessorMessage) => link.sendToCoordinator(message);
  const idOf = (attempt: number) => ({ session: key.session, id: plan.id, attempt });
  const refOf = (attempt: number) => ({ network, signId: planSignId(network, plan.id), attempt, key: keyRef, participants: key.participants });
  const rounds = thresholdRounds({
    signable: { protocol: 'transaction' as const, signable },
    refOf,
    send,
    messages: {
      preprocess: (attempt, preprocesses) => ({ kind: 'sign.Preprocess', id: idOf(attempt), preprocesses }),
      share: (attempt, shares) => ({ kind: 'sign.Share', id: idOf(attempt), shares }),
      invalid: (attempt, participant) => ({ kind: 'sign.InvalidParticipant', id: idOf(attempt), participant }),
    },
    legacy: current
      ? undefined
      : {
          preprocess: (attempt) => signer.planPreprocess(refOf(attempt), signable),
          share: (attempt, preprocesses) => signer.planShare(refOf(attempt), signable, preprocesses),
          aggregate: async (attempt, round) => {
            const result = await signer.planComplete(refOf(attempt), signable, round);
            return result.ok ? { ok: true, signed: { txid: result.txid, hex: result.hex } } : result;
          },
        },
  });

  const completed = async (by: PlanOutcome['completedBy'], height?: number): Promise<PlanOutcome> => {
    state.stage = 'completed';
    await send({ kind: 'sign.Completed', session: key.session, id: plan.id, tx: txid });
    return { end: 'completed', txid, attempt: state.attempt, completedBy: by, height, invalid: state.invalid, rejected };
  };
  /** Another validator's claim, accepted only if the chain shows it; a refused claim is forgotten. */
  const claimHolds = async (): Promise<boolean> => {
    const verdict = await chain.verifyCompletionClaim(signable, claim!);
    if (!verdict.valid) {
      rejected.push(`sign.Completed: claim ${claim} refused (${verdict.reason ?? 'invalid'})`);
      claim = undefined;
    }
    return verdict.valid;
  };

  /**
   * Another validator's claim, followed until the chain shows it final: a claim of the plan's own
   * transaction that is on its way is checked again every poll; any other is refused and forgotten.
   */
  const settleClaim = async (): Promise<PlanOutcome | undefined> => {
    for (;;) {
      const verdict = await chain.verifyCompletionClaim(signable, claim!, settings.confirmations);
      if (verdict.valid) return completed('claim');
      if (!verdict.pending) {
        rejected.push(`sign.Completed: claim ${claim} refused (${verdict.reason})`);
        claim = undefined;
        return undefined;
      }
      state.stage = `a claimed completion awaits ${settings.confirmations} confirmations`;
      await sleep(settings.pollInterval);
    }
  };

  let signed: { txid: string; hex: string } | undefined;
  // While it waits to sign, the plan also watches the chain for its own transaction: a validator
  // that starts the plan after the others signed it (it applied the Serai block late) may never hear
  // their Completed. Histories from before the watch wait for the coordinator only.
  let final: { height?: number } | undefined;
  if (persist && patched(PLAN_WATCHES_CHAIN_PATCH)) {
    void (async () => {
      for (;;) {
        await sleep(settings.pollInterval);
        if (signed) return;
        try {
          const found = await chain.planCompletion(signable, settings.confirmations);
          if (found.completed) {
            final = { height: found.height };
            return;
          }
        } catch (err) {
          // Only a non-retryable failure reaches here; the signing goes on, and so does the watch.
          log.warn('plan: watching the chain failed; watching again', { plan: plan.id, error: err instanceof Error ? err.message : String(err) });
        }
      }
    })();
  }
  while (!signed) {
    const result = await driveSigning(state, rounds, { kind: 'plan', idleTimeout: settings.idleTimeout, interrupted: () => claim !== undefined || final !== undefined, persist, legacyRetryAfterFault: true });
    if (result.end === 'idle') return { end: 'idle-timeout', txid, attempt: state.attempt, completedBy: 'self', invalid: state.invalid, rejected };
    if (result.end === 'interrupted' && final !== undefined) return completed('chain', final.height);
    if (result.end === 'interrupted') {
      if (persist) {
        const settled = await settleClaim();
        if (settled) return settled;
      } else if (await claimHolds()) return completed('claim');
      continue;
    }
    signed = result.signed;
  }

  // Publish, rebroadcast until final, then report once. A conflicting spend is never given up on:
  // it is reported, and the plan goes on rebroadcasting in case the conflict leaves the mempool.
  let conflict: string | undefined;
  for (;;) {
    state.stage = 'publishing';
    const outcome = await chain.publishTransaction(signed.hex);
    if (outcome.kind === 'conflict') {
      if (!persist) throw ApplicationFailure.nonRetryable(`plan ${plan.id}: ${outcome.reason}`, 'ConflictingSpend');
      if (conflict === undefined) log.error('plan transaction conflicts with another spend of its inputs; rebroadcasting', { plan: plan.id, txid, reason: outcome.reason });
      conflict = outcome.reason;
    } else conflict = undefined;
    state.stage = conflict === undefined ? 'awaiting confirmation' : `conflict: ${conflict} (rebroadcasting; an operator should look)`;
    const final = await chain.planCompletion(signable, settings.confirmations);
    if (final.completed) return completed('self', final.height);
    await sleep(settings.pollInterval);
  }
}

/** Histories from before `planSigning`: the key, then the transaction. */
async function keyThenSignable({ network, plan, session }: PlanInput) {
  const key = session === undefined ? await signer.substrateSigningKey() : await signer.substrateSigningKey(session);
  const signable = await signer.planSignable({ network, key: { session: key.session, attempt: key.attempt }, plan });
  return { key, signable };
}
