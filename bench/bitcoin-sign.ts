/**
 * Time to threshold-sign a Bitcoin transaction with FROST-BIP340, every signer in this process:
 * each signer's preprocess (nonces per input), signing message (what the nonce ledger binds) and
 * shares, then aggregation into the signed transaction. Not a test: it prints figures.
 *
 *   npx tsx bench/bitcoin-sign.ts            100 inputs at 3-of-4 and at 67-of-100
 */
import type { FrostPublic } from '@noble/curves/abstract/frost.js';
import { bytesToHex, randomBytes } from '@noble/hashes/utils.js';
import { dealKeys } from '../crypto/sign/simulate';
import { schemes } from '../crypto/suites';
import { outputKeySet } from '../networks/bitcoin/keys';
import { signInProcess, type SigningTimes } from '../networks/bitcoin/sign-local';
import { buildTransaction, outpointId, type SignableTransaction } from '../networks/bitcoin/transaction';
import { bitcoinFeeModel } from '../networks/bitcoin/transaction-fee';
import { addPayments, createState, receiveOutputs, schedule, type OutputKind, type ReceivedOutput } from '../scheduler';

const KINDS: readonly Exclude<OutputKind, 'branch'>[] = ['external', 'change', 'forward'];

/** A plan spending `inputs` outputs of the key (kinds mixed) to one payment, built into a signable transaction. */
export function signableWithInputs(pub: FrostPublic, inputs: number): SignableTransaction {
  const scripts = outputKeySet(0, pub).scripts;
  let state = createState({
    network: 'bitcoin',
    key: bytesToHex(pub.commitments[0]!),
    maxInputs: 520,
    maxOutputs: 520,
    dust: '10000',
    maxAmount: '2100000000000000',
    internalAddresses: [],
  });
  const outputs = Array.from({ length: inputs }, (_, i): ReceivedOutput => ({
    id: outpointId(bytesToHex(randomBytes(32)), i % 3),
    kind: KINDS[i % KINDS.length]!,
    amount: '1000000',
  }));
  state = receiveOutputs(state, outputs);
  state = addPayments(state, [{ id: '01', address: `5120${bytesToHex(randomBytes(32))}`, amount: String(inputs * 1_000_000 - 5_000) }]);
  const [plan, ...rest] = schedule(state, { feeModel: bitcoinFeeModel(2n) }).plans;
  if (plan === undefined || rest.length > 0 || plan.inputs.length !== inputs) throw new Error(`expected one plan with ${inputs} inputs`);
  return buildTransaction(plan, scripts);
}

/** Step times (wall clock) and the process CPU time of the whole run, which a busy machine inflates less. */
export function benchmarkSigning(t: number, n: number, inputs: number): SigningTimes & { cpuMs: number } {
  // Each signer holds its own copy of the public package, as each validator loads its own.
  const keys = new Map([...dealKeys(schemes.bip340, t, n)].map(([p, key]) => [p, { public: structuredClone(key.public), secret: key.secret }]));
  const pub = structuredClone(keys.get(1)!.public);
  const signable = signableWithInputs(pub, inputs);
  const signers = Array.from({ length: t }, (_, i) => i + 1);
  const cpuBefore = process.cpuUsage();
  const { signed, times } = signInProcess(keys, signers, pub, signable);
  const cpu = process.cpuUsage(cpuBefore);
  if (signed.txid !== signable.eventuality.id) throw new Error('the signed transaction has another txid');
  return { ...times, cpuMs: (cpu.user + cpu.system) / 1000 };
}

function main(): void {
  const inputs = 100;
  const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
  for (const [t, n] of [
    [3, 4],
    [67, 100],
  ] as const) {
    const times = benchmarkSigning(t, n, inputs);
    console.log(
      `${inputs}-input transaction, ${t}-of-${n}: ${seconds(times.totalMs)} (CPU ${seconds(times.cpuMs)}) for all ${t} signers in series ` +
        `(preprocess ${seconds(times.preprocessMs)}, signing message + shares ${seconds(times.shareMs)}, aggregate ${seconds(times.aggregateMs)}); ` +
        `one signer's part: preprocess ${seconds(times.preprocessMs / t)}, shares ${seconds(times.shareMs / t)}`,
    );
  }
}

if (require.main === module) main();
