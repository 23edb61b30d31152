/**
 * The devnet's Ethereum: anvil with the keyless Deployer broadcast (so every validator finds a
 * key's Router from the key alone) and the devnet ERC20 standing in for DAI, the accounts the
 * devnet hands out (0 funds, 1 deposits, 2.. are the validators' relayers), and the depositor's
 * wallet. anvil mines on its own clock; with one slot per epoch its `finalized` tag trails the
 * tip by two blocks.
 */
import { bytesToHex } from '@noble/hashes/utils.js';
import { Contract, ContractFactory, JsonRpcProvider, Transaction, Wallet, concat, getAddress, getBytes, hexlify, parseUnits, toBeHex, toQuantity, type Signer, type TransactionReceipt, type TransactionRequest } from 'ethers';
import { compileDeployer, compileDevnetDai } from '../contracts/router-artifacts';
import { encodeShorthand } from '../messages/shorthand';
import { keylessDeployment } from '../networks/ethereum/deployer';
import { ETH, routerInterface, routerMessageHash } from '../networks/ethereum/router';
import { startAnvil, type AnvilNode } from '../nodes/anvil';

/** The devnet's coins on Ethereum, as the CLI names them, with their Serai names. */
export const ETHEREUM_COINS = { eth: 'ether', dai: 'dai' } as const;
export type EthereumCoinName = keyof typeof ETHEREUM_COINS;

const FUNDER = 0;
const DEPOSITOR = 1;
const FIRST_RELAYER = 2;

export class EthereumAmountError extends Error {
  override readonly name = 'EthereumAmountError';
}

/** A positive decimal amount of ETH or DAI (18 decimals) in its smallest unit. */
export function parseEther18(input: string): bigint {
  if (!/^\d+(\.\d{1,18})?$/.test(input)) throw new EthereumAmountError(`not an amount with at most 18 decimals: ${JSON.stringify(input)}`);
  const amount = parseUnits(input, 18);
  if (amount === 0n) throw new EthereumAmountError('the amount must be positive');
  return amount;
}

/** A positive amount in Serai's units (8 decimals), as burns of sriETH and sriDAI are made. */
export function parseSeraiUnits(input: string): bigint {
  if (!/^\d+(\.\d{1,8})?$/.test(input)) throw new EthereumAmountError(`not an amount with at most 8 decimals (Serai's units): ${JSON.stringify(input)}`);
  const amount = parseUnits(input, 8);
  if (amount === 0n || amount >= 2n ** 64n) throw new EthereumAmountError(`the amount must be positive and below 2^64 units, got ${input}`);
  return amount;
}

/** Sends `tx` and waits for it to be mined; a revert is an error naming the transaction. */
export async function sendAndWait(from: Signer, tx: TransactionRequest): Promise<TransactionReceipt> {
  const receipt = await (await from.sendTransaction(tx)).wait();
  if (receipt === null || receipt.status !== 1) throw new Error(`transaction ${receipt?.hash ?? '?'} failed`);
  return receipt;
}

/** A provider that caches no answer (ethers caches identical calls, the pending nonce too, for 250 ms). */
export function uncachedProvider(rpcUrl: string, chainId: number): JsonRpcProvider {
  return new JsonRpcProvider(rpcUrl, chainId, { staticNetwork: true, cacheTimeout: -1 });
}

/** What every chain the processor runs on needs before any key: the Deployer, and the devnet's DAI. */
export async function prepareEthereumContracts(provider: JsonRpcProvider, funder: Wallet): Promise<{ dai: Contract; daiAddress: string }> {
  const deployment = keylessDeployment(compileDeployer().bytecode);
  await sendAndWait(funder, { to: deployment.sender, value: deployment.funding });
  await (await provider.broadcastTransaction(deployment.rawTransaction)).wait();
  const artifact = compileDevnetDai();
  const dai = (await (await new ContractFactory(artifact.abi as never, artifact.bytecode, funder).deploy()).waitForDeployment()) as unknown as Contract;
  return { dai, daiAddress: await dai.getAddress() };
}

/** A Shorthand `Raw` Transfer to a Serai account, as a deposit's instruction bytes (0x hex). */
export function transferInstruction(seraiAccount: string): string {
  return `0x${bytesToHex(encodeShorthand({ kind: 'Raw', origin: null, instruction: { kind: 'Transfer', address: seraiAccount } }))}`;
}

/** A mined Ethereum transaction as anyone can re-check it offline: keccak256(raw) is its hash. */
export interface RawEthereumTransaction {
  hash: string;
  raw: string;
  block: string;
  height: number;
}

export async function rawTransaction(provider: JsonRpcProvider, hash: string): Promise<RawEthereumTransaction> {
  const [response, receipt] = await Promise.all([provider.getTransaction(hash), provider.getTransactionReceipt(hash)]);
  if (response === null || receipt === null) throw new Error(`transaction ${hash} is not mined`);
  return { hash, raw: Transaction.from(response).serialized, block: receipt.blockHash, height: receipt.blockNumber };
}

/** A call the key signed, as the Router ran it: what anyone needs to check the signature offline. */
export interface SignedRouterCallEvidence extends RawEthereumTransaction {
  nonce: number;
  function: string;
  /** The signed message: the call's calldata with (chain id, Router << 96 | nonce) where (c, s) go. */
  message: string;
  /** keccak256(message), which the Router's Schnorr verification hashes into its challenge. */
  messageHash: string;
  c: string;
  s: string;
  /** What an `execute` paid: its coin, the relayer's fee and the outs (amounts in the coin's smallest unit); null for other calls. */
  execute: { coin: string; fee: string; outs: { to: string; amount: string }[] } | null;
}

const SIGNED_CALL_EVENTS = ['NextSeraiKeySet', 'SeraiKeyUpdated', 'Executed'].map((event) => routerInterface.getEvent(event)!.topicHash);

/** Every call the Router ran under a signature (a key naming the next, a key's confirmation, executes) from `fromBlock`, by nonce. */
export async function signedRouterCalls(provider: JsonRpcProvider, router: string, fromBlock: number): Promise<SignedRouterCallEvidence[]> {
  const { chainId } = await provider.getNetwork();
  const logs = await provider.getLogs({ address: router, topics: [SIGNED_CALL_EVENTS], fromBlock });
  const calls: SignedRouterCallEvidence[] = [];
  for (const log of logs) {
    const nonce = BigInt(log.topics[1]!);
    const tx = await rawTransaction(provider, log.transactionHash);
    // The constructor names the initial key (NextSeraiKeySet at nonce 0) in the Router's deployment, which no key signed.
    if (Transaction.from(tx.raw).to?.toLowerCase() !== router.toLowerCase()) continue;
    const call = routerInterface.parseTransaction({ data: Transaction.from(tx.raw).data })!;
    const calldata = getBytes(Transaction.from(tx.raw).data);
    const domain = concat([toBeHex(chainId, 32), toBeHex((BigInt(router) << 96n) | nonce, 32)]);
    const message = concat([calldata.subarray(0, 4), domain, calldata.subarray(68)]);
    const signature = call.args[0] as { c: string; s: string };
    const execute =
      call.name === 'execute'
        ? { coin: call.args[1] as string, fee: (call.args[2] as bigint).toString(), outs: (call.args[3] as { to: string; amount: bigint }[]).map((out) => ({ to: out.to, amount: out.amount.toString() })) }
        : null;
    calls.push({ ...tx, nonce: Number(nonce), function: call.name, message, messageHash: hexlify(routerMessageHash(getBytes(message))), c: signature.c, s: signature.s, execute });
  }
  return calls.sort((a, b) => a.nonce - b.nonce);
}

export interface DevnetEthereumOptions {
  dataDir: string;
  /** Validators, each with a relayer account of its own. */
  validators: number;
  /** anvil mines a block this often. Default 1. */
  blockTimeSeconds?: number;
}

/** anvil, its contracts and the devnet's accounts. */
export class DevnetEthereum {
  private constructor(
    readonly anvil: AnvilNode,
    readonly provider: JsonRpcProvider,
    readonly dai: Contract,
    readonly daiAddress: string,
    private readonly blockTimeSeconds: number,
  ) {}

  static async start(options: DevnetEthereumOptions): Promise<DevnetEthereum> {
    const blockTimeSeconds = options.blockTimeSeconds ?? 1;
    const anvil = await startAnvil({ dataDir: options.dataDir, slotsInAnEpoch: 1, blockTimeSeconds, accounts: FIRST_RELAYER + options.validators });
    try {
      const provider = uncachedProvider(anvil.rpcUrl, anvil.chainId);
      const { dai, daiAddress } = await prepareEthereumContracts(provider, new Wallet(anvil.accounts[FUNDER]!.privateKey, provider));
      return new DevnetEthereum(anvil, provider, dai, daiAddress, blockTimeSeconds);
    } catch (err) {
      await anvil.stop();
      throw err;
    }
  }

  get rpcUrl(): string {
    return this.anvil.rpcUrl;
  }

  /** Validator `index`'s relayer account key. */
  relayerKey(index: number): string {
    const account = this.anvil.accounts[FIRST_RELAYER + index];
    if (!account) throw new Error(`anvil has no relayer account for validator ${index}`);
    return account.privateKey;
  }

  get depositor(): Wallet {
    return new Wallet(this.anvil.accounts[DEPOSITOR]!.privateKey, this.provider);
  }

  /**
   * Deposits `amount` (18 decimals) of `coin` into the Router at `router` (0x-less hex) with
   * `instruction`; for DAI the depositor mints it and approves the Router first.
   */
  async deposit(router: string, coin: EthereumCoinName, amount: bigint, instruction: string): Promise<RawEthereumTransaction> {
    const depositor = this.depositor;
    const to = getAddress(`0x${router}`);
    let receipt: TransactionReceipt;
    try {
      if (coin === 'eth') {
        receipt = await sendAndWait(depositor, { to, value: amount, data: routerInterface.encodeFunctionData('inInstruction', [ETH, amount, instruction]) });
      } else {
        const dai = this.dai.connect(depositor) as Contract;
        await (await dai.getFunction('mint')(depositor.address, amount)).wait();
        await (await dai.getFunction('approve')(to, amount)).wait();
        receipt = await sendAndWait(depositor, { to, data: routerInterface.encodeFunctionData('inInstruction', [this.daiAddress, amount, instruction]) });
      }
    } catch (err) {
      const data = (err as { data?: unknown }).data;
      const reverted = typeof data === 'string' ? routerInterface.parseError(data) : null;
      if (reverted) throw new Error(`the Router refused the deposit: ${reverted.name}`);
      throw err;
    }
    return rawTransaction(this.provider, receipt.hash);
  }

  /** The Router's active key (px, 0x hex), as its `seraiKey()` returns it. */
  async routerKey(router: string): Promise<string> {
    return (await new Contract(router, routerInterface, this.provider).getFunction('seraiKey')()) as string;
  }

  /** An `execute` to `router` waits in anvil's pool, or one ran in a block after `afterBlock`. */
  async executeSeen(router: string, afterBlock: number): Promise<boolean> {
    const pool = (await this.provider.send('txpool_content', [])) as { pending: Record<string, Record<string, { to: string | null; input: string }>> };
    const selector = routerInterface.getFunction('execute')!.selector;
    for (const byNonce of Object.values(pool.pending)) {
      for (const tx of Object.values(byNonce)) if (tx.to?.toLowerCase() === router.toLowerCase() && tx.input.startsWith(selector)) return true;
    }
    const logs = await this.provider.getLogs({ address: router, topics: [routerInterface.getEvent('Executed')!.topicHash], fromBlock: afterBlock + 1 });
    return logs.length > 0;
  }

  /**
   * Runs `step` with anvil's interval mining stopped, so blocks come only from `mine` (transactions
   * sent meanwhile wait in the pool for the next one); mining resumes after, whatever happens.
   */
  async withMiningHeld<T>(step: (mine: (blocks: number) => Promise<number>) => Promise<T>): Promise<T> {
    await this.provider.send('evm_setIntervalMining', [0]);
    try {
      return await step(async (blocks) => {
        await this.provider.send('anvil_mine', [toQuantity(blocks)]);
        return this.provider.getBlockNumber();
      });
    } finally {
      await this.provider.send('evm_setIntervalMining', [this.blockTimeSeconds]);
    }
  }

  /** Waits until anvil's pool holds a transaction from `sender` (one sent while mining is held has arrived). */
  async pooledFrom(sender: string): Promise<void> {
    for (;;) {
      const pool = (await this.provider.send('txpool_content', [])) as { pending: Record<string, unknown> };
      if (Object.keys(pool.pending).some((from) => from.toLowerCase() === sender.toLowerCase())) return;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /** What `address` holds of `coin`, in its smallest unit. */
  async balanceOf(coin: EthereumCoinName, address: string): Promise<bigint> {
    return coin === 'eth' ? this.provider.getBalance(address) : ((await this.dai.getFunction('balanceOf')(address)) as bigint);
  }

  async stop(): Promise<void> {
    this.provider.destroy();
    await this.anvil.stop();
  }
}
