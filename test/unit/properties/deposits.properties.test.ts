/**
 * Property tests of what a Bitcoin deposit asks for (`networks/bitcoin/instructions.ts`) and of the
 * Shorthand codec under it (`messages/shorthand.ts`): thousands of random outputs with random data
 * (valid Shorthands with every kind of origin, random bytes, truncated, extended and mutated
 * encodings, data over 80 bytes, no data) and random presumed origins, at amounts across
 * [DUST, 21e6 BTC] with every limit overrepresented. Nothing throws, and each outcome conserves the
 * output's value: credited + DEPOSIT_FEE, refunded, or kept (unusable) = the output's amount.
 *
 * Default (2000 runs for the single-output properties, 667 for the others): ~5 s on 2 cores.
 * Long version: `PROPERTY_SCALE=20 npx jest test/unit/properties/deposits.properties.test.ts`.
 * On failure fast-check prints `{ seed: S, path: "P", endOnFailure: true }`; replay exactly that case
 * with `PROPERTY_SEED=S PROPERTY_PATH=P npx jest test/unit/properties/deposits.properties.test.ts -t '<test name>'`
 * (see ./arbitraries.ts for every setting).
 */
import fc from 'fast-check';
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';

import { inInstructionWithBalance } from '../../../messages/instructions';
import { ScaleDecodeError } from '../../../messages/scale-decode';
import { decodeShorthand, encodeShorthand } from '../../../messages/shorthand';
import {
  decodeAddress,
  depositOutcome,
  depositOutcomes,
  encodeAddress,
  isRefundableScript,
  type DepositOutcome,
  type InvalidInstruction,
} from '../../../networks/bitcoin/instructions';
import type { ScannedOutput } from '../../../networks/bitcoin/scan';
import type { OutputKind } from '../../../networks/network';
import {
  DEPOSIT_FEE,
  DUST,
  OUR_SCRIPTS,
  depositAmount,
  depositData,
  malformedAddressBytes,
  ourScript,
  payableScript,
  presumedOrigin,
  runParameters,
  shorthand,
  shorthandLikeBytes,
  timeoutFor,
  unencodableScript,
  type DepositData,
} from './arbitraries';

const RUNS = 2000;

interface Generated {
  readonly kind: OutputKind;
  readonly txid: string;
  readonly vout: number;
  readonly amount: bigint;
  readonly presumedOrigin: string | null;
  readonly data: DepositData;
}

const generatedOutput: fc.Arbitrary<Generated> = fc.record({
  kind: fc.oneof({ weight: 9, arbitrary: fc.constant<OutputKind>('external') }, { weight: 1, arbitrary: fc.constantFrom<OutputKind>('branch', 'change', 'forward') }),
  txid: fc.uint8Array({ minLength: 32, maxLength: 32 }).map(bytesToHex),
  vout: fc.nat(1000),
  amount: depositAmount,
  // The scanner only reports origins Serai can name; an unencodable one is hostile input all the same.
  presumedOrigin: fc.oneof({ weight: 9, arbitrary: presumedOrigin }, { weight: 1, arbitrary: unencodableScript }),
  data: depositData,
});

function scanned(g: Generated): ScannedOutput {
  return {
    id: `${g.txid}:${g.vout}`,
    kind: g.kind,
    txid: g.txid,
    vout: g.vout,
    amount: g.amount.toString(),
    script: OUR_SCRIPTS[g.kind],
    session: 0,
    presumedOrigin: g.presumedOrigin,
    data: g.data.data,
    dataStatus: g.data.status,
  };
}

/** What an outcome accounts for of the output's value. */
function valueOf(outcome: DepositOutcome, outputAmount: bigint): bigint {
  switch (outcome.kind) {
    case 'instruction':
      return BigInt(outcome.instruction.balance.amount) + DEPOSIT_FEE;
    case 'refund':
      return BigInt(outcome.refund.amount);
    case 'unusable':
      // Kept by the key, reported.
      return outputAmount;
  }
}

const scriptNamedBy = (encoded: string | null): string | null => {
  if (encoded === null) return null;
  const script = decodeAddress(hexToBytes(encoded));
  return script === null ? null : bytesToHex(script);
};

/** The outcome the documented rules give, computed from the generator's knowledge where it has it. */
function expectedOutcome(g: Generated): { kind: DepositOutcome['kind']; refundTo: string | null; invalid?: InvalidInstruction['reason'] } | null {
  if (g.kind !== 'external') return null;
  const { data } = g;
  let refundTo = g.presumedOrigin;
  let credited = false;
  let reason: InvalidInstruction['reason'];
  if (data.source === 'none') {
    reason = data.status === 'oversized' ? 'data-too-long' : data.status === 'malformed' ? 'malformed-script' : 'no-data';
  } else if (data.source === 'valid') {
    // Known without decoding: the generator built this Shorthand.
    refundTo = data.origin.script ?? refundTo;
    credited = data.shorthand.kind === 'Raw';
    reason = 'unsupported';
  } else {
    const decoded = decodeShorthand(hexToBytes(data.data));
    if (decoded.ok) {
      refundTo = scriptNamedBy(decoded.shorthand.origin) ?? refundTo;
      credited = decoded.shorthand.kind === 'Raw';
      reason = 'unsupported';
    } else {
      reason = 'undecodable';
    }
  }
  if (credited) return { kind: 'instruction', refundTo };
  return { kind: refundTo === null ? 'unusable' : 'refund', refundTo, invalid: reason };
}

function checkOutcome(g: Generated, outcome: DepositOutcome | null): void {
  const expected = expectedOutcome(g);
  if (expected === null) {
    expect(outcome).toBeNull();
    return;
  }
  if (outcome === null) throw new Error('an External output yielded no outcome');
  expect(outcome.output).toBe(`${g.txid}:${g.vout}`);
  expect(outcome.kind).toBe(expected.kind);
  // Value conservation: credited + fee, refunded, or kept = deposited.
  expect(valueOf(outcome, g.amount)).toBe(g.amount);
  switch (outcome.kind) {
    case 'instruction': {
      expect(BigInt(outcome.instruction.balance.amount)).toBe(g.amount - DEPOSIT_FEE);
      expect(outcome.instruction.balance.coin).toBe('bitcoin');
      expect(outcome.refundTo).toBe(expected.refundTo);
      // What goes into a Batch must pass the message schema the coordinator applies.
      expect(inInstructionWithBalance.safeParse(outcome.instruction).success).toBe(true);
      if (g.data.source === 'valid' && g.data.shorthand.kind === 'Raw') expect(outcome.instruction.instruction).toEqual(g.data.shorthand.instruction);
      break;
    }
    case 'refund':
      expect(outcome.refund).toEqual({ address: expected.refundTo, amount: g.amount.toString() });
      expect(outcome.invalid.reason).toBe(expected.invalid);
      expect(outcome.refund.address).toMatch(/^([0-9a-f]{2})+$/);
      break;
    case 'unusable':
      expect(outcome.invalid.reason).toBe(expected.invalid);
      break;
  }
}

describe('Shorthand codec', () => {
  test(
    'a valid Shorthand round-trips; every strict prefix and every extension of it is refused with a typed error',
    () => {
      fc.assert(
        fc.property(shorthand, fc.nat(), fc.uint8Array({ minLength: 1, maxLength: 16 }), ({ shorthand: value }, cut, tail) => {
          const bytes = encodeShorthand(value);
          const decoded = decodeShorthand(bytes);
          expect(decoded).toEqual({ ok: true, shorthand: value });
          // SCALE is prefix-free for one type: a shorter or longer byte string is never a Shorthand.
          const prefix = decodeShorthand(bytes.subarray(0, cut % bytes.length));
          expect(prefix.ok).toBe(false);
          if (!prefix.ok) expect(prefix.error).toBeInstanceOf(ScaleDecodeError);
          const extended = decodeShorthand(Uint8Array.of(...bytes, ...tail));
          expect(extended.ok).toBe(false);
          if (!extended.ok) expect(extended.error).toBeInstanceOf(ScaleDecodeError);
        }),
        runParameters(RUNS),
      );
    },
    timeoutFor(RUNS, 2_000),
  );

  test(
    'any bytes decode to a typed error or to a Shorthand that re-encodes to exactly those bytes',
    () => {
      fc.assert(
        fc.property(shorthandLikeBytes, (bytes) => {
          const result = decodeShorthand(bytes);
          if (result.ok) expect(bytesToHex(encodeShorthand(result.shorthand))).toBe(bytesToHex(bytes));
          else expect(result.error).toBeInstanceOf(ScaleDecodeError);
        }),
        runParameters(RUNS),
      );
    },
    timeoutFor(RUNS, 1_000),
  );
});

describe('Serai address encoding', () => {
  test(
    'payable scripts (ours included) round-trip; unencodable ones are refused; any bytes decode to null or to a canonical address',
    () => {
      fc.assert(
        fc.property(fc.oneof(payableScript, ourScript), unencodableScript, fc.oneof(malformedAddressBytes, fc.uint8Array({ maxLength: 40 }).map(bytesToHex)), (payable, unencodable, bytes) => {
          const encoded = encodeAddress(hexToBytes(payable));
          expect(encoded).not.toBeNull();
          expect(bytesToHex(decodeAddress(encoded!)!)).toBe(payable);
          expect(isRefundableScript(hexToBytes(payable))).toBe(true);
          expect(encodeAddress(hexToBytes(unencodable))).toBeNull();
          expect(isRefundableScript(hexToBytes(unencodable))).toBe(false);
          const decoded = decodeAddress(hexToBytes(bytes));
          if (decoded !== null) expect(bytesToHex(encodeAddress(decoded)!)).toBe(bytes);
        }),
        runParameters(RUNS),
      );
    },
    timeoutFor(RUNS, 1_000),
  );
});

describe('depositOutcome', () => {
  test(
    'never throws for an output the scanner passes on, and credits + fee, refunds or keeps exactly the output amount',
    () => {
      fc.assert(
        fc.property(generatedOutput, (g) => {
          checkOutcome(g, depositOutcome(scanned(g)));
        }),
        runParameters(RUNS),
      );
    },
    timeoutFor(RUNS, 2_000),
  );

  test(
    "depositOutcomes: one outcome per External output, in order, each as depositOutcome decides; the block's value is conserved",
    () => {
      fc.assert(
        fc.property(fc.uniqueArray(generatedOutput, { maxLength: 12, selector: (g) => `${g.txid}:${g.vout}` }), (generated) => {
          const outputs = generated.map(scanned);
          const outcomes = depositOutcomes(outputs);
          const external = generated.filter((g) => g.kind === 'external');
          expect(outcomes.map((o) => o.output)).toEqual(external.map((g) => `${g.txid}:${g.vout}`));
          outcomes.forEach((outcome, i) => checkOutcome(external[i]!, outcome));
          const deposited = external.reduce((sum, g) => sum + g.amount, 0n);
          const accounted = outcomes.reduce((sum, o, i) => sum + valueOf(o, external[i]!.amount), 0n);
          expect(accounted).toBe(deposited);
        }),
        runParameters(Math.ceil(RUNS / 3)),
      );
    },
    timeoutFor(Math.ceil(RUNS / 3), 2_000),
  );

  test(
    'below dust (never passed on by the scanner): a Raw deposit under DEPOSIT_FEE is the documented RangeError; everything else still conserves value',
    () => {
      const small = fc.record({
        g: generatedOutput,
        amount: fc.oneof(fc.bigInt(0n, DUST - 1n), fc.constantFrom(0n, 1n, DEPOSIT_FEE - 1n, DEPOSIT_FEE, DEPOSIT_FEE + 1n)),
      });
      fc.assert(
        fc.property(small, ({ g: base, amount }) => {
          const g = { ...base, kind: 'external' as const, amount };
          const expected = expectedOutcome(g)!;
          if (expected.kind === 'instruction' && amount < DEPOSIT_FEE) {
            expect(() => depositOutcome(scanned(g))).toThrow(RangeError);
            return;
          }
          checkOutcome(g, depositOutcome(scanned(g)));
        }),
        runParameters(Math.ceil(RUNS / 3)),
      );
    },
    timeoutFor(Math.ceil(RUNS / 3), 1_000),
  );
});
