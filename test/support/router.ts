/**
 * The Router on a real EVM, for its tests and the gas bench: Router keys from this project's
 * encrypted DKG among weighted validators, threshold signatures with them (the ethereum suite),
 * deployment, and sending signed calls built by networks/ethereum/router.ts.
 */
import type { Key } from '@noble/curves/abstract/frost.js';
import { Contract, ContractFactory, hexlify, type Signer, type TransactionReceipt, type TransactionRequest } from 'ethers';
import { sendAndWait, uncachedProvider } from '../../devnet/ethereum';
import { compileContract, type CompiledContract } from '../../contracts/compile';
import { compileDevnetDai, compileRouter, ROUTER_COMPILE_OPTIONS } from '../../contracts/router-artifacts';
import { assignParticipants, participantsOf, secp256k1Suite, validatorRound1, validatorRound2, validatorRound3, type DkgContext } from '../../crypto/dkg';
import type { ThresholdProtocol } from '../../crypto/sign/protocol';
import { signWithThreshold } from '../../crypto/sign/simulate';
import { prepareKey } from '../../crypto/signing';
import { schemes } from '../../crypto/suites';
import { routerCalldata, routerInterface, routerMessage, routerMessageHash, type RouterAction } from '../../networks/ethereum/router';

export { sendAndWait, uncachedProvider };

const scheme = schemes.ethereum;

/** A Router key: each validator's key shares from one DKG, and the group key's px. */
export class RouterKeyset {
  constructor(
    readonly t: number,
    readonly weights: readonly number[],
    /** Participant -> its raw key share, as the DKG gave it. */
    readonly keys: ReadonlyMap<number, Key>,
    /** The x-coordinate of the (offset) group key, the Router's `seraiKey`. */
    readonly px: Uint8Array,
    /** The participants that sign by default. */
    readonly signers: readonly number[],
  ) {}

  get n(): number {
    return this.keys.size;
  }

  get label(): string {
    return `${this.t}-of-${this.n}${this.weights.some((w) => w > 1) ? ` (weights ${this.weights.join(',')})` : ''}`;
  }

  /** Runs a threshold-signing protocol over `subject` in one process: each signer's preprocess and share, then the aggregate. */
  run<Subject, Signed>(protocol: ThresholdProtocol<Subject, Signed>, subject: Subject, signers: readonly number[] = this.signers): Signed {
    const keys = new Map(signers.map((p) => [p, protocol.prepare(this.keys.get(p)!)]));
    const preprocesses = new Map(signers.map((p) => [p, protocol.preprocess(keys.get(p)!, subject)]));
    const commitments = new Map([...preprocesses].map(([p, pre]) => [p, pre.commitments]));
    const shares = new Map(signers.map((p) => [p, protocol.share(keys.get(p)!, preprocesses.get(p)!.secret, subject, commitments)]));
    return protocol.aggregate(keys.get(signers[0]!)!.public, subject, commitments, shares);
  }

  /** The threshold signature c || s over a Router message (its keccak256, as the Router checks). */
  sign(message: Uint8Array, signers: readonly number[] = this.signers): Uint8Array {
    return signWithThreshold(scheme, this.keys, signers, routerMessageHash(message)).signature;
  }
}

/**
 * Runs the encrypted DKG for validators of the given weights (a validator of weight w holds w
 * shares) at threshold t. Signers default to whole validators in order until they hold t shares.
 */
export function routerKeyset(t: number, weights: readonly number[], signers?: readonly number[]): RouterKeyset {
  const suite = secp256k1Suite;
  const params = { t, n: weights.reduce((a, b) => a + b, 0) };
  const context: DkgContext = { network: 'ethereum', session: 0, attempt: 0, key: 'network' };
  const validators = assignParticipants(weights);

  const round1 = validators.map((v) => validatorRound1(suite, context, params, v));
  const messages = new Map<number, Uint8Array>();
  for (const r of round1) for (const [p, m] of r.messages) messages.set(p, m);
  const peersOf = (ours: number[]) => new Map([...messages].filter(([p]) => !ours.includes(p)));

  const round2 = validators.map((v, i) => {
    const result = validatorRound2(suite, context, round1[i]!.states, peersOf(participantsOf(v)));
    if (!result.ok) throw new Error(`DKG round 2 failed: ${result.faults.map((f) => f.reason).join('; ')}`);
    return result;
  });
  const sharesBySender = new Map<number, ReadonlyMap<number, Uint8Array>>();
  for (const r of round2) for (const [sender, shares] of r.shares) sharesBySender.set(sender, shares);

  const keys = new Map<number, Key>();
  validators.forEach((v, i) => {
    const ours = participantsOf(v);
    const received = new Map(ours.map((r) => [r, new Map([...sharesBySender].filter(([s]) => s !== r).map(([s, shares]) => [s, shares.get(r)!]))]));
    const result = validatorRound3(suite, context, round2[i]!.states, peersOf(ours), received);
    if (!result.ok) throw new Error(`DKG round 3 failed: ${result.faults.map((f) => f.kind).join('; ')}`);
    ours.forEach((p, k) => keys.set(p, result.keys[k]!));
  });

  const px = scheme.groupKeyEncoding(prepareKey(scheme, keys.get(1)!).public);
  const defaultSigners: number[] = [];
  for (const v of validators) if (defaultSigners.length < t) defaultSigners.push(...participantsOf(v));
  return new RouterKeyset(t, weights, keys, px, signers ?? defaultSigners);
}

export interface RouterArtifacts {
  router: CompiledContract;
  devnetDai: CompiledContract;
  noReturnToken: CompiledContract;
  costlyReceiver: CompiledContract;
}

export function compileRouterArtifacts(): RouterArtifacts {
  return {
    router: compileRouter(),
    devnetDai: compileDevnetDai(),
    noReturnToken: compileContract('test/NoReturnToken.sol', 'NoReturnToken', ROUTER_COMPILE_OPTIONS),
    costlyReceiver: compileContract('test/CostlyReceiver.sol', 'CostlyReceiver', ROUTER_COMPILE_OPTIONS),
  };
}


export async function deployContract(artifact: CompiledContract, deployer: Signer, ...args: unknown[]): Promise<Contract> {
  const deployed = await new ContractFactory(artifact.abi as never, artifact.bytecode, deployer).deploy(...args);
  return (await deployed.waitForDeployment()) as unknown as Contract;
}

/** A deployed Router and what signing its calls needs. */
export class RouterHandle {
  constructor(
    readonly contract: Contract,
    readonly address: string,
    readonly chainId: bigint,
  ) {}

  async nextNonce(): Promise<bigint> {
    return (await this.contract.getFunction('nextNonce')()) as bigint;
  }

  /** The message of `action` at `nonce` (default: the Router's next nonce). */
  async message(action: RouterAction, nonce?: bigint): Promise<Uint8Array> {
    return routerMessage({ chainId: this.chainId, router: this.address, nonce: nonce ?? (await this.nextNonce()) }, action);
  }

  /** Sends the signed call and waits for it; throws if it reverts. */
  async send(from: Signer, message: Uint8Array, signature: Uint8Array): Promise<TransactionReceipt> {
    return sendAndWait(from, { to: this.address, data: hexlify(routerCalldata(message, signature)) });
  }

  /** The name of the Router error the signed call reverts with (an eth_call from `from`), or 'none'. */
  async revertOf(from: string, message: Uint8Array, signature: Uint8Array): Promise<string> {
    return revertName(this.contract.runner!.provider!, { from, to: this.address, data: hexlify(routerCalldata(message, signature)) });
  }
}

/** Deploys a Router for `keyset` and has the key confirm itself (nonce 1), so it is active. */
export async function deployRouter(artifact: CompiledContract, deployer: Signer, keyset: RouterKeyset, relayer: Signer = deployer): Promise<RouterHandle> {
  const contract = await deployContract(artifact, deployer, keyset.px);
  const network = await deployer.provider!.getNetwork();
  const router = new RouterHandle(contract, await contract.getAddress(), network.chainId);
  const confirm = await router.message({ kind: 'confirmNextSeraiKey' });
  await router.send(relayer, confirm, keyset.sign(confirm));
  return router;
}


/** The Router error a call reverts with, by name ('none' if it does not revert). */
export async function revertName(provider: { call(tx: TransactionRequest): Promise<string> }, tx: TransactionRequest): Promise<string> {
  try {
    await provider.call(tx);
    return 'none';
  } catch (caught) {
    const data = (caught as { data?: string }).data;
    if (data === undefined) throw caught;
    return routerInterface.parseError(data)?.name ?? `unknown revert data ${data}`;
  }
}

/** The Router's events in a receipt, parsed. */
export function routerEvents(receipt: TransactionReceipt, router: string): { name: string; args: Record<string, unknown> }[] {
  return receipt.logs
    .filter((log) => log.address.toLowerCase() === router.toLowerCase())
    .map((log) => {
      const parsed = routerInterface.parseLog(log);
      if (parsed === null) throw new Error(`unknown Router log ${log.topics[0]}`);
      return { name: parsed.name, args: parsed.args.toObject() };
    });
}
