import { randomBytes } from '@noble/hashes/utils.js';
import { runThreshold } from '../../../crypto/demo';
import { SignerSetError } from '../../../crypto/sign/errors';
import type { SchemeId } from '../../../crypto/suites';

const RUNS = Number(process.env.CRYPTO_RANDOM_RUNS ?? 20);
const SEED = Number(process.env.CRYPTO_RANDOM_SEED ?? Date.now() % 2 ** 31);

/** mulberry32: a small seeded PRNG, so a failing run can be replayed with CRYPTO_RANDOM_SEED. */
function prng(seed: number): (max: number) => number {
  let a = seed >>> 0;
  return (max) => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (((t ^ (t >>> 14)) >>> 0) / 4294967296) * max;
  };
}

jest.setTimeout(600_000);

describe.each<SchemeId>(['bip340', 'ethereum', 'sr25519', 'ed25519'])('%s: randomized DKG + threshold signing', (scheme) => {
  test(`${RUNS} runs with random t <= n <= 12, weights and signer subsets all verify (seed ${SEED})`, () => {
    const random = prng(SEED ^ scheme.length);
    const int = (lo: number, hi: number) => lo + Math.floor(random(hi - lo + 1));
    for (let run = 0; run < RUNS; run++) {
      const n = int(2, 12);
      const weights: number[] = [];
      for (let left = n; left > 0; ) {
        const w = int(1, Math.min(3, left));
        weights.push(w);
        left -= w;
      }
      const t = int(2, n);
      const all = Array.from({ length: n }, (_, k) => k + 1);
      for (let k = all.length - 1; k > 0; k--) {
        const j = int(0, k);
        [all[k], all[j]] = [all[j]!, all[k]!];
      }
      const signers = all.slice(0, int(t, n)).sort((a, b) => a - b);
      const message = randomBytes(int(0, 64));
      const result = runThreshold({ scheme, t, weights, signers, message });
      if (!result.ok || !result.verified) throw new Error(`run ${run} (seed ${SEED}): t=${t} weights=${weights} signers=${signers} failed: ${JSON.stringify(result)}`);
    }
  });

  test('a signer set smaller than t fails with a clear error', () => {
    expect(() => runThreshold({ scheme, t: 3, weights: [1, 1, 1, 1], signers: [1, 2], message: randomBytes(8) })).toThrow(SignerSetError);
    expect(() => runThreshold({ scheme, t: 3, weights: [1, 1, 1, 1], signers: [1, 2], message: randomBytes(8) })).toThrow(/3/);
  });

  test.each(['share', 'accuse', 'nonce'] as const)('cheat %s: participant 2 (validator 1 of weights 2,1,1) is blamed', (cheat) => {
    const result = runThreshold({ scheme, t: 3, weights: [2, 1, 1], message: randomBytes(16), cheat });
    expect(result).toMatchObject({ ok: false, blamed: [2], blamedValidators: [1], stage: cheat === 'nonce' ? 'signing' : 'dkg' });
  });
});
