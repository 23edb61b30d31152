/**
 * An Ethereum chain for the processor's end-to-end tests, as it is before any validator: anvil with
 * the keyless Deployer broadcast, the devnet ERC20 standing in for DAI, and a block mined every
 * half second (so the `finalized` tag moves); plus the Serai-side messages the tests play.
 */
import { bytesToHex } from '@noble/hashes/utils.js';
import { Contract, Wallet, type JsonRpcProvider } from 'ethers';
import { prepareEthereumContracts, sendAndWait, transferInstruction, uncachedProvider } from '../../devnet/ethereum';
import { encodeEthereumAddress } from '../../networks/ethereum/address';
import { ETH, routerInterface } from '../../networks/ethereum/router';
import type { AnvilNode } from '../../nodes/anvil';

export interface EthereumTestChain {
  provider: JsonRpcProvider;
  funder: Wallet;
  depositor: Wallet;
  dai: Contract;
  daiAddress: string;
  /** Dev account `i`'s private key (relayers use 2, 3, ...). */
  accountKey(i: number): string;
  /**
   * Runs `change` with the miner stopped and its last block mined: anvil loses blocks when
   * `anvil_reorg` runs while another block is being mined (heights go missing for good).
   */
  withMiningPaused<T>(change: () => Promise<T>): Promise<T>;
  stop(): void;
}

export async function prepareEthereumChain(anvil: AnvilNode): Promise<EthereumTestChain> {
  const provider = uncachedProvider(anvil.rpcUrl, anvil.chainId);
  const wallet = (i: number) => new Wallet(anvil.accounts[i]!.privateKey, provider);
  const [funder, depositor] = [wallet(0), wallet(1)];
  const { dai, daiAddress } = await prepareEthereumContracts(provider, funder);
  const miner = blockMiner(provider, 500);
  return {
    provider,
    funder,
    depositor,
    dai,
    daiAddress,
    accountKey: (i) => anvil.accounts[i]!.privateKey,
    withMiningPaused: miner.paused,
    stop: () => {
      miner.stop();
      provider.destroy();
    },
  };
}

/** Mines a block every `intervalMs`, one at a time, so the `finalized` tag moves. */
function blockMiner(provider: JsonRpcProvider, intervalMs: number) {
  let inFlight: Promise<unknown> = Promise.resolve();
  let timer: NodeJS.Timeout | undefined;
  const start = () => {
    timer = setInterval(() => {
      inFlight = inFlight.then(() => provider.send('evm_mine', []).catch(() => undefined));
    }, intervalMs);
  };
  const stop = () => clearInterval(timer);
  start();
  return {
    stop,
    async paused<T>(change: () => Promise<T>): Promise<T> {
      stop();
      await inFlight;
      try {
        return await change();
      } finally {
        start();
      }
    },
  };
}

export { transferInstruction };

/** Deposits `amount` wei of ETH into the Router with `instruction`. */
export function depositEth(chain: EthereumTestChain, router: string, amount: bigint, instruction: string) {
  return sendAndWait(chain.depositor, { to: `0x${router}`, value: amount, data: routerInterface.encodeFunctionData('inInstruction', [ETH, amount, instruction]) });
}

/** Mints `amount` of the ERC20 to the depositor and deposits it into the Router with `instruction`. */
export async function depositDai(chain: EthereumTestChain, router: string, amount: bigint, instruction: string) {
  const dai = chain.dai.connect(chain.depositor) as Contract;
  await (await dai.getFunction('mint')(chain.depositor.address, amount)).wait();
  await (await dai.getFunction('approve')(`0x${router}`, amount)).wait();
  return sendAndWait(chain.depositor, { to: `0x${router}`, data: routerInterface.encodeFunctionData('inInstruction', [chain.daiAddress, amount, instruction]) });
}

export type EthereumBurn = { instruction: { address: string; data: null }; balance: { coin: 'ether' | 'dai'; amount: string } };

/** A Serai burn of `amount` (Serai's 8 decimals) of `coin` to an Ethereum address. */
export function ethereumBurn(to: string, coin: 'ether' | 'dai', amount: string): EthereumBurn {
  return { instruction: { address: bytesToHex(encodeEthereumAddress(to)), data: null }, balance: { coin, amount } };
}

/** A Serai block including `batches` and burning `burns`. */
export function seraiBlockOf(block: string, batches: number[], finalized: string, burns: EthereumBurn[] = []) {
  return {
    kind: 'substrate.SubstrateBlock' as const,
    context: { serai_time: String(Math.floor(Date.now() / 1000)), network_latest_finalized_block: finalized },
    block,
    batches,
    burns,
  };
}
