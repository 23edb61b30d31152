/**
 * Checks a message's content against itself, beyond its shape: relations between its fields
 * that the protocol requires and that need no outside knowledge.
 */
import { encodeBatch } from './batch';
import { duplicateIn, firstProblem, problem, type Problem } from './checks';
import type { CoordinatorMessage, CoordinatorMessageOf } from './coordinator';
import type { SubstrateSignId } from './ids';
import type { Batch } from './instructions';
import { MAX_BATCH_SIZE, MAX_KEY_SHARES_PER_SET, SR25519_SIGNATURE_BYTES } from './limits';
import { COIN_NETWORK } from './networks';
import type { Hex } from './primitives';
import type { ProcessorMessage } from './processor';

function generateKeyProblem({ params, shares }: CoordinatorMessageOf<'key_gen.GenerateKey'>): Problem {
  const { t, n, i } = params;
  if (n < 1 || n > MAX_KEY_SHARES_PER_SET) return problem('params.n', `expected 1..${MAX_KEY_SHARES_PER_SET} key shares`);
  if (t < 1 || t > n) return problem('params.t', `expected a threshold 1..n (n = ${n})`);
  if (i < 1 || i > n) return problem('params.i', `expected a participant index 1..n (n = ${n})`);
  if (shares < 1) return problem('shares', 'expected at least one key share');
  if (i + shares - 1 > n) return problem('shares', `our indices i..i+shares-1 exceed n (i = ${i}, n = ${n})`);
  return undefined;
}

/** The signable a Serai-key signing message concerns must be the one its kind names. */
function signableKind(id: SubstrateSignId, expected: SubstrateSignId['id']['kind'], kind: string): Problem {
  return id.id.kind === expected ? undefined : problem('id.id.kind', `expected ${expected} for ${kind}`);
}

/** Schnorrkel sets bit 7 of the last byte of every sr25519 signature. */
function sr25519Signature(field: string, signature: Hex): Problem {
  const lastByte = Number.parseInt(signature.slice(2 * SR25519_SIGNATURE_BYTES - 2), 16);
  return (lastByte & 0x80) !== 0 ? undefined : problem(field, 'expected an sr25519 signature (marker bit of byte 63 set)');
}

function nonZeroAmount(field: string, amount: string): Problem {
  return amount === '0' ? problem(field, 'expected a non-zero amount') : undefined;
}

function batchProblem(field: string, batch: Batch): Problem {
  for (const [index, { balance }] of batch.instructions.entries()) {
    if (COIN_NETWORK[balance.coin] !== batch.network) {
      return problem(`${field}.instructions.${index}.balance.coin`, `expected a coin of ${batch.network}`);
    }
  }
  const size = encodeBatch(batch).length;
  return size <= MAX_BATCH_SIZE
    ? undefined
    : problem(`${field}.instructions`, `encode to ${size} bytes, above MAX_BATCH_SIZE (${MAX_BATCH_SIZE})`);
}

export function coordinatorMessageProblem(message: CoordinatorMessage): Problem {
  switch (message.kind) {
    case 'key_gen.GenerateKey':
      return generateKeyProblem(message);
    case 'key_gen.VerifyBlame':
      return message.accused === message.accuser ? problem('accused', 'is the accuser') : undefined;
    case 'coordinator.CosignSubstrateBlock':
      return signableKind(message.id, 'CosigningSubstrateBlock', message.kind);
    case 'coordinator.SignSlashReport':
      return firstProblem(
        () => signableKind(message.id, 'SlashReport', message.kind),
        () => duplicateIn('report', message.report, (entry) => entry.validator, 'validator'),
      );
    case 'coordinator.BatchReattempt':
      return signableKind(message.id, 'Batch', message.kind);
    case 'substrate.SubstrateBlock':
      return firstProblem(
        () => duplicateIn('batches', message.batches, (id) => id, 'batch'),
        ...message.burns.map((burn, index) => () => nonZeroAmount(`burns.${index}.balance.amount`, burn.balance.amount)),
      );
    default:
      return undefined;
  }
}

export function processorMessageProblem(message: ProcessorMessage): Problem {
  switch (message.kind) {
    case 'key_gen.InvalidShare':
      return message.faulty === message.accuser ? problem('faulty', 'is the accuser') : undefined;
    case 'coordinator.SubstrateBlockAck':
      return duplicateIn('plans', message.plans, (plan) => plan.id, 'plan');
    case 'coordinator.CosignPreprocess':
      return signableKind(message.id, 'CosigningSubstrateBlock', message.kind);
    case 'coordinator.BatchPreprocess':
      return signableKind(message.id, 'Batch', message.kind);
    case 'coordinator.SlashReportPreprocess':
      return signableKind(message.id, 'SlashReport', message.kind);
    case 'coordinator.CosignedBlock':
    case 'coordinator.SignedSlashReport':
      return sr25519Signature('signature', message.signature);
    case 'substrate.Batch':
      return batchProblem('batch', message.batch);
    case 'substrate.SignedBatch':
      return firstProblem(
        () => batchProblem('batch.batch', message.batch.batch),
        () => sr25519Signature('batch.signature', message.batch.signature),
      );
    default:
      return undefined;
  }
}
