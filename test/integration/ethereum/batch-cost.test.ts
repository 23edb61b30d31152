/**
 * The account scheduler's Router batches on a real EVM (anvil): payments planned by
 * scheduler/account with the Router's cost model (networks/ethereum/batch-cost.ts), turned into
 * calls (networks/ethereum/actions.ts), threshold-signed and sent with the plan's own gas as the
 * transaction's gas limit. Each batch is of the payees that cost the most, so the test holds the
 * worst-case gas lines to the EVM: every batch fits its plan's gas, up to the largest the cap allows,
 * and the lines are not far above what new payees cost (fees stay near cost).
 */
import { Contract, getBytes, hexlify, Wallet, type JsonRpcProvider } from 'ethers';
import { bytesToHex } from '@noble/hashes/utils.js';
import { routerActionOf } from '../../../networks/ethereum/actions';
import { BATCH_GAS_LIMIT, ETH_EXECUTE_GAS, OZ_ERC20_EXECUTE_GAS, routerCostModel, type RouterCoinCost } from '../../../networks/ethereum/batch-cost';
import { payeeOf } from '../../../networks/ethereum/address';
import { decodeResults, ETH, routerCalldata, routerInterface } from '../../../networks/ethereum/router';
import { admitAccountPayments, createAccountState, receiveCredits, scheduleAccount, type AccountPlan, type AccountSchedulerState } from '../../../scheduler/account';
import { useAnvil } from '../../support/chains';
import { compileRouterArtifacts, deployContract, deployRouter, routerEvents, routerKeyset, sendAndWait, uncachedProvider, type RouterArtifacts, type RouterHandle, type RouterKeyset } from '../../support/router';

const CHAIN_ID = 4243;
const anvil = useAnvil({ chainId: CHAIN_ID });
let provider: JsonRpcProvider;
let artifacts: RouterArtifacts;
let deployer: Wallet;
let key: RouterKeyset;
let router: RouterHandle;
let dai: Contract;
let daiToken: string;
let state: AccountSchedulerState;
let costs: RouterCoinCost[];

const ETH_COIN = 'ether';
const DAI_COIN = 'dai';
/** What each payment asks for, in Serai's units (0.01 ETH, 10 DAI): above dust once its fee share is taken. */
const amountOf = (coin: string) => (coin === ETH_COIN ? 1_000_000n : 1_000_000_000n);
const FEE_PER_GAS = 2_000_000_000n;
let paymentIndex = 0;

beforeAll(async () => {
  provider = uncachedProvider(anvil().rpcUrl, CHAIN_ID);
  deployer = new Wallet(anvil().accounts[0]!.privateKey, provider);
  artifacts = compileRouterArtifacts();
  key = routerKeyset(2, [1, 1, 1]);
  router = await deployRouter(artifacts.router, deployer, key);
  dai = await deployContract(artifacts.devnetDai, deployer);
  daiToken = payeeOf(await dai.getAddress());
  costs = [
    { coin: ETH_COIN, gas: ETH_EXECUTE_GAS, unitsPerWei: 1n },
    { coin: DAI_COIN, gas: OZ_ERC20_EXECUTE_GAS, unitsPerWei: 3000n },
  ];
  // The Router's key is already confirmed (nonce 1), so this scheduler starts at the Router's next nonce.
  state = createAccountState({
    network: 'ethereum',
    key: bytesToHex(key.px),
    coins: [
      { coin: ETH_COIN, dust: '150000', maxAmount: '18446744073709551615' },
      { coin: DAI_COIN, dust: '500000000', maxAmount: '18446744073709551615' },
    ],
    maxBatchGas: BATCH_GAS_LIMIT,
    firstNonce: Number(await router.nextNonce()),
    internalAddresses: [payeeOf(router.address)],
  });
  state = { ...state, keyConfirmed: true };
  const total = 10n ** 21n;
  await sendAndWait(deployer, { to: router.address, value: total, data: routerInterface.encodeFunctionData('inInstruction', [ETH, total, '0x']) });
  await (await (dai.connect(deployer) as Contract).getFunction('mint')(router.address, 1000n * total)).wait();
  state = receiveCredits(state, [
    { coin: ETH_COIN, amount: (total / 10n ** 10n).toString() },
    { coin: DAI_COIN, amount: ((1000n * total) / 10n ** 10n).toString() },
  ]);
}, 120_000);
afterAll(() => provider?.destroy());

const newPayee = () => Wallet.createRandom().address;

/** Plans one batch of `coin` to `payees` and sends it signed, with the plan's gas as the limit, from a relayer holding no token. */
async function runBatch(coin: string, payees: readonly string[]): Promise<{ plan: AccountPlan; gasUsed: bigint; paid: boolean[] }> {
  const payments = payees.map((to) => ({ coin, payment: { id: (++paymentIndex).toString(16).padStart(64, '0'), address: payeeOf(to), amount: amountOf(coin).toString() } }));
  const admitted = admitAccountPayments(state, payments);
  expect(admitted.refused).toEqual([]);
  const result = scheduleAccount(admitted.state, routerCostModel(FEE_PER_GAS, costs));
  expect(result.dropped).toEqual([]);
  expect(result.plans).toHaveLength(1);
  const plan = result.plans[0]!;
  state = result.state;
  if (plan.action.kind !== 'execute') throw new Error('expected a batch');
  expect(BigInt(plan.nonce)).toBe(await router.nextNonce());

  const relayer = Wallet.createRandom().connect(provider);
  await sendAndWait(deployer, { to: relayer.address, value: 10n ** 19n });
  const message = await router.message(routerActionOf(plan.action, coin === ETH_COIN ? '00'.repeat(20) : daiToken), BigInt(plan.nonce));
  const receipt = await sendAndWait(relayer, { to: router.address, data: hexlify(routerCalldata(message, key.sign(message))), gasLimit: plan.action.gas });
  const executed = routerEvents(receipt, router.address).find((e) => e.name === 'Executed')!;
  return { plan, gasUsed: receipt.gasUsed, paid: decodeResults(executed.args.resultsLength as bigint, getBytes(executed.args.results as string)) };
}

describe('Router batches planned by the account scheduler fit their planned gas', () => {
  test('ETH: the first refused payment (opening the first owed entry) and 16 more refusals, each in a batch of its own plan', async () => {
    const receivers: string[] = [];
    for (let i = 0; i < 17; i++) receivers.push(await (await deployContract(artifacts.costlyReceiver, deployer)).getAddress());
    const first = await runBatch(ETH_COIN, receivers.slice(0, 1));
    expect(first.paid).toEqual([false]);
    expect(first.gasUsed).toBeLessThanOrEqual(BigInt(ETH_EXECUTE_GAS.base + ETH_EXECUTE_GAS.perOut));
    const many = await runBatch(ETH_COIN, receivers.slice(1));
    expect(many.paid).toEqual(Array(16).fill(false));
    expect(many.plan.action.kind === 'execute' && many.plan.action.gas).toBe(ETH_EXECUTE_GAS.base + 16 * ETH_EXECUTE_GAS.perOut);
  }, 120_000);

  test.each([1, 16, 64])('ETH: %i new accounts', async (n) => {
    const { plan, gasUsed, paid } = await runBatch(ETH_COIN, Array.from({ length: n }, newPayee));
    expect(paid).toEqual(Array(n).fill(true));
    if (plan.action.kind !== 'execute') throw new Error('expected a batch');
    expect(gasUsed).toBeLessThanOrEqual(BigInt(plan.action.gas));
    if (n >= 16) expect(Number(gasUsed)).toBeGreaterThan(0.85 * plan.action.gas);
    // The fee pays the relayer for the planned gas at the fee per gas, in Serai's units rounded up.
    expect(BigInt(plan.action.fee)).toBe((BigInt(plan.action.gas) * FEE_PER_GAS + 10n ** 10n - 1n) / 10n ** 10n);
  }, 120_000);

  test.each([1, 16, 64])('DAI: %i new holders, paid by a relayer holding none', async (n) => {
    const { plan, gasUsed, paid } = await runBatch(DAI_COIN, Array.from({ length: n }, newPayee));
    expect(paid).toEqual(Array(n).fill(true));
    if (plan.action.kind !== 'execute') throw new Error('expected a batch');
    expect(gasUsed).toBeLessThanOrEqual(BigInt(plan.action.gas));
    if (n >= 16) expect(Number(gasUsed)).toBeGreaterThan(0.85 * plan.action.gas);
  }, 120_000);

  test.each([
    ['ETH', ETH_COIN, ETH_EXECUTE_GAS],
    ['DAI', DAI_COIN, OZ_ERC20_EXECUTE_GAS],
  ] as const)('%s: the largest batch the cap allows, of new payees', async (_name, coin, line) => {
    const n = Math.floor((BATCH_GAS_LIMIT - line.base) / line.perOut);
    const { plan, gasUsed, paid } = await runBatch(coin, Array.from({ length: n }, newPayee));
    if (plan.action.kind !== 'execute') throw new Error('expected a batch');
    expect(plan.action.outs).toHaveLength(n);
    expect(plan.action.gas).toBeLessThanOrEqual(BATCH_GAS_LIMIT);
    expect(paid.every(Boolean)).toBe(true);
    expect(gasUsed).toBeLessThanOrEqual(BigInt(plan.action.gas));
  }, 300_000);
});
