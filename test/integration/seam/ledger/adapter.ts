/** The toy ledger behind the chain seam (networks/chain.ts), exactly as a real chain's adapter sits there. */
import { isUtxoPlan } from '../../../../scheduler/plans';
import { hexToBytes, bytesToHex } from '@noble/hashes/utils.js';
import { singleMessageProtocol } from '../../../../crypto/sign/single-message';
import { schemes } from '../../../../crypto/suites';
import { decodeShorthand } from '../../../../messages/shorthand';
import type { ChainAdapter, FinalBlock, FoundOutput, Signable } from '../../../../networks/chain';
import { TransactionRejectedError } from '../../../../networks/chain-errors';
import type { DepositOutcome } from '../../../../networks/deposits';
import type { OutputKind } from '../../../../networks/network';
import { advance, viewStart } from '../../../../networks/finality';
import { OUTPUT_KINDS } from '../../../../crypto/suites/types';
import { Ledger, LedgerRejection, ledgerAddress, spendMessage, spendTxid, type LedgerTx } from './ledger';
import { registerChainRules } from '../../../../networks/rules';
import { ledgerRules } from './rules';

// The activities apply Serai blocks with the network's rules too (activities/serai-blocks.ts), as the workflow bundle does (./workflows.ts).
registerChainRules('monero', ledgerRules);

/** A plan as the ledger spends it: JSON, amounts as decimal strings. */
export interface LedgerSignable extends Signable {
  key: string;
  inputs: { id: string; kind: OutputKind }[];
  outputs: { address: string; amount: string }[];
  eventuality: { id: string };
}

const toTx = (signable: LedgerSignable): LedgerTx => ({
  txid: signable.eventuality.id,
  inputs: signable.inputs,
  outputs: signable.outputs.map((o) => ({ address: o.address, amount: BigInt(o.amount) })),
  key: signable.key,
});

function depositOutcome(tx: LedgerTx, vout: number): DepositOutcome {
  const output = `${tx.txid}:${vout}`;
  const amount = tx.outputs[vout]!.amount.toString();
  const decoded = tx.data === undefined ? undefined : decodeShorthand(hexToBytes(tx.data));
  if (decoded?.ok && decoded.shorthand.kind === 'Raw') {
    return { kind: 'instruction', output, instruction: { instruction: decoded.shorthand.instruction, balance: { coin: 'monero', amount } }, refundTo: tx.from ?? null };
  }
  const invalid = decoded === undefined ? { reason: 'no-data' as const } : decoded.ok ? { reason: 'unsupported' as const, shorthand: decoded.shorthand.kind as 'Swap' } : { reason: 'undecodable' as const, field: decoded.error.field, detail: decoded.error.reason };
  return tx.from ? { kind: 'refund', output, invalid, refund: { address: tx.from, amount } } : { kind: 'unusable', output, invalid };
}

export function ledgerChain(ledger: Ledger): ChainAdapter {
  return {
    network: 'monero',
    feed: {
      async tip() {
        return { height: ledger.tip.height, hash: ledger.tip.hash };
      },
      async activationSearchStart(activeFrom) {
        return ledger.blocks.find((block) => block.time >= activeFrom)?.height ?? ledger.tip.height + 1;
      },
      async poll(state, keys, upTo) {
        const view = { tip: ledger.tip.height, blocks: ledger.blocks.slice(viewStart(state)).map(({ height, hash, parent, time }) => ({ height, hash, parent, time })) };
        const step = advance(state, view, upTo);
        const blocks: FinalBlock[] = step.final.map((ref) => {
          const block = ledger.blocks[ref.height]!;
          // Each key is watched from its activation time, and each output names the session it pays.
          const watched = new Map<string, { kind: OutputKind; session: number }>(
            keys.filter((key) => key.activeFrom === undefined || block.time >= key.activeFrom).flatMap((key) => OUTPUT_KINDS.map((kind) => [key.scripts[kind], { kind, session: key.session }] as const)),
          );
          const outputs: FoundOutput[] = [];
          const deposits: DepositOutcome[] = [];
          for (const tx of block.txs) {
            tx.outputs.forEach((output, vout) => {
              const match = watched.get(output.address);
              if (match === undefined) return;
              outputs.push({ txid: tx.txid, vout, kind: match.kind, amount: output.amount.toString(), session: match.session });
              if (match.kind === 'external') deposits.push(depositOutcome(tx, vout));
            });
          }
          return { block: { height: block.height, hash: block.hash, time: block.time }, outputs, deposits };
        });
        return { state: step.state, blocks, followedReorg: step.followedReorg };
      },
      feeRateAt: async () => 1,
      spentOutputs: async (ids) => ids.filter((id) => !ledger.isUnspent(id)),
    },
    keys: {
      keySet(_session, groupKey) {
        const key = bytesToHex(groupKey);
        return { networkKey: key, scripts: Object.fromEntries(OUTPUT_KINDS.map((kind) => [kind, ledgerAddress(key, kind)])) as Record<OutputKind, string> };
      },
    },
    transactions: {
      signable(plan, _session, groupKey): LedgerSignable {
        if (!isUtxoPlan(plan)) throw new Error('the ledger takes UTXO plans');
        const key = bytesToHex(groupKey);
        const inputs = plan.inputs.map(({ id, kind }) => ({ id, kind }));
        const outputs = plan.outputs.map((o) => (o.kind === 'payment' ? { address: o.address, amount: o.amount } : { address: ledgerAddress(key, 'branch'), amount: o.amount }));
        // A rotating key's change (its sweep, its forwards) goes to the successor's address the plan names.
        if (plan.change !== null) outputs.push({ address: plan.changeTo ?? ledgerAddress(key, 'change'), amount: plan.change });
        const txid = spendTxid({ inputs, outputs: outputs.map((o) => ({ address: o.address, amount: BigInt(o.amount) })) });
        return { key, inputs, outputs, eventuality: { id: txid } };
      },
      signing: singleMessageProtocol<unknown, { txid: string; hex: string }>({
        scheme: schemes.ed25519,
        curve: 'ed25519',
        message: (signable) => spendMessage((signable as LedgerSignable).eventuality.id),
        signed: (signable, signature) => {
          const tx = { ...toTx(signable as LedgerSignable), signature: bytesToHex(signature) };
          return { txid: tx.txid, hex: JSON.stringify(tx, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)) };
        },
      }),
      async publish(signed) {
        const parsed = JSON.parse(signed) as LedgerTx & { outputs: { address: string; amount: string }[] };
        const tx: LedgerTx = { ...parsed, outputs: parsed.outputs.map((o) => ({ address: o.address, amount: BigInt(o.amount) })) };
        try {
          return { kind: ledger.submit(tx) };
        } catch (err) {
          if (!(err instanceof LedgerRejection)) throw err;
          if (/is spent by|is not unspent/.test(err.message)) return { kind: 'conflict', reason: err.message };
          throw new TransactionRejectedError(tx.txid, -1, err.message);
        }
      },
      async completion(signable, confirmations) {
        const id = signable.eventuality.id;
        return ledger.confirmations(id) >= confirmations ? { completed: true, height: ledger.heightOf(id) } : { completed: false };
      },
      async verifyClaim(signable, claim, confirmations) {
        if (claim !== signable.eventuality.id) return { valid: false, reason: `claimed ${claim}, the plan's transaction is ${signable.eventuality.id}` };
        if (ledger.confirmations(claim) >= confirmations) return { valid: true };
        return { valid: false, reason: `not on the ledger with ${confirmations} confirmations`, pending: ledger.confirmations(claim) > 0 };
      },
    },
  };
}
