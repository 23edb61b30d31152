/**
 * The signing steps of a Bitcoin transaction (3-of-4, in process): what the nonce ledger binds,
 * identifiable abort over all inputs, strict decoding of peers' blobs, and the key check against
 * the scripts the inputs spend. (btcd's acceptance of the signatures is tested in tx-btcd.)
 */
import type { Key } from '@noble/curves/abstract/frost.js';
import { equalBytes } from '@noble/curves/utils.js';
import { bytesToHex, randomBytes } from '@noble/hashes/utils.js';
import { Transaction } from 'bitcoinjs-lib';
import * as ecc from 'tiny-secp256k1';
import { InvalidSignatureSharesError, MalformedParticipantDataError, SignerSetError, SigningInputError } from '../../../crypto/sign/errors';
import { dealKeys } from '../../../crypto/sign/simulate';
import { schemes } from '../../../crypto/suites';
import { outputKey, outputKeySet } from '../../../networks/bitcoin/keys';
import {
  complete,
  COMMITMENTS_BYTES_PER_INPUT,
  inputSighashes,
  NONCES_BYTES_PER_INPUT,
  preprocess,
  share,
  SHARE_BYTES_PER_INPUT,
  signingMessage,
} from '../../../networks/bitcoin/sign';
import { buildTransaction, outpointId, type SignableTransaction } from '../../../networks/bitcoin/transaction';
import type { OutputKind } from '../../../scheduler';
import { makePlan, randomSegwitScript } from '../../support/bitcoin-tx';

const keys: Map<number, Key> = dealKeys(schemes.bip340, 3, 4);
const pub = keys.get(1)!.public;
const scripts = outputKeySet(0, pub).scripts;

function signableOf(kinds: readonly OutputKind[], keyScripts = scripts): SignableTransaction {
  const inputs = kinds.map((kind, i) => ({ id: outpointId(bytesToHex(randomBytes(32)), i), kind, amount: '1000000' }));
  const plan = makePlan({
    network: 'bitcoin',
    key: bytesToHex(pub.commitments[0]!),
    kind: 'payments',
    inputs,
    outputs: [{ kind: 'payment', payment: '01', address: randomSegwitScript(), amount: String(kinds.length * 1_000_000 - 10_000) }],
    change: null,
    fee: '10000',
    operatingCost: '0',
  });
  return buildTransaction(plan, keyScripts);
}

const signers = [1, 2, 4];

function preprocessAll(signable: SignableTransaction) {
  const secrets = new Map<number, Uint8Array>();
  const commitments = new Map<number, Uint8Array>();
  for (const p of signers) {
    const generated = preprocess(keys.get(p)!, signable);
    secrets.set(p, generated.secret);
    commitments.set(p, generated.commitments);
  }
  return { secrets, commitments };
}

function errorOf(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error');
}

test('each input is signed over its BIP341 sighash by the key of its output kind', () => {
  const kinds: OutputKind[] = ['external', 'branch', 'change', 'forward', 'external'];
  const signable = signableOf(kinds);
  const { secrets, commitments } = preprocessAll(signable);
  expect(commitments.get(1)).toHaveLength(kinds.length * COMMITMENTS_BYTES_PER_INPUT);
  expect(secrets.get(1)).toHaveLength(kinds.length * NONCES_BYTES_PER_INPUT);
  const shares = new Map(signers.map((p) => [p, share(keys.get(p)!, secrets.get(p)!, signable, commitments)]));
  expect(shares.get(2)).toHaveLength(kinds.length * SHARE_BYTES_PER_INPUT);
  const signed = complete(pub, signable, commitments, shares);

  const tx = Transaction.fromHex(signed.hex);
  expect(signed.txid).toBe(signable.eventuality.id);
  const prevoutScripts = signable.prevouts.map((p) => Buffer.from(p.script, 'hex'));
  const values = signable.prevouts.map((p) => BigInt(p.amount));
  tx.ins.forEach((input, index) => {
    const sighash = tx.hashForWitnessV1(index, prevoutScripts, values, Transaction.SIGHASH_DEFAULT);
    expect(inputSighashes(signable)[index]).toEqual(sighash);
    // libsecp256k1 checks the signature under the Taproot output key of the input's kind.
    expect(ecc.verifySchnorr(sighash, outputKey(pub, kinds[index]!), input.witness[0]!)).toBe(true);
    expect(input.witness).toHaveLength(1);
  });
});

test('the message bound to the nonces covers every input, every commitment and the transaction', () => {
  const signable = signableOf(['external', 'change', 'forward']);
  const { commitments } = preprocessAll(signable);
  const message = signingMessage(pub, signable, commitments);
  expect(signingMessage(pub, JSON.parse(JSON.stringify(signable)), new Map(commitments))).toEqual(message);

  // Any one input's commitment from any signer.
  for (const index of [0, 2]) {
    const altered = new Map(commitments);
    const blob = Uint8Array.from(commitments.get(4)!);
    const fresh = preprocess(keys.get(4)!, signable).commitments;
    blob.set(fresh.subarray(index * COMMITMENTS_BYTES_PER_INPUT, (index + 1) * COMMITMENTS_BYTES_PER_INPUT), index * COMMITMENTS_BYTES_PER_INPUT);
    altered.set(4, blob);
    expect(equalBytes(signingMessage(pub, signable, altered), message)).toBe(false);
  }
  // Another transaction with the same inputs' kinds and the same commitments.
  expect(equalBytes(signingMessage(pub, signableOf(['external', 'change', 'forward']), commitments), message)).toBe(false);
  // Another signer set.
  const withThird = new Map(commitments).set(3, preprocess(keys.get(3)!, signable).commitments);
  expect(equalBytes(signingMessage(pub, signable, withThird), message)).toBe(false);
});

test('invalid shares for any input are blamed on every sender at once', () => {
  const signable = signableOf(['external', 'branch', 'change']);
  const { secrets, commitments } = preprocessAll(signable);
  const shares = new Map(signers.map((p) => [p, share(keys.get(p)!, secrets.get(p)!, signable, commitments)]));
  const tampered = new Map(shares);
  const bad2 = Uint8Array.from(shares.get(2)!);
  bad2[SHARE_BYTES_PER_INPUT + 31] = bad2[SHARE_BYTES_PER_INPUT + 31]! ^ 1; // input 1
  const bad4 = Uint8Array.from(shares.get(4)!);
  bad4[2 * SHARE_BYTES_PER_INPUT + 31] = bad4[2 * SHARE_BYTES_PER_INPUT + 31]! ^ 1; // input 2
  tampered.set(2, bad2).set(4, bad4);
  const error = errorOf(() => complete(pub, signable, commitments, tampered));
  expect(error).toBeInstanceOf(InvalidSignatureSharesError);
  expect((error as InvalidSignatureSharesError).participants).toEqual([2, 4]);
  // The honest shares still complete.
  expect(complete(pub, signable, commitments, shares).txid).toBe(signable.eventuality.id);
});

test("peers' blobs of the wrong size, missing signers and our own nonces are refused with the participant or field named", () => {
  const signable = signableOf(['external', 'forward']);
  const { secrets, commitments } = preprocessAll(signable);
  const shares = new Map(signers.map((p) => [p, share(keys.get(p)!, secrets.get(p)!, signable, commitments)]));

  const shortCommitments = new Map(commitments).set(2, commitments.get(2)!.subarray(1));
  expect(errorOf(() => share(keys.get(1)!, secrets.get(1)!, signable, shortCommitments))).toMatchObject({
    name: 'MalformedParticipantDataError',
    participant: 2,
    field: 'commitments',
  });
  expect(errorOf(() => signingMessage(pub, signable, shortCommitments))).toBeInstanceOf(MalformedParticipantDataError);
  const longShare = new Map(shares).set(4, new Uint8Array(3 * SHARE_BYTES_PER_INPUT));
  expect(errorOf(() => complete(pub, signable, commitments, longShare))).toMatchObject({ participant: 4, field: 'share' });
  const missing = new Map(shares);
  missing.delete(2);
  expect(errorOf(() => complete(pub, signable, commitments, missing))).toBeInstanceOf(SignerSetError);

  const nonceError = errorOf(() => share(keys.get(1)!, secrets.get(1)!.subarray(0, NONCES_BYTES_PER_INPUT), signable, commitments));
  expect(nonceError).toMatchObject({ name: 'SigningInputError', field: 'nonces' });
  // A coordinator relaying someone else's commitments under our name gets no share.
  const swapped = new Map(commitments).set(1, commitments.get(2)!);
  const swapError = errorOf(() => share(keys.get(1)!, secrets.get(1)!, signable, swapped));
  expect(swapError).toMatchObject({ name: 'SigningInputError', field: 'commitments' });
  // No secret in any message.
  for (const error of [nonceError, swapError]) {
    expect((error as Error).message).not.toContain(bytesToHex(secrets.get(1)!.subarray(0, 32)));
    expect((error as Error).message).not.toContain(bytesToHex(keys.get(1)!.secret.signingShare));
  }
});

test('an input whose script is not our key of its kind is refused before any nonce is made', () => {
  const other = dealKeys(schemes.bip340, 3, 4).get(1)!.public;
  const foreign = signableOf(['external', 'change'], { ...scripts, change: outputKeySet(0, other).scripts.change });
  expect(errorOf(() => preprocess(keys.get(1)!, foreign))).toMatchObject({ name: 'SigningInputError', field: 'prevouts.1.script' });
  expect(errorOf(() => signingMessage(pub, foreign, new Map()))).toBeInstanceOf(SigningInputError);
  // A kind relabelled in transit: the external script claimed as change.
  const signable = signableOf(['external']);
  const relabelled = { ...signable, prevouts: [{ ...signable.prevouts[0]!, kind: 'change' as const }] };
  expect(errorOf(() => preprocess(keys.get(1)!, relabelled))).toMatchObject({ field: 'prevouts.0.script' });
});
