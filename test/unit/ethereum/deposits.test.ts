import { bytesToHex } from '@noble/hashes/utils.js';
import { Wallet, ZeroAddress } from 'ethers';
import fc from 'fast-check';
import { encodeShorthand, type Shorthand } from '../../../messages/shorthand';
import { decodeEthereumAddress, encodeEthereumAddress, payeeOf } from '../../../networks/ethereum/address';
import { fromSeraiAmount, routerDepositOutcome, SERAI_UNIT, toSeraiAmount, type RouterCoin, type RouterDeposit } from '../../../networks/ethereum/deposits';

const SERAI = 'ab'.repeat(32);
const DAI = Wallet.createRandom().address;
const COINS = new Map<string, RouterCoin>([
  [ZeroAddress, { coin: 'ether', dust: 150_000n }],
  [DAI.toLowerCase(), { coin: 'dai', dust: 500_000_000n }],
]);
const depositor = Wallet.createRandom().address;
const hex = (bytes: Uint8Array) => `0x${bytesToHex(bytes)}`;
const raw = (origin: string | null = null): string => hex(encodeShorthand({ kind: 'Raw', origin, instruction: { kind: 'Transfer', address: SERAI } }));
const swap = (origin: string | null): string =>
  hex(encodeShorthand({ kind: 'Swap', origin, coin: 'bitcoin', minimum: '1', out: { address: '00', data: null } } as Shorthand));
const deposit = (over: Partial<RouterDeposit>): RouterDeposit => ({ id: `0x${'11'.repeat(32)}:3`, from: depositor, coin: ZeroAddress, amount: (10n ** 18n).toString(), instruction: raw(), ...over });

describe('Ethereum addresses in Serai form', () => {
  test('an account is 0x00 ‖ its 20 bytes; the payee form is lowercase hex without 0x', () => {
    const address = Wallet.createRandom().address;
    const encoded = encodeEthereumAddress(address);
    expect(bytesToHex(encoded)).toBe(`00${address.slice(2).toLowerCase()}`);
    expect(decodeEthereumAddress(encoded)).toBe(payeeOf(address));
    expect(payeeOf(address)).toMatch(/^[0-9a-f]{40}$/);
  });

  test('code destinations, short, long or unknown variants name no payee; a non-address is a RangeError', () => {
    const account = encodeEthereumAddress(depositor);
    expect(decodeEthereumAddress(Uint8Array.of(1, 0x10, 0, 0, 0, 0x60, 0x00))).toBeNull();
    expect(decodeEthereumAddress(account.subarray(0, 20))).toBeNull();
    expect(decodeEthereumAddress(Uint8Array.of(...account, 0))).toBeNull();
    expect(decodeEthereumAddress(Uint8Array.of(2, ...account.subarray(1)))).toBeNull();
    expect(decodeEthereumAddress(new Uint8Array())).toBeNull();
    expect(() => encodeEthereumAddress('0x1234')).toThrow(RangeError);
  });
});

describe('Router deposits', () => {
  test('18 decimals to Serai 8: credited amount / 10^10, the remainder left uncredited', () => {
    const amount = 1_234_567_891_234_567_891n;
    const { outcome, uncredited } = routerDepositOutcome(deposit({ amount: amount.toString() }), COINS);
    expect(outcome).toEqual({
      kind: 'instruction',
      output: `0x${'11'.repeat(32)}:3`,
      instruction: { instruction: { kind: 'Transfer', address: SERAI }, balance: { coin: 'ether', amount: '123456789' } },
      refundTo: payeeOf(depositor),
    });
    expect(uncredited).toBe('1234567891');
    expect(toSeraiAmount(amount)).toEqual({ serai: 123_456_789n, remainder: 1_234_567_891n });
    expect(fromSeraiAmount(123_456_789n)).toBe(amount - 1_234_567_891n);
  });

  test('the token is the Serai coin its address is, in any case', () => {
    const { outcome } = routerDepositOutcome(deposit({ coin: DAI.toUpperCase().replace('0X', '0x'), amount: (6n * 10n ** 18n).toString() }), COINS);
    expect(outcome).toMatchObject({ kind: 'instruction', instruction: { balance: { coin: 'dai', amount: '600000000' } } });
  });

  test('hostile data is refunded to the origin it names, else to the sender, in Serai units', () => {
    const origin = Wallet.createRandom().address;
    const named = routerDepositOutcome(deposit({ instruction: swap(bytesToHex(encodeEthereumAddress(origin))), amount: '25000000000000001' }), COINS);
    expect(named.outcome).toEqual({
      kind: 'refund',
      output: `0x${'11'.repeat(32)}:3`,
      invalid: { reason: 'unsupported', shorthand: 'Swap' },
      refund: { address: payeeOf(origin), amount: '2500000' },
    });
    expect(named.uncredited).toBe('1');
    // An origin that is no account here (a code destination): the sender.
    expect(routerDepositOutcome(deposit({ instruction: swap('01100000006000') }), COINS).outcome).toMatchObject({ kind: 'refund', refund: { address: payeeOf(depositor) } });
    expect(routerDepositOutcome(deposit({ instruction: '0xff00' }), COINS).outcome).toMatchObject({ kind: 'refund', invalid: { reason: 'undecodable' } });
    expect(routerDepositOutcome(deposit({ instruction: '0x' }), COINS).outcome).toMatchObject({ kind: 'refund', invalid: { reason: 'no-data' } });
    expect(routerDepositOutcome(deposit({ instruction: hex(new Uint8Array(513)) }), COINS).outcome).toMatchObject({ kind: 'refund', invalid: { reason: 'data-too-long' } });
  });

  test('an unknown token, dust or an amount beyond u64 is reported with all of it uncredited, never refunded', () => {
    const stranger = Wallet.createRandom().address;
    expect(routerDepositOutcome(deposit({ coin: stranger }), COINS)).toEqual({
      outcome: { kind: 'unusable', output: `0x${'11'.repeat(32)}:3`, invalid: { reason: 'unknown-coin', coin: stranger.toLowerCase() } },
      uncredited: (10n ** 18n).toString(),
    });
    const dust = (150_000n * SERAI_UNIT - 1n).toString();
    expect(routerDepositOutcome(deposit({ amount: dust }), COINS)).toEqual({
      outcome: { kind: 'unusable', output: `0x${'11'.repeat(32)}:3`, invalid: { reason: 'amount-out-of-range', amount: dust } },
      uncredited: dust,
    });
    expect(routerDepositOutcome(deposit({ amount: (150_000n * SERAI_UNIT).toString() }), COINS).outcome.kind).toBe('instruction');
    const huge = (2n ** 64n * SERAI_UNIT).toString();
    expect(routerDepositOutcome(deposit({ amount: huge }), COINS).outcome).toMatchObject({ kind: 'unusable', invalid: { reason: 'amount-out-of-range' } });
    expect(routerDepositOutcome(deposit({ amount: ((2n ** 64n - 1n) * SERAI_UNIT).toString() }), COINS).outcome.kind).toBe('instruction');
  });

  test('value is conserved over random deposits: credited or refunded × 10^10 + uncredited = deposited, and nothing throws', () => {
    const coin = fc.constantFrom(ZeroAddress, DAI, Wallet.createRandom().address);
    const amount = fc.oneof(fc.bigInt({ min: 0n, max: 2n ** 80n }), fc.constantFrom(0n, 150_000n * SERAI_UNIT - 1n, 2n ** 64n * SERAI_UNIT, (2n ** 64n - 1n) * SERAI_UNIT));
    const instruction = fc.oneof(fc.constant(raw()), fc.constant(swap(null)), fc.uint8Array({ maxLength: 600 }).map(hex));
    fc.assert(
      fc.property(coin, amount, instruction, (c, a, i) => {
        const { outcome, uncredited } = routerDepositOutcome(deposit({ coin: c, amount: a.toString(), instruction: i }), COINS);
        const moved = outcome.kind === 'instruction' ? BigInt(outcome.instruction.balance.amount) : outcome.kind === 'refund' ? BigInt(outcome.refund.amount) : 0n;
        expect(moved * SERAI_UNIT + BigInt(uncredited)).toBe(a);
      }),
      { numRuns: 2000 },
    );
  });
});
