/**
 * Deducts `total` from `amounts`: an even share each, the remainder on the first. An amount
 * that cannot bear its share gives all it has, and what is left is shared again among the
 * amounts still above zero, so the deduction is exact and no amount goes below zero
 * (the original's loop could spin forever on an emptied first payment, and its branch variant
 * underflowed: reference 6.4).
 */
export function amortize(amounts: readonly bigint[], total: bigint): bigint[] {
  const result = [...amounts];
  const available = result.reduce((a, b) => a + b, 0n);
  if (total < 0n || total > available) throw new RangeError('amortize: total must lie within 0..sum(amounts)');
  let remaining = total;
  while (remaining > 0n) {
    const open = result.flatMap((amount, index) => (amount > 0n ? [index] : []));
    const share = remaining / BigInt(open.length);
    let overage = remaining % BigInt(open.length);
    for (const index of open) {
      const amount = result[index] ?? 0n;
      const charge = share + overage;
      overage = 0n;
      const taken = amount < charge ? amount : charge;
      result[index] = amount - taken;
      remaining -= taken;
    }
  }
  return result;
}
