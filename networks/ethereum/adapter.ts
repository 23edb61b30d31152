/**
 * Ethereum behind the chain seam: the Router of a key (found through the keyless Deployer, deployed
 * by this validator's relayer if nobody has yet), its deposits through the feed, and account plans
 * as signed Router calls a relayer account publishes.
 *
 * A key's "scripts" are its Router's address for every output kind: the feed watches it, and the
 * scheduler refuses payments to it. Every validator must see the same Router, so it is read at the
 * `finalized` block: until a Router is final there, the key is not ready (retried).
 *
 * The Router is identified by the network's session-0 key (as Serai's `InitialSeraiKey`): its
 * holders find or deploy it, and every later session's key uses that same Router, taking it over by
 * `updateSeraiKey` and `confirmNextSeraiKey`. A later key never deploys a Router of its own.
 */
import type { FrostPublic } from '@noble/curves/abstract/frost.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import { JsonRpcProvider, Wallet, ZeroAddress } from 'ethers';
import { compileDeployer, compileRouter } from '../../contracts/router-artifacts';
import { schemes } from '../../crypto/suites';
import { routerPxOfGroupKey } from '../../crypto/suites/ethereum';
import { isUtxoPlan, type AnyPlan } from '../../scheduler/plans';
import type { ChainAdapter, Signable } from '../chain';
import { TransactionBuildError } from '../chain-errors';
import type { OutputKind } from '../network';
import { payeeOf } from './address';
import { RouterCalls } from './calls';
import { deployCalldata, findDeployment, keylessDeployment, routerInitCode } from './deployer';
import type { RouterCoin } from './deposits';
import { ethereumFeed } from './feed';
import { checkedSignable, routerCallSigning, routerSignable } from './signable';

export interface EthereumChainConfig {
  rpcUrl: string;
  /** The relayer account's private key (0x hex): it deploys Routers and publishes signed calls, paying their gas. */
  relayerKey: string;
  /** The ERC20 that is Serai's DAI on this chain (the devnet's DevnetDai), if any. */
  daiAddress?: string;
}

/** Not ready yet: the key's Router is not deployed, or not final. Retryable. */
export class RouterNotReadyError extends Error {
  override readonly name = 'RouterNotReadyError';
}

/**
 * A later session's key, but this keystore holds no session-0 key to find the Router by (a
 * validator that joined after session 0 must be given it). Retryable: an operator can supply it.
 */
export class RouterKeyMissingError extends Error {
  override readonly name = 'RouterKeyMissingError';
  constructor(readonly session: number) {
    super(`session ${session}'s key uses the Router of the network's session-0 key, which this keystore does not hold`);
  }
}

const OUTPUT_KINDS: readonly OutputKind[] = ['external', 'branch', 'change', 'forward'];

/** The key's x-coordinate the Router holds (the ethereum suite's key, offset to the Router's key rule). */
export function routerPx(pub: FrostPublic): Uint8Array {
  return schemes.ethereum.groupKeyEncoding(schemes.ethereum.preparePublic(pub));
}

export function ethereumChain(config: EthereumChainConfig): ChainAdapter {
  const provider = new JsonRpcProvider(config.rpcUrl, undefined, { cacheTimeout: -1 });
  const relayer = new Wallet(config.relayerKey, provider);
  const calls = new RouterCalls(provider, relayer);
  const coins = new Map<string, RouterCoin>([[ZeroAddress, { coin: 'ether', dust: 150_000n }]]);
  const tokens: Record<string, string> = { ether: '00'.repeat(20) };
  if (config.daiAddress !== undefined) {
    coins.set(config.daiAddress.toLowerCase(), { coin: 'dai', dust: 500_000_000n });
    tokens.dai = payeeOf(config.daiAddress);
  }
  let artifacts: { routerBytecode: string; deployer: string } | undefined;
  const contracts = () => (artifacts ??= { routerBytecode: compileRouter().bytecode, deployer: keylessDeployment(compileDeployer().bytecode).deployer });
  let chainId: bigint | undefined;
  const chainIdOf = async () => (chainId ??= (await provider.getNetwork()).chainId);
  // One relayer account: its transactions go out one at a time, so two never take the same account nonce.
  let relaying: Promise<unknown> = Promise.resolve();
  const serially = <T>(task: () => Promise<T>): Promise<T> => {
    const run = relaying.then(task, task);
    relaying = run.catch(() => undefined);
    return run;
  };
  const routers = new Map<string, string>();

  /** The Router of `session`'s key: session 0's own (deployed if need be), and the same one for every later session. */
  async function routerFor(session: number, groupKey: Uint8Array, sessionZeroKey: Uint8Array | undefined): Promise<string> {
    if (session === 0) return routerOf(routerPxOfGroupKey(groupKey), true);
    if (sessionZeroKey === undefined) throw new RouterKeyMissingError(session);
    return routerOf(routerPxOfGroupKey(sessionZeroKey), false);
  }

  /** The Router deployed for `px` as final at the `finalized` block; deploys it (once) if the chain has none and `deploy`. */
  async function routerOf(px: Uint8Array, deploy: boolean): Promise<string> {
    const known = routers.get(bytesToHex(px));
    if (known !== undefined) return known;
    const { routerBytecode, deployer } = contracts();
    const initCode = routerInitCode(routerBytecode, px);
    const final = await findDeployment(provider, deployer, initCode, 'finalized');
    if (final !== null) {
      const router = payeeOf(final);
      routers.set(bytesToHex(px), router);
      return router;
    }
    if (deploy && (await findDeployment(provider, deployer, initCode, 'latest')) === null) {
      await serially(async () => {
        if ((await findDeployment(provider, deployer, initCode, 'latest')) !== null) return;
        const sent = await relayer.sendTransaction({ to: deployer, data: deployCalldata(initCode) });
        try {
          await sent.wait();
        } catch (err) {
          // Another validator's deployment may land first: this one then reverts (PriorDeployed), which
          // is fine exactly when the Router is there now. Any other failure is the activity's to retry.
          if ((await findDeployment(provider, deployer, initCode, 'latest')) === null) throw err;
        }
      });
    }
    throw new RouterNotReadyError(`the Router of key ${bytesToHex(px)} is not final yet`);
  }

  const signableFor = async (plan: AnyPlan, session: number, groupKey: Uint8Array, sessionZeroKey: Uint8Array | undefined): Promise<Signable> => {
    if (isUtxoPlan(plan)) throw new TransactionBuildError('plan', 'expected an account plan (a nonce and a Router call)');
    return routerSignable(plan, { chainId: await chainIdOf(), router: `0x${await routerFor(session, groupKey, sessionZeroKey)}`, tokens });
  };

  return {
    network: 'ethereum',
    feed: ethereumFeed({ provider, coins, router: async (keys) => (keys[0] ? `0x${keys[0].scripts.external}` : null) }),
    keys: {
      async keySet(session, groupKey, sessionZeroKey) {
        const router = await routerFor(session, groupKey, sessionZeroKey);
        const scripts = Object.fromEntries(OUTPUT_KINDS.map((kind) => [kind, router])) as Record<OutputKind, string>;
        return { networkKey: bytesToHex(groupKey), scripts, contractKey: bytesToHex(routerPxOfGroupKey(groupKey)) };
      },
    },
    transactions: {
      signable: (plan, session, groupKey, sessionZeroKey) => signableFor(plan, session, groupKey, sessionZeroKey),
      signing: routerCallSigning as unknown as ChainAdapter['transactions']['signing'],
      publish: (signed) => serially(() => calls.publish(signed)),
      completion: (signable) => calls.completion(checkedSignable(signable)),
      verifyClaim: (signable, claim) => calls.verifyClaim(checkedSignable(signable), claim),
    },
  };
}
