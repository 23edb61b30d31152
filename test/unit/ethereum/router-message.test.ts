import { getBytes, hexlify, keccak256, toBeHex, ZeroAddress } from 'ethers';
import {
  decodeResults,
  ETH,
  MAX_ROUTER_NONCE,
  routerCalldata,
  routerInterface,
  routerMessage,
  routerMessageHash,
  RouterMessageError,
  type RouterAction,
  type RouterDomain,
} from '../../../networks/ethereum/router';

const ROUTER = '0x5FbDB2315678afecb367f032d93F642f64180aa3';
const DAI = '0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512';
const PAYEE = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8';
const domain: RouterDomain = { chainId: 31337n, router: ROUTER, nonce: 7n };
const execute: RouterAction = { kind: 'execute', coin: DAI, fee: 12n, outs: [{ to: PAYEE, amount: 10n ** 18n }] };
const signature = Uint8Array.from({ length: 64 }, (_, i) => i + 1);

describe('Router messages', () => {
  test('an execute message is its calldata with the chain id and (router << 96 | nonce) in the signature words', () => {
    const message = routerMessage(domain, execute);
    const decoded = routerInterface.decodeFunctionData('execute', message);
    expect(hexlify(message.subarray(0, 4))).toBe(routerInterface.getFunction('execute')!.selector);
    expect(decoded[0]).toEqual([toBeHex(31337n, 32), `0x${ROUTER.slice(2).toLowerCase()}${'0'.repeat(22)}07`]);
    expect(decoded[1]).toBe(DAI);
    expect(decoded[2]).toBe(12n);
    expect(decoded[3].map((out: [string, bigint]) => [out[0], out[1]])).toEqual([[PAYEE, 10n ** 18n]]);
    expect(hexlify(routerMessageHash(message))).toBe(keccak256(message));
  });

  test('the calldata is the message with c || s where the domain was, and nothing else changed', () => {
    const message = routerMessage(domain, execute);
    const calldata = routerCalldata(message, signature);
    expect(hexlify(calldata.subarray(4, 68))).toBe(hexlify(signature));
    expect(hexlify(calldata.subarray(0, 4))).toBe(hexlify(message.subarray(0, 4)));
    expect(hexlify(calldata.subarray(68))).toBe(hexlify(message.subarray(68)));
    expect(routerInterface.decodeFunctionData('execute', calldata)[0]).toEqual([hexlify(signature.subarray(0, 32)), hexlify(signature.subarray(32))]);
    expect(message.subarray(4, 36)).toEqual(getBytes(toBeHex(31337n, 32))); // the message itself is untouched
  });

  test('key update messages carry the next key; the confirmation carries nothing but the domain', () => {
    const nextKey = Uint8Array.from({ length: 32 }, (_, i) => 0xa0 + i);
    const update = routerMessage(domain, { kind: 'updateSeraiKey', nextKey });
    expect(routerInterface.decodeFunctionData('updateSeraiKey', update)[1]).toBe(hexlify(nextKey));
    const confirm = routerMessage(domain, { kind: 'confirmNextSeraiKey' });
    expect(confirm).toHaveLength(4 + 64);
    expect(hexlify(confirm.subarray(0, 4))).toBe(routerInterface.getFunction('confirmNextSeraiKey')!.selector);
  });

  test('a message differs with the chain, the Router, the nonce and every part of the action', () => {
    const hashes = [
      routerMessage(domain, execute),
      routerMessage({ ...domain, chainId: 1n }, execute),
      routerMessage({ ...domain, router: DAI }, execute),
      routerMessage({ ...domain, nonce: 8n }, execute),
      routerMessage(domain, { ...execute, coin: ETH }),
      routerMessage(domain, { ...execute, fee: 13n }),
      routerMessage(domain, { ...execute, outs: [{ to: PAYEE, amount: 10n ** 18n + 1n }] }),
      routerMessage(domain, { ...execute, outs: [{ to: ROUTER, amount: 10n ** 18n }] }),
      routerMessage(domain, { ...execute, outs: [] }),
      routerMessage(domain, { kind: 'confirmNextSeraiKey' }),
    ].map((message) => hexlify(routerMessageHash(message)));
    expect(new Set(hashes).size).toBe(hashes.length);
  });

  test('out-of-range or malformed inputs are a RouterMessageError naming the field', () => {
    const fieldOf = (build: () => unknown) => {
      try {
        build();
      } catch (caught) {
        expect(caught).toBeInstanceOf(RouterMessageError);
        return (caught as RouterMessageError).field;
      }
      return 'no error';
    };
    expect(fieldOf(() => routerMessage({ ...domain, nonce: 0n }, execute))).toBe('nonce');
    expect(fieldOf(() => routerMessage({ ...domain, nonce: MAX_ROUTER_NONCE + 1n }, execute))).toBe('nonce');
    expect(fieldOf(() => routerMessage({ ...domain, nonce: MAX_ROUTER_NONCE }, execute))).toBe('no error');
    expect(fieldOf(() => routerMessage({ ...domain, chainId: 0n }, execute))).toBe('chainId');
    expect(fieldOf(() => routerMessage({ ...domain, router: '0x1234' }, execute))).toBe('router');
    expect(fieldOf(() => routerMessage(domain, { ...execute, coin: 'dai' }))).toBe('coin');
    expect(fieldOf(() => routerMessage(domain, { ...execute, outs: [{ to: `${PAYEE}00`, amount: 1n }] }))).toBe('outs[0].to');
    expect(fieldOf(() => routerMessage(domain, { kind: 'updateSeraiKey', nextKey: new Uint8Array(31) }))).toBe('nextKey');
    expect(fieldOf(() => routerCalldata(routerMessage(domain, execute), signature.subarray(1)))).toBe('signature');
    expect(fieldOf(() => routerCalldata(new Uint8Array(67), signature))).toBe('message');
    expect(ETH).toBe(ZeroAddress);
  });

  test('results are one bit per out, bit i % 8 of byte i / 8', () => {
    expect(decodeResults(9n, Uint8Array.of(0x05, 0x01))).toEqual([true, false, true, false, false, false, false, false, true]);
    expect(decodeResults(0n, new Uint8Array(0))).toEqual([]);
    expect(() => decodeResults(9n, Uint8Array.of(0x05))).toThrow(RouterMessageError);
    expect(() => decodeResults(8n, Uint8Array.of(0x05, 0x00))).toThrow(/cannot hold exactly 8/);
  });
});
