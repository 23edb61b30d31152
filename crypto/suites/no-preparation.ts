import type { FrostPublic, FrostSecret } from '@noble/curves/abstract/frost.js';
import { SigningInputError } from '../sign/errors';
import type { OutputKind } from './types';

/** Key preparation for suites whose keys are used as generated (sr25519, ed25519, plain RFC 9591). */
export const noPreparation = {
  preparePublic(pub: FrostPublic, kind?: OutputKind): FrostPublic {
    rejectKind(kind);
    return pub;
  },
  prepareSecret(secret: FrostSecret, _pub: FrostPublic, kind?: OutputKind): FrostSecret {
    rejectKind(kind);
    return secret;
  },
};

export function rejectKind(kind: OutputKind | undefined): void {
  if (kind !== undefined && kind !== 'external') {
    throw new SigningInputError('kind', 'only Bitcoin (bip340) keys have branch/change/forward variants');
  }
}
