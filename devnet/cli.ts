/**
 * `npm run devnet -- <command>`: drives a devnet started with `npm start` through its control
 * endpoint (address and token in `<data dir>/control.json`).
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Command, Option } from 'commander';
import { CONTROL_FILE } from './control';
import { repoRoot } from '../nodes/tools';

async function call(dataDir: string, method: 'GET' | 'POST', path: string, payload?: unknown): Promise<void> {
  let control: { url: string; token: string };
  try {
    control = JSON.parse(readFileSync(join(resolve(dataDir), CONTROL_FILE), 'utf8')) as { url: string; token: string };
  } catch {
    throw new Error(`no running devnet found (${join(dataDir, CONTROL_FILE)} is missing): start one with npm start`);
  }
  const response = await fetch(`${control.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${control.token}`, 'content-type': 'application/json' },
    body: payload === undefined ? undefined : JSON.stringify(payload),
  }).catch((err: unknown) => {
    throw new Error(`the devnet at ${control.url} does not answer (${err instanceof Error ? err.message : String(err)}): is npm start still running?`);
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${path}: ${text}`);
  console.log(JSON.stringify(JSON.parse(text), null, 2));
}

async function main(argv: string[]): Promise<void> {
  const program = new Command('devnet').description('Drive the running devnet').option('--data-dir <dir>', 'the data dir npm start uses', join(repoRoot, '.data', 'devnet'));
  const dataDir = () => program.opts<{ dataDir: string }>().dataDir;
  const coin = () => new Option('--coin <coin>', 'btc, eth or dai (the devnet ERC20)').choices(['btc', 'eth', 'dai']).default('btc');
  program
    .command('deposit <amount>')
    .description('deposit BTC to the validators (or ETH or DAI into their Router) with a Transfer to a Serai account, or (BTC, --swap-refund-to) with a Swap the processor refunds to that address')
    .addOption(coin())
    .option('--to <account>', 'Serai account, 64 hex digits')
    .option('--swap-refund-to <address>', 'bcrt1... refund origin of a Swap deposit (our own deposit address makes the hostile deposit)')
    .action((amount: string, o: { coin: string; to?: string; swapRefundTo?: string }) => {
      if ((o.to === undefined) === (o.swapRefundTo === undefined)) throw new Error('deposit: give exactly one of --to <account> and --swap-refund-to <address>');
      if (o.swapRefundTo !== undefined && o.coin !== 'btc') throw new Error('deposit: --swap-refund-to makes a Bitcoin deposit (--coin btc)');
      return call(dataDir(), 'POST', '/deposit', o.to !== undefined ? { amount, to: o.to, coin: o.coin } : { amount, swapRefundTo: o.swapRefundTo });
    });
  program
    .command('burn <amount>')
    .description("burn sriBTC on Serai to a Bitcoin (regtest) address, or sriETH or sriDAI to an Ethereum address; the amount is in Serai's 8 decimals")
    .addOption(coin())
    .requiredOption('--from <account>', 'Serai account, 64 hex digits')
    .requiredOption('--to <address>', 'bcrt1... address (btc) or 0x... address (eth, dai)')
    .action((amount: string, o: { coin: string; from: string; to: string }) => call(dataDir(), 'POST', '/burn', { amount, from: o.from, to: o.to, coin: o.coin }));
  program
    .command('rotate')
    .description("the next session: its key generation by the current set (less --remove), Serai's confirmation, and the scanners' activation of the new key, which takes over by the block schedule (see status: each scanner's rotation stage, then its retired sessions; a removed validator serves the old key until it retires and follows the new one in observedSessions)")
    .addOption(new Option('--network <network>', 'the network whose key rotates (Ethereum: the new key takes over the same Router)').choices(['bitcoin', 'ethereum']).default('bitcoin'))
    .option('--remove <name...>', 'validators that leave the set: no share of the new key, serving the old one until it retires', [])
    .action((o: { network: string; remove: string[] }) => call(dataDir(), 'POST', '/rotate', { network: o.network, remove: o.remove }));
  program.command('status').description('each network\'s height, key and scanners; Serai\'s balances and Batches').action(() => call(dataDir(), 'GET', '/status'));
  await program.parseAsync(argv);
}

main(process.argv).catch((err: unknown) => {
  console.error(`devnet: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
