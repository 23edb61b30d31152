/**
 * Signed Router calls on the chain: a relayer account publishes them (it pays the gas, and an
 * `execute` pays it back its fee), and each call's eventuality is the Router's event at its nonce:
 * `Executed`, `SeraiKeyUpdated` for a key's confirmation, `NextSeraiKeySet` for a retiring key
 * naming its successor. The event of an `execute` carries the keccak256 of the message the key
 * signed, and `NextSeraiKeySet` the key it names, so a claim is accepted only for that exact call:
 * an event at the nonce for any other message or key is a conflict, never a completion.
 *
 * Final, as for the feed, means at or below the node's `finalized` block.
 */
import { bytesToHex } from '@noble/hashes/utils.js';
import { concat, getBytes, hexlify, toBeHex, zeroPadValue, type JsonRpcProvider, type Log, type Wallet } from 'ethers';
import type { ClaimVerdict } from '../chain';
import type { PublishOutcome } from '../network';
import { routerInterface, routerMessageHash } from './router';
import { decodeSignedCall, signableMessage, type RouterSignable } from './signable';

const EXECUTED = routerInterface.getEvent('Executed')!.topicHash;
const KEY_UPDATED = routerInterface.getEvent('SeraiKeyUpdated')!.topicHash;
const NEXT_KEY_SET = routerInterface.getEvent('NextSeraiKeySet')!.topicHash;

/** A nonce was taken by a call other than the plan's: the plan can never complete (an operator must look). */
export class NonceConflictError extends Error {
  static readonly type = 'NonceConflictError';
  override readonly name = NonceConflictError.type;
  readonly retryable = false;
  constructor(
    readonly nonce: number,
    readonly reason: string,
  ) {
    super(`Router nonce ${nonce}: ${reason}`);
  }
}

/** The Router's next nonce is below the call's: an earlier call must run first. Retryable. */
export class NonceNotReachedError extends Error {
  override readonly name = 'NonceNotReachedError';
  constructor(
    readonly nonce: number,
    readonly next: number,
  ) {
    super(`Router nonce ${nonce} cannot run before nonce ${next}`);
  }
}

interface NonceEvent {
  log: Log;
  /** Which call ran, as far as its event tells (callIdentity). */
  identity: string;
}

export class RouterCalls {
  constructor(
    private readonly provider: JsonRpcProvider,
    private readonly relayer: Wallet,
  ) {}

  /** The event at `nonce` on the node's chain, if its call ran. */
  private async eventAt(router: string, nonce: number): Promise<NonceEvent | null> {
    const topics = [[EXECUTED, KEY_UPDATED, NEXT_KEY_SET], zeroPadValue(toBeHex(nonce), 32)];
    const logs = await this.provider.getLogs({ address: `0x${router}`, topics, fromBlock: 0, toBlock: 'latest' });
    const log = logs.find((l) => !l.removed);
    if (log === undefined) return null;
    return { log, identity: eventIdentity(log) };
  }

  /** Whether the event at the signable's nonce is the signable's own call; throws NonceConflictError if another call took it. */
  private matches(signable: RouterSignable, event: NonceEvent): true {
    if (event.identity !== expectedIdentity(signable)) {
      throw new NonceConflictError(signable.nonce, `taken by ${event.log.transactionHash}, whose event is not this plan's call`);
    }
    return true;
  }

  private async finalizedHeight(): Promise<number> {
    const block = await this.provider.getBlock('finalized');
    return block?.number ?? -1;
  }

  /**
   * Publishes a signed call from the relayer: `already-confirmed` if its nonce ran this call,
   * `conflict` if it ran another, NonceNotReachedError while an earlier nonce has not run. The
   * signed call names everything needed: its nonce, the Router, the chain and the calldata.
   */
  async publish(signed: string): Promise<PublishOutcome> {
    const { nonce, tx } = decodeSignedCall(signed);
    const router = bytesToHex(getBytes(tx.to!));
    const event = await this.eventAt(router, nonce);
    if (event !== null) {
      if (event.identity === signedCallIdentity(tx.chainId, router, nonce, getBytes(tx.data))) return { kind: 'already-confirmed' };
      return { kind: 'conflict', reason: `Router nonce ${nonce}: taken by ${event.log.transactionHash}, another call` };
    }
    const next = Number(await this.provider.call({ to: tx.to, data: routerInterface.encodeFunctionData('nextNonce', []) }).then((r) => BigInt(r)));
    if (next < nonce) throw new NonceNotReachedError(nonce, next);
    const sent = await this.relayer.sendTransaction({ to: tx.to, data: tx.data, gasLimit: tx.gasLimit, chainId: tx.chainId });
    return sent.hash ? { kind: 'published' } : { kind: 'conflict', reason: 'the node returned no transaction hash' };
  }

  /** Completed once the call's event is in a final block. */
  async completion(signable: RouterSignable): Promise<{ completed: boolean; height?: number; claim?: string }> {
    const event = await this.eventAt(signable.router, signable.nonce);
    if (event === null) return { completed: false };
    this.matches(signable, event);
    if (event.log.blockNumber > (await this.finalizedHeight())) return { completed: false };
    return { completed: true, height: event.log.blockNumber, claim: event.log.transactionHash.slice(2) };
  }

  /**
   * Another validator's claim that the plan completed: its eventuality (the Router and the nonce),
   * valid once the event at the nonce is final and is this plan's call; pending while it is not
   * final. A nonce that has not run is no claim to wait on (the plan keeps watching the chain).
   */
  async verifyClaim(signable: RouterSignable, claim: string): Promise<ClaimVerdict> {
    if (claim !== signable.eventuality.id) return { valid: false, reason: "the claim is not this plan's eventuality (its Router and nonce)" };
    const event = await this.eventAt(signable.router, signable.nonce);
    if (event === null) return { valid: false, reason: "the plan's nonce has not run" };
    if (event.identity !== expectedIdentity(signable)) return { valid: false, reason: "another call ran at the plan's nonce" };
    if (event.log.blockNumber > (await this.finalizedHeight())) return { valid: false, reason: 'the call is not final yet', pending: true };
    return { valid: true };
  }
}

/*
 * A call's identity, as its event shows it: an `execute` by its message hash, a key naming its
 * successor by that key, a confirmation by its kind alone (only the next key can sign it).
 */
const identity = {
  executed: (messageHash: string) => `executed:${messageHash}`,
  nextKey: (key: string) => `next-key:${key}`,
  confirmed: 'confirmed',
};

/** The identity of the call a signed transaction makes (its calldata, with the domain in the signature's place). */
function signedCallIdentity(chainId: bigint, router: string, nonce: number, calldata: Uint8Array): string {
  const call = routerInterface.parseTransaction({ data: hexlify(calldata) });
  if (call?.name === 'updateSeraiKey') return identity.nextKey(bytesToHex(getBytes(call.args[1] as string)));
  if (call?.name === 'confirmNextSeraiKey') return identity.confirmed;
  const message = Uint8Array.from(calldata);
  message.set(getBytes(concat([toBeHex(chainId, 32), toBeHex((BigInt(`0x${router}`) << 96n) | BigInt(nonce), 32)])), 4);
  return identity.executed(bytesToHex(routerMessageHash(message)));
}

/** The identity of the plan's call. */
function expectedIdentity(signable: RouterSignable): string {
  switch (signable.action.kind) {
    case 'execute':
      return identity.executed(bytesToHex(routerMessageHash(signableMessage(signable))));
    case 'set-next-key':
      return identity.nextKey(signable.action.nextKey);
    case 'confirm-key':
      return identity.confirmed;
  }
}

/** The identity of the call an event at a nonce shows ran. */
function eventIdentity(log: { topics: readonly string[] }): string {
  if (log.topics[0] === EXECUTED) return identity.executed(log.topics[2]!.slice(2));
  if (log.topics[0] === NEXT_KEY_SET) return identity.nextKey(log.topics[2]!.slice(2));
  return identity.confirmed;
}
