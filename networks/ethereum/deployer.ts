/**
 * How every validator finds the same Router for a key without trusting anyone's word
 * (contracts/Deployer.sol, reference ethereum-router.md section 5):
 *
 * - The Deployer is deployed by a keyless transaction: a legacy, pre-EIP-155 contract creation at
 *   nonce 0 whose signature is r = s = 1. Its sender is recovered from the transaction's hash, so
 *   nobody holds that account's key and it can sign nothing else; anyone who funds the sender with
 *   exactly the gas it pays can broadcast it, and the Deployer's address is the same on every chain
 *   that takes the transaction.
 * - A key's Router is `Deployer.deploy(Router initcode ++ abi.encode(px))`, and found by
 *   `Deployer.deployments(keccak256(that initcode))`: a constant number of calls, no log search.
 *
 * Both addresses are functions of the exact bytecode (solc's metadata hash included), so every
 * validator must compile the same sources with the same solc and settings.
 */
import { AbiCoder, concat, getCreateAddress, hexlify, Interface, keccak256, Signature, Transaction, ZeroAddress, type BytesLike, type Provider } from 'ethers';

/** The keyless deployment's gas price: high enough for any chain this runs on, paid once. */
export const DEPLOYER_GAS_PRICE = 100_000_000_000n;
/** Above the Deployer's creation cost (178,533 gas with solc 0.8 here) with room for a gas schedule to rise. */
export const DEPLOYER_GAS_LIMIT = 300_000n;

export const DEPLOYER_ABI = [
  'function deploy(bytes initCode) returns (address deployed)',
  'function deployments(bytes32 initCodeHash) view returns (address)',
  'error DeploymentFailed()',
  'error PriorDeployed()',
] as const;

export const deployerInterface = new Interface(DEPLOYER_ABI);

export interface KeylessDeployment {
  /** The signed transaction, ready to broadcast (eth_sendRawTransaction). */
  rawTransaction: string;
  hash: string;
  /** The keyless sender; it must hold exactly `funding` wei before the broadcast. */
  sender: string;
  funding: bigint;
  /** Where the Deployer lives once the transaction is mined. */
  deployer: string;
}

/** The keyless transaction that deploys the Deployer from its creation bytecode. Pure. */
export function keylessDeployment(deployerInitCode: BytesLike): KeylessDeployment {
  const tx = Transaction.from({ type: 0, chainId: 0n, nonce: 0, gasPrice: DEPLOYER_GAS_PRICE, gasLimit: DEPLOYER_GAS_LIMIT, to: null, value: 0n, data: hexlify(deployerInitCode) });
  tx.signature = Signature.from({ r: `0x${'1'.padStart(64, '0')}`, s: `0x${'1'.padStart(64, '0')}`, v: 27 });
  const sender = tx.from;
  if (sender === null) throw new Error('the keyless deployment recovers no sender');
  return { rawTransaction: tx.serialized, hash: tx.hash!, sender, funding: DEPLOYER_GAS_PRICE * DEPLOYER_GAS_LIMIT, deployer: getCreateAddress({ from: sender, nonce: 0 }) };
}

/** The Router's creation code for a key: its bytecode with the constructor's `initialSeraiKey` (px). Pure. */
export function routerInitCode(routerBytecode: BytesLike, px: BytesLike): string {
  return concat([routerBytecode, AbiCoder.defaultAbiCoder().encode(['bytes32'], [px])]);
}

/** The call data that deploys `initCode` through the Deployer; anyone may send it. Pure. */
export function deployCalldata(initCode: BytesLike): string {
  return deployerInterface.encodeFunctionData('deploy', [initCode]);
}

export class DeployerMissingError extends Error {
  override readonly name = 'DeployerMissingError';
  constructor(readonly deployer: string) {
    super(`no Deployer at ${deployer}: broadcast its keyless deployment first`);
  }
}

/**
 * The contract the Deployer deployed first with `initCode`, or null if none; throws
 * DeployerMissingError when the chain has no Deployer (an answer of 0 from an address without
 * code would otherwise look like "not deployed yet").
 */
export async function findDeployment(provider: Provider, deployer: string, initCode: BytesLike, blockTag: string | number = 'latest'): Promise<string | null> {
  if ((await provider.getCode(deployer, blockTag)) === '0x') throw new DeployerMissingError(deployer);
  const answer = await provider.call({ to: deployer, data: deployerInterface.encodeFunctionData('deployments', [keccak256(initCode)]), blockTag });
  const [address] = deployerInterface.decodeFunctionResult('deployments', answer) as unknown as [string];
  return address === ZeroAddress ? null : address;
}
