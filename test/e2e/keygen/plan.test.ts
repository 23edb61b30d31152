import { decodeFrostPublic } from '../../../crypto/key-package';
import { coordinatorPlanWorkflowId, type CoordinatePlanResult } from '../../../devnet/coordinator/defs';
import { outputKeySet } from '../../../networks/bitcoin/keys';
import { bitcoinFeeModel } from '../../../networks/bitcoin/transaction-fee';
import { addPayments, BITCOIN_LIMITS, createState, receiveOutputs, schedule, type Plan } from '../../../scheduler';
import { Faucet, outputsPaying, randomTaprootScript } from '../../support/bitcoin-tx';
import { openValidatorKeystore, startKeygenHarness, type KeygenHarness } from '../../support/keygen-net';

jest.setTimeout(300_000);

const NAMES = ['alice', 'bob', 'carol', 'dave'];

describe('a payout plan signed by the set through the coordinator and published to btcd', () => {
  let h: KeygenHarness;
  let scripts: ReturnType<typeof outputKeySet>['scripts'];
  let groupKey: string;
  let faucet: Faucet;
  beforeAll(async () => {
    h = await startKeygenHarness(NAMES.map((name, i) => ({ name, weight: i === 0 ? 2 : 1 })));
    const keygen = await h.net.generateKey({ network: 'bitcoin', session: 0, t: 4, settings: { roundTimeout: '60 seconds', blameTimeout: '30 seconds', maxAttempts: 2 } });
    groupKey = keygen.keyPair.networkKey;
    faucet = new Faucet(h.btcd);
    const keystore = openValidatorKeystore(h.dataDir, 'alice');
    try {
      scripts = outputKeySet(0, decodeFrostPublic(keystore.getGroupKey({ network: 'bitcoin', session: 0, attempt: keygen.attempt, curve: 'secp256k1' })!)).scripts;
    } finally {
      keystore.close();
    }
  });
  afterAll(async () => {
    await h?.stop();
  });

  /** A one-payment plan from the scheduler, funded by a real deposit to the key's external address. */
  async function fundedPlan(amount: bigint): Promise<{ plan: Plan; payee: string }> {
    const { rpc } = h.btcd;
    await faucet.pay([{ script: scripts.external, amount: 100_000_000n }]);
    await h.btcd.mine(1);
    const height = await rpc.getBlockCount();
    const deposits = await outputsPaying(rpc, new Set([scripts.external]), height, height);
    const payee = randomTaprootScript();
    let state = createState({ network: 'bitcoin', key: groupKey, ...BITCOIN_LIMITS, internalAddresses: Object.values(scripts) });
    state = receiveOutputs(state, deposits.map((d) => ({ id: d.id, kind: 'external' as const, amount: d.amount.toString() })));
    state = addPayments(state, [{ id: payee.slice(4), address: payee, amount: amount.toString() }]);
    const { plans } = schedule(state, { feeModel: bitcoinFeeModel(5n) });
    expect(plans).toHaveLength(1);
    return { plan: plans[0]!, payee };
  }

  async function mineUntil<T>(done: Promise<T>): Promise<T> {
    let finished = false;
    const result = done.finally(() => (finished = true));
    while (!finished) {
      await h.btcd.mine(1);
      await Promise.race([result, new Promise((r) => setTimeout(r, 700))]).catch(() => undefined);
    }
    return result;
  }

  test('every processor takes the plan, the set signs it, btcd accepts it, and the payee receives the promised amount once', async () => {
    const { plan, payee } = await fundedPlan(25_000_000n);
    const from = await h.btcd.rpc.getBlockCount();
    const promised = plan.outputs.find((o) => o.kind === 'payment' && o.address === payee)!.amount;
    const started = Date.now();
    await Promise.all(NAMES.map((name) => h.net.set.processor(name).startPlan(plan)));
    const coordinator = h.net.coordinatorClient.workflow.getHandle(coordinatorPlanWorkflowId('bitcoin', plan.id));
    const outcomes = await mineUntil(Promise.all(NAMES.map((name) => h.net.set.processor(name).planOutcome(plan.id))));
    console.log(`plan signed, published and confirmed in ${Date.now() - started} ms`);
    const result = (await coordinator.result()) as CoordinatePlanResult;
    for (const outcome of outcomes) {
      expect(outcome.end).toBe('completed');
      expect(outcome.txid).toBe(result.txid);
      expect(outcome.rejected).toEqual([]);
    }
    const tip = await h.btcd.rpc.getBlockCount();
    const paid = await outputsPaying(h.btcd.rpc, new Set([payee]), from, tip);
    expect(paid).toHaveLength(1);
    expect(paid[0]!.txid).toBe(result.txid);
    expect(paid[0]!.amount.toString()).toBe(promised);
  });

  test.each([
    ['during plan signing', 'bob', 'signing'],
    ['right after publishing', 'alice', 'published'],
  ] as const)('a worker killed with SIGKILL %s is restarted; the plan completes and the payout happens exactly once', async (_when, victim, moment) => {
    const { plan, payee } = await fundedPlan(10_000_000n);
    const from = await h.btcd.rpc.getBlockCount();
    const promised = plan.outputs.find((o) => o.kind === 'payment' && o.address === payee)!.amount;
    await Promise.all(NAMES.map((name) => h.net.set.processor(name).startPlan(plan)));
    const coordinator = h.net.coordinatorClient.workflow.getHandle(coordinatorPlanWorkflowId('bitcoin', plan.id));
    for (let i = 0; i < 1200; i++) {
      if (moment === 'signing') {
        const status = await coordinator.query('coordinatorPlanStatus').catch(() => undefined) as { stage: string } | undefined;
        if (status && /relaying preprocesses|collecting shares/.test(status.stage)) break;
      } else if ((await h.btcd.rpc.getRawMempool()).length > 0) {
        break;
      }
      await new Promise((r) => setTimeout(r, 25));
    }
    h.net.set.kill(victim);
    await new Promise((r) => setTimeout(r, 300));
    await h.net.set.restart(victim);
    const outcomes = await mineUntil(Promise.all(NAMES.map((name) => h.net.set.processor(name).planOutcome(plan.id))));
    const result = (await coordinator.result()) as CoordinatePlanResult;
    for (const outcome of outcomes) expect(outcome).toMatchObject({ end: 'completed', txid: result.txid });
    const tip = await h.btcd.rpc.getBlockCount();
    const paid = await outputsPaying(h.btcd.rpc, new Set([payee]), from, tip);
    expect(paid).toHaveLength(1);
    expect(paid[0]!.txid).toBe(result.txid);
    expect(paid[0]!.amount.toString()).toBe(promised);
    expect(await h.btcd.rpc.getRawMempool()).toEqual([]);
  });
});
