/** The Router's books (devnet/router-books.ts) on hand-made histories: balanced when every flow is Serai's, not when one is not. */
import { routerBooksAt, WEI_PER_UNIT, type RouterBurn, type RouterDeposit, type RouterExecute } from '../../../devnet/router-books';

const ETH = 10n ** 18n;
const deposits: RouterDeposit[] = [
  { holder: 'h1', amount: ETH / 2n + 7n, height: 10 },
  { holder: 'h2', amount: ETH / 4n, height: 20 },
];
const burns: RouterBurn[] = [{ holder: 'h1', amount: 10_000_000n, payee: 'aa'.repeat(20) }];
const paid: RouterExecute = { height: 30, fee: 1_000_000n, outs: [{ to: 'aa'.repeat(20), amount: 10_000_000n * WEI_PER_UNIT - 1_000_000n }] };
const mintedUnits = (d: RouterDeposit) => d.amount / WEI_PER_UNIT;
const serai = (minted: RouterDeposit[], burned: RouterBurn[]) => ({
  supplyUnits: minted.reduce((s, d) => s + mintedUnits(d), 0n) - burned.reduce((s, b) => s + b.amount, 0n),
  minted: new Map(minted.map((d) => [d.holder, mintedUnits(d)])),
});

test('balanced after deposits, a mint, a burn and its payout: the dust below 8 decimals stays, the fee left with the payout', () => {
  const holdings = deposits[0]!.amount + deposits[1]!.amount - burns[0]!.amount * WEI_PER_UNIT;
  const books = routerBooksAt('end', 40, holdings, serai(deposits, burns), deposits, burns, [paid]);
  expect(books).toMatchObject({ balanced: true, owed: '0', inTransit: '0', dust: '7', unexplained: '0', overpaid: [] });
});

test('a deposit not yet minted is in transit, a burn not yet paid is owed', () => {
  const holdings = deposits[0]!.amount + deposits[1]!.amount;
  const books = routerBooksAt('mid', 25, holdings, serai([deposits[0]!], burns), deposits, burns, []);
  expect(books).toMatchObject({ balanced: true, owed: (burns[0]!.amount * WEI_PER_UNIT).toString(), inTransit: deposits[1]!.amount.toString() });
});

test('a burn paid twice, or a payment no burn names, is overpaid; a mint of more than arrived is unexplained', () => {
  const holdings = deposits[0]!.amount + deposits[1]!.amount - 2n * burns[0]!.amount * WEI_PER_UNIT;
  const twice = routerBooksAt('end', 40, holdings, serai(deposits, burns), deposits, burns, [paid, { ...paid, height: 31 }]);
  expect(twice.balanced).toBe(false);
  expect(twice.overpaid).toEqual(['aa'.repeat(20)]);

  const stranger: RouterExecute = { height: 32, fee: 0n, outs: [{ to: 'bb'.repeat(20), amount: 5n }] };
  const leaked = routerBooksAt('end', 40, holdings + burns[0]!.amount * WEI_PER_UNIT - 5n, serai(deposits, burns), deposits, burns, [paid, stranger]);
  expect(leaked.balanced).toBe(false);
  expect(leaked.overpaid).toEqual(['bb'.repeat(20)]);

  const over = serai(deposits, burns);
  const minted = routerBooksAt('end', 40, deposits[0]!.amount + deposits[1]!.amount - burns[0]!.amount * WEI_PER_UNIT, { ...over, supplyUnits: over.supplyUnits + 1n }, deposits, burns, [paid]);
  expect(minted.balanced).toBe(false);
  expect(minted.unexplained).toBe((-WEI_PER_UNIT).toString());
});
