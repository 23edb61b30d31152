import { createBip340Scheme } from './bip340';
import { createEd25519Scheme } from './ed25519';
import { createEthereumScheme } from './ethereum';
import { createFrostRistretto255Scheme, createFrostSecp256k1Scheme } from './rfc9591';
import { createSr25519Scheme } from './sr25519';
import type { Rfc9591SuiteId, Scheme, SchemeId } from './types';
import { ristretto255FastEngine } from '../fast/ristretto255-engine';
import { secp256k1FastEngine } from '../fast/secp256k1-engine';
import { ed25519FastEngine } from '../fast/ed25519-engine';

export type { OutputKind, Rfc9591SuiteId, Scheme, SchemeId } from './types';
export { OUTPUT_KINDS } from './types';
export { outputKeyOfGroupKey } from './bip340';

/** The processor's signature schemes on the fastest engine each curve has. */
export const schemes: Readonly<Record<SchemeId, Scheme>> = Object.freeze({
  bip340: createBip340Scheme(secp256k1FastEngine),
  ethereum: createEthereumScheme(secp256k1FastEngine),
  sr25519: createSr25519Scheme(ristretto255FastEngine),
  ed25519: createEd25519Scheme(ed25519FastEngine),
});

export const rfc9591Suites: Readonly<Record<Rfc9591SuiteId, Scheme>> = Object.freeze({
  'frost-secp256k1': createFrostSecp256k1Scheme(secp256k1FastEngine),
  'frost-ristretto255': createFrostRistretto255Scheme(ristretto255FastEngine),
});
