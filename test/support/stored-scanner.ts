/**
 * A Bitcoin scanner core and Serai blocks for the tests of the Serai-block activity
 * (activities/serai-blocks.ts) on the real keystore. The chain adapter is a stand-in that answers
 * the fee-rate read only (the one thing the activity asks of the chain).
 */
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import { schnorr } from '@noble/curves/secp256k1.js';
import { createSeraiBlockActivities, type SeraiBlockOutcome } from '../../activities/serai-blocks';
import type { InInstructionWithBalance } from '../../messages/instructions';
import { encodeAddress } from '../../networks/bitcoin/instructions';
import type { ChainAdapter } from '../../networks/chain';
import { initialScanState } from '../../networks/finality';
import type { Keystore } from '../../store';
import { isStoredScheduler, type SchedulerSlot, type StoredScheduler } from '../../workflows/scheduling';
import { emptyCore, withKey, type FinalBlock, type ScannerCore, type SeraiBlockMessage } from '../../workflows/scanner-state';

export const hash = (n: number) => n.toString(16).padStart(64, '0');
export const txid = (n: number) => (n + 0x1000).toString(16).padStart(64, 'a');
export const SCRIPTS = { external: `5120${'11'.repeat(32)}`, branch: `5120${'22'.repeat(32)}`, change: `5120${'33'.repeat(32)}`, forward: `5120${'44'.repeat(32)}` };
export const FEE_RATE = 3;

export function keyed(): ScannerCore {
  const networkKey = bytesToHex(schnorr.getPublicKey(schnorr.utils.randomSecretKey()));
  return withKey(emptyCore('bitcoin'), { session: 0, activeFrom: 1000, networkKey, scripts: SCRIPTS }, initialScanState({ confirmations: 3, startHeight: 100 }));
}

export function block(height: number, time: number, deposits: { n: number; amount: bigint }[] = []): FinalBlock {
  const transfer = (n: number, amount: bigint): InInstructionWithBalance => ({ instruction: { kind: 'Transfer', address: hash(n) }, balance: { coin: 'bitcoin', amount: amount.toString() } });
  return {
    block: { height, hash: hash(height), time },
    outputs: deposits.map((d) => ({ txid: txid(d.n), vout: 0, kind: 'external' as const, amount: d.amount.toString() })),
    deposits: deposits.map((d) => ({ kind: 'instruction' as const, output: `${txid(d.n)}:0`, instruction: transfer(d.n, d.amount - 1600n), refundTo: null })),
  };
}

export const payee = (i: number) => (i % 3 === 0 ? `0014${(i + 1).toString(16).padStart(40, '0')}` : `5120${(i + 1).toString(16).padStart(64, '0')}`);
export const burn = (i: number, amount: bigint) => ({ instruction: { address: bytesToHex(encodeAddress(hexToBytes(payee(i)))!), data: null }, balance: { coin: 'bitcoin' as const, amount: amount.toString() } });

export function serai(number: number, batches: number[], burns: SeraiBlockMessage['burns'] = []): SeraiBlockMessage {
  return { kind: 'substrate.SubstrateBlock', context: { serai_time: '2000', network_latest_finalized_block: hash(0) }, block: String(number), batches, burns };
}

export function activities(keystore: Keystore, feeRate = FEE_RATE) {
  const feeReads: string[] = [];
  const chain = { feed: { feeRateAt: async (at: string) => (feeReads.push(at), feeRate) } } as unknown as ChainAdapter;
  return { ...createSeraiBlockActivities({ keystore, chain: () => chain }), feeReads };
}

export function applied(outcome: SeraiBlockOutcome) {
  if ('refused' in outcome) throw new Error(`refused: ${outcome.refused}`);
  return outcome.applied;
}

export const stored = (slot: SchedulerSlot | null): StoredScheduler => {
  if (slot === null || !isStoredScheduler(slot)) throw new Error('expected a stored scheduler');
  return slot;
};

