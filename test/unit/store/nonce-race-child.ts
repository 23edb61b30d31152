/**
 * One racer of nonce-ledger-race.test.ts: a separate OS process with its own SQLite connection.
 * On each `round` message it waits for the shared start instant, then preprocesses and tries to
 * consume the round's nonces for its own message, and reports what happened.
 */
import { randomBytes, bytesToHex } from '@noble/ciphers/utils.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { Keystore } from '../../../store/keystore';
import { loadKeystoreKey } from '../../../store/keystore-key';

export interface RoundCommand {
  type: 'round';
  round: number;
  startAt: number;
}

export interface RoundReport {
  type: 'result';
  racer: string;
  round: number;
  outcome: string;
  commitments: string;
  messageHash: string;
  share: string | null;
  generateCalls: number;
  signCalls: number;
}

export function raceMessageHash(racer: string, round: number): Uint8Array {
  return sha256(new TextEncoder().encode(`racer ${racer} round ${round}`));
}

export function raceSignId(round: number): string {
  return `race-${round}`;
}

const racer = process.env.RACER ?? '?';
const keystore = Keystore.open({ path: process.env.RACE_DB ?? '', key: loadKeystoreKey() });

function runRound({ round, startAt }: RoundCommand): RoundReport {
  const messageHash = raceMessageHash(racer, round);
  let generateCalls = 0;
  let signCalls = 0;
  while (Date.now() < startAt) {
    // Spin rather than sleep: both racers leave this loop within the same millisecond.
  }
  const commitments = keystore.nonces.preprocess(raceSignId(round), 0, 1, () => {
    generateCalls += 1;
    return { secret: randomBytes(64), commitments: randomBytes(66) };
  });
  let outcome = 'won';
  let share: Uint8Array | null = null;
  try {
    share = keystore.nonces.consumeForMessage(raceSignId(round), 0, 1, messageHash, (nonceSecret) => {
      signCalls += 1;
      return sha256(new Uint8Array([...nonceSecret, ...messageHash]));
    });
  } catch (error) {
    outcome = error instanceof Error ? error.name : String(error);
  }
  return {
    type: 'result',
    racer,
    round,
    outcome,
    commitments: bytesToHex(commitments),
    messageHash: bytesToHex(messageHash),
    share: share && bytesToHex(share),
    generateCalls,
    signCalls,
  };
}

process.on('message', (message: RoundCommand | { type: 'exit' }) => {
  if (message.type === 'exit') {
    keystore.close();
    process.disconnect();
    return;
  }
  process.send?.(runRound(message));
});
process.send?.({ type: 'ready', racer });
