/**
 * The Ethereum adapter's Router across sessions (networks/ethereum/adapter.ts), on anvil: session
 * 0's key finds (and, if none, deploys) its Router through the Deployer; every later session's key
 * gets that same Router, for its scripts and for the signed calls of its plans, and never deploys one
 * of its own; without session 0's key a later key is refused (RouterKeyMissingError), not given a
 * Router of its own. Each key comes with the px the Router holds for it (the group key offset to the
 * key rule), which is what the old key's `updateSeraiKey` must name.
 */
import { bytesToHex } from '@noble/hashes/utils.js';
import { Wallet, type JsonRpcProvider } from 'ethers';
import { compileDeployer, compileRouter } from '../../../contracts/router-artifacts';
import { routerPxOfGroupKey } from '../../../crypto/suites/ethereum';
import { prepareEthereumContracts, uncachedProvider } from '../../../devnet/ethereum';
import { ethereumChain, RouterKeyMissingError, RouterNotReadyError, routerPx } from '../../../networks/ethereum/adapter';
import { findDeployment, keylessDeployment, routerInitCode } from '../../../networks/ethereum/deployer';
import type { RouterSignable } from '../../../networks/ethereum/signable';
import { accountPlan } from '../../../scheduler/account';
import { useAnvil } from '../../support/chains';
import { routerKeyset, type RouterKeyset } from '../../support/router';

const CHAIN_ID = 4545;
const anvil = useAnvil({ chainId: CHAIN_ID, slotsInAnEpoch: 1 });
let provider: JsonRpcProvider;
let first: RouterKeyset;
let second: RouterKeyset;

beforeAll(async () => {
  provider = uncachedProvider(anvil().rpcUrl, CHAIN_ID);
  await prepareEthereumContracts(provider, new Wallet(anvil().accounts[0]!.privateKey, provider));
  await provider.send('anvil_mine', ['0x2']); // the Deployer final
  first = routerKeyset(2, [1, 1, 1]);
  // A later key whose group key has an odd y: the Router holds it offset to the key rule, so its px is not the key's x.
  do second = routerKeyset(2, [1, 1, 1]);
  while (publicOf(second).commitments[0]![0] !== 0x03);
});
afterAll(() => provider?.destroy());

const publicOf = (keyset: RouterKeyset) => keyset.keys.get(1)!.public;
/** The group key: what the chain seam derives a key's Router and calls from. */
const groupKeyOf = (keyset: RouterKeyset) => publicOf(keyset).commitments[0]!;
const deployed = (keyset: RouterKeyset, tag: string) =>
  findDeployment(provider, keylessDeployment(compileDeployer().bytecode).deployer, routerInitCode(compileRouter().bytecode, routerPx(publicOf(keyset))), tag);

test("a later session's key uses session 0's Router for its scripts and its plans' calls, never deploying one of its own; without session 0's key it is refused", async () => {
  const chain = ethereumChain({ rpcUrl: anvil().rpcUrl, relayerKey: anvil().accounts[2]!.privateKey });

  // Without session 0's key a later key gets no Router, and nothing is deployed for it.
  await expect(chain.keys.keySet(1, groupKeyOf(second))).rejects.toThrow(RouterKeyMissingError);
  await expect(chain.keys.keySet(1, groupKeyOf(second), undefined)).rejects.toThrow(/session 1's key uses the Router of the network's session-0 key/);

  // Session 0's key deploys its Router (not final yet: retried), then finds it once it is final.
  await expect(chain.keys.keySet(0, groupKeyOf(first))).rejects.toThrow(RouterNotReadyError);
  await provider.send('anvil_mine', ['0x2']);
  const zero = await chain.keys.keySet(0, groupKeyOf(first));
  const router = zero.scripts.external;
  // The key as the Router holds it: the group key offset to the key rule.
  expect(zero.contractKey).toBe(bytesToHex(routerPx(publicOf(first))));
  expect(zero.contractKey).toBe(bytesToHex(routerPxOfGroupKey(publicOf(first).commitments[0]!)));
  expect(`0x${router}`).toBe((await deployed(first, 'finalized'))!.toLowerCase());

  // Session 1's key, given session 0's: the same Router for every output kind, and its plan's call goes to it.
  const one = await chain.keys.keySet(1, groupKeyOf(second), groupKeyOf(first));
  expect(Object.values(one.scripts)).toEqual([router, router, router, router]);
  expect(one.networkKey).toBe(bytesToHex(publicOf(second).commitments[0]!));
  expect(one.contractKey).toBe(bytesToHex(routerPx(publicOf(second))));
  expect(one.contractKey).not.toBe(one.networkKey.slice(2));
  const plan = accountPlan({ network: 'ethereum', key: one.networkKey }, 3, { kind: 'confirm-key' });
  const signable = (await chain.transactions.signable(plan, 1, groupKeyOf(second), groupKeyOf(first))) as RouterSignable;
  expect(signable.router).toBe(router);
  expect(signable.nonce).toBe(3);

  // Session 1's key never got a Router of its own.
  await provider.send('anvil_mine', ['0x2']);
  expect(await deployed(second, 'latest')).toBeNull();
});
