/**
 * The devnet's Bitcoin user side: a wallet over a btcd regtest node that pays from the node's
 * mature coinbase outputs (its generated P2WPKH mining key), makes deposits to the validators
 * (good ones and hostile ones), and converts regtest addresses and BTC amounts.
 *
 * One coinbase per transaction, oldest first, change back to the mining key; the change is never
 * spent again, so the wallet needs no balance. The wallet is the single owner of "the next
 * coinbase": share one instance per btcd node (`DevnetWallet.of(node)` hands out the same one
 * to everyone in a process). Should another process spend the same coinbases anyway, the node
 * answers with a conflict and the wallet moves on to the next coinbase. A transaction the node
 * refuses (TransactionRejectedError) uses up its coinbase all the same.
 *
 * Regtest halves the subsidy every 150 blocks, so coinbases far past height ~1500 are worth
 * little; the oldest ones, which this wallet spends first, carry the devnet's money.
 */
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import { address as bitcoinAddress, initEccLib, networks, payments, script as bitcoinScript, Transaction } from 'bitcoinjs-lib';
import * as ecc from 'tiny-secp256k1';

import { seraiAddress as seraiAddressSchema } from '../messages/instructions';
import { encodeShorthand, type Shorthand } from '../messages/shorthand';
import { encodeAddress } from '../networks/bitcoin/instructions';
import { publish } from '../networks/bitcoin/publish';
import { COINBASE_MATURITY, type BtcdNode } from '../nodes/btcd';
import type { RegtestKey } from '../nodes/regtest-key';

// bitcoinjs-lib needs an EC library to check taproot (bcrt1p) output keys.
initEccLib(ecc);

export const SATS_PER_BTC = 100_000_000n;
/** Bitcoin's 21 million BTC cap. */
export const MAX_MONEY_SATS = 21_000_000n * SATS_PER_BTC;
/** What this wallet pays, in sat/vB (btcd relays from 1 sat/vB). */
export const WALLET_FEE_RATE = 5n;
/** A DER ECDSA signature's longest encoding (72 bytes) with its sighash byte. */
const MAX_WITNESS_SIGNATURE = 73;
/** The smallest change the wallet leaves: a coinbase that cannot keep this much is too small. */
export const MIN_CHANGE = 10_000n;

// ---------------------------------------------------------------------------------------------
// Errors

/** The node has no generated mining key, so there is nothing to spend. */
export class NoMiningKeyError extends Error {
  override readonly name = 'NoMiningKeyError';
  constructor(readonly rpcPort: number) {
    super(`btcd on port ${rpcPort} was started with a miningAddress: the wallet needs the node to have generated its mining key`);
  }
}

/** The next coinbase is not yet spendable (100 confirmations). */
export class CoinbaseNotMatureError extends Error {
  override readonly name = 'CoinbaseNotMatureError';
  constructor(
    readonly height: number,
    readonly tip: number,
  ) {
    super(`the coinbase at height ${height} is not mature at tip ${tip} (needs tip >= ${height + COINBASE_MATURITY - 1})`);
  }
}

/** The coinbase cannot pay the outputs, the fee and at least MIN_CHANGE. */
export class InsufficientCoinbaseError extends Error {
  override readonly name = 'InsufficientCoinbaseError';
  constructor(
    readonly height: number,
    readonly available: bigint,
    readonly needed: bigint,
  ) {
    super(`the coinbase at height ${height} holds ${available} sat; paying these outputs, the fee and change needs ${needed} sat`);
  }
}

/** A request to the wallet with a field that is not what it must be. */
export class WalletInputError extends Error {
  override readonly name = 'WalletInputError';
  constructor(
    readonly field: string,
    readonly detail: string,
  ) {
    super(`wallet: ${field}: ${detail}`);
  }
}

export class InvalidAddressError extends Error {
  override readonly name = 'InvalidAddressError';
  constructor(
    readonly address: string,
    readonly detail: string,
  ) {
    super(`${JSON.stringify(address)} is not a regtest address: ${detail}`);
  }
}

export class NoAddressError extends Error {
  override readonly name = 'NoAddressError';
  constructor(readonly script: string) {
    super(`output script ${script} has no regtest address`);
  }
}

export type BtcAmountProblem = 'not-a-decimal' | 'negative' | 'zero' | 'too-many-decimals' | 'above-max-money';

export class BtcAmountError extends Error {
  override readonly name = 'BtcAmountError';
  constructor(
    readonly input: string,
    readonly problem: BtcAmountProblem,
  ) {
    super(`${JSON.stringify(input.length > 40 ? `${input.slice(0, 40)}...` : input)} is not a BTC amount: ${problem}`);
  }
}

// ---------------------------------------------------------------------------------------------
// BTC amounts: exact decimal strings <-> bigint sats

const BTC_DECIMAL = /^(\d+)(?:\.(\d+))?$/;

/** "0.5" -> 50_000_000n. Exact (no floats); refuses signs, exponents, more than 8 decimals, zero, more than 21M BTC. */
export function parseBtc(input: string): bigint {
  if (input.startsWith('-')) throw new BtcAmountError(input, 'negative');
  const match = BTC_DECIMAL.exec(input);
  if (match === null) throw new BtcAmountError(input, 'not-a-decimal');
  const [, whole = '', fraction = ''] = match;
  if (fraction.length > 8) throw new BtcAmountError(input, 'too-many-decimals');
  // Checked on the string first so that a huge input never becomes a huge bigint.
  if (whole.replace(/^0+/, '').length > 8) throw new BtcAmountError(input, 'above-max-money');
  const sats = BigInt(whole) * SATS_PER_BTC + BigInt(fraction.padEnd(8, '0'));
  if (sats === 0n) throw new BtcAmountError(input, 'zero');
  if (sats > MAX_MONEY_SATS) throw new BtcAmountError(input, 'above-max-money');
  return sats;
}

/** 50_000_000n -> "0.5"; 100_000_000n -> "1"; no trailing zeros, no exponent. */
export function formatBtc(sats: bigint): string {
  const sign = sats < 0n ? '-' : '';
  const magnitude = sats < 0n ? -sats : sats;
  const whole = magnitude / SATS_PER_BTC;
  const fraction = (magnitude % SATS_PER_BTC).toString().padStart(8, '0').replace(/0+$/, '');
  return `${sign}${whole}${fraction === '' ? '' : `.${fraction}`}`;
}

// ---------------------------------------------------------------------------------------------
// Regtest addresses

/** The output script (hex) of a regtest address. */
export function addressToScript(address: string): string {
  try {
    return bytesToHex(bitcoinAddress.toOutputScript(address, networks.regtest));
  } catch (error) {
    throw new InvalidAddressError(address, (error as Error).message);
  }
}

/** The regtest address of an output script (hex). */
export function scriptToAddress(script: string): string {
  try {
    return bitcoinAddress.fromOutputScript(hexToBytes(script), networks.regtest);
  } catch {
    throw new NoAddressError(script);
  }
}

// ---------------------------------------------------------------------------------------------
// The wallet

export interface Payout {
  /** Output script, hex. */
  readonly script: string;
  readonly amount: bigint;
}

/** A transaction the wallet published. */
export interface SentTransaction {
  txid: string;
  hex: string;
  /** The output the call was about (the deposit, the payment). */
  vout: number;
}

/**
 * What a deposit carries in its OP_RETURN: one push, several pushes in one OP_RETURN (the scanner
 * reads the last), or null for no OP_RETURN at all.
 */
export type DepositData = Uint8Array | readonly Uint8Array[] | null;

export interface DepositRequest {
  /** The validators' external output script, hex. */
  to: string;
  amount: bigint;
  /** The Serai account credited: 32 bytes, lowercase hex. */
  seraiAddress: string;
  /**
   * An explicit refund origin (output script hex), written into the Shorthand. Default null: the
   * scanner then presumes the origin is the script spent by input 0, the mining key's P2WPKH.
   */
  origin?: string | null;
}

export interface RawDepositRequest {
  to: string;
  amount: bigint;
  data: DepositData;
}

interface TxOutput {
  script: Uint8Array;
  value: bigint;
}

interface Coinbase {
  height: number;
  tx: Transaction;
  value: bigint;
}

const walletsByNode = new WeakMap<BtcdNode, DevnetWallet>();

export class DevnetWallet {
  private nextHeight = 1;

  private constructor(
    readonly node: BtcdNode,
    private readonly key: RegtestKey,
  ) {}

  /** The wallet of `node`: one per node per process, so that no two spend the same coinbase. */
  static of(node: BtcdNode): DevnetWallet {
    let wallet = walletsByNode.get(node);
    if (wallet === undefined) {
      if (node.miningKey === undefined) throw new NoMiningKeyError(node.rpcPort);
      wallet = new DevnetWallet(node, node.miningKey);
      walletsByNode.set(node, wallet);
    }
    return wallet;
  }

  /** The height of the coinbase the next transaction will try first. */
  get nextCoinbaseHeight(): number {
    return this.nextHeight;
  }

  /** The script a refund of a deposit without explicit origin goes to (the mining key's P2WPKH). */
  get refundScript(): string {
    return bytesToHex(this.key.outputScript);
  }

  /**
   * A deposit to the validators: the deposit output (vout 0), an OP_RETURN holding the SCALE
   * `Shorthand::Raw` of a Transfer to `seraiAddress`, and change.
   */
  async deposit(request: DepositRequest): Promise<SentTransaction> {
    const address = seraiAddressSchema.safeParse(request.seraiAddress);
    if (!address.success) throw new WalletInputError('seraiAddress', address.error.issues[0]?.message ?? 'invalid');
    const shorthand: Shorthand = {
      kind: 'Raw',
      origin: request.origin == null ? null : encodedOrigin(request.origin),
      instruction: { kind: 'Transfer', address: address.data },
    };
    return this.depositWithData({ to: request.to, amount: request.amount, data: encodeShorthand(shorthand) });
  }

  /** A deposit with arbitrary data, for hostile cases: the deposit output is vout 0. */
  async depositWithData(request: RawDepositRequest): Promise<SentTransaction> {
    const deposit = { script: scriptBytes('to', request.to), value: positiveAmount('amount', request.amount) };
    const data = request.data === null ? [] : [{ script: opReturnScript(request.data), value: 0n }];
    return this.send([deposit, ...data], 0);
  }

  /** A plain payment of `amount` to `script` (hex), at vout 0. */
  async payTo(script: string, amount: bigint): Promise<SentTransaction> {
    return this.send([{ script: scriptBytes('script', script), value: positiveAmount('amount', amount) }], 0);
  }

  /** One transaction paying `outputs` in order, change last; returns its txid. */
  async pay(outputs: readonly Payout[]): Promise<string> {
    const txOutputs = outputs.map((output, index) => ({
      script: scriptBytes(`outputs[${index}].script`, output.script),
      value: positiveAmount(`outputs[${index}].amount`, output.amount),
    }));
    return (await this.send(txOutputs, 0)).txid;
  }

  private async send(outputs: readonly TxOutput[], vout: number): Promise<SentTransaction> {
    for (;;) {
      const tx = this.build(await this.claimCoinbase(), outputs);
      const hex = tx.toHex();
      const outcome = await publish(this.node.rpc, hex);
      // Someone else spent that coinbase (another process on the same node): take the next one.
      if (outcome.kind === 'conflict') continue;
      return { txid: tx.getId(), hex, vout };
    }
  }

  /** The next mature coinbase, claimed before any await so that concurrent calls differ. */
  private async claimCoinbase(): Promise<Coinbase> {
    const { rpc } = this.node;
    for (;;) {
      const height = this.nextHeight++;
      const tip = await rpc.getBlockCount();
      if (tip - height + 1 < COINBASE_MATURITY) {
        this.nextHeight = Math.min(this.nextHeight, height);
        throw new CoinbaseNotMatureError(height, tip);
      }
      const txid = (await rpc.getBlock(await rpc.getBlockHash(height))).tx[0];
      if (txid === undefined) throw new Error(`btcd returned block ${height} without transactions`);
      const tx = Transaction.fromHex(await rpc.getRawTransactionHex(txid));
      const output = tx.outs[0];
      // A block mined to another address (a peer's) has nothing for this key.
      if (output === undefined || bytesToHex(output.script) !== this.refundScript) continue;
      return { height, tx, value: output.value };
    }
  }

  private build(coinbase: Coinbase, outputs: readonly TxOutput[]): Transaction {
    const paid = outputs.reduce((total, output) => total + output.value, 0n);
    // Sized with the longest signature a witness can carry (72 DER bytes and the sighash byte; the
    // change value has a fixed width), so the signed transaction is at most one vbyte smaller.
    const sized = this.unsigned(coinbase, outputs, 0n);
    sized.setWitness(0, [new Uint8Array(MAX_WITNESS_SIGNATURE), this.key.publicKey]);
    const fee = BigInt(sized.virtualSize()) * WALLET_FEE_RATE;
    const change = coinbase.value - paid - fee;
    if (change < MIN_CHANGE) throw new InsufficientCoinbaseError(coinbase.height, coinbase.value, paid + fee + MIN_CHANGE);
    const tx = this.unsigned(coinbase, outputs, change);
    const scriptCode = payments.p2pkh({ pubkey: this.key.publicKey }).output;
    if (scriptCode === undefined) throw new Error('bitcoinjs-lib p2pkh returned no script');
    const sighash = tx.hashForWitnessV0(0, scriptCode, coinbase.value, Transaction.SIGHASH_ALL);
    const signature = secp256k1.sign(sighash, this.key.secretKey, { prehash: false, format: 'der' });
    tx.setWitness(0, [Uint8Array.from([...signature, Transaction.SIGHASH_ALL]), this.key.publicKey]);
    return tx;
  }

  private unsigned(coinbase: Coinbase, outputs: readonly TxOutput[], change: bigint): Transaction {
    const tx = new Transaction();
    tx.version = 2;
    tx.addInput(coinbase.tx.getHash(), 0);
    for (const output of outputs) tx.addOutput(output.script, output.value);
    tx.addOutput(this.key.outputScript, change);
    return tx;
  }
}

/** The test suites' name for the wallet's plain payments: `new Faucet(node).pay(outputs)`. */
export class Faucet {
  private readonly wallet: DevnetWallet;

  constructor(node: BtcdNode) {
    this.wallet = DevnetWallet.of(node);
  }

  /** Publishes one transaction paying `outputs` in order (change back to the miner last); returns its txid. */
  pay(outputs: readonly Payout[]): Promise<string> {
    return this.wallet.pay(outputs);
  }
}

/** `OP_RETURN <push>...` with the push opcodes the lengths need (PUSHDATA1/2 for long data). */
export function opReturnScript(data: Uint8Array | readonly Uint8Array[]): Uint8Array {
  const pushes = data instanceof Uint8Array ? [data] : data;
  return bitcoinScript.compile([bitcoinScript.OPS.OP_RETURN, ...pushes]);
}

function scriptBytes(field: string, script: string): Uint8Array {
  if (!/^([0-9a-f]{2})+$/.test(script)) throw new WalletInputError(field, 'expected a non-empty output script as lowercase hex');
  return hexToBytes(script);
}

function positiveAmount(field: string, amount: bigint): bigint {
  if (amount <= 0n || amount > MAX_MONEY_SATS) throw new WalletInputError(field, `expected 1..${MAX_MONEY_SATS} sat, got ${amount}`);
  return amount;
}

/** The Shorthand origin (Serai's ExternalAddress bytes, hex) of an output script. */
function encodedOrigin(script: string): string {
  const encoded = encodeAddress(scriptBytes('origin', script));
  if (encoded === null) throw new WalletInputError('origin', `script ${script} is not a P2PKH, P2SH, P2WPKH, P2WSH or P2TR output Serai can refund to`);
  return bytesToHex(encoded);
}
