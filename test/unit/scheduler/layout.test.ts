import fc from 'fast-check';

import { amortize, layoutOutputs, treeDepth, type Slot } from '../../../scheduler';

describe('amortize', () => {
  test('an even split, the remainder on the first', () => {
    expect(amortize([100n, 100n, 100n], 10n)).toEqual([96n, 97n, 97n]);
    expect(amortize([100n, 100n, 100n], 0n)).toEqual([100n, 100n, 100n]);
  });

  test('an amount smaller than its share is emptied and the rest is shared again', () => {
    // 10 each: the 2 gives 2; the other 8 is split over the two left, 4 each.
    expect(amortize([2n, 100n, 100n], 30n)).toEqual([0n, 86n, 86n]);
  });

  test('an emptied first amount does not take the remainder again (the original could loop forever)', () => {
    // Round 1: shares 2, 1, 1 but the first holds 1: [0, 4, 4], 1 left. Round 2: the remainder
    // goes to the first amount still open, the second.
    expect(amortize([1n, 5n, 5n], 4n)).toEqual([0n, 3n, 4n]);
  });

  test('refuses to deduct more than there is', () => {
    expect(() => amortize([5n, 5n], 11n)).toThrow(RangeError);
  });

  test('deducts exactly the total, never below zero, never more than the even share plus remainder', () => {
    fc.assert(
      fc.property(fc.array(fc.bigInt(0n, 10n ** 12n), { minLength: 1, maxLength: 30 }), fc.double({ min: 0, max: 1, noNaN: true }), (amounts, fraction) => {
        const available = amounts.reduce((a, b) => a + b, 0n);
        const total = BigInt(Math.floor(Number(available) * fraction));
        const result = amortize(amounts, total > available ? available : total);
        expect(result.every((amount) => amount >= 0n)).toBe(true);
        expect(available - result.reduce((a, b) => a + b, 0n)).toBe(total > available ? available : total);
        result.forEach((amount, i) => expect(amount).toBeLessThanOrEqual(amounts[i] ?? 0n));
      }),
      { numRuns: 300 },
    );
  });
});

describe('layoutOutputs', () => {
  const leaves = <T>(slots: readonly Slot<T>[]): T[] =>
    slots.flatMap((slot) => (slot.kind === 'leaf' ? [slot.item] : slot.items));

  /** Depth of the transaction tree, laying out every branch again with the branch capacity. */
  function depth<T>(slots: readonly Slot<T>[], branchCapacity: number): number {
    return (
      1 +
      Math.max(0, ...slots.map((slot) => (slot.kind === 'branch' ? depth(layoutOutputs(slot.items, branchCapacity, branchCapacity), branchCapacity) : 0)))
    );
  }

  test('items that fit are all paid directly', () => {
    expect(layoutOutputs([1, 2, 3], 3, 16)).toEqual([1, 2, 3].map((item) => ({ kind: 'leaf', item })));
  });

  test('600 items, 15 + 16 capacity: 12 direct, three balanced branches of 196, depth 3', () => {
    const items = Array.from({ length: 600 }, (_, i) => i);
    const slots = layoutOutputs(items, 15, 16);
    expect(slots.filter((s) => s.kind === 'leaf')).toHaveLength(12);
    expect(slots.flatMap((s) => (s.kind === 'branch' ? [s.items.length] : []))).toEqual([196, 196, 196]);
    expect(leaves(slots)).toEqual(items);
    expect(depth(slots, 16)).toBe(3);
  });

  test('258 items with 16 outputs is not lopsided (reference 6.19 nested one branch in another)', () => {
    const slots = layoutOutputs(Array.from({ length: 258 }, (_, i) => i), 16, 16);
    const sizes = slots.flatMap((s) => (s.kind === 'branch' ? [s.items.length] : []));
    expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
    expect(depth(slots, 16)).toBe(3);
  });

  test('every item exactly once, in order, within capacity, at the least depth', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 3000 }), fc.integer({ min: 1, max: 20 }), fc.integer({ min: 2, max: 20 }), (n, capacity, branchCapacity) => {
        const items = Array.from({ length: n }, (_, i) => i);
        const slots = layoutOutputs(items, capacity, branchCapacity);
        expect(slots.length).toBeLessThanOrEqual(capacity);
        expect(leaves(slots)).toEqual(items);
        const sizes = slots.flatMap((s) => (s.kind === 'branch' ? [s.items.length] : []));
        expect(sizes.every((size) => size >= 2)).toBe(true);
        if (sizes.length > 0) expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
        expect(depth(slots, branchCapacity)).toBe(treeDepth(n, capacity, branchCapacity));
      }),
      { numRuns: 300 },
    );
  });

  test('refuses capacities that cannot make progress', () => {
    expect(() => layoutOutputs([1, 2], 0, 16)).toThrow(RangeError);
    expect(() => layoutOutputs([1, 2], 1, 1)).toThrow(RangeError);
  });
});
