/**
 * The Router's ABI and the messages its key signs (contracts/Router.sol), the one definition the
 * processor and the tests use.
 *
 * A signed call's message is the call's own calldata with the signature's two words (bytes 4..68)
 * replaced by the domain: the chain id, then one word holding the Router's address in its high 20
 * bytes and the nonce in its low 12. The threshold key signs keccak256(message) (the ethereum
 * suite's 32-byte message, crypto/suites/ethereum.ts), which is also the `messageHash` of the
 * `Executed` event; the calldata sent is the message with the signature c || s put back. Pure.
 */
import { getAddress, getBytes, Interface, keccak256, toBeHex, ZeroAddress } from 'ethers';

/** The coin of a batch paid in ETH. */
export const ETH: string = ZeroAddress;

/** Nonces share a word with the Router's address, below it. */
export const MAX_ROUTER_NONCE = 2n ** 96n - 1n;

export const ROUTER_ABI = [
  'constructor(bytes32 initialSeraiKey)',
  'function updateSeraiKey((bytes32 c, bytes32 s) signature, bytes32 newNextSeraiKey)',
  'function confirmNextSeraiKey((bytes32 c, bytes32 s) signature)',
  'function inInstruction(address coin, uint256 amount, bytes instruction) payable',
  'function execute((bytes32 c, bytes32 s) signature, address coin, uint256 fee, (address to, uint256 amount)[] outs)',
  'function claim(address coin, address to)',
  'function escapeHatch((bytes32 c, bytes32 s) signature, address escapeTo)',
  'function escape(address coin)',
  'function escapedTo() view returns (address)',
  'function nextNonce() view returns (uint96)',
  'function nextSeraiKey() view returns (bytes32)',
  'function seraiKey() view returns (bytes32)',
  'function owed(address coin, address to) view returns (uint256)',
  'function totalOwed(address coin) view returns (uint256)',
  'event NextSeraiKeySet(uint256 indexed nonce, bytes32 indexed key)',
  'event SeraiKeyUpdated(uint256 indexed nonce, bytes32 indexed key)',
  'event InInstruction(address indexed from, address indexed coin, uint256 amount, bytes instruction)',
  'event Executed(uint256 indexed nonce, bytes32 indexed messageHash, uint256 resultsLength, bytes results)',
  'event Claimed(address indexed coin, address indexed to, uint256 amount)',
  'event EscapeHatch(uint256 indexed nonce, address indexed escapeTo)',
  'event Escaped(address indexed coin, uint256 amount)',
  'error SeraiKeyWasNone()',
  'error InvalidSeraiKey()',
  'error InvalidSignature()',
  'error AmountMismatchesMsgValue()',
  'error InsufficientFunds()',
  'error NothingOwed()',
  'error Reentered()',
  'error EscapeHatchInvoked()',
  'error InvalidEscapeAddress()',
  'error EscapeAddressWasNotAContract()',
  'error EscapeHatchNotInvoked()',
  // OpenZeppelin's, from SafeERC20 and Address.
  'error SafeERC20FailedOperation(address token)',
  'error InsufficientBalance(uint256 balance, uint256 needed)',
  'error FailedCall()',
] as const;

export const routerInterface = new Interface(ROUTER_ABI);

/** One payment of a batch, in the batch's coin (wei, or the token's smallest unit). */
export interface OutInstruction {
  readonly to: string;
  readonly amount: bigint;
}

/** Where and when a message is valid: it names the chain, the Router and the nonce it takes. */
export interface RouterDomain {
  readonly chainId: bigint;
  readonly router: string;
  readonly nonce: bigint;
}

export type RouterAction =
  /** Pays `outs` in `coin` (ETH or an ERC20 address), then `fee` to the relayer; signed by the active key. */
  | { readonly kind: 'execute'; readonly coin: string; readonly fee: bigint; readonly outs: readonly OutInstruction[] }
  /** Sets the key that takes over once it confirms; signed by the active key. `nextKey` is its px (32 bytes). */
  | { readonly kind: 'updateSeraiKey'; readonly nextKey: Uint8Array }
  /** Makes the next key active; signed by that next key. */
  | { readonly kind: 'confirmNextSeraiKey' }
  /** Stops the Router for good and lets anyone move its coins to `escapeTo` (a contract); signed by the active key. */
  | { readonly kind: 'escapeHatch'; readonly escapeTo: string };

export class RouterMessageError extends Error {
  override readonly name = 'RouterMessageError';
  constructor(
    readonly field: string,
    detail: string,
  ) {
    super(`Router message: ${field}: ${detail}`);
  }
}

const SIGNATURE_END = 68;

/** The message `action` is signed as under `domain`: its calldata with the domain where the signature goes. */
export function routerMessage(domain: RouterDomain, action: RouterAction): Uint8Array {
  if (domain.chainId <= 0n) throw new RouterMessageError('chainId', `must be positive, got ${domain.chainId}`);
  if (domain.nonce < 1n || domain.nonce > MAX_ROUTER_NONCE) throw new RouterMessageError('nonce', `must be within 1..2^96-1, got ${domain.nonce}`);
  const router = checkedAddress('router', domain.router);
  const placeholder = [toBeHex(domain.chainId, 32), toBeHex((BigInt(router) << 96n) | domain.nonce, 32)];
  switch (action.kind) {
    case 'execute': {
      const coin = checkedAddress('coin', action.coin);
      const outs = action.outs.map((out, i) => [checkedAddress(`outs[${i}].to`, out.to), out.amount]);
      return getBytes(routerInterface.encodeFunctionData('execute', [placeholder, coin, action.fee, outs]));
    }
    case 'updateSeraiKey':
      if (action.nextKey.length !== 32) throw new RouterMessageError('nextKey', `must be 32 bytes, got ${action.nextKey.length}`);
      return getBytes(routerInterface.encodeFunctionData('updateSeraiKey', [placeholder, action.nextKey]));
    case 'confirmNextSeraiKey':
      return getBytes(routerInterface.encodeFunctionData('confirmNextSeraiKey', [placeholder]));
    case 'escapeHatch':
      return getBytes(routerInterface.encodeFunctionData('escapeHatch', [placeholder, checkedAddress('escapeTo', action.escapeTo)]));
  }
}

/** keccak256(message): what the key signs, and the `messageHash` an `Executed` event carries. */
export function routerMessageHash(message: Uint8Array): Uint8Array {
  return getBytes(keccak256(message));
}

/** The calldata to send: `message` with the 64-byte signature c || s in place of the domain. */
export function routerCalldata(message: Uint8Array, signature: Uint8Array): Uint8Array {
  if (signature.length !== 64) throw new RouterMessageError('signature', `must be 64 bytes (c || s), got ${signature.length}`);
  if (message.length < SIGNATURE_END) throw new RouterMessageError('message', `must hold a selector and a signature, got ${message.length} bytes`);
  const calldata = Uint8Array.from(message);
  calldata.set(signature, 4);
  return calldata;
}

/** An `Executed` event's results as one flag per out: true if paid, false if kept in `owed`. */
export function decodeResults(resultsLength: bigint, results: Uint8Array): boolean[] {
  const length = Number(resultsLength);
  if (!Number.isSafeInteger(length) || results.length !== Math.ceil(length / 8)) {
    throw new RouterMessageError('results', `${results.length} bytes cannot hold exactly ${resultsLength} results`);
  }
  return Array.from({ length }, (_, i) => ((results[i >> 3]! >> (i & 7)) & 1) === 1);
}

function checkedAddress(field: string, address: string): string {
  try {
    return getAddress(address);
  } catch {
    throw new RouterMessageError(field, `not an address: ${JSON.stringify(address)}`);
  }
}
