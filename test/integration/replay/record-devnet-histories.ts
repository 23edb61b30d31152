/**
 * Records replay fixtures of the devnet's Serai chain workflow (and the coordinator's view of a
 * full scenario) from a real `runScenario` with the committed test-only codec key:
 * `npx tsx test/integration/replay/record-devnet-histories.ts <label>`. Keep the old fixtures.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { COORDINATOR_NAMESPACE } from '../../../devnet/coordinator/defs';
import { SERAI_CHAIN_WORKFLOW_ID } from '../../../devnet/coordinator/serai-defs';
import { Devnet } from '../../../devnet/devnet';
import { runScenario } from '../../../devnet/scenario';
import { parseBtc } from '../../../devnet/wallet';
import { recordHistory, replayCodecKeys } from '../../support/replay-record';

async function main(label: string): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'record-devnet-'));
  writeFileSync(join(dataDir, 'codec-keys'), replayCodecKeys(), { mode: 0o600 });
  const log = (line: string) => console.error(`[record] ${line}`);
  const devnet = await Devnet.start({ dataDir, validators: ['alice', 'bob', 'carol', 'dave'].map((name) => ({ name, weight: 1 })), t: 3, log });
  try {
    const summary = await runScenario(devnet, { deposit: parseBtc('0.5'), burn: parseBtc('0.2') }, log);
    if (!summary.ok) throw new Error(`the scenario failed its checks: ${JSON.stringify(summary.checks)}`);
    console.log(recordHistory(devnet.temporal.address, COORDINATOR_NAMESPACE, SERAI_CHAIN_WORKFLOW_ID, `${label}-seraiChain`));
  } finally {
    await devnet.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main(process.argv[2] ?? 'v2').catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
