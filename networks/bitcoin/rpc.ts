import { z } from 'zod';
import {
  RpcError,
  RpcHttpError,
  RpcResponseError,
  RpcTransportError,
  type BitcoinRpcFailure,
} from './rpc-errors';

export interface BitcoinRpcConfig {
  /** e.g. http://127.0.0.1:18443 (credentials go in username/password, never in the URL). */
  url: string;
  username: string;
  password: string;
  /** Per-call timeout unless a call overrides it. */
  timeoutMs?: number;
}

export interface CallOptions {
  signal?: AbortSignal;
  timeoutMs?: number;
}

const DEFAULT_TIMEOUT_MS = 30_000;
const SATS_PER_BTC = 100_000_000;

const hash = z.string().regex(/^[0-9a-f]{64}$/, 'a 64-digit lowercase hex hash');
const hex = z.string().regex(/^(?:[0-9a-f]{2})*$/, 'lowercase hex bytes');
const height = z.number().int().nonnegative();

/** A BTC amount as JSON gives it, converted exactly to satoshis. */
const btcAmount = z
  .number()
  .nonnegative()
  .max(Number.MAX_SAFE_INTEGER / SATS_PER_BTC)
  .transform((btc) => BigInt(Math.round(btc * SATS_PER_BTC)));

const envelope = z.object({
  result: z.unknown(),
  error: z.object({ code: z.number().int(), message: z.string() }).nullable(),
  id: z.union([z.number(), z.string(), z.null()]),
});

export const blockHeaderSchema = z.object({
  hash,
  confirmations: z.number().int(),
  height,
  version: z.number().int(),
  merkleroot: hash,
  time: z.number().int(),
  nonce: z.number().int(),
  bits: z.string(),
  difficulty: z.number(),
  previousblockhash: hash.optional(),
  nextblockhash: hash.optional(),
});
export type BlockHeaderInfo = z.infer<typeof blockHeaderSchema>;

export const blockSchema = blockHeaderSchema.extend({
  size: z.number().int(),
  weight: z.number().int(),
  tx: z.array(hash),
});
export type BlockInfo = z.infer<typeof blockSchema>;

export const blockchainInfoSchema = z.object({
  chain: z.string(),
  blocks: height,
  headers: height,
  bestblockhash: hash,
  mediantime: z.number().int(),
  bip9_softforks: z.record(z.string(), z.object({ status: z.string() })).optional(),
});
export type BlockchainInfo = z.infer<typeof blockchainInfoSchema>;

export const txOutSchema = z
  .object({
    bestblock: hash,
    confirmations: z.number().int(),
    value: btcAmount,
    scriptPubKey: z.object({ hex, type: z.string(), address: z.string().optional(), addresses: z.array(z.string()).optional() }),
    coinbase: z.boolean(),
  })
  .transform(({ value, ...rest }) => ({ ...rest, valueSats: value }));
export type TxOutInfo = z.infer<typeof txOutSchema>;

export const rawTransactionSchema = z.object({
  hex,
  txid: hash,
  hash,
  blockhash: hash.optional(),
  confirmations: z.number().int().optional(),
});
export type RawTransactionInfo = z.infer<typeof rawTransactionSchema>;

export const nodeInfoSchema = z.object({
  version: z.number().int(),
  protocolversion: z.number().int(),
  blocks: height,
  connections: z.number().int().nonnegative(),
  testnet: z.boolean(),
  errors: z.string(),
});
export type NodeInfo = z.infer<typeof nodeInfoSchema>;

export const peerInfoSchema = z.object({
  id: z.number().int(),
  addr: z.string(),
  inbound: z.boolean(),
  startingheight: z.number().int(),
  currentheight: z.number().int().optional(),
  syncnode: z.boolean().optional(),
});
export type PeerInfo = z.infer<typeof peerInfoSchema>;

export type NodeCommand = 'connect' | 'disconnect' | 'remove';
/** `perm` peers are reconnected by the node and must be `remove`d; `temp` peers can be `disconnect`ed. */
export type ConnectKind = 'perm' | 'temp';

/** A typed JSON-RPC client for btcd over HTTP (plain HTTP on loopback, basic auth). */
export class BitcoinRpc {
  private readonly authorization: string;
  private readonly timeoutMs: number;
  private nextId = 1;

  constructor(private readonly config: BitcoinRpcConfig) {
    this.authorization = `Basic ${Buffer.from(`${config.username}:${config.password}`).toString('base64')}`;
    this.timeoutMs = config.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  }

  get url(): string {
    return this.config.url;
  }

  /** Calls `method` and validates its result with `schema`; every failure is a BitcoinRpcFailure. */
  async call<Schema extends z.ZodType>(
    method: string,
    params: readonly unknown[],
    schema: Schema,
    options: CallOptions = {},
  ): Promise<z.output<Schema>> {
    const timeoutMs = options.timeoutMs ?? this.timeoutMs;
    const timeout = AbortSignal.timeout(timeoutMs);
    const signal = options.signal ? AbortSignal.any([timeout, options.signal]) : timeout;
    const id = this.nextId++;

    let status: number;
    let body: string;
    try {
      const response = await fetch(this.config.url, {
        method: 'POST',
        headers: { authorization: this.authorization, 'content-type': 'application/json' },
        body: JSON.stringify({ jsonrpc: '1.0', id, method, params }),
        signal,
      });
      status = response.status;
      body = await response.text();
    } catch (error) {
      throw transportFailure(method, error, { caller: options.signal, timeout, timeoutMs });
    }

    let json: unknown;
    try {
      json = JSON.parse(body);
    } catch (error) {
      if (status !== 200) throw new RpcHttpError(method, status, body);
      throw new RpcResponseError(method, 'body is not JSON', { cause: error });
    }
    const parsedEnvelope = envelope.safeParse(json);
    if (!parsedEnvelope.success) {
      if (status !== 200) throw new RpcHttpError(method, status, body);
      throw new RpcResponseError(method, z.prettifyError(parsedEnvelope.error));
    }
    const answer = parsedEnvelope.data;
    if (answer.id !== id) throw new RpcResponseError(method, `id ${JSON.stringify(answer.id)} does not match request id ${id}`);
    if (answer.error) throw new RpcError(method, answer.error.code, answer.error.message);
    const result = schema.safeParse(answer.result);
    if (!result.success) throw new RpcResponseError(method, z.prettifyError(result.error));
    return result.data;
  }

  getBlockCount(options?: CallOptions): Promise<number> {
    return this.call('getblockcount', [], height, options);
  }

  getBestBlockHash(options?: CallOptions): Promise<string> {
    return this.call('getbestblockhash', [], hash, options);
  }

  getBlockHash(blockHeight: number, options?: CallOptions): Promise<string> {
    return this.call('getblockhash', [blockHeight], hash, options);
  }

  /** The serialized block (getblock verbosity 0). */
  getBlockHex(blockHash: string, options?: CallOptions): Promise<string> {
    return this.call('getblock', [blockHash, 0], hex, options);
  }

  /**
   * The block with its txids (getblock verbosity 1). btcd refuses blocks off the main chain
   * (see isNotInMainChain); getBlockHex still serves them.
   */
  getBlock(blockHash: string, options?: CallOptions): Promise<BlockInfo> {
    return this.call('getblock', [blockHash, 1], blockSchema, options);
  }

  /** Main-chain blocks only, like getBlock. */
  getBlockHeader(blockHash: string, options?: CallOptions): Promise<BlockHeaderInfo> {
    return this.call('getblockheader', [blockHash, true], blockHeaderSchema, options);
  }

  getBlockchainInfo(options?: CallOptions): Promise<BlockchainInfo> {
    return this.call('getblockchaininfo', [], blockchainInfoSchema, options);
  }

  /** Needs the node's transaction index (btcd --txindex) for transactions outside the mempool. */
  getRawTransactionHex(txid: string, options?: CallOptions): Promise<string> {
    return this.call('getrawtransaction', [txid, 0], hex, options);
  }

  getRawTransaction(txid: string, options?: CallOptions): Promise<RawTransactionInfo> {
    return this.call('getrawtransaction', [txid, 1], rawTransactionSchema, options);
  }

  /** Returns the txid. */
  sendRawTransaction(txHex: string, options?: CallOptions): Promise<string> {
    return this.call('sendrawtransaction', [txHex], hash, options);
  }

  /** Mines `count` blocks to the node's mining address (btcd regtest/simnet only); returns their hashes. */
  generate(count: number, options?: CallOptions): Promise<string[]> {
    return this.call('generate', [count], z.array(hash).length(count), options);
  }

  getRawMempool(options?: CallOptions): Promise<string[]> {
    return this.call('getrawmempool', [false], z.array(hash), options);
  }

  /** The unspent output, or null when it is spent or unknown. */
  getTxOut(txid: string, vout: number, includeMempool = true, options?: CallOptions): Promise<TxOutInfo | null> {
    return this.call('gettxout', [txid, vout, includeMempool], txOutSchema.nullable(), options);
  }

  /** btcd's summary of itself (btcd 0.24 does not implement getnetworkinfo). */
  getInfo(options?: CallOptions): Promise<NodeInfo> {
    return this.call('getinfo', [], nodeInfoSchema, options);
  }

  getPeerInfo(options?: CallOptions): Promise<PeerInfo[]> {
    return this.call('getpeerinfo', [], z.array(peerInfoSchema), options);
  }

  /** btcd's `node` command: connect to, disconnect from or remove a peer ("127.0.0.1:port" or a peer id). */
  async node(command: NodeCommand, target: string, connectKind?: ConnectKind, options?: CallOptions): Promise<void> {
    const params = command === 'connect' && connectKind ? [command, target, connectKind] : [command, target];
    await this.call('node', params, z.null(), options);
  }

  /**
   * Serialized transactions touching `address`, oldest first (needs btcd --addrindex).
   * btcd answers an address without transactions with RpcError code -5.
   */
  searchRawTransactions(address: string, page: { skip?: number; count?: number } = {}, options?: CallOptions): Promise<string[]> {
    return this.call('searchrawtransactions', [address, 0, page.skip ?? 0, page.count ?? 100], z.array(hex), options);
  }
}

function transportFailure(
  method: string,
  error: unknown,
  signals: { caller: AbortSignal | undefined; timeout: AbortSignal; timeoutMs: number },
): BitcoinRpcFailure {
  if (signals.caller?.aborted) return new RpcTransportError(method, 'aborted', 'aborted by the caller', { cause: error });
  if (signals.timeout.aborted) return new RpcTransportError(method, 'timeout', `no answer within ${signals.timeoutMs} ms`, { cause: error });
  return new RpcTransportError(method, 'unreachable', networkErrorDetail(error), { cause: error });
}

/** fetch reports connection failures as TypeError('fetch failed') with the system error as cause. */
function networkErrorDetail(error: unknown): string {
  const cause = error instanceof Error ? error.cause : undefined;
  if (cause instanceof Error) {
    const code = (cause as NodeJS.ErrnoException).code;
    return code ? `${code}: ${cause.message}` : cause.message;
  }
  return error instanceof Error ? error.message : String(error);
}
