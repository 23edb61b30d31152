/** Bitcoin's rules for the processor's in-workflow decisions: pure, dependency-light, workflow-safe. */
import { bytesToHex } from '@noble/hashes/utils.js';
import { BITCOIN_LIMITS } from '../../scheduler';
import type { ChainRules } from '../rules';
import { decodeAddress } from './instructions';
import { bitcoinFeeModel } from './transaction-fee';

export const bitcoinRules: ChainRules = {
  scheduler: 'utxo',
  limits: BITCOIN_LIMITS,
  feeModel: (rate) => bitcoinFeeModel(BigInt(Math.max(1, Math.ceil(rate)))),
  paymentAddress: (encoded) => {
    const script = decodeAddress(encoded);
    return script === null ? null : bytesToHex(script);
  },
  addressName: 'a Bitcoin address',
};
