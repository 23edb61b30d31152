/**
 * Ethereum's rotation on a running devnet (`npm start -- --scenario --rotate`): a deposit and a burn
 * under session 0 -> the same validators' session 1 key -> a deposit into the Router in a block of
 * each stage of the rotation (placed by the rotation's schedule with anvil's mining held) -> a burn
 * after the handover -> the old key's retirement. One Router holds every key's coins: the handover is
 * the old key's `updateSeraiKey` naming the new key, then the new key's `confirmNextSeraiKey` at the
 * next nonce. The summary has both sessions' keys, every signed Router call as a raw transaction with
 * its signed message and (c, s) and the session whose key signed it (the handover's two calls among
 * them), every deposit as a raw transaction, each Batch with the session whose Serai key signed it,
 * and the Router's books at each stage change, so the handover can be followed offline.
 */
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import { Contract, getBytes, Wallet } from 'ethers';
import { routerPxOfGroupKey, verifyRouterSignature } from '../crypto/suites/ethereum';
import { routerInterface } from '../networks/ethereum/router';
import { chainRules } from '../networks/rules';
import { rotationStage, rotationTimeline, type RotationTimeline } from '../scheduler/rotation';
import type { Devnet, DevnetKeys } from './devnet';
import { signedRouterCalls, type RawEthereumTransaction, type SignedRouterCallEvidence } from './ethereum';
import { routerBooksAt, WEI_PER_UNIT, type RouterBooks, type RouterBurn, type RouterDeposit } from './router-books';
import { batchesBySession, batchesSwitchOnce, everyScanner, oneAtATime, watchRotation, type SessionBatch, type StageKill } from './rotation-watch';

export interface EthereumRotationSummary {
  ok: boolean;
  checks: {
    /** Every deposit minted exactly once: its wei in Serai's units. */
    creditedOnce: boolean;
    /** The old key named the new one (`updateSeraiKey`) and the new key confirmed itself at the next nonce; the Router's key is the new one, with no next key pending. */
    routerKeyIsNew: boolean;
    /** The Router's signed calls took nonces 1, 2, ... with none skipped, each signature valid under the key of its session (the old key's up to its `updateSeraiKey`, the new key's from its confirmation). */
    noncesInOrderAndSigned: boolean;
    /** Each payee paid by exactly one out of one execute, with the relayer's fee exactly its burn; the first burn's execute signed by the old key, the second's by the new. */
    paidOnceByTheRightKey: boolean;
    /** Every scanner retired session 0 and serves session 1. */
    retired: boolean;
    /** Before the rotation, at every stage change and at the end the Router's books balance. */
    booksBalance: boolean;
    /** Batch ids 0, 1, ...; session 0's Serai key signed those up to one block, session 1's the rest. */
    batchesSwitchOnce: boolean;
  };
  chainId: number;
  router: string;
  /** Both sessions' keys: the network key, the Router's form of it (px) and the Serai key. */
  keys: { session: number; networkKey: string; px: string; seraiKey: string; activationHeight: number }[];
  timeline: RotationTimeline;
  deposits: (RawEthereumTransaction & { stage: string; holder: string; amount: string; minted: string })[];
  burns: { stage: string; holder: string; amount: string; address: string; seraiBlock: number }[];
  /** Every call the Router ran under a signature, by nonce, with the session whose key signed it. */
  signedCalls: (SignedRouterCallEvidence & { session: number })[];
  /** The handover's two calls (also among `signedCalls`). */
  handover: { updateSeraiKey: number; confirmNextSeraiKey: number } | null;
  batches: SessionBatch[];
  books: RouterBooks[];
  kills: StageKill[];
  totalMs: number;
}

const account = () => bytesToHex(crypto.getRandomValues(new Uint8Array(32)));
const ETHER = 10n ** 18n;

export async function runEthereumRotationScenario(devnet: Devnet, log: (line: string) => void = () => undefined, options: { killAtStageChanges?: boolean } = {}): Promise<EthereumRotationSummary> {
  const started = Date.now();
  const ethereum = devnet.ethereum;
  if (!ethereum) throw new Error('the Ethereum rotation needs a devnet with ethereum among its networks');
  const { provider } = ethereum;
  const { net } = devnet;
  const say = (line: string) => log(`ethereum: ${line}`);
  const mintedOf = async (holder: string) => BigInt((await net.seraiStatus()).balances[holder]?.ether ?? '0');

  const first = await devnet.keysOf('ethereum');
  const router = `0x${first.externalScript}`;
  const keySets = new Map<number, DevnetKeys>([[0, first]]);
  // The Router holds each key offset to its key rule (even y, x below the order).
  const pxOf = (keys: DevnetKeys) => bytesToHex(routerPxOfGroupKey(hexToBytes(keys.keygen.keyPair.networkKey)));

  // The books, taken between the scenario's own deposits and burns; Serai read before the chain.
  const deposits: EthereumRotationSummary['deposits'] = [];
  const burns: EthereumRotationSummary['burns'] = [];
  const bookDeposits: RouterDeposit[] = [];
  const bookBurns: RouterBurn[] = [];
  const books: RouterBooks[] = [];
  const exclusive = oneAtATime();
  const burnedBy = (holder: string) => bookBurns.filter((b) => b.holder === holder).reduce((sum, b) => sum + b.amount, 0n);
  const takeBooks = (stage: string) =>
    exclusive(async () => {
      const status = await net.seraiStatus();
      const height = await provider.getBlockNumber();
      const holdings = await provider.getBalance(router, height);
      const calls = await signedRouterCalls(provider, router, first.activationHeight);
      const executes = calls
        .filter((c) => c.execute !== null && c.height <= height && BigInt(c.execute.coin) === 0n)
        .map((c) => ({ height: c.height, fee: BigInt(c.execute!.fee), outs: c.execute!.outs.map((o) => ({ to: o.to.slice(2).toLowerCase(), amount: BigInt(o.amount) })) }));
      const minted = new Map(bookDeposits.map((d) => [d.holder, BigInt(status.balances[d.holder]?.ether ?? '0') + burnedBy(d.holder)]));
      const supplyUnits = BigInt(status.coins.ether.minted) - BigInt(status.coins.ether.burned);
      const snapshot = routerBooksAt(stage, height, holdings, { supplyUnits, minted }, bookDeposits, bookBurns, executes);
      books.push(snapshot);
      say(`books at ${stage} (block ${height}): the Router holds ${snapshot.holdings} wei = supply ${snapshot.supply} + owed ${snapshot.owed} + in transit ${snapshot.inTransit} + dust ${snapshot.dust}${snapshot.balanced ? '' : ` UNBALANCED (unexplained ${snapshot.unexplained}, overpaid ${snapshot.overpaid.join(', ') || 'none'})`}`);
    });
  const recordDeposit = (stage: string, holder: string, amount: bigint, sent: RawEthereumTransaction) => {
    bookDeposits.push({ holder, amount, height: sent.height });
    deposits.push({ ...sent, stage, holder, amount: amount.toString(), minted: '' });
  };
  const burn = (stage: string, holder: string, amount: bigint, address: string) =>
    exclusive(async () => {
      const burned = await devnet.burnEthereum(holder, 'eth', amount, address);
      bookBurns.push({ holder, amount, payee: address.slice(2).toLowerCase() });
      burns.push({ stage, holder, amount: amount.toString(), address, seraiBlock: burned.block });
      say(`burn ${amount} units of sriETH to ${address} in Serai block ${burned.block}`);
    });
  const paid = (address: string) => devnet.waitFor(`the payout to ${address}`, async () => ((await provider.getBalance(address)) > 0n ? true : undefined), 300_000);

  // Session 0 serves: a deposit, and a burn it pays.
  const holder1 = account();
  say(`session 0: deposit 0.6 ETH into the Router ${router} for ${holder1} ...`);
  await exclusive(async () => recordDeposit('before the rotation', holder1, (6n * ETHER) / 10n, await devnet.depositEthereum('eth', (6n * ETHER) / 10n, holder1)));
  await devnet.waitFor('the first deposit minted', async () => ((await mintedOf(holder1)) === (6n * ETHER) / 10n / WEI_PER_UNIT ? true : undefined), 300_000);
  const payee1 = Wallet.createRandom().address;
  await burn('before the rotation', holder1, 10_000_000n, payee1);
  await paid(payee1);
  await takeBooks('session 0 alone');

  // Session 1: key generation of the same validators, Serai's confirmation, every scanner's activation.
  const second = await devnet.rotate('ethereum');
  keySets.set(1, second);
  const watch = await watchRotation(devnet, 'ethereum', 0, takeBooks, { killAtStageChanges: options.killAtStageChanges, log: say, chainHeight: () => provider.getBlockNumber() });

  // A deposit in a block of each stage, placed by the rotation's schedule with anvil's mining held.
  const settings = devnet.settingsOf('ethereum').scanner;
  const timeline = rotationTimeline(second.activationHeight, {
    confirmations: settings.confirmations,
    blockTimeSeconds: chainRules('ethereum').blockTimeSeconds,
    graceSeconds: settings.rotation?.graceSeconds,
    forwardingSeconds: settings.rotation?.forwardingSeconds,
  });
  const placements = [
    { at: timeline.newAsChange - 1, amount: (2n * ETHER) / 10n },
    { at: timeline.newAsChange + 1, amount: (25n * ETHER) / 100n },
    { at: timeline.forwardFromExisting, amount: (4n * ETHER) / 10n },
    { at: timeline.closingExisting + 1, amount: (15n * ETHER) / 100n },
  ].map((p) => ({ ...p, holder: account() }));
  await exclusive(() =>
    ethereum.withMiningHeld(async (mine) => {
      for (const { at, amount, holder } of placements) {
        const tip = await provider.getBlockNumber();
        if (tip > at - 1) throw new Error(`block ${at} was to carry a deposit, but the chain is at ${tip} already`);
        if (tip < at - 1) await mine(at - 1 - tip);
        const sending = devnet.depositEthereum('eth', amount, holder);
        await ethereum.pooledFrom(ethereum.depositor.address);
        await mine(1);
        const sent = await sending;
        recordDeposit(rotationStage(timeline, sent.height), holder, amount, sent);
        say(`block ${sent.height} (${rotationStage(timeline, sent.height)}): ${amount} wei into the Router for ${holder}`);
      }
    }),
  );
  for (const { holder, amount } of placements) await devnet.waitFor(`the deposit for ${holder} minted`, async () => ((await mintedOf(holder)) === amount / WEI_PER_UNIT ? true : undefined), 300_000);

  // After the handover the new key pays; the old key retires once it named the new one.
  await everyScanner(devnet, 'ethereum', 'the handover', (s) => ['forward-from-existing', 'closing-existing'].includes(s.rotation?.stage ?? '') || (s.retiredSessions ?? []).includes(0), say);
  const payee2 = Wallet.createRandom().address;
  await burn('after the handover', placements[0]!.holder, 5_000_000n, payee2);
  const retired = await everyScanner(devnet, 'ethereum', 'the old key to retire', (s) => (s.retiredSessions ?? []).includes(0) && s.session === 1 && !s.rotation, say);
  say('session 0 retired at every scanner');
  await watch.finished();
  await paid(payee2);
  await takeBooks('the end');

  // The evidence: every signed call with the session whose key signed it, the Router's key, the Batches.
  const calls = await signedRouterCalls(provider, router, first.activationHeight);
  const update = calls.find((c) => c.function === 'updateSeraiKey');
  const confirmNext = update && calls.find((c) => c.nonce === update.nonce + 1);
  const sessionOfNonce = (nonce: number) => (update !== undefined && nonce > update.nonce ? 1 : 0);
  const signedCalls = calls.map((c) => ({ ...c, session: sessionOfNonce(c.nonce) }));
  const signedBy = (call: SignedRouterCallEvidence, px: string) => verifyRouterSignature(getBytes(`0x${call.c.slice(2)}${call.s.slice(2)}`), getBytes(call.messageHash), hexToBytes(px));
  const contract = new Contract(router, routerInterface, provider);
  const [routerKey, nextKey] = (await Promise.all([contract.getFunction('seraiKey')(), contract.getFunction('nextSeraiKey')()])) as [string, string];
  const executesTo = (address: string) => signedCalls.filter((c) => c.execute?.outs.some((o) => o.to.toLowerCase() === address.toLowerCase()));

  const batches = await batchesBySession(devnet, 'ethereum', keySets.values(), async (block) => (await provider.getBlock(`0x${block.replace(/^0x/, '')}`))!.number);

  for (const deposit of deposits) deposit.minted = ((await mintedOf(deposit.holder)) + burnedBy(deposit.holder)).toString();
  const paidOnce = (address: string, burned: bigint, session: number) => {
    const paying = executesTo(address);
    const only = paying.length === 1 && paying[0]!.execute!.outs.length === 1 ? paying[0]! : undefined;
    return only !== undefined && only.session === session && BigInt(only.execute!.outs[0]!.amount) + BigInt(only.execute!.fee) === burned * WEI_PER_UNIT;
  };
  const checks: EthereumRotationSummary['checks'] = {
    creditedOnce: deposits.every((d) => BigInt(d.minted) === BigInt(d.amount) / WEI_PER_UNIT),
    routerKeyIsNew:
      update !== undefined &&
      confirmNext?.function === 'confirmNextSeraiKey' &&
      String(routerInterface.parseTransaction({ data: update.message })?.args[1]) === `0x${pxOf(second)}` &&
      routerKey === `0x${pxOf(second)}` &&
      BigInt(nextKey) === 0n,
    noncesInOrderAndSigned: signedCalls.every((c, i) => c.nonce === i + 1 && signedBy(c, pxOf(keySets.get(c.session)!))),
    paidOnceByTheRightKey: paidOnce(payee1, 10_000_000n, 0) && paidOnce(payee2, 5_000_000n, 1),
    retired: retired.length === devnet.online.length,
    booksBalance: books.every((b) => b.balanced),
    batchesSwitchOnce: batchesSwitchOnce(batches),
  };
  say(`rotation checks: ${Object.entries(checks).map(([name, ok]) => `${name} ${ok ? 'ok' : 'FAILED'}`).join(', ')}`);
  return {
    ok: Object.values(checks).every(Boolean),
    checks,
    chainId: ethereum.anvil.chainId,
    router,
    keys: [...keySets.values()].map((keys) => ({ session: keys.session, networkKey: keys.keygen.keyPair.networkKey, px: pxOf(keys), seraiKey: keys.keygen.keyPair.substrateKey, activationHeight: keys.activationHeight })),
    timeline,
    deposits,
    burns,
    signedCalls,
    handover: update && confirmNext ? { updateSeraiKey: update.nonce, confirmNextSeraiKey: confirmNext.nonce } : null,
    batches,
    books,
    kills: watch.kills,
    totalMs: Date.now() - started,
  };
}
