import fc from 'fast-check';

import { SchedulerError } from '../../../scheduler';
import { retirementBlock, rotationPolicy, rotationStage, rotationTimeline, type RotationStage } from '../../../scheduler/rotation';

describe('rotation timeline (reference 1.18 and section 5)', () => {
  it("Bitcoin (C = 6, 600 s blocks): 10 minutes' grace is one block, 6 hours of forwarding 36", () => {
    const timeline = rotationTimeline(100, { confirmations: 6, blockTimeSeconds: 600 });
    expect(timeline).toEqual({ activation: 100, newAsChange: 107, forwardFromExisting: 113, closingExisting: 149, confirmations: 6 });
    const stages = [99, 100, 106, 107, 112, 113, 148, 149, 10_000].map((h) => rotationStage(timeline, h));
    expect(stages).toEqual(['use-existing', 'use-existing', 'use-existing', 'new-as-change', 'new-as-change', 'forward-from-existing', 'forward-from-existing', 'closing-existing', 'closing-existing']);
  });

  it('Ethereum (12 s blocks): 50 blocks of grace and 1,800 of forwarding; forwarding never shorter than C', () => {
    expect(rotationTimeline(0, { confirmations: 1, blockTimeSeconds: 12 })).toEqual({ activation: 0, newAsChange: 51, forwardFromExisting: 52, closingExisting: 1852, confirmations: 1 });
    const devnet = rotationTimeline(10, { confirmations: 3, blockTimeSeconds: 1, graceSeconds: 2, forwardingSeconds: 1 });
    expect(devnet).toEqual({ activation: 10, newAsChange: 15, forwardFromExisting: 18, closingExisting: 21, confirmations: 3 });
  });

  it('stages only move forward with the height, and each stage lasts at least C blocks', () => {
    const order: RotationStage[] = ['use-existing', 'new-as-change', 'forward-from-existing', 'closing-existing'];
    fc.assert(
      fc.property(fc.nat(1_000_000), fc.integer({ min: 1, max: 100 }), fc.integer({ min: 1, max: 1_000 }), fc.nat(100_000), fc.nat(100_000), (a, c, blockTime, grace, forwarding) => {
        const t = rotationTimeline(a, { confirmations: c, blockTimeSeconds: blockTime, graceSeconds: grace, forwardingSeconds: forwarding });
        if (t.newAsChange - t.activation < c || t.forwardFromExisting - t.newAsChange !== c || t.closingExisting - t.forwardFromExisting < c) return false;
        let last = 0;
        for (let h = Math.max(0, a - 2); h <= t.closingExisting + 2; h += Math.max(1, Math.floor((t.closingExisting - a) / 50))) {
          const index = order.indexOf(rotationStage(t, h));
          if (index < last) return false;
          last = index;
        }
        return rotationStage(t, t.closingExisting) === 'closing-existing';
      }),
      { numRuns: Number(process.env.CRYPTO_RANDOM_RUNS ?? 200) },
    );
  });

  it('each stage says who pays, where the existing key\'s change goes and what becomes of deposits to either key', () => {
    expect(['use-existing', 'new-as-change', 'forward-from-existing', 'closing-existing'].map((s) => rotationPolicy(s as RotationStage))).toEqual([
      { payer: 'existing', existingChange: 'existing', existingDeposit: 'credit', newDeposit: 'hold', handOver: false },
      { payer: 'existing', existingChange: 'new', existingDeposit: 'credit', newDeposit: 'credit', handOver: false },
      { payer: 'new', existingChange: 'new', existingDeposit: 'forward', newDeposit: 'credit', handOver: true },
      { payer: 'new', existingChange: 'new', existingDeposit: 'ignore', newDeposit: 'credit', handOver: true },
    ]);
  });

  it('the existing key retires C blocks after it is empty in closing, never before closing', () => {
    const t = rotationTimeline(100, { confirmations: 6, blockTimeSeconds: 600 });
    expect(retirementBlock(t, null)).toBeNull();
    expect(retirementBlock(t, 120)).toBe(155);
    expect(retirementBlock(t, 160)).toBe(166);
  });

  it('refuses a height or timing that is not a schedule', () => {
    for (const [a, timing] of [
      [-1, { confirmations: 6, blockTimeSeconds: 600 }],
      [1.5, { confirmations: 6, blockTimeSeconds: 600 }],
      [0, { confirmations: 0, blockTimeSeconds: 600 }],
      [0, { confirmations: 6, blockTimeSeconds: 0 }],
      [0, { confirmations: 6, blockTimeSeconds: 600, graceSeconds: -1 }],
      [0, { confirmations: 6, blockTimeSeconds: 600, forwardingSeconds: Number.NaN }],
    ] as const) {
      expect(() => rotationTimeline(a, timing)).toThrow(SchedulerError);
    }
  });
});
