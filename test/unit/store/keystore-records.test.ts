import { randomBytes } from '@noble/ciphers/utils.js';
import { StoreInputError, StoredValueConflictError } from '../../../store/errors';
import type { Keystore, DkgStateRef } from '../../../store/keystore';
import { freshKeystore, tempDir } from './helpers';

const { dir, cleanup } = tempDir('keystore-records');
afterAll(cleanup);

let keystore: Keystore;
beforeEach(() => {
  keystore = freshKeystore(dir).keystore;
});
afterEach(() => keystore.close());

const dkg: DkgStateRef = { network: 'ethereum', session: 0, attempt: 2, curve: 'ristretto255', participant: 7, round: 'round1' };

describe('DKG state', () => {
  test('putDkgStateOnce stores the first value and returns it to every later caller, never overwriting', () => {
    const first = randomBytes(96);
    expect(keystore.getDkgState(dkg)).toBeUndefined();
    expect(keystore.putDkgStateOnce(dkg, first)).toEqual(first);
    expect(keystore.putDkgStateOnce(dkg, randomBytes(96))).toEqual(first);
    expect(keystore.getDkgState(dkg)).toEqual(first);
  });

  test('every field of the reference separates states', () => {
    const variants: DkgStateRef[] = [
      { ...dkg, network: 'bitcoin' },
      { ...dkg, session: 1 },
      { ...dkg, attempt: 3 },
      { ...dkg, curve: 'secp256k1' },
      { ...dkg, participant: 8 },
      { ...dkg, round: 'round2' },
    ];
    const base = keystore.putDkgStateOnce(dkg, randomBytes(32));
    for (const ref of variants) {
      const own = randomBytes(32);
      expect(keystore.putDkgStateOnce(ref, own)).toEqual(own);
    }
    expect(keystore.getDkgState(dkg)).toEqual(base);
  });
});

describe('key shares', () => {
  const ref = { network: 'bitcoin', session: 1, attempt: 0, curve: 'secp256k1', participant: 2 } as const;

  test('are idempotent for the same bytes and refuse a different share without revealing either', () => {
    const share = randomBytes(32);
    keystore.putKeyShare(ref, share);
    keystore.putKeyShare(ref, Uint8Array.from(share));
    const other = randomBytes(32);
    expect(() => keystore.putKeyShare(ref, other)).toThrow(StoredValueConflictError);
    expect(() => keystore.putKeyShare(ref, other)).toThrow(/key share bitcoin\/1\/0\/secp256k1\/2 is already stored/);
    expect(keystore.getKeyShare(ref)).toEqual(share);
    expect(keystore.getKeyShare({ ...ref, participant: 3 })).toBeUndefined();
  });
});

describe('public key metadata', () => {
  const old = { network: 'bitcoin', session: 1, attempt: 0, curve: 'secp256k1' } as const;
  const next = { ...old, session: 2 } as const;

  test('group keys are write-once and the active key follows setActiveKey', () => {
    const oldKey = randomBytes(33);
    const nextKey = randomBytes(33);
    keystore.putGroupKey(old, oldKey);
    keystore.putGroupKey(old, oldKey);
    expect(() => keystore.putGroupKey(old, nextKey)).toThrow(StoredValueConflictError);
    keystore.putGroupKey(next, nextKey);

    expect(keystore.getActiveKey('bitcoin')).toBeUndefined();
    keystore.setActiveKey(old);
    expect(keystore.getActiveKey('bitcoin')).toEqual({ ...old, groupKey: oldKey });
    keystore.setActiveKey(next);
    expect(keystore.getActiveKey('bitcoin')).toEqual({ ...next, groupKey: nextKey });
    expect(keystore.getActiveKey('ethereum')).toBeUndefined();
  });

  test('two attempts of one session keep separate keys; the confirmed attempt becomes active', () => {
    const attempt0 = { ...old, session: 5, attempt: 0 } as const;
    const attempt1 = { ...old, session: 5, attempt: 1 } as const;
    const key0 = randomBytes(33);
    const key1 = randomBytes(33);
    keystore.putGroupKey(attempt0, key0);
    keystore.putGroupKey(attempt1, key1);
    expect(keystore.getGroupKey(attempt0)).toEqual(key0);
    expect(keystore.getGroupKey(attempt1)).toEqual(key1);
    keystore.setActiveKey(attempt1);
    expect(keystore.getActiveKey('bitcoin')).toEqual({ ...attempt1, groupKey: key1 });
    expect(keystore.groupKeysOfSession('bitcoin', 5)).toEqual([
      { ...attempt0, groupKey: key0 },
      { ...attempt1, groupKey: key1 },
    ]);
    expect(keystore.groupKeysOfSession('bitcoin', 6)).toEqual([]);
  });

  test("each session keeps its confirmed key: the network's active key is the latest confirmed, the earlier stays readable", () => {
    const first = { ...old, session: 7, attempt: 0 } as const;
    const second = { ...old, session: 8, attempt: 2 } as const;
    const firstKey = randomBytes(33);
    const secondKey = randomBytes(33);
    keystore.putGroupKey(first, firstKey);
    keystore.putGroupKey(second, secondKey);
    keystore.putGroupKey({ ...second, attempt: 3 }, randomBytes(33));
    expect(keystore.getConfirmedKey('bitcoin', 7)).toBeUndefined();
    keystore.setActiveKey(first);
    keystore.setActiveKey(second);
    expect(keystore.getActiveKey('bitcoin')).toEqual({ ...second, groupKey: secondKey });
    expect(keystore.getConfirmedKey('bitcoin', 7)).toEqual({ ...first, groupKey: firstKey });
    expect(keystore.getConfirmedKey('bitcoin', 8)).toEqual({ ...second, groupKey: secondKey });
    expect(keystore.getConfirmedKey('ethereum', 7)).toBeUndefined();
  });

  test('a key that was never stored cannot become active', () => {
    expect(() => keystore.setActiveKey({ network: 'ethereum', session: 9, attempt: 0, curve: 'secp256k1' })).toThrow(
      expect.objectContaining({ name: 'StoreInputError', field: 'session' }),
    );
  });
});

describe('bad input is a StoreInputError naming the field', () => {
  const cases: [string, () => unknown, string][] = [
    ['participant 0', () => keystore.putDkgStateOnce({ ...dkg, participant: 0 }, randomBytes(8)), 'participant'],
    ['participant above u16', () => keystore.getDkgState({ ...dkg, participant: 70_000 }), 'participant'],
    ['fractional attempt', () => keystore.getDkgState({ ...dkg, attempt: 1.5 }), 'attempt'],
    ['negative session', () => keystore.getDkgState({ ...dkg, session: -1 }), 'session'],
    ['network with a slash', () => keystore.getDkgState({ ...dkg, network: 'bit/coin' }), 'network'],
    ['unknown curve', () => keystore.getDkgState({ ...dkg, curve: 'p256' as never }), 'curve'],
    ['empty state', () => keystore.putDkgStateOnce(dkg, new Uint8Array(0)), 'state'],
    ['state not bytes', () => keystore.putDkgStateOnce(dkg, 'secret' as never), 'state'],
    ['missing ref', () => keystore.getGroupKey(undefined as never), 'ref'],
    ['group key not bytes', () => keystore.putGroupKey({ network: 'bitcoin', session: 1, attempt: 0, curve: 'secp256k1' }, [1, 2] as never), 'groupKey'],
  ];
  test.each(cases)('%s', (_label, call, fieldName) => {
    let caught: unknown;
    try {
      call();
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(StoreInputError);
    expect((caught as StoreInputError).field).toBe(fieldName);
  });
});
