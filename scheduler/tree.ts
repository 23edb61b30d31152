/** A transaction output slot: one payment, or a branch output funding a further transaction. */
export type Slot<T> = { readonly kind: 'leaf'; readonly item: T } | { readonly kind: 'branch'; readonly items: readonly T[] };

/**
 * Lays `items` out over at most `capacity` outputs, nesting the overflow in branches whose
 * transactions hold at most `branchCapacity` outputs each.
 *
 * The tree is as shallow as possible (depth 1 + k for the least k with capacity * branchCapacity^k
 * >= items) and balanced: branch sizes differ by at most one, and as many items as fit are paid
 * directly. Earlier items are paid at shallower depth. Laying out a branch's items again with
 * `capacity = branchCapacity` yields the next level, so branches store only their item list.
 * Every branch holds at least two items.
 */
export function layoutOutputs<T>(items: readonly T[], capacity: number, branchCapacity: number): Slot<T>[] {
  if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError('layoutOutputs: capacity must be >= 1');
  if (!Number.isInteger(branchCapacity) || branchCapacity < 2) {
    throw new RangeError('layoutOutputs: branchCapacity must be >= 2');
  }
  const n = items.length;
  if (n <= capacity) return items.map((item) => ({ kind: 'leaf', item }));

  let perBranch = branchCapacity;
  while (capacity * perBranch < n) perBranch *= branchCapacity;
  // b branches of at most perBranch items plus (capacity - b) leaves must hold n items.
  const branches = Math.ceil((n - capacity) / (perBranch - 1));
  const leaves = capacity - branches;
  const nested = n - leaves;
  const base = Math.floor(nested / branches);
  const larger = nested % branches;

  const slots: Slot<T>[] = items.slice(0, leaves).map((item) => ({ kind: 'leaf', item }));
  let start = leaves;
  for (let i = 0; i < branches; i++) {
    const size = base + (i < larger ? 1 : 0);
    slots.push({ kind: 'branch', items: items.slice(start, start + size) });
    start += size;
  }
  return slots;
}

/** How many transactions deep `n` items go: 1 when they fit in `capacity`. */
export function treeDepth(n: number, capacity: number, branchCapacity: number): number {
  let depth = 1;
  let reach = capacity;
  while (reach < n) {
    reach *= branchCapacity;
    depth += 1;
  }
  return depth;
}
