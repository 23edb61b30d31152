/**
 * An in-process run of the whole threshold flow for one scheme: the encrypted DKG among n
 * participants (grouped into weighted validators), then a threshold signature by a signer subset,
 * with optional misbehaviour of one participant to show who gets blamed. Used by `npm run crypto`
 * and by the randomized tests.
 */
import type { Key } from '@noble/curves/abstract/frost.js';
import { randomBytes } from '@noble/hashes/utils.js';
import {
  assignParticipants,
  decodeEncryptedShare,
  decodeRound1,
  ed25519Suite,
  participantsOf,
  ristretto255Suite,
  secp256k1Suite,
  validatorOf,
  validatorRound1,
  validatorRound2,
  validatorRound3,
  verifyBlame,
  type DkgContext,
  type DkgSuite,
  type Round2State,
} from './dkg';
import { randomScalar } from './dkg/arithmetic';
import { sessionBinding } from './dkg/context';
import { encryptShare, proveBlame } from './dkg/encryption';
import { aggregate, commit, prepareKey, signShare } from './signing';
import { InvalidSignatureSharesError } from './sign/errors';
import { schemes, type Scheme, type SchemeId } from './suites';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const DKG_SUITES: Record<SchemeId, DkgSuite<any>> = {
  // The BIP340 scheme tweaks the plain group key itself (BIP341, per output kind).
  bip340: secp256k1Suite,
  ethereum: secp256k1Suite,
  sr25519: ristretto255Suite,
  ed25519: ed25519Suite,
};

export type Cheat = 'share' | 'nonce' | 'accuse';

export interface ThresholdRunOptions {
  scheme: SchemeId;
  t: number;
  /** Key shares per validator; their sum is n. */
  weights: number[];
  /** Participants that sign (default: the first t). */
  signers?: number[];
  message: Uint8Array;
  /** Participant 2 misbehaves: a bad DKG share to participant 1, a false accusation of participant 3, or a bad signature share. */
  cheat?: Cheat;
}

export type ThresholdRunResult =
  | { ok: true; scheme: SchemeId; t: number; n: number; groupKey: Uint8Array; signers: number[]; signature: Uint8Array; verified: boolean }
  | { ok: false; scheme: SchemeId; stage: 'dkg' | 'signing'; blamed: number[]; blamedValidators: number[]; reason: string };

const CHEATER = 2;
const rng = (n: number) => randomBytes(n);

export function runThreshold(options: ThresholdRunOptions): ThresholdRunResult {
  const scheme = schemes[options.scheme];
  const suite = DKG_SUITES[options.scheme];
  const n = options.weights.reduce((a, b) => a + b, 0);
  const params = { t: options.t, n };
  const context: DkgContext = { network: 'demo', session: 0, attempt: 0, key: 'network' };
  const validators = assignParticipants(options.weights);
  // Validators are numbered from 1 in the output, like participants.
  const validatorsOf = (participants: number[]) => [...new Set(participants.map((p) => validatorOf(validators, p) + 1))];
  if (options.cheat && n < 3) throw new RangeError('a cheating run needs n >= 3 (the cheater is participant 2)');

  // Round 1 and 2 per validator.
  const round1 = validators.map((v) => validatorRound1(suite, context, params, v));
  const allRound1 = new Map<number, Uint8Array>();
  for (const r of round1) for (const [p, m] of r.messages) allRound1.set(p, m);
  const peersOf = (ours: number[]) => new Map([...allRound1].filter(([p]) => !ours.includes(p)));
  const round2 = validators.map((v, i) => {
    const result = validatorRound2(suite, context, round1[i]!.states, peersOf(participantsOf(v)));
    if (!result.ok) throw new Error(`round 2 failed: ${result.faults.map((f) => f.reason).join('; ')}`);
    return result;
  });
  const shares = new Map<number, Map<number, Uint8Array>>(); // sender -> recipient -> share
  for (const r of round2) for (const [sender, map] of r.shares) shares.set(sender, new Map(map));
  if (options.cheat === 'share') {
    const victim = decodeRound1(suite, params, allRound1.get(1)!, 1);
    shares.get(CHEATER)!.set(
      1,
      encryptShare(suite, {
        session: sessionBinding(suite.id, context, params),
        sender: CHEATER,
        recipient: 1,
        recipientKey: victim.encryptionKeyBytes,
        share: randomScalar(suite, rng),
        ephemeralSecret: randomScalar(suite, rng),
        proofNonce: randomScalar(suite, rng),
      }),
    );
  }

  // Round 3 per validator; any accusation is judged from public data.
  const keys = new Map<number, Key>();
  for (const [i, v] of validators.entries()) {
    const ours = participantsOf(v);
    const byRecipient = new Map(ours.map((r) => [r, new Map([...shares].filter(([s]) => s !== r).map(([s, m]) => [s, m.get(r)!]))]));
    if (options.cheat === 'accuse' && ours.includes(CHEATER)) {
      const state = round2[i]!.states.find((s: Round2State) => s.participant === CHEATER)!;
      const bytes = byRecipient.get(CHEATER)!.get(3)!;
      const share = decodeEncryptedShare(suite, bytes, 3, CHEATER);
      const blame = proveBlame(suite, sessionBinding(suite.id, context, params), state.encryptionSecret, share, share.ephemeralKey.multiply(state.encryptionSecret), rng);
      const verdict = verifyBlame(suite, context, params, { accuser: CHEATER, accused: 3, share: bytes, blame }, allRound1);
      return { ok: false, scheme: options.scheme, stage: 'dkg', blamed: [verdict.faulty], blamedValidators: validatorsOf([verdict.faulty]), reason: verdict.reason };
    }
    const result = validatorRound3(suite, context, round2[i]!.states, peersOf(ours), byRecipient);
    if (!result.ok) {
      const blamed: number[] = [];
      let reason = '';
      for (const fault of result.faults) {
        if (fault.kind !== 'InvalidShare') {
          blamed.push(fault.participant);
          continue;
        }
        const verdict = verifyBlame(suite, context, params, { accuser: fault.recipient, accused: fault.sender, share: shares.get(fault.sender)!.get(fault.recipient)!, blame: fault.blame }, allRound1);
        blamed.push(verdict.faulty);
        reason = verdict.reason;
      }
      return { ok: false, scheme: options.scheme, stage: 'dkg', blamed, blamedValidators: validatorsOf(blamed), reason };
    }
    ours.forEach((p, k) => keys.set(p, result.keys[k]!));
  }

  return sign(scheme, suite, options, keys, n, validatorsOf);
}

function sign(
  scheme: Scheme,
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  suite: DkgSuite<any>,
  options: ThresholdRunOptions,
  keys: Map<number, Key>,
  n: number,
  validatorsOf: (p: number[]) => number[],
): ThresholdRunResult {
  const signers = options.signers ?? Array.from({ length: options.t }, (_, k) => k + 1);
  const prepared = new Map(signers.map((p) => [p, prepareKey(scheme, keys.get(p) ?? missing(p))]));
  const preprocesses = new Map(signers.map((p) => [p, commit(scheme, prepared.get(p)!.secret)]));
  const commitments = new Map(signers.map((p) => [p, preprocesses.get(p)!.commitments]));
  const { Fn } = suite.Point;
  const shares = new Map(
    signers.map((p) => {
      const share = signShare(scheme, prepared.get(p)!, preprocesses.get(p)!.nonces, commitments, options.message);
      // The cheater's share is what a nonce other than the committed one (d + 1) would give.
      return [p, options.cheat === 'nonce' && p === CHEATER ? Fn.toBytes(Fn.add(Fn.fromBytes(share), 1n)) : share];
    }),
  );
  const pub = prepared.get(signers[0]!)!.public;
  try {
    const signature = aggregate(scheme, pub, commitments, options.message, shares);
    const groupKey = scheme.groupKeyEncoding(pub);
    return { ok: true, scheme: options.scheme, t: options.t, n, groupKey, signers, signature, verified: scheme.verify(signature, options.message, groupKey) };
  } catch (err) {
    if (!(err instanceof InvalidSignatureSharesError)) throw err;
    const blamed = [...err.participants];
    return { ok: false, scheme: options.scheme, stage: 'signing', blamed, blamedValidators: validatorsOf(blamed), reason: err.message };
  }
}

function missing(participant: number): never {
  throw new RangeError(`participant ${participant} has no key share`);
}
