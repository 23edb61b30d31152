/**
 * The toy ledger's rules for the workflows (pure, workflow-safe): the UTXO scheduler with small
 * limits, a flat fee per input and output, and 32-byte addresses named by Serai as themselves.
 */
import { bytesToHex } from '@noble/hashes/utils.js';
import type { UtxoChainRules } from '../../../../networks/rules';

/** The fee per input and per output (change included), in the ledger's base unit. */
export const LEDGER_FEE_PER_ITEM = 10n;

export const ledgerRules: UtxoChainRules = {
  scheduler: 'utxo',
  limits: { maxInputs: 16, maxOutputs: 16, dust: '1000', maxAmount: '1000000000000' },
  feeModel: () => (shape) => LEDGER_FEE_PER_ITEM * BigInt(shape.inputs.length + shape.outputs.length + (shape.change ? 1 : 0)),
  paymentAddress: (encoded) => (encoded.length === 32 ? bytesToHex(encoded) : null),
  addressName: 'a ledger address (32 bytes)',
  blockTimeSeconds: 1,
};
