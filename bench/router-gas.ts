/**
 * Gas of the Router's `execute` on a real EVM (anvil): batches of 1, 16 and 256 payments in ETH and
 * in the devnet ERC20, each paid to new accounts (the worst case: an account or a token balance is
 * created) and then again to the same, now funded, accounts. Gas is the receipt's gasUsed (calldata
 * and the 21,000 base included); "per payment" is the increase over an empty batch of that coin,
 * divided by the payments. Signed by a 3-of-4 key from this project's DKG and FROST. The last column
 * is the gas the account scheduler plans such a batch with (networks/ethereum/batch-cost.ts).
 *
 *   npx tsx bench/router-gas.ts
 */
import { Contract, Wallet } from 'ethers';
import { startAnvil } from '../nodes/anvil';
import { ETH_EXECUTE_GAS, OZ_ERC20_EXECUTE_GAS, type ExecuteGas } from '../networks/ethereum/batch-cost';
import { ETH, routerInterface, type OutInstruction } from '../networks/ethereum/router';
import { compileRouterArtifacts, deployContract, deployRouter, routerKeyset, sendAndWait, uncachedProvider, type RouterHandle, type RouterKeyset } from '../test/support/router';

const SIZES = [1, 16, 256];
const AMOUNT = 10n ** 15n;
const FEE = 10n ** 14n;

async function main(): Promise<void> {
  const artifacts = compileRouterArtifacts();
  const key = routerKeyset(3, [1, 1, 1, 1]);
  const anvil = await startAnvil();
  const provider = uncachedProvider(anvil.rpcUrl, anvil.chainId);
  try {
    const [deployer, relayer] = [0, 1].map((i) => new Wallet(anvil.accounts[i]!.privateKey, provider)) as [Wallet, Wallet];
    const router = await deployRouter(artifacts.router, deployer, key, relayer);
    const dai = await deployContract(artifacts.devnetDai, deployer);
    const daiAddress = await dai.getAddress();
    const total = 2n * BigInt(SIZES.reduce((a, b) => a + b, 0)) * AMOUNT + 20n * FEE;
    await sendAndWait(deployer, { to: router.address, value: total, data: routerInterface.encodeFunctionData('inInstruction', [ETH, total, '0x']) });
    await (await (dai.connect(deployer) as Contract).getFunction('mint')(router.address, total)).wait();
    const hardfork = ((await provider.send('anvil_nodeInfo', [])) as { hardFork?: string }).hardFork ?? '?';

    const rows: string[][] = [];
    for (const [label, coin, line] of [
      ['ETH', ETH, ETH_EXECUTE_GAS],
      ['ERC20 (DevnetDai)', daiAddress, OZ_ERC20_EXECUTE_GAS],
    ] as [string, string, ExecuteGas][]) {
      await execute(router, key, relayer, coin, []); // the relayer's first fee in the token creates its balance
      const empty = await execute(router, key, relayer, coin, []);
      for (const size of SIZES) {
        const outs = Array.from({ length: size }, () => ({ to: Wallet.createRandom().address, amount: AMOUNT }));
        const fresh = await execute(router, key, relayer, coin, outs);
        const funded = await execute(router, key, relayer, coin, outs);
        const per = (gas: bigint) => ((gas - empty) / BigInt(size)).toString();
        rows.push([label, String(size), fresh.toString(), per(fresh), funded.toString(), per(funded), String(line.base + line.perOut * size)]);
      }
      rows.push([label, '0 (empty batch)', empty.toString(), '', '', '', String(line.base)]);
    }

    console.log(`Router execute gas (anvil ${hardfork}, solc 0.8.37 cancun, optimizer 200 runs; fee paid to the relayer)\n`);
    printTable(['coin', 'payments', 'gas, new payees', 'per payment', 'gas, funded payees', 'per payment', 'planned (worst-case line)'], rows);
  } finally {
    provider.destroy();
    await anvil.stop();
  }
}

/** Signs and sends one batch at the Router's next nonce; returns its gasUsed. */
async function execute(router: RouterHandle, key: RouterKeyset, relayer: Wallet, coin: string, outs: OutInstruction[]): Promise<bigint> {
  const message = await router.message({ kind: 'execute', coin, fee: FEE, outs });
  const receipt = await router.send(relayer, message, key.sign(message));
  return receipt.gasUsed;
}

function printTable(header: string[], rows: string[][]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((cell, i) => (i < 2 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join(' | ')} |`;
  console.log(line(header));
  console.log(`|${widths.map((w, i) => (i < 2 ? ` ${'-'.repeat(w)} ` : ` ${'-'.repeat(w - 1)}: `)).join('|')}|`);
  for (const row of rows) console.log(line(row));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
