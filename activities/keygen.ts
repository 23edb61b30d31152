/**
 * Key-generation activities of one validator's processor. Secrets (DKG coefficients, encryption
 * keys, key shares) are created here, kept in the keystore and never returned: the workflow sees
 * public messages only. Every round's output is written once before it leaves, so a retried or
 * restarted round resends exactly what it sent the first time.
 */
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import {
  deserializeRound1State,
  deserializeRound2State,
  round1,
  serializeRound1State,
  serializeRound2State,
  validatorRound2,
  validatorRound3,
  type DkgFault,
  type DkgKeyName,
  type Round1State,
  type Round2State,
} from '../crypto/dkg';
import { decodeFrostPublic, encodeFrostPublic, encodeFrostSecret } from '../crypto/key-package';
import { KeyPairMismatchError } from './failures';
import type { ExternalNetwork, ParticipantMap } from '../messages';
import type { Keystore } from '../store';
import {
  KEY_NAMES,
  dkgContext,
  dkgJudge,
  encodeBlame,
  joinHexParts,
  keyCurve,
  splitHexParts,
  suiteFor,
  type Accusation,
  type AnySuite,
  type RunRef,
} from '../crypto/dkg/key-pair';

/** One attempt of key generation as this processor takes part in it. */
export interface KeygenRef extends RunRef {
  /** Our participant indices, i .. i + weight - 1. */
  participants: number[];
}

export type SharesResult = { ok: true; shares: ParticipantMap<string>[] } | { ok: false; faulty: number };
export type CompleteResult =
  | { ok: true; substrateKey: string; networkKey: string }
  | { ok: false; accuser: number; faulty: number; blame: string | null };

/** Devnet fault injection: lets a test validator misbehave exactly as a byzantine one would. */
export interface KeygenFaults {
  /** Replace outgoing encrypted shares (local sender -> recipient -> blob parts). */
  tamperShares?(ref: KeygenRef, key: DkgKeyName, suite: AnySuite, shares: Map<number, Map<number, Uint8Array>>, peers: Map<number, Uint8Array>): void;
  /** Accuse someone although every share was valid. */
  falseAccusation?(ref: KeygenRef, suite: AnySuite, round2: Round2State[], received: Map<number, Map<number, Uint8Array>>): { accuser: number; accused: number; blame: Uint8Array } | undefined;
}

export interface KeygenDeps {
  network: ExternalNetwork;
  keystore: Keystore;
  faults?: KeygenFaults;
}

interface Round2Record {
  state: Uint8Array;
  /** recipient -> encrypted share, everything this participant sends in round 2. */
  shares: [number, Uint8Array][];
}

const textEncoder = new TextEncoder();
const textDecoder = new TextDecoder();

function encodeRound2Record(record: Round2Record): Uint8Array {
  return textEncoder.encode(JSON.stringify({ state: bytesToHex(record.state), shares: record.shares.map(([r, s]) => [r, bytesToHex(s)]) }));
}

export function decodeRound2Record(bytes: Uint8Array): Round2Record {
  const value = JSON.parse(textDecoder.decode(bytes)) as { state: string; shares: [number, string][] };
  return { state: hexToBytes(value.state), shares: value.shares.map(([r, s]) => [r, hexToBytes(s)]) };
}

export function createKeygenActivities(deps: KeygenDeps) {
  const { keystore } = deps;
  const stateRef = (ref: KeygenRef, key: DkgKeyName, participant: number, round: 'round1' | 'round2') => ({
    network: ref.network,
    session: ref.session,
    attempt: ref.attempt,
    curve: keyCurve(suiteFor(ref.network, key)),
    participant,
    round,
  });
  const checkRef = (ref: KeygenRef) => {
    if (ref.network !== deps.network) throw ApplicationFailure.nonRetryable(`this processor serves ${deps.network}, not ${ref.network}`, 'DkgInputError');
  };

  /** Round-1 states of our participants for one key, created and stored once. */
  function round1States(ref: KeygenRef, key: DkgKeyName): Round1State[] {
    const suite = suiteFor(ref.network, key);
    return ref.participants.map((participant) => {
      const fresh = () => serializeRound1State(suite, round1(suite, dkgContext(ref, key), { t: ref.t, n: ref.n }, participant).state);
      const stored = keystore.getDkgState(stateRef(ref, key, participant, 'round1')) ?? keystore.putDkgStateOnce(stateRef(ref, key, participant, 'round1'), fresh());
      return deserializeRound1State(suite, stored);
    });
  }

  function round2Records(ref: KeygenRef, key: DkgKeyName): Round2Record[] | undefined {
    const records = ref.participants.map((p) => keystore.getDkgState(stateRef(ref, key, p, 'round2')));
    if (records.some((r) => r === undefined)) return undefined;
    return records.map((r) => decodeRound2Record(r!));
  }

  /** Per local participant, the peers' key-k parts of the commitments the coordinator relayed. */
  function peersOf(commitments: ParticipantMap<string>, keyIndex: number): { peers: Map<number, Uint8Array> } | { faulty: number } {
    const peers = new Map<number, Uint8Array>();
    for (const [participant, blob] of Object.entries(commitments)) {
      const parts = splitHexParts(blob);
      if (!parts) return { faulty: Number(participant) };
      peers.set(Number(participant), parts[keyIndex]!);
    }
    return { peers };
  }

  return {
    /** Round 1: our commitments blob per local participant (both keys), from the stored randomness. */
    async dkgCommitments(ref: KeygenRef): Promise<string[]> {
      checkRef(ref);
      const perKey: Round1State[][] = [];
      for (const key of KEY_NAMES) {
        await heartbeat({ round: 1, key });
        perKey.push(round1States(ref, key));
      }
      const [substrate, network] = perKey;
      return ref.participants.map((_, k) => joinHexParts([substrate![k]!.message, network![k]!.message]));
    },

    /** Round 2: encrypted shares to every other participant, or the participant whose commitments are invalid. */
    async dkgShares(ref: KeygenRef, commitments: ParticipantMap<string>): Promise<SharesResult> {
      checkRef(ref);
      const perKey: Round2Record[][] = [];
      for (const [keyIndex, key] of KEY_NAMES.entries()) {
        await heartbeat({ round: 2, key });
        let records = round2Records(ref, key);
        if (!records) {
          const peers = peersOf(commitments, keyIndex);
          if ('faulty' in peers) return { ok: false, faulty: peers.faulty };
          const suite = suiteFor(ref.network, key);
          const result = validatorRound2(suite, dkgContext(ref, key), round1States(ref, key), peers.peers);
          if (!result.ok) return { ok: false, faulty: result.faults[0]!.participant };
          const shares = new Map([...result.shares].map(([sender, map]) => [sender, new Map(map)]));
          deps.faults?.tamperShares?.(ref, key, suite, shares, peers.peers);
          records = result.states.map((state) => {
            const record = { state: serializeRound2State(suite, state), shares: [...shares.get(state.participant)!] };
            const stored = keystore.putDkgStateOnce(stateRef(ref, key, state.participant, 'round2'), encodeRound2Record(record));
            return decodeRound2Record(stored);
          });
        }
        perKey.push(records);
      }
      const local = new Set(ref.participants);
      const shares = ref.participants.map((_, k) => {
        const [substrate, network] = [new Map(perKey[0]![k]!.shares), new Map(perKey[1]![k]!.shares)];
        const out: ParticipantMap<string> = {};
        for (const [recipient, part] of substrate) if (!local.has(recipient)) out[recipient] = joinHexParts([part, network.get(recipient)!]);
        return out;
      });
      return { ok: true, shares };
    },

    /** Round 3: our key shares (stored) and the group keys, or an accusation with its proof. */
    async dkgComplete(ref: KeygenRef, commitments: ParticipantMap<string>, received: ParticipantMap<string>[]): Promise<CompleteResult> {
      checkRef(ref);
      const publics: Uint8Array[] = [];
      for (const [keyIndex, key] of KEY_NAMES.entries()) {
        await heartbeat({ round: 3, key });
        const suite = suiteFor(ref.network, key);
        const records = round2Records(ref, key);
        if (!records) throw ApplicationFailure.nonRetryable(`no round-2 state for attempt ${ref.attempt}`, 'DkgStateError');
        const peers = peersOf(commitments, keyIndex);
        if ('faulty' in peers) throw ApplicationFailure.nonRetryable('commitments changed since round 2', 'DkgStateError');
        // recipient (ours) -> sender -> share: relayed shares plus those our own participants sent each other
        const byRecipient = new Map<number, Map<number, Uint8Array>>();
        for (const [k, recipient] of ref.participants.entries()) {
          const map = new Map<number, Uint8Array>();
          for (const [sender, blob] of Object.entries(received[k] ?? {})) {
            const parts = splitHexParts(blob);
            if (!parts) return { ok: false, accuser: recipient, faulty: Number(sender), blame: null };
            map.set(Number(sender), parts[keyIndex]!);
          }
          for (const [j, sender] of ref.participants.entries()) {
            if (sender !== recipient) map.set(sender, new Map(records[j]!.shares).get(recipient)!);
          }
          byRecipient.set(recipient, map);
        }
        const states = records.map((r) => deserializeRound2State(suite, r.state));
        const forged = deps.faults?.falseAccusation?.(ref, suite, states, byRecipient);
        if (forged) return { ok: false, accuser: forged.accuser, faulty: forged.accused, blame: encodeBlame(keyIndex, forged.blame) };
        const result = validatorRound3(suite, dkgContext(ref, key), states, peers.peers, byRecipient);
        if (!result.ok) return accusation(result.faults, keyIndex);
        for (const [k, participant] of ref.participants.entries()) {
          const keyPackage = result.keys[k]!;
          keystore.putKeyShare({ ...groupRef(ref, suite), participant }, encodeFrostSecret(keyPackage.secret));
        }
        const pub = encodeFrostPublic(result.keys[0]!.public);
        keystore.putGroupKey(groupRef(ref, suite), pub);
        publics.push(pub);
      }
      const [substrateKey, networkKey] = publics.map((p) => bytesToHex(decodeFrostPublic(p).commitments[0]!));
      return { ok: true, substrateKey: substrateKey!, networkKey: networkKey! };
    },

    /** Judges an accusation the coordinator relayed, from public data only. */
    async dkgVerifyBlame(ref: KeygenRef, commitments: ParticipantMap<string>, accusation: Accusation): Promise<{ faulty: number }> {
      checkRef(ref);
      const all: ParticipantMap<string> = { ...commitments };
      const [substrate, network] = KEY_NAMES.map((key) => round1States(ref, key));
      ref.participants.forEach((p, k) => (all[p] = joinHexParts([substrate![k]!.message, network![k]!.message])));
      return dkgJudge.judgeBlame({ ...ref, ...accusation, commitments: all });
    },

    /**
     * Activates a key pair Serai confirmed, if this processor generated it in some attempt of the
     * session; `attempt: null` when neither of its keys is one this processor generated (a set it
     * is not in: its scanner follows the key without a share). A pair half of which is ours is refused.
     */
    async confirmKeyPair(input: { network: ExternalNetwork; session: number; substrateKey: string; networkKey: string }): Promise<{ attempt: number | null }> {
      if (input.network !== deps.network) throw new KeyPairMismatchError(`this processor serves ${deps.network}, not ${input.network}`);
      const seraiCurve = keyCurve(suiteFor(input.network, 'substrate'));
      const networkCurve = keyCurve(suiteFor(input.network, 'network'));
      const stored = keystore.groupKeysOfSession(input.network, input.session);
      const groupKeyOf = (attempt: number, curve: string) => {
        const row = stored.find((s) => s.attempt === attempt && s.curve === curve);
        return row ? bytesToHex(decodeFrostPublic(row.groupKey).commitments[0]!) : undefined;
      };
      if (stored.length === 0) return { attempt: null };
      const attempts = [...new Set(stored.map((s) => s.attempt))];
      const match = attempts.find((a) => groupKeyOf(a, seraiCurve) === input.substrateKey && groupKeyOf(a, networkCurve) === input.networkKey);
      const partly = attempts.some((a) => groupKeyOf(a, seraiCurve) === input.substrateKey || groupKeyOf(a, networkCurve) === input.networkKey);
      if (match === undefined && !partly) {
        // Another attempt, without this validator, became the key (it was too slow for the one it
        // took part in, say): a set it is not in, as if it had generated nothing.
        return { attempt: null };
      }
      if (match === undefined) {
        throw new KeyPairMismatchError(
          `Serai confirmed a ${input.network} key pair for session ${input.session} that this processor did not generate (attempts here: ${attempts.join(', ') || 'none'})`,
        );
      }
      const active = keystore.getActiveKey(input.network);
      // A confirmation is final: another pair for the active session, or an older session, never
      // replaces the key the scanner watches.
      if (active !== undefined && (active.session > input.session || (active.session === input.session && active.attempt !== match))) {
        throw new KeyPairMismatchError(
          `Serai confirmed session ${input.session} attempt ${match} of ${input.network}, but session ${active.session} attempt ${active.attempt} is already active`,
        );
      }
      keystore.setActiveKey({ network: input.network, session: input.session, attempt: match, curve: networkCurve });
      return { attempt: match };
    },
  };
}

/**
 * Tells Temporal the activity is alive between its heavy steps (the keygen activities have a
 * heartbeat timeout); public progress only. The SDK encodes and sends a heartbeat on the event
 * loop, so the activity yields once before it computes again: without that, no heartbeat of a
 * long round left the process until the round had ended.
 */
async function heartbeat(progress: { round: number; key: DkgKeyName }): Promise<void> {
  Context.current().heartbeat(progress);
  await new Promise((resolve) => setImmediate(resolve));
}

function groupRef(ref: KeygenRef, suite: AnySuite) {
  return { network: ref.network, session: ref.session, attempt: ref.attempt, curve: keyCurve(suite) };
}

function accusation(faults: readonly DkgFault[], keyIndex: number): CompleteResult {
  const fault = faults.find((f) => f.kind === 'InvalidShare');
  if (!fault || fault.kind !== 'InvalidShare') {
    throw ApplicationFailure.nonRetryable(`round 3 reported ${faults[0]?.kind ?? 'no fault'}`, 'DkgStateError');
  }
  return { ok: false, accuser: fault.recipient, faulty: fault.sender, blame: encodeBlame(keyIndex, fault.blame) };
}
