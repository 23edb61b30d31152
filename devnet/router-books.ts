/**
 * The books of Ethereum's Router in ETH, from the chain and Serai alone (no processor state), as of
 * one block: what the Router holds must be exactly Serai's supply (in wei) + what burns are still
 * owed + deposits not yet minted + the dust below Serai's 8 decimals that minting left behind. Every
 * key of a rotation holds the same Router, so one balance covers both. Pure.
 *
 * A payment lowers the holdings and what is owed alike, so a second payment of a burn, or one to
 * a payee no burn names, leaves the identity intact: those are caught per payee instead (no payee
 * may be paid more than was burned to it). A mint of more than arrived, or coins leaving the Router
 * any other way, break the identity.
 */

/** Serai's units are 8 decimals; ETH has 18. */
export const WEI_PER_UNIT = 10n ** 10n;

export interface RouterDeposit {
  holder: string;
  /** Wei. */
  amount: bigint;
  height: number;
}

export interface RouterBurn {
  holder: string;
  /** Serai's units. */
  amount: bigint;
  /** The payee, 0x-less lowercase hex. */
  payee: string;
}

/** An `execute` the Router ran, in ETH: its outs (wei) and the relayer's fee (wei). */
export interface RouterExecute {
  height: number;
  fee: bigint;
  outs: { to: string; amount: bigint }[];
}

export interface RouterBooks {
  stage: string;
  height: number;
  /** Wei, as decimal strings. */
  holdings: string;
  supply: string;
  owed: string;
  inTransit: string;
  dust: string;
  /** Holdings less everything above: zero when the books balance. */
  unexplained: string;
  /** Payees paid more than their burn, or paid at all without one. */
  overpaid: string[];
  balanced: boolean;
}

/**
 * The books at `height`: `holdings` is the Router's balance there, `minted` what Serai minted to each
 * holder (its balance plus what it burned) and `supplyUnits` Serai's supply, read before the chain.
 */
export function routerBooksAt(
  stage: string,
  height: number,
  holdings: bigint,
  serai: { supplyUnits: bigint; minted: ReadonlyMap<string, bigint> },
  deposits: readonly RouterDeposit[],
  burns: readonly RouterBurn[],
  executes: readonly RouterExecute[],
): RouterBooks {
  const arrived = deposits.filter((d) => d.height <= height);
  // Each deposit has a holder of its own, so a holder's mint is its deposit's.
  const mintedDeposits = arrived.filter((d) => (serai.minted.get(d.holder) ?? 0n) > 0n);
  const inTransit = arrived.filter((d) => !mintedDeposits.includes(d)).reduce((sum, d) => sum + d.amount, 0n);
  const dust = mintedDeposits.reduce((sum, d) => sum + (d.amount % WEI_PER_UNIT), 0n);
  const paidTo = new Map<string, bigint>();
  let fees = 0n;
  for (const execute of executes.filter((e) => e.height <= height)) {
    fees += execute.fee;
    for (const out of execute.outs) paidTo.set(out.to.toLowerCase(), (paidTo.get(out.to.toLowerCase()) ?? 0n) + out.amount);
  }
  const burnedTo = new Map<string, bigint>();
  for (const burn of burns) burnedTo.set(burn.payee.toLowerCase(), (burnedTo.get(burn.payee.toLowerCase()) ?? 0n) + burn.amount * WEI_PER_UNIT);
  const overpaid = [...paidTo].filter(([payee, paid]) => paid > (burnedTo.get(payee) ?? 0n)).map(([payee]) => payee);
  const owed = [...burnedTo.values()].reduce((sum, v) => sum + v, 0n) - [...paidTo.values()].reduce((sum, v) => sum + v, 0n) - fees;
  const supply = serai.supplyUnits * WEI_PER_UNIT;
  const unexplained = holdings - supply - owed - inTransit - dust;
  return {
    stage,
    height,
    holdings: holdings.toString(),
    supply: supply.toString(),
    owed: owed.toString(),
    inTransit: inTransit.toString(),
    dust: dust.toString(),
    unexplained: unexplained.toString(),
    overpaid,
    balanced: unexplained === 0n && overpaid.length === 0 && owed >= 0n,
  };
}
