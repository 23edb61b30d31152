import { randomBytes } from '@noble/hashes/utils.js';
import type { Key } from '@noble/curves/abstract/frost.js';
import { aggregate, commit, prepareKey, signShare } from '../../../crypto/signing';
import { schemes } from '../../../crypto/suites';
import { coordinatorStatusQuery, type CoordinateKeygenResult } from '../../../devnet/coordinator/defs';
import type { ValidatorSpec } from '../../../devnet/validator-set';
import { keysOf, openValidatorKeystore, startKeygenHarness, type KeygenHarness } from '../../support/keygen-net';

jest.setTimeout(300_000);

const ROUNDS = { roundTimeout: '60 seconds', blameTimeout: '30 seconds', maxAttempts: 3 };

/** The confirmed key of `result` signs a BIP340 message with exactly t of the members' shares. */
function assertWorkingKey(h: KeygenHarness, result: CoordinateKeygenResult, t: number): void {
  const members = result.attempts[result.attempts.length - 1]!.members;
  const keys: Key[] = [];
  for (const m of members) {
    const keystore = openValidatorKeystore(h.dataDir, m.name);
    try {
      const participants = Array.from({ length: m.weight }, (_, k) => m.first + k);
      keys.push(...keysOf(keystore, { session: 0, attempt: result.attempt, curve: 'secp256k1' }, participants));
    } finally {
      keystore.close();
    }
  }
  const scheme = schemes.bip340;
  const signers = keys.slice(0, t).map((k) => prepareKey(scheme, k, 'external'));
  const msg = randomBytes(32);
  const ids = signers.map((k) => scheme.backend.participantOf(k.secret.identifier, 'identifier'));
  const pre = signers.map((k) => commit(scheme, k.secret));
  const commitments = new Map(ids.map((p, i) => [p, pre[i]!.commitments]));
  const shares = new Map(ids.map((p, i) => [p, signShare(scheme, signers[i]!, pre[i]!.nonces, commitments, msg)]));
  const signature = aggregate(scheme, signers[0]!.public, commitments, msg, shares);
  expect(scheme.verify(signature, msg, scheme.groupKeyEncoding(signers[0]!.public))).toBe(true);
}

async function withHarness(validators: ValidatorSpec[], body: (h: KeygenHarness) => Promise<void>): Promise<void> {
  const h = await startKeygenHarness(validators);
  try {
    await body(h);
  } finally {
    await h.stop();
  }
}

const FOUR = (overrides: Record<string, Partial<ValidatorSpec>> = {}): ValidatorSpec[] =>
  [
    { name: 'alice', weight: 2 },
    { name: 'bob', weight: 1 },
    { name: 'carol', weight: 1 },
    { name: 'dave', weight: 1 },
  ].map((v) => ({ ...v, ...overrides[v.name] }));

test('a worker killed with SIGKILL between rounds resumes with the commitments it already sent', async () => {
  // dave starts offline, so the coordinator holds round 1 open while bob has already committed.
  await withHarness(FOUR({ dave: { offline: true } }), async (h) => {
    const handle = await h.net.startKeygen({ network: 'bitcoin', session: 0, t: 4, settings: ROUNDS });
    const committed = async (name: string) => (await handle.query(coordinatorStatusQuery)).replies[name]?.includes('key_gen.Commitments') ?? false;
    for (let i = 0; i < 600 && !(await committed('bob')); i++) await new Promise((r) => setTimeout(r, 100));
    expect(await committed('bob')).toBe(true);
    h.net.set.kill('bob');
    const stored = openValidatorKeystore(h.dataDir, 'bob');
    const round1Before = stored.getDkgState({ network: 'bitcoin', session: 0, attempt: 0, curve: 'secp256k1', participant: 3, round: 'round1' });
    stored.close();

    await h.net.set.restart('dave'); // round 1 completes; bob's Commitments signal waits in its history
    await h.net.set.restart('bob');
    const result = await handle.result();
    expect(result.attempt).toBe(0);
    expect(result.attempts.map((a) => a.result)).toEqual(['generated']);
    const after = openValidatorKeystore(h.dataDir, 'bob');
    expect(after.getDkgState({ network: 'bitcoin', session: 0, attempt: 0, curve: 'secp256k1', participant: 3, round: 'round1' })).toEqual(round1Before);
    after.close();
    assertWorkingKey(h, result, 4);
  });
});

test('a validator that sends one peer a bad share is blamed by the set and excluded; the rest make a working key', async () => {
  // bob is participant 3; carol is participant 4.
  await withHarness(FOUR({ bob: { byzantine: 'bad-share:4' } }), async (h) => {
    const result = await h.net.generateKey({ network: 'bitcoin', session: 0, t: 4, settings: ROUNDS });
    const first = result.attempts[0]!;
    expect(first.result).toBe('invalid-share');
    expect(first.excluded).toEqual([{ name: 'bob', reason: 'sent participant 4 an invalid share' }]);
    // Every processor that judged the accusation named bob's participant.
    for (const name of ['alice', 'carol', 'dave']) expect(first.verdicts?.[name]).toEqual([3]);
    expect(result.attempt).toBe(1);
    expect(result.members).toEqual(['alice', 'carol', 'dave']);
    assertWorkingKey(h, result, 4);
  });
});

test('a validator that falsely accuses an honest peer is blamed instead and excluded; the rest make a working key', async () => {
  // carol (participant 4) accuses bob (participant 3) with a genuine proof of a valid share.
  await withHarness(FOUR({ carol: { byzantine: 'false-accuse:3' } }), async (h) => {
    const result = await h.net.generateKey({ network: 'bitcoin', session: 0, t: 4, settings: ROUNDS });
    const first = result.attempts[0]!;
    expect(first.result).toBe('invalid-share');
    expect(first.excluded).toEqual([{ name: 'carol', reason: 'falsely accused participant 3' }]);
    for (const name of ['alice', 'bob', 'dave']) expect(first.verdicts?.[name]).toEqual([4]);
    expect(result.attempt).toBe(1);
    expect(result.members).toEqual(['alice', 'bob', 'dave']);
    assertWorkingKey(h, result, 4);
  });
});

test('a validator that never answers times the attempt out; the next attempt excludes it and the rest make a working key', async () => {
  await withHarness(FOUR({ dave: { offline: true } }), async (h) => {
    const started = Date.now();
    const result = await h.net.generateKey({ network: 'bitcoin', session: 0, t: 4, settings: { ...ROUNDS, roundTimeout: '5 seconds' } });
    expect(Date.now() - started).toBeGreaterThanOrEqual(5000);
    expect(result.attempts[0]).toMatchObject({ result: 'timeout', excluded: [{ name: 'dave', reason: 'no answer in attempt 0: commitments' }] });
    expect(result.attempt).toBe(1);
    expect(result.members).toEqual(['alice', 'bob', 'carol']);
    assertWorkingKey(h, result, 4);
  });
});
