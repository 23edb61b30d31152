/**
 * Signed Router calls on the chain: a relayer account publishes them (it pays the gas, and an
 * `execute` pays it back its fee), and each call's eventuality is the Router's `Executed` (or, for a
 * key's confirmation, `SeraiKeyUpdated`) event at its nonce. The event of an `execute` carries the
 * keccak256 of the message the key signed, so a claim is accepted only for that exact call: an event
 * at the nonce for any other message is a conflict, never a completion.
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
const EXECUTE_SELECTOR = routerInterface.getFunction('execute')!.selector;

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
  /** The message hash an `Executed` event carries (none for a key's confirmation). */
  messageHash: string | null;
}

export class RouterCalls {
  constructor(
    private readonly provider: JsonRpcProvider,
    private readonly relayer: Wallet,
  ) {}

  /** The event at `nonce` on the node's chain, if its call ran. */
  private async eventAt(router: string, nonce: number): Promise<NonceEvent | null> {
    const topics = [[EXECUTED, KEY_UPDATED], zeroPadValue(toBeHex(nonce), 32)];
    const logs = await this.provider.getLogs({ address: `0x${router}`, topics, fromBlock: 0, toBlock: 'latest' });
    const log = logs.find((l) => !l.removed);
    if (log === undefined) return null;
    return { log, messageHash: eventHash(log) };
  }

  /** Whether the event at the signable's nonce is the signable's own call; throws NonceConflictError if another call took it. */
  private matches(signable: RouterSignable, event: NonceEvent): true {
    if (event.messageHash !== expectedHash(signable)) {
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
      if (event.messageHash === signedCallHash(tx.chainId, router, nonce, getBytes(tx.data))) return { kind: 'already-confirmed' };
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
    if (event.messageHash !== expectedHash(signable)) return { valid: false, reason: "another call ran at the plan's nonce" };
    if (event.log.blockNumber > (await this.finalizedHeight())) return { valid: false, reason: 'the call is not final yet', pending: true };
    return { valid: true };
  }
}

/** The message hash a signed call's event carries: its calldata with the domain in the signature's place, hashed (an `execute`'s), or none. */
function signedCallHash(chainId: bigint, router: string, nonce: number, calldata: Uint8Array): string | null {
  if (hexlify(calldata.subarray(0, 4)) !== EXECUTE_SELECTOR) return null;
  const message = Uint8Array.from(calldata);
  message.set(getBytes(concat([toBeHex(chainId, 32), toBeHex((BigInt(`0x${router}`) << 96n) | BigInt(nonce), 32)])), 4);
  return bytesToHex(routerMessageHash(message));
}

/** The message hash the call's event carries: an `execute`'s, or none for a key's confirmation. */
function expectedHash(signable: RouterSignable): string | null {
  return signable.action.kind === 'execute' ? bytesToHex(routerMessageHash(signableMessage(signable))) : null;
}

function eventHash(log: { topics: readonly string[] }): string | null {
  return log.topics[0] === EXECUTED ? log.topics[2]!.slice(2) : null;
}
