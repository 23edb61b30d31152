/** Bitcoin's rules for the processor's in-workflow decisions: pure, dependency-light, workflow-safe. */
import { BITCOIN_LIMITS } from '../../scheduler';
import type { UtxoChainRules } from '../rules';
import { paymentScript } from './instructions';
import { bitcoinFeeModel } from './transaction-fee';

export const bitcoinRules: UtxoChainRules = {
  scheduler: 'utxo',
  limits: BITCOIN_LIMITS,
  feeModel: (rate) => bitcoinFeeModel(BigInt(Math.max(1, Math.ceil(rate)))),
  paymentAddress: paymentScript,
  addressName: 'a Bitcoin address',
  blockTimeSeconds: 600,
};
