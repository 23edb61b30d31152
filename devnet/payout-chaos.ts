/**
 * Faults for the scenario on a Temporal cluster (`npm start -- --scenario --temporal cluster
 * --workers-per-validator 2 --kill-during-payout`): while the first validator's payout plan is
 * signing, the worker process that ran its latest workflow task is SIGKILLed (never started again:
 * the validator's other worker must carry on) and so is the cluster's history service, which is
 * then started again.
 */
import type { Devnet } from './devnet';
import { planStatusQuery } from '../workflows/plan-defs';

/** A plan's status stage once its preprocess went to the coordinator and before it signed. */
export const PLAN_SENT_STAGE = /^attempt \d+: (awaiting preprocesses|sharing|awaiting shares)/;

export interface PayoutKill {
  /** What was killed: `worker <validator> <n>` or `temporal history`. */
  what: string;
  pid: number | undefined;
  /** The plan being signed and its stage at the moment of the kill. */
  workflowId: string;
  stage: string;
  /** For the history service: how long it was down until the cluster served again. */
  downMs?: number;
}

/** Fault injection around the scenario's burn (ScenarioOptions.payoutFaults). */
export interface PayoutFaults {
  beforeBurn(): void;
  afterBurn(seraiBlock: number): Promise<void>;
}

export interface PayoutChaos extends PayoutFaults {
  /** The kills done, in order. */
  readonly kills: PayoutKill[];
  /** Once the first validator's plan completed: the worker that ran its last workflow task. */
  planFinishedBy(): Promise<{ worker: string; pid: number | undefined }>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function poll<T>(what: string, check: () => Promise<T | undefined>, limitMs = 120_000, intervalMs = 50): Promise<T> {
  const deadline = Date.now() + limitMs;
  for (;;) {
    const found = await check().catch(() => undefined);
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error(`--kill-during-payout: no ${what} within ${limitMs / 1000} s`);
    await sleep(intervalMs);
  }
}

/**
 * Before the burn every other validator's workers are frozen (SIGSTOP), so the payout cannot be
 * signed before the kills: the first validator's plan waits for their preprocesses. After the
 * burn's Serai block, once that plan sent its preprocess (its nonces committed in the keystore the
 * validator's workers share), its holding worker and the history service are
 * SIGKILLed, the history service is started again, and the others thawed (SIGCONT).
 */
export function killDuringPayout(devnet: Devnet, log: (line: string) => void): PayoutChaos {
  const temporal = devnet.temporal;
  if (temporal.kind !== 'cluster') throw new Error('--kill-during-payout kills a service of the Temporal cluster: give --temporal cluster too');
  const [name, ...others] = devnet.online;
  const set = devnet.net.set;
  const member = set.get(name!);
  if (member.workers.length < 2) throw new Error("--kill-during-payout kills one of a validator's workers: give --workers-per-validator 2 (or more) too");
  const client = member.client.client;
  const kills: PayoutKill[] = [];
  const frozen = others.flatMap((other) => set.get(other).workers);
  let planWorkflowId: string | undefined;

  return {
    kills,
    planFinishedBy: async () => {
      if (!planWorkflowId) throw new Error('--kill-during-payout: no plan was seen');
      const plan = client.workflow.getHandle(planWorkflowId);
      await poll(`${planWorkflowId} completed at ${name}`, async () => ((await plan.describe()).status.name === 'COMPLETED' ? true : undefined), 300_000, 250);
      const events = (await plan.fetchHistory()).events ?? [];
      const identity = events.filter((e) => e.workflowTaskStartedEventAttributes).at(-1)?.workflowTaskStartedEventAttributes?.identity ?? '';
      const index = member.workers.findIndex((w) => identity.startsWith(`${w.pid}@`));
      return { worker: index >= 0 ? `worker ${name} ${index + 1}` : `unknown (${identity})`, pid: member.workers[index]?.pid };
    },
    beforeBurn: () => {
      for (const worker of frozen) worker.signal('SIGSTOP');
      log(`froze ${others.join(', ')}'s workers (SIGSTOP) so the payout waits for the kills`);
    },
    afterBurn: async (seraiBlock) => {
      try {
        planWorkflowId = await poll(`plan of Serai block ${seraiBlock} at ${name}`, async () => {
          const history = await client.workflow.getHandle(`substrate-bitcoin-${seraiBlock}`).fetchHistory();
          return history.events?.map((e) => e.startChildWorkflowExecutionInitiatedEventAttributes?.workflowId).find((id) => id?.startsWith('plan-bitcoin-')) ?? undefined;
        });
        const plan = client.workflow.getHandle(planWorkflowId);
        const seen = await poll(`${planWorkflowId} signing at ${name}`, async () => {
          const { stage } = await plan.query(planStatusQuery);
          if (!PLAN_SENT_STAGE.test(stage)) return undefined;
          const events = (await plan.fetchHistory()).events ?? [];
          const identity = events.filter((e) => e.workflowTaskStartedEventAttributes).at(-1)?.workflowTaskStartedEventAttributes?.identity ?? '';
          const holder = member.workers.findIndex((w) => identity.startsWith(`${w.pid}@`));
          return holder >= 0 ? { stage, holder } : undefined;
        });
        const worker = member.workers[seen.holder]!;
        set.killWorker(name!, seen.holder);
        kills.push({ what: `worker ${name} ${seen.holder + 1}`, pid: worker.pid, workflowId: planWorkflowId, stage: seen.stage });
        const history = temporal.service('history');
        temporal.kill('history');
        const killedAt = Date.now();
        log(`SIGKILLed ${name}'s worker ${seen.holder + 1} (pid ${worker.pid}) and the Temporal history service (pid ${history.pid}) while ${planWorkflowId} was at "${seen.stage}"`);
        await history.exited;
        await temporal.restart('history');
        kills.push({ what: 'temporal history', pid: history.pid, workflowId: planWorkflowId, stage: seen.stage, downMs: Date.now() - killedAt });
        log(`the Temporal history service is back (pid ${temporal.service('history').pid}) after ${Date.now() - killedAt} ms`);
      } finally {
        for (const worker of frozen) worker.signal('SIGCONT');
        log(`thawed ${others.join(', ')}'s workers (SIGCONT)`);
      }
    },
  };
}
