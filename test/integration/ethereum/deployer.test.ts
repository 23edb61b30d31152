/**
 * contracts/Deployer.sol on anvil: its keyless deployment (networks/ethereum/deployer.ts), and a
 * key's Router deployed through it and found by every validator from the key alone.
 */
import { getBytes, getCreateAddress, hexlify, Transaction, Wallet, type JsonRpcProvider } from 'ethers';
import type { CompiledContract } from '../../../contracts/compile';
import { compileDeployer, compileRouter } from '../../../contracts/router-artifacts';
import { deployCalldata, deployerInterface, DeployerMissingError, DEPLOYER_GAS_LIMIT, findDeployment, keylessDeployment, routerInitCode } from '../../../networks/ethereum/deployer';
import { routerInterface } from '../../../networks/ethereum/router';
import { useAnvil } from '../../support/chains';
import { routerKeyset, RouterHandle, sendAndWait, uncachedProvider, type RouterKeyset } from '../../support/router';
import { Contract } from 'ethers';

const CHAIN_ID = 4343;
const anvil = useAnvil({ chainId: CHAIN_ID });
let provider: JsonRpcProvider;
let funder: Wallet;
let relayer: Wallet;
let deployerArtifact: CompiledContract;
let routerArtifact: CompiledContract;
let key: RouterKeyset;
let otherKey: RouterKeyset;

beforeAll(() => {
  provider = uncachedProvider(anvil().rpcUrl, CHAIN_ID);
  funder = new Wallet(anvil().accounts[0]!.privateKey, provider);
  relayer = new Wallet(anvil().accounts[1]!.privateKey, provider);
  deployerArtifact = compileDeployer();
  routerArtifact = compileRouter();
  key = routerKeyset(2, [1, 1, 1]);
  otherKey = routerKeyset(3, [2, 1, 1]);
});
afterAll(() => provider?.destroy());

/** The reason an eth_call reverts with, by the Deployer's error names ('none' if it does not). */
async function deployerRevert(data: string): Promise<string> {
  const { deployer } = keylessDeployment(deployerArtifact.bytecode);
  try {
    await provider.call({ from: relayer.address, to: deployer, data });
    return 'none';
  } catch (caught) {
    const revert = (caught as { data?: string }).data;
    if (revert === undefined) throw caught;
    return deployerInterface.parseError(revert)?.name ?? `unknown revert data ${revert}`;
  }
}

test('the keyless deployment is one fixed transaction: pre-EIP-155, r = s = 1, its sender recovered from its hash', () => {
  const deployment = keylessDeployment(deployerArtifact.bytecode);
  expect(keylessDeployment(deployerArtifact.bytecode)).toEqual(deployment);
  const tx = Transaction.from(deployment.rawTransaction);
  expect(tx.type).toBe(0);
  expect(tx.chainId).toBe(0n);
  expect(tx.nonce).toBe(0);
  expect(tx.to).toBeNull();
  expect(tx.signature!.r).toBe(`0x${'1'.padStart(64, '0')}`);
  expect(tx.signature!.s).toBe(`0x${'1'.padStart(64, '0')}`);
  expect(tx.from).toBe(deployment.sender);
  expect(deployment.deployer).toBe(getCreateAddress({ from: deployment.sender, nonce: 0 }));
  expect(deployment.funding).toBe(tx.gasPrice! * tx.gasLimit);
  // Other bytecode is another transaction, with another keyless sender.
  const other = keylessDeployment(routerArtifact.bytecode);
  expect(other.sender).not.toBe(deployment.sender);
});

test('before the Deployer is on chain, looking a Router up is DeployerMissingError, not "none yet"', async () => {
  const { deployer } = keylessDeployment(deployerArtifact.bytecode);
  await expect(findDeployment(provider, deployer, routerInitCode(routerArtifact.bytecode, key.px))).rejects.toBeInstanceOf(DeployerMissingError);
});

test('anyone who funds the keyless sender broadcasts the Deployer to its computed address, within its gas limit', async () => {
  const deployment = keylessDeployment(deployerArtifact.bytecode);
  await sendAndWait(funder, { to: deployment.sender, value: deployment.funding });
  const receipt = await (await provider.broadcastTransaction(deployment.rawTransaction)).wait();
  expect(receipt?.status).toBe(1);
  expect(receipt?.hash).toBe(deployment.hash);
  expect(receipt?.contractAddress).toBe(deployment.deployer);
  expect(await provider.getCode(deployment.deployer)).toBe(deployerArtifact.deployedBytecode);
  expect(await provider.getBalance(deployment.sender)).toBe(deployment.funding - receipt!.gasUsed * receipt!.gasPrice);
  // Room for a dearer gas schedule: at most two thirds of the limit.
  expect(receipt!.gasUsed * 3n).toBeLessThanOrEqual(DEPLOYER_GAS_LIMIT * 2n);
  console.log(`keyless Deployer deployment: ${receipt!.gasUsed} gas of ${DEPLOYER_GAS_LIMIT}`);
});

test("a key's Router, deployed through the Deployer by anyone, is found from the key alone, once", async () => {
  const { deployer } = keylessDeployment(deployerArtifact.bytecode);
  const initCode = routerInitCode(routerArtifact.bytecode, key.px);
  expect(await findDeployment(provider, deployer, initCode)).toBeNull();

  const receipt = await sendAndWait(relayer, { to: deployer, data: deployCalldata(initCode) });
  const found = await findDeployment(provider, deployer, initCode);
  expect(found).toBe(getCreateAddress({ from: deployer, nonce: 1 }));
  expect(await provider.getCode(found!)).toBe(routerArtifact.deployedBytecode);
  const router = new Contract(found!, routerInterface, provider);
  expect(await router.getFunction('nextSeraiKey')()).toBe(hexlify(key.px));
  expect(receipt.logs.map((log) => log.address)).toEqual([found]); // the Router's NextSeraiKeySet, nothing from the Deployer

  // The same initcode again: the first deployment stays the one found.
  expect(await deployerRevert(deployCalldata(initCode))).toBe('PriorDeployed');
  // Creation code that reverts is not recorded.
  expect(await deployerRevert(deployCalldata(routerInitCode(routerArtifact.bytecode, new Uint8Array(32))))).toBe('DeploymentFailed');

  // Another key has another Router, not yet deployed.
  expect(await findDeployment(provider, deployer, routerInitCode(routerArtifact.bytecode, otherKey.px))).toBeNull();

  // The Router found is the key's: it takes the key's confirmation at nonce 1.
  const handle = new RouterHandle(router.connect(relayer) as Contract, found!, BigInt(CHAIN_ID));
  const confirm = await handle.message({ kind: 'confirmNextSeraiKey' });
  await handle.send(relayer, confirm, key.sign(confirm));
  expect(await router.getFunction('seraiKey')()).toBe(hexlify(key.px));
  expect(getBytes(await router.getFunction('nextSeraiKey')())).toEqual(new Uint8Array(32));
});
