import { Command, InvalidArgumentError, Option } from 'commander';
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import { runThreshold, type Cheat } from './demo';
import type { SchemeId } from './suites';

const SCHEMES: SchemeId[] = ['bip340', 'ethereum', 'sr25519', 'ed25519'];

function integer(name: string, min: number, max: number) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min || n > max) throw new InvalidArgumentError(`${name} must be an integer in [${min}, ${max}]`);
    return n;
  };
}

function hexMessage(value: string): string {
  const clean = value.startsWith('0x') ? value.slice(2) : value;
  if (!/^(?:[0-9a-fA-F]{2})*$/.test(clean)) throw new InvalidArgumentError('--message must be hex bytes');
  return clean.toLowerCase();
}

function weightList(value: string): number[] {
  const weights = value.split(',').map((w) => Number(w));
  if (weights.some((w) => !Number.isInteger(w) || w < 1 || w > 150)) throw new InvalidArgumentError('--weights must be a comma list of integers >= 1');
  return weights;
}

const program = new Command('crypto').description('Threshold cryptography of the processor, in process');
program
  .command('demo')
  .description('run an encrypted DKG and a threshold signature, print JSON')
  .addOption(new Option('--scheme <scheme>', 'signature scheme').choices(SCHEMES).makeOptionMandatory())
  .requiredOption('--t <t>', 'threshold', integer('--t', 2, 150))
  .option('--n <n>', 'key shares (one validator each, unless --weights)', integer('--n', 2, 150))
  .option('--weights <list>', 'key shares per validator, e.g. 2,1,1,1 (n is their sum)', weightList)
  .option('--message <hex>', 'message to sign', hexMessage, '')
  .addOption(new Option('--cheat <kind>', 'participant 2 misbehaves').choices(['share', 'nonce', 'accuse']))
  .action((opts: { scheme: SchemeId; t: number; n?: number; weights?: number[]; message: string; cheat?: Cheat }) => {
    const weights = opts.weights ?? (opts.n !== undefined ? Array.from({ length: opts.n }, () => 1) : undefined);
    if (!weights) throw new InvalidArgumentError('give --n or --weights');
    const n = weights.reduce((a, b) => a + b, 0);
    if (opts.t > n) throw new InvalidArgumentError(`--t (${opts.t}) must not exceed n (${n})`);
    if (opts.cheat && n < 3) throw new InvalidArgumentError('--cheat needs n >= 3 (participant 2 cheats, participants 1 and 3 are its victims)');
    const result = runThreshold({ scheme: opts.scheme, t: opts.t, weights, message: hexToBytes(opts.message), cheat: opts.cheat });
    const out = result.ok
      ? {
          scheme: result.scheme,
          t: result.t,
          n: result.n,
          groupKey: bytesToHex(result.groupKey),
          message: opts.message,
          signers: result.signers,
          signature: bytesToHex(result.signature),
          verified: result.verified,
        }
      : { scheme: result.scheme, cheat: opts.cheat, stage: result.stage, blamed: result.blamed, blamedValidators: result.blamedValidators, reason: result.reason };
    console.log(JSON.stringify(out, null, 2));
    if (result.ok && !result.verified) process.exitCode = 1;
  });

program.parseAsync(process.argv).catch((err: unknown) => {
  console.error(`crypto: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
