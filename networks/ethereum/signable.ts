/**
 * An account plan as a Router call to threshold-sign: plain JSON that names the chain, the Router
 * and the nonce (the message's domain), the action and the gas it was planned with; its eventuality
 * is the Router's `Executed` event at that nonce. Signing it is the ethereum suite's Schnorr over
 * keccak256 of the call's message (contracts/Schnorr.sol checks exactly that), through the same
 * signing driver as every other protocol. The signed result is what a relayer needs to publish:
 * the nonce (8 bytes, big-endian) followed by the unsigned transaction to the Router, whose calldata
 * carries the signature (after Serai's relayer wire, reference 7.8). Pure.
 */
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import { getBytes, hexlify, Transaction } from 'ethers';
import { z } from 'zod';
import type { ThresholdProtocol } from '../../crypto/sign/protocol';
import { singleMessageProtocol } from '../../crypto/sign/single-message';
import { schemes } from '../../crypto/suites';
import { hexBytes } from '../../messages/primitives';
import type { AccountAction, AccountPlan } from '../../scheduler/account/types';
import { TransactionBuildError } from '../chain-errors';
import { routerActionOf } from './actions';
import { MAX_ROUTER_NONCE, routerCalldata, routerMessage, routerMessageHash } from './router';

/** What the Router needs to run the call, and the event that shows it ran. */
export interface RouterSignable {
  readonly eventuality: { readonly id: string };
  /** Decimal. */
  readonly chainId: string;
  /** 20 bytes, lowercase hex without 0x. */
  readonly router: string;
  readonly nonce: number;
  readonly action: AccountAction;
  /** Where the Router keeps a batch's coin (20-byte hex, 20 zero bytes for ETH); null for a key's confirmation. */
  readonly token: string | null;
  /** The transaction's gas limit (a confirmation's is fixed; a batch's is its planned gas). */
  readonly gas: number;
}

/** The signed call, as a relayer takes it. */
export interface SignedRouterCall {
  readonly txid: string;
  readonly hex: string;
}

/** Gas for `confirmNextSeraiKey`: the reference's 57,753 for the newer Router, with room (contracts/Router.sol measures under 50,000). */
export const CONFIRM_KEY_GAS = 80_000;
/** Gas for `updateSeraiKey`, naming the next key: one cold slot written, like a confirmation (measured on anvil by the Router calls test). */
export const SET_NEXT_KEY_GAS = 80_000;

const address = hexBytes(20);
const amount = z.string().regex(/^(0|[1-9][0-9]*)$/);
const action = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('confirm-key') }),
  z.strictObject({ kind: z.literal('set-next-key'), nextKey: hexBytes(32) }),
  z.strictObject({
    kind: z.literal('execute'),
    coin: z.string().regex(/^[a-z][a-z0-9-]{0,31}$/),
    fee: amount,
    gas: z.int().positive(),
    outs: z.array(z.strictObject({ payment: hexBytes(1, 64), address, amount })),
  }),
]);
const signableSchema = z.strictObject({
  eventuality: z.strictObject({ id: z.string() }),
  chainId: amount,
  router: address,
  nonce: z.int().min(1),
  action,
  token: address.nullable(),
  gas: z.int().positive(),
});

/** The eventuality's id, hex: the Router (20 bytes) and the nonce its call takes (8 bytes, big-endian). */
export function eventualityId(router: string, nonce: number): string {
  return router + BigInt(nonce).toString(16).padStart(16, '0');
}

/** Where the Router is, on which chain, and where it keeps each coin (Serai name -> 20-byte hex, 20 zero bytes for ETH). */
export interface RouterDomainConfig {
  readonly chainId: bigint;
  readonly router: string;
  readonly tokens: Readonly<Record<string, string>>;
}

export function routerSignable(plan: AccountPlan, domain: RouterDomainConfig): RouterSignable {
  const router = bytesToHex(getBytes(domain.router));
  let token: string | null = null;
  if (plan.action.kind === 'execute') {
    token = domain.tokens[plan.action.coin] ?? null;
    if (token === null) throw new TransactionBuildError('plan.action.coin', `the Router holds no coin called ${plan.action.coin}`);
  }
  return {
    eventuality: { id: eventualityId(router, plan.nonce) },
    chainId: domain.chainId.toString(),
    router,
    nonce: plan.nonce,
    action: plan.action,
    token,
    gas: plan.action.kind === 'execute' ? plan.action.gas : plan.action.kind === 'set-next-key' ? SET_NEXT_KEY_GAS : CONFIRM_KEY_GAS,
  };
}

/** Validates a signable that came back from workflow state; throws TransactionBuildError naming the field. */
export function checkedSignable(value: unknown): RouterSignable {
  const parsed = signableSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new TransactionBuildError(['signable', ...issue.path.map(String)].join('.'), issue.message);
  }
  const signable = parsed.data as RouterSignable;
  if (BigInt(signable.nonce) > MAX_ROUTER_NONCE) throw new TransactionBuildError('signable.nonce', 'beyond the Router nonce range');
  if (signable.eventuality.id !== eventualityId(signable.router, signable.nonce)) throw new TransactionBuildError('signable.eventuality.id', 'is not the Router and nonce');
  if ((signable.action.kind === 'execute') !== (signable.token !== null)) throw new TransactionBuildError('signable.token', 'expected a token exactly for a batch');
  return signable;
}

/** The call's message: its calldata with the domain where the signature goes. */
export function signableMessage(signable: RouterSignable): Uint8Array {
  return routerMessage({ chainId: BigInt(signable.chainId), router: `0x${signable.router}`, nonce: BigInt(signable.nonce) }, routerActionOf(signable.action, signable.token ?? ''));
}

export function encodeSignedCall(signable: RouterSignable, signature: Uint8Array): string {
  const tx = Transaction.from({
    type: 2,
    chainId: BigInt(signable.chainId),
    to: `0x${signable.router}`,
    gasLimit: BigInt(signable.gas),
    data: hexlify(routerCalldata(signableMessage(signable), signature)),
  });
  const nonce = new Uint8Array(8);
  new DataView(nonce.buffer).setBigUint64(0, BigInt(signable.nonce));
  return bytesToHex(nonce) + tx.unsignedSerialized.slice(2);
}

export function decodeSignedCall(hex: string): { nonce: number; tx: Transaction } {
  if (!/^([0-9a-f]{2})+$/.test(hex) || hex.length < 18) throw new TransactionBuildError('signed', 'expected hex of a nonce and an unsigned transaction');
  const bytes = hexToBytes(hex);
  const nonce = new DataView(bytes.buffer).getBigUint64(0);
  const tx = Transaction.from(hexlify(bytes.subarray(8)));
  if (tx.to === null || tx.signature !== null) throw new TransactionBuildError('signed', 'expected an unsigned call to the Router');
  return { nonce: Number(nonce), tx };
}

/** A Router call as a threshold-signing protocol: Schnorr (ethereum suite) over keccak256 of its message. */
export const routerCallSigning: ThresholdProtocol<RouterSignable, SignedRouterCall> = singleMessageProtocol({
  scheme: schemes.ethereum,
  curve: 'secp256k1',
  message: (signable: RouterSignable) => routerMessageHash(signableMessage(checkedSignable(signable))),
  signed: (signable: RouterSignable, signature: Uint8Array) => ({ txid: signable.eventuality.id, hex: encodeSignedCall(signable, signature) }),
});
