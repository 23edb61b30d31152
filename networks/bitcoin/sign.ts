/**
 * Threshold-signing a Bitcoin transaction with FROST-BIP340, in the steps the processor persists
 * between activities (no Temporal here):
 *
 *   preprocess      per local share: one nonce pair per input. `secret` goes to the nonce
 *                   ledger, `commitments` (one public blob) to the other signers.
 *   signingMessage  what the ledger binds the nonces to: every input's `signingDigest`
 *                   (sighash + all signers' commitments), so one nonce set never signs two
 *                   different transactions or commitment sets.
 *   share           per local share: one signature share per input (one blob).
 *   complete        aggregates every input (naming every cheater over all inputs), attaches the
 *                   witnesses and returns the signed transaction.
 *
 * Input i is signed over its BIP341 key-path sighash (SIGHASH_DEFAULT, all prevouts) with the key
 * of its output kind: `prepareKey(bip340, key, kind)`, whose output key must be the script the
 * input spends. Blobs are per-input concatenations of fixed-size items, in input order.
 */
import type { FrostPublic, Key } from '@noble/curves/abstract/frost.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, concatBytes, hexToBytes } from '@noble/hashes/utils.js';
import { Transaction } from 'bitcoinjs-lib';
import * as ecc from 'tiny-secp256k1';
import { SECP_WIRE_LENGTH } from '../../crypto/sign/curves';
import { InvalidSignatureSharesError, MalformedParticipantDataError, SigningInputError } from '../../crypto/sign/errors';
import { aggregate, commit, prepareKey, signShare, signingDigest } from '../../crypto/signing';
import { schemes } from '../../crypto/suites';
import type { OutputKind } from '../network';
import { parseSignable, type ParsedSignable } from './transaction';

const scheme = schemes.bip340;

export const NONCES_BYTES_PER_INPUT = 64;
export const COMMITMENTS_BYTES_PER_INPUT = 2 * SECP_WIRE_LENGTH;
export const SHARE_BYTES_PER_INPUT = 32;
const SIGNING_MESSAGE_TAG = new TextEncoder().encode('SeraiProcessor/BitcoinTransaction/v1');

/** One participant's preprocess: the secret nonces (ledger only) and the public commitments. */
export interface TransactionPreprocess {
  readonly secret: Uint8Array;
  readonly commitments: Uint8Array;
}

export interface SignedTransaction {
  readonly txid: string;
  /** The signed transaction, hex, ready for sendrawtransaction. */
  readonly hex: string;
}

/** The BIP341 key-path sighash of every input (SIGHASH_DEFAULT over all prevouts). */
export function inputSighashes(signable: unknown): Uint8Array[] {
  return sighashesOf(parseSignable(signable));
}

function sighashesOf(signable: ParsedSignable): Uint8Array[] {
  const scripts = signable.prevouts.map((prevout) => hexToBytes(prevout.script));
  const values = signable.prevouts.map((prevout) => BigInt(prevout.amount));
  return signable.prevouts.map((_, index) => signable.tx.hashForWitnessV1(index, scripts, values, Transaction.SIGHASH_DEFAULT));
}

/** Prepares keys once per output kind (at n = 100 about 27 ms each), checking each against the script its inputs spend. */
class KindKeys<T> {
  private readonly cache = new Map<OutputKind, T>();
  constructor(
    private readonly signable: ParsedSignable,
    private readonly prepare: (kind: OutputKind) => T,
    private readonly publicOf: (prepared: T) => FrostPublic,
  ) {}

  forInput(index: number): T {
    const prevout = this.signable.prevouts[index]!;
    let prepared = this.cache.get(prevout.kind);
    if (prepared === undefined) {
      prepared = this.prepare(prevout.kind);
      this.cache.set(prevout.kind, prepared);
    }
    const outputKey = bytesToHex(scheme.groupKeyEncoding(this.publicOf(prepared)));
    if (prevout.script !== `5120${outputKey}`) {
      throw new SigningInputError(`prevouts.${index}.script`, `not the ${prevout.kind} output key of this key set`);
    }
    return prepared;
  }
}

const localKeys = (signable: ParsedSignable, key: Key) =>
  new KindKeys(signable, (kind) => prepareKey(scheme, key, kind), (prepared) => prepared.public);
const publicKeys = (signable: ParsedSignable, pub: FrostPublic) =>
  new KindKeys(signable, (kind) => scheme.preparePublic(pub, kind), (prepared) => prepared);

/** Fresh nonces for every input, for the local share `key` (raw, as the keystore holds it). */
export function preprocess(key: Key, signable: unknown, rng?: (bytes: number) => Uint8Array): TransactionPreprocess {
  const parsed = parseSignable(signable);
  const keys = localKeys(parsed, key);
  const secrets: Uint8Array[] = [];
  const commitments: Uint8Array[] = [];
  for (let index = 0; index < parsed.prevouts.length; index++) {
    const generated = commit(scheme, keys.forInput(index).secret, rng);
    secrets.push(generated.nonces);
    commitments.push(generated.commitments);
  }
  const secret = concatBytes(...secrets);
  for (const nonces of secrets) nonces.fill(0);
  return { secret, commitments: concatBytes(...commitments) };
}

/** Splits each participant's blob into per-input items, refusing a blob of the wrong length. */
function perInput(
  blobs: ReadonlyMap<number, Uint8Array>,
  inputs: number,
  width: number,
  field: 'commitments' | 'share',
): Map<number, Uint8Array>[] {
  if (!(blobs instanceof Map)) throw new SigningInputError(field === 'share' ? 'shares' : field, 'expected a Map of participant to bytes');
  const split = Array.from({ length: inputs }, () => new Map<number, Uint8Array>());
  for (const [participant, blob] of blobs) {
    if (!(blob instanceof Uint8Array) || blob.length !== inputs * width) {
      throw new MalformedParticipantDataError(participant, field, `expected ${inputs} x ${width} bytes`);
    }
    split.forEach((items, index) => items.set(participant, blob.subarray(index * width, (index + 1) * width)));
  }
  return split;
}

/**
 * The digest the nonce ledger binds a participant's nonces to: over every input, the
 * `signingDigest` of its prepared key, the signers' commitments and its sighash.
 */
export function signingMessage(pub: FrostPublic, signable: unknown, commitments: ReadonlyMap<number, Uint8Array>): Uint8Array {
  const parsed = parseSignable(signable);
  const keys = publicKeys(parsed, pub);
  const sighashes = sighashesOf(parsed);
  const split = perInput(commitments, sighashes.length, COMMITMENTS_BYTES_PER_INPUT, 'commitments');
  const digests = sighashes.map((sighash, index) => signingDigest(scheme, keys.forInput(index), split[index]!, sighash));
  return sha256(concatBytes(SIGNING_MESSAGE_TAG, ...digests));
}

/**
 * The local share's signature shares for every input. `nonces` is the `secret` of this share's
 * preprocess, `commitments` every signer's commitments blob (this share's included).
 */
export function share(key: Key, nonces: Uint8Array, signable: unknown, commitments: ReadonlyMap<number, Uint8Array>): Uint8Array {
  const parsed = parseSignable(signable);
  const inputs = parsed.prevouts.length;
  if (!(nonces instanceof Uint8Array) || nonces.length !== inputs * NONCES_BYTES_PER_INPUT) {
    throw new SigningInputError('nonces', `expected ${inputs} x ${NONCES_BYTES_PER_INPUT} bytes`);
  }
  const keys = localKeys(parsed, key);
  const sighashes = sighashesOf(parsed);
  const split = perInput(commitments, inputs, COMMITMENTS_BYTES_PER_INPUT, 'commitments');
  const shares = sighashes.map((sighash, index) => {
    const own = nonces.subarray(index * NONCES_BYTES_PER_INPUT, (index + 1) * NONCES_BYTES_PER_INPUT);
    return signShare(scheme, keys.forInput(index), own, split[index]!, sighash);
  });
  return concatBytes(...shares);
}

/**
 * The signed transaction from every signer's commitments and shares. Shares are checked for
 * every input before anything is thrown, so an `InvalidSignatureSharesError` names every
 * participant who sent an invalid share for any input.
 */
export function complete(
  pub: FrostPublic,
  signable: unknown,
  commitments: ReadonlyMap<number, Uint8Array>,
  shares: ReadonlyMap<number, Uint8Array>,
): SignedTransaction {
  const parsed = parseSignable(signable);
  const keys = publicKeys(parsed, pub);
  const sighashes = sighashesOf(parsed);
  const inputs = sighashes.length;
  const splitCommitments = perInput(commitments, inputs, COMMITMENTS_BYTES_PER_INPUT, 'commitments');
  const splitShares = perInput(shares, inputs, SHARE_BYTES_PER_INPUT, 'share');

  const cheaters = new Set<number>();
  const signatures = sighashes.map((sighash, index) => {
    try {
      return aggregate(scheme, keys.forInput(index), splitCommitments[index]!, sighash, splitShares[index]!);
    } catch (error) {
      if (!(error instanceof InvalidSignatureSharesError)) throw error;
      error.participants.forEach((participant) => cheaters.add(participant));
      return undefined;
    }
  });
  if (cheaters.size > 0) throw new InvalidSignatureSharesError([...cheaters].sort((a, b) => a - b));

  const tx = parsed.tx.clone();
  signatures.forEach((signature, index) => {
    const outputKey = hexToBytes(parsed.prevouts[index]!.script.slice(4));
    // An independent verifier (libsecp256k1) before anything leaves for the network.
    if (signature === undefined || !ecc.verifySchnorr(sighashes[index]!, outputKey, signature)) {
      throw new SigningInputError(`inputs.${index}`, 'the aggregate signature does not verify under the output key');
    }
    tx.setWitness(index, [signature]);
  });
  return { txid: tx.getId(), hex: tx.toHex() };
}
