/**
 * Error codes btcd puts in JSON-RPC error objects (btcjson/jsonrpcerr.go). They differ from
 * bitcoind in places: btcd answers an out-of-range block height with -1, not -8.
 */
export const RpcErrorCode = {
  misc: -1,
  type: -3,
  invalidAddressOrKey: -5,
  invalidParameter: -8,
  clientNotConnected: -9,
  clientInInitialDownload: -10,
  database: -20,
  deserialization: -22,
  clientNodeNotAdded: -24,
  verify: -25,
  verifyRejected: -26,
  verifyAlreadyInChain: -27,
  invalidRequest: -32600,
  methodNotFound: -32601,
  invalidParams: -32602,
  internal: -32603,
  parse: -32700,
} as const;

/** Base of every failure of a Bitcoin RPC call; `retryable` says whether repeating it may help. */
export abstract class BitcoinRpcFailure extends Error {
  abstract readonly retryable: boolean;
  constructor(
    readonly method: string,
    message: string,
    options?: ErrorOptions,
  ) {
    super(`${method}: ${message}`, options);
  }
}

export type TransportFailureKind = 'unreachable' | 'timeout' | 'aborted';

/** The node could not be reached or did not answer in time. Retryable unless the caller aborted. */
export class RpcTransportError extends BitcoinRpcFailure {
  override readonly name = 'RpcTransportError';
  readonly retryable: boolean;
  constructor(
    method: string,
    readonly kind: TransportFailureKind,
    detail: string,
    options?: ErrorOptions,
  ) {
    super(method, `${kind}: ${detail}`, options);
    this.retryable = kind !== 'aborted';
  }
}

/** The node answered with a non-JSON HTTP error (401 bad credentials, 503 too many clients, ...). */
export class RpcHttpError extends BitcoinRpcFailure {
  override readonly name = 'RpcHttpError';
  readonly retryable: boolean;
  constructor(
    method: string,
    readonly status: number,
    body: string,
  ) {
    super(method, `HTTP ${status}: ${body.slice(0, 200)}`);
    this.retryable = status >= 500;
  }
}

/** The node executed the call and refused it; `code` is the node's own error code. */
export class RpcError extends BitcoinRpcFailure {
  override readonly name = 'RpcError';
  readonly retryable = false;
  constructor(
    method: string,
    readonly code: number,
    readonly nodeMessage: string,
  ) {
    super(method, `node error ${code}: ${nodeMessage}`);
  }
}

/** The node's answer is not what the method promises (bad JSON, wrong id, wrong shape). */
export class RpcResponseError extends BitcoinRpcFailure {
  override readonly name = 'RpcResponseError';
  readonly retryable = false;
  constructor(method: string, detail: string, options?: ErrorOptions) {
    super(method, `invalid response: ${detail}`, options);
  }
}

/**
 * btcd's answer to getblock/getblockheader (verbose) for a block it knows but that is not on its
 * main chain, e.g. one a reorg replaced. bitcoind instead reports confirmations -1.
 */
export function isNotInMainChain(error: unknown): boolean {
  return error instanceof RpcError && error.code === RpcErrorCode.internal && /is not in the main chain/.test(error.nodeMessage);
}
