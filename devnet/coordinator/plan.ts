import { relay } from './activity-options';
import { coordinatorPlanStatusQuery, DEFAULT_PLAN_SETTINGS, planIdOf, type CoordinatePlanInput, type CoordinatePlanResult } from './defs';
import { relaySigning, type RelayView } from './signing-relay';


/**
 * The devnet coordinator's side of signing one plan's transaction, through the one signing relay.
 * The first `Completed` from any member ends it at any stage and is relayed to every other member,
 * who each check it against the chain before accepting it.
 */
export async function coordinatePlan(input: CoordinatePlanInput): Promise<CoordinatePlanResult> {
  const { network, planId } = input;
  const settings = input.settings ?? DEFAULT_PLAN_SETTINGS;
  const completions = new Map<string, string>(); // member -> claimed txid
  const idOf = (view: RelayView) => ({ session: view.set.session, id: planId, attempt: view.attempt });

  return relaySigning<CoordinatePlanResult>(network, settings, {
    label: `plan ${planId}`,
    statusQuery: coordinatorPlanStatusQuery,
    concerns: (message) => planIdOf(message) === planId,
    roundOf: (message) => {
      if (message.kind === 'sign.Preprocess') return { round: 'preprocess', attempt: message.id.attempt, data: message.preprocesses };
      if (message.kind === 'sign.Share') return { round: 'share', attempt: message.id.attempt, data: message.shares };
      if (message.kind === 'sign.InvalidParticipant') return { round: 'invalid', attempt: message.id.attempt, participant: message.participant };
      return undefined;
    },
    receive: (from, message) => {
      if (message.kind === 'sign.Completed' && !completions.has(from)) completions.set(from, message.tx);
    },
    eligible: () => true,
    reattempt: (view) => ({ kind: 'sign.Reattempt', id: idOf(view) }),
    preprocesses: (view, preprocesses) => ({ kind: 'sign.Preprocesses', id: idOf(view), preprocesses }),
    shares: (view, shares) => ({ kind: 'sign.Shares', id: idOf(view), shares }),
    settled: () => completions.size > 0,
    produced: () => undefined,
    accept: async () => false,
    finish: async (view) => {
      const [completedBy, txid] = [...completions][0]!;
      // Every member checks the claim against the chain itself before accepting it.
      await Promise.all(
        view.set.members
          .filter((m) => m.name !== completedBy)
          .map((m) => relay.deliverToProcessor(m.name, { kind: 'sign.Completed', session: view.set.session, id: planId, tx: txid }, network)),
      );
      return { txid, completedBy, attempt: view.attempt, excluded: Object.fromEntries(view.excluded) };
    },
    exhausted: { type: 'PlanAttemptsExhausted', message: `plan ${planId} not completed after ${settings.maxAttempts} attempts` },
  });
}
