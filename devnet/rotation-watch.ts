/**
 * Watching a rotation on a running devnet, for the rotation scenarios of every network: the stages
 * as the scanners report them, and at each stage change a step of the scenario's (its books), with
 * `killAtStageChanges` after SIGKILLing a validator's worker (a different validator each time)
 * and starting it again.
 */
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import * as sr25519 from '@scure/sr25519';
import type { NetworkName } from '../config/worker-config';
import { batchMessage } from '../messages';
import type { ScannerStatus } from '../workflows/scanner-defs';
import { coordinatorBatchWorkflowId, type CoordinateBatchResult } from './coordinator/defs';
import type { Devnet, DevnetKeys } from './devnet';

/** The stages a rotation goes through as the scanners report them, the old key's retirement last. */
export const ROTATION_STAGES = ['use-existing', 'new-as-change', 'forward-from-existing', 'closing-existing', 'retired'] as const;

export const stageOf = (status: ScannerStatus | undefined, oldSession: number) =>
  status?.rotation?.stage ?? ((status?.retiredSessions ?? []).includes(oldSession) ? 'retired' : 'none');

/** A validator SIGKILLed as the rotation entered `stage`, at chain height `height`, with its own scanner at `itsStage`. */
export interface StageKill {
  stage: string;
  validator: string;
  itsStage: string;
  height: number;
}

export interface RotationWatch {
  readonly kills: StageKill[];
  /** Resolves once the old key retired at some scanner and every stage change's step (and restart) finished. */
  finished(): Promise<void>;
}

/** Runs the steps given to it one at a time, in the order given (a failed step does not stop the next). */
export function oneAtATime(): <T>(step: () => Promise<T>) => Promise<T> {
  let lock: Promise<unknown> = Promise.resolve();
  return <T>(step: () => Promise<T>): Promise<T> => {
    const run = lock.then(step);
    lock = run.catch(() => undefined);
    return run;
  };
}

/** Waits until every online scanner of `network` passes `check`; logs each one's status if the wait ends without. */
export async function everyScanner(devnet: Devnet, network: NetworkName, what: string, check: (status: ScannerStatus) => boolean, log: (line: string) => void): Promise<ScannerStatus[]> {
  let last: (ScannerStatus | undefined)[] = [];
  try {
    return await devnet.waitFor(what, async () => {
      last = await Promise.all(devnet.online.map((name) => devnet.scannerStatus(name, network)));
      return last.every((s) => s !== undefined && check(s)) ? (last as ScannerStatus[]) : undefined;
    });
  } catch (err) {
    devnet.online.forEach((name, i) => log(`${name}'s ${network} scanner when the wait for ${what} ended: ${JSON.stringify(last[i] ? { ...last[i], rejected: last[i].rejected.slice(-3) } : null)}`));
    throw err;
  }
}

/**
 * Starts watching `network`'s rotation away from `oldSession` (call it once the new key is active
 * at every scanner, in use-existing): `atStage` runs for use-existing at once and for each later
 * stage the moment a poll of the scanners sees it, after the kill and restart when `killAtStageChanges`.
 */
export async function watchRotation(
  devnet: Devnet,
  network: NetworkName,
  oldSession: number,
  atStage: (stage: string) => Promise<void>,
  options: { killAtStageChanges?: boolean; log: (line: string) => void; chainHeight: () => Promise<number> },
): Promise<RotationWatch> {
  const { log } = options;
  const validators = devnet.net.setOf(network);
  const kills: StageKill[] = [];
  const stageChanges: Promise<void>[] = [];
  const restarting = new Set<string>();
  // A query to a validator whose worker is down waits for one: the watcher asks only the others.
  const quickStatus = (name: string) =>
    Promise.race([devnet.scannerStatus(name, network), new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), 1_000))]);
  const pollStages = async () => {
    const names = devnet.online.filter((name) => !restarting.has(name));
    return new Map(await Promise.all(names.map(async (name) => [name, await quickStatus(name)] as const)));
  };
  // Each validator in turn (skipping one still starting again) is killed the moment the poll that
  // saw the stage returns, with its own scanner's stage from that poll; it restarts in the background.
  const onStage = (stage: string, index: number, polled: ReadonlyMap<string, ScannerStatus | undefined>) => {
    let restarted: Promise<void> = Promise.resolve();
    if (options.killAtStageChanges) {
      const names = devnet.online;
      const victim = names.map((_, k) => names[(index + k) % names.length]!).find((name) => !restarting.has(name) && polled.has(name));
      if (victim !== undefined) {
        const itsStage = polled.get(victim) ? stageOf(polled.get(victim), oldSession) : 'unknown';
        restarting.add(victim);
        validators.kill(victim);
        const kill = { stage, validator: victim, itsStage, height: -1 };
        kills.push(kill);
        log(`the rotation entered ${stage}: SIGKILL ${victim} (its scanner at ${itsStage}) and start it again`);
        restarted = (async () => {
          kill.height = await options.chainHeight();
          await validators.restart(victim).catch((err: unknown) => {
            log(`${victim} did not start again: ${err instanceof Error ? err.message : String(err)}`);
            throw err;
          });
          restarting.delete(victim);
        })();
      }
    }
    const handled = restarted.then(() => atStage(stage));
    handled.catch(() => undefined); // awaited in finished()
    stageChanges.push(handled);
  };
  onStage(ROTATION_STAGES[0], 0, await pollStages());
  const watcher = (async () => {
    let reached = 0;
    while (reached < ROTATION_STAGES.length - 1) {
      const polled = await pollStages();
      const top = Math.max(...[...polled.values()].map((s) => ROTATION_STAGES.indexOf(stageOf(s, oldSession) as (typeof ROTATION_STAGES)[number])));
      if (top > reached) {
        reached = top;
        onStage(ROTATION_STAGES[top]!, top, polled);
      } else await new Promise((resolve) => setTimeout(resolve, 200));
    }
  })();
  watcher.catch(() => undefined);
  return {
    kills,
    finished: async () => {
      await watcher;
      await Promise.all(stageChanges);
    },
  };
}

/** A Batch Serai holds, with its block's height and the session whose Serai key signed it (-1: none of the keys). */
export interface SessionBatch {
  id: number;
  height: number;
  session: number;
  message: string;
  signature: string;
}

/** Every Batch of `network` Serai holds, each with the session among `keys` whose Serai key signed it. */
export async function batchesBySession(devnet: Devnet, network: NetworkName, keys: Iterable<DevnetKeys>, heightOf: (block: string) => Promise<number>): Promise<SessionBatch[]> {
  const { net } = devnet;
  const known = [...keys];
  const batches: SessionBatch[] = [];
  for (const { id } of (await net.seraiStatus()).batches[network]) {
    const { signedBatch } = (await net.coordinatorClient.workflow.getHandle(coordinatorBatchWorkflowId(network, id)).result()) as CoordinateBatchResult;
    const message = batchMessage(signedBatch.batch);
    const signer = known.find((k) => sr25519.verify(message, hexToBytes(signedBatch.signature), hexToBytes(k.keygen.keyPair.substrateKey)));
    batches.push({ id, height: await heightOf(signedBatch.batch.block), session: signer?.session ?? -1, message: bytesToHex(message), signature: signedBatch.signature });
  }
  return batches;
}

/** Ids 0, 1, ... each signed by a known key; session 0's Serai key up to one block, session 1's from the next on. */
export function batchesSwitchOnce(batches: readonly SessionBatch[]): boolean {
  const switchAt = batches.findIndex((b) => b.session === 1);
  return (
    batches.every((b, i) => b.id === i && b.session >= 0) &&
    switchAt > 0 &&
    batches.slice(0, switchAt).every((b) => b.session === 0) &&
    batches.slice(switchAt).every((b) => b.session === 1) &&
    batches[switchAt]!.height > batches[switchAt - 1]!.height
  );
}
