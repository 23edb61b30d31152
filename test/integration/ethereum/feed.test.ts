/**
 * networks/ethereum/feed.ts on anvil with one slot per epoch (`finalized` = latest - 2): Router
 * deposits of ETH and the ERC20, hostile data, an unknown token and dust are each credited,
 * refunded or reported exactly once, in the block the `finalized` tag reaches; a reorg above the
 * finalized block is followed (the reorged-out deposit is never reported), and one that replaces a
 * reported block halts the feed with FinalizedReorgError.
 */
import { bytesToHex } from '@noble/hashes/utils.js';
import { Contract, Wallet, ZeroAddress, type JsonRpcProvider } from 'ethers';
import { encodeShorthand } from '../../../messages/shorthand';
import type { ChainFeed, FinalBlock, TimedKeySet } from '../../../networks/chain';
import { payeeOf } from '../../../networks/ethereum/address';
import type { RouterCoin } from '../../../networks/ethereum/deposits';
import { ethereumFeed } from '../../../networks/ethereum/feed';
import { ETH, routerInterface } from '../../../networks/ethereum/router';
import { FinalizedReorgError, initialScanState, type ScanState } from '../../../networks/finality';
import { useAnvil } from '../../support/chains';
import { compileRouterArtifacts, deployContract, deployRouter, routerKeyset, sendAndWait, uncachedProvider, type RouterArtifacts, type RouterHandle } from '../../support/router';

const CHAIN_ID = 4244;
const SERAI = 'ab'.repeat(32);
const anvil = useAnvil({ chainId: CHAIN_ID, slotsInAnEpoch: 1 });
let provider: JsonRpcProvider;
let artifacts: RouterArtifacts;
let deployer: Wallet;
let depositor: Wallet;
let router: RouterHandle;
let dai: Contract;
let stranger: Contract;
let feed: ChainFeed;
const keys: TimedKeySet[] = [{ session: 0, scripts: { external: '', branch: '', change: '', forward: '' } }];

const raw = () => `0x${bytesToHex(encodeShorthand({ kind: 'Raw', origin: null, instruction: { kind: 'Transfer', address: SERAI } }))}`;

beforeAll(async () => {
  provider = uncachedProvider(anvil().rpcUrl, CHAIN_ID);
  [deployer, depositor] = [0, 1].map((i) => new Wallet(anvil().accounts[i]!.privateKey, provider)) as [Wallet, Wallet];
  artifacts = compileRouterArtifacts();
  router = await deployRouter(artifacts.router, deployer, routerKeyset(2, [1, 1, 1]));
  dai = await deployContract(artifacts.devnetDai, deployer);
  stranger = await deployContract(artifacts.noReturnToken, deployer);
  const coins = new Map<string, RouterCoin>([
    [ZeroAddress, { coin: 'ether', dust: 150_000n }],
    [(await dai.getAddress()).toLowerCase(), { coin: 'dai', dust: 500_000_000n }],
  ]);
  feed = ethereumFeed({ provider, coins, router: async () => router.address });
}, 120_000);
afterAll(() => provider?.destroy());

async function depositEth(amount: bigint, instruction: string) {
  return sendAndWait(depositor, { to: router.address, value: amount, data: routerInterface.encodeFunctionData('inInstruction', [ETH, amount, instruction]) });
}

async function depositToken(token: Contract, amount: bigint, instruction: string) {
  const address = await token.getAddress();
  await (await (token.connect(depositor) as Contract).getFunction('mint')(depositor.address, amount)).wait();
  await (await (token.connect(depositor) as Contract).getFunction('approve')(router.address, amount)).wait();
  return sendAndWait(depositor, { to: router.address, data: routerInterface.encodeFunctionData('inInstruction', [address, amount, instruction]) });
}

const mine = (blocks: number) => provider.send('anvil_mine', [`0x${blocks.toString(16)}`]);

/** Polls until the feed has reported every block up to `height`, collecting what it reports. */
async function pollThrough(state: ScanState, height: number): Promise<{ state: ScanState; blocks: FinalBlock[] }> {
  const blocks: FinalBlock[] = [];
  while (state.nextHeight <= height) {
    const poll = await feed.poll(state, keys);
    blocks.push(...poll.blocks);
    if (poll.blocks.length === 0) await mine(1);
    state = poll.state;
  }
  return { state, blocks };
}

test('every deposit is credited, refunded or reported once, when the finalized tag reaches its block', async () => {
  const start = await provider.getBlockNumber();
  let state = initialScanState({ confirmations: 6, startHeight: start + 1 });
  const receipts = [
    await depositEth(10n ** 18n + 123n, raw()),
    await depositToken(dai, 7n * 10n ** 18n, raw()),
    await depositEth(2n * 10n ** 17n, '0x0102'),
    await depositEth(3n * 10n ** 17n, '0x'),
    await depositToken(stranger, 5n * 10n ** 18n, raw()),
    await depositEth(10n ** 12n, raw()),
  ];
  const last = receipts.at(-1)!.blockNumber;

  // Nothing above the finalized block (latest - 2) is reported.
  const early = await feed.poll(state, keys);
  const finalized = (await provider.getBlock('finalized'))!.number;
  expect(early.state.nextHeight).toBe(finalized + 1);
  expect(early.blocks.every((b) => b.block.height <= finalized)).toBe(true);
  state = early.state;

  const { blocks, state: after } = await pollThrough(state, last);
  const all = [...early.blocks, ...blocks];
  expect(all.map((b) => b.block.height)).toEqual(Array.from({ length: all.length }, (_, i) => start + 1 + i));
  expect(after.confirmations).toBe(6);
  const id = (i: number) => `${receipts[i]!.hash.slice(2)}:${receipts[i]!.logs.find((l) => l.address === router.address)!.index}`;
  const deposits = all.flatMap((b) => b.deposits);
  const sender = payeeOf(depositor.address);
  expect(deposits).toEqual([
    { kind: 'instruction', output: id(0), instruction: { instruction: { kind: 'Transfer', address: SERAI }, balance: { coin: 'ether', amount: '100000000' } }, refundTo: sender },
    { kind: 'instruction', output: id(1), instruction: { instruction: { kind: 'Transfer', address: SERAI }, balance: { coin: 'dai', amount: '700000000' } }, refundTo: sender },
    { kind: 'refund', output: id(2), invalid: expect.objectContaining({ reason: 'undecodable' }), refund: { address: sender, amount: '20000000' } },
    { kind: 'refund', output: id(3), invalid: { reason: 'no-data' }, refund: { address: sender, amount: '30000000' } },
    { kind: 'unusable', output: id(4), invalid: { reason: 'unknown-coin', coin: (await stranger.getAddress()).toLowerCase() } },
    { kind: 'unusable', output: id(5), invalid: { reason: 'amount-out-of-range', amount: '1000000000000' } },
  ]);
  // Credited and refunded deposits are outputs of their coin, in Serai's units.
  expect(all.flatMap((b) => b.outputs).map(({ txid, vout, amount, coin }) => [`${txid}:${vout}`, coin, amount])).toEqual([
    [id(0), 'ether', '100000000'],
    [id(1), 'dai', '700000000'],
    [id(2), 'ether', '20000000'],
    [id(3), 'ether', '30000000'],
  ]);
  // Polled again, nothing is reported twice.
  const again = await feed.poll(after, keys);
  expect(again.blocks.flatMap((b) => b.deposits)).toEqual([]);
}, 120_000);

test('a reorg above the finalized block is followed: the deposit it removed is never reported', async () => {
  let state = initialScanState({ confirmations: 1, startHeight: (await provider.getBlockNumber()) + 1 });
  const gone = await depositEth(4n * 10n ** 17n, raw());
  state = (await feed.poll(state, keys)).state;
  expect(state.nextHeight).toBeLessThanOrEqual(gone.blockNumber);
  // Replace the deposit's block (the latest, above finalized) with an empty one.
  expect(gone.blockNumber).toBe(await provider.getBlockNumber());
  await provider.send('anvil_reorg', [1, []]);
  expect(await provider.getTransactionReceipt(gone.hash)).toBeNull();
  const kept = await depositEth(5n * 10n ** 17n, raw());
  const { blocks, state: after } = await pollThrough(state, kept.blockNumber!);
  state = after;
  expect(blocks.flatMap((b) => b.deposits).map((d) => d.output)).toEqual([`${kept.hash.slice(2)}:${kept.logs[0]!.index}`]);
}, 120_000);

test('a reorg that replaces a reported block halts the feed with FinalizedReorgError', async () => {
  let state = initialScanState({ confirmations: 1, startHeight: (await provider.getBlockNumber()) + 1 });
  await mine(4);
  ({ state } = await pollThrough(state, (await provider.getBlockNumber()) - 3));
  const reported = state.reported.at(-1)!;
  // Deeper than the finalized block: the reported block gets a new hash.
  const depth = (await provider.getBlockNumber()) - reported.height + 1;
  await provider.send('anvil_reorg', [depth, []]);
  const now = (await provider.getBlock(reported.height))!;
  expect(now.hash!.slice(2)).not.toBe(reported.hash);
  await expect(feed.poll(state, keys)).rejects.toBeInstanceOf(FinalizedReorgError);
  await expect(feed.poll(state, keys)).rejects.toMatchObject({ height: reported.height, reportedHash: reported.hash, newHash: now.hash!.slice(2) });
}, 120_000);
