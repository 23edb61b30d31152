import { getExternalWorkflowHandle, log, patched, sleep } from '@temporalio/workflow';
import type { ProcessorMessage, SignedBatch } from '../../messages';
import { relay } from './activity-options';
import { batchIdOf, coordinatorBatchStatusQuery, DEFAULT_BATCH_SETTINGS, type CoordinateBatchInput, type CoordinateBatchResult } from './defs';
import { SERAI_CHAIN_WORKFLOW_ID, seraiPublishBatchSignal } from './serai-defs';
import { relaySigning, type Member, type RelayView } from './signing-relay';


/**
 * The devnet coordinator's side of signing one Batch with the set's Serai key, through the one
 * signing relay. Signers must have reported the same Batch; the SignedBatch is checked with an
 * independent sr25519 verifier before it is accepted and published to the Serai chain.
 */
export async function coordinateBatch(input: CoordinateBatchInput): Promise<CoordinateBatchResult> {
  const { network, batchId } = input;
  const settings = input.settings ?? DEFAULT_BATCH_SETTINGS;
  const reported = new Map<string, string>(); // member -> JSON of the Batch it reported
  const signed = new Map<number, Map<string, SignedBatch>>(); // attempt -> member -> its SignedBatch
  const idOf = (view: RelayView) => ({ session: view.set.session, id: { kind: 'Batch' as const, id: batchId }, attempt: view.attempt });

  return relaySigning<CoordinateBatchResult>(network, settings, {
    label: `Batch ${batchId}`,
    statusQuery: coordinatorBatchStatusQuery,
    concerns: (message) => batchIdOf(message) === batchId,
    roundOf: (message: ProcessorMessage) => {
      if (message.kind === 'coordinator.BatchPreprocess') return { round: 'preprocess', attempt: message.id.attempt, data: message.preprocesses };
      if (message.kind === 'coordinator.SubstrateShare') return { round: 'share', attempt: message.id.attempt, data: message.shares };
      if (message.kind === 'coordinator.InvalidParticipant') return { round: 'invalid', attempt: message.id.attempt, participant: message.participant };
      return undefined;
    },
    receive: (from, message, attempt) => {
      if (message.kind === 'substrate.Batch' && !reported.has(from)) reported.set(from, JSON.stringify(message.batch));
      if (message.kind === 'substrate.SignedBatch') {
        const byMember = signed.get(attempt) ?? new Map<string, SignedBatch>();
        signed.set(attempt, byMember);
        if (!byMember.has(from)) byMember.set(from, message.batch);
      }
    },
    // Members must have reported the same Batch; the first report in set order is the reference.
    eligible: (member: Member, members: Member[]) => {
      const reference = members.map((m) => reported.get(m.name)).find((b) => b !== undefined);
      return reported.get(member.name) === reference;
    },
    reattempt: (view) => ({ kind: 'coordinator.BatchReattempt', id: idOf(view) }),
    preprocesses: (view, preprocesses) => ({ kind: 'coordinator.SubstratePreprocesses', id: idOf(view), preprocesses }),
    shares: (view, shares) => ({ kind: 'coordinator.SubstrateShares', id: idOf(view), shares }),
    settled: () => false,
    produced: (signers, attempt) => {
      const by = signers.find((m) => signed.get(attempt)?.has(m.name));
      return by ? { by, value: signed.get(attempt)!.get(by.name)! } : undefined;
    },
    accept: async ({ by, value }, view) => {
      if (await relay.verifySignedBatch(value as SignedBatch, view.set.substrateKey)) return true;
      view.excluded.set(by.name, 'reported a SignedBatch whose signature does not verify');
      return false;
    },
    finish: async (view, signers, produced) => {
      const signedBatch = produced!.value as SignedBatch;
      if (patched('publish-to-serai')) await publishToSerai(signedBatch, patched(PUBLISH_UNTIL_TAKEN_PATCH));
      return { signedBatch, attempt: view.attempt, signers: signers.map((m) => m.name), excluded: Object.fromEntries(view.excluded) };
    },
    exhausted: { type: 'BatchAttemptsExhausted', message: `Batch ${batchId} not signed after ${settings.maxAttempts} attempts` },
    legacyBatchExclusion: true,
  });
}

/** Marks histories that publish a SignedBatch until the Serai chain takes it (before: one try, then dropped). */
export const PUBLISH_UNTIL_TAKEN_PATCH = 'publish-until-taken';

/** Hands the SignedBatch to the Serai chain, trying again (1 s doubling to a minute) until its workflow takes it. */
async function publishToSerai(signed: SignedBatch, untilTaken: boolean): Promise<void> {
  for (let wait = 1000; ; wait = Math.min(2 * wait, 60_000)) {
    try {
      await getExternalWorkflowHandle(SERAI_CHAIN_WORKFLOW_ID).signal(seraiPublishBatchSignal, signed);
      return;
    } catch (error) {
      log.warn(`SignedBatch not published to the Serai chain (is its workflow running?)${untilTaken ? '; trying again' : ''}`, {
        network: signed.batch.network,
        batchId: signed.batch.id,
        error: error instanceof Error ? error.message : String(error),
      });
      if (!untilTaken) return;
      await sleep(wait);
    }
  }
}
