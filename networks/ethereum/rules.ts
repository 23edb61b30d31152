/** Ethereum's rules for the processor's in-workflow decisions: pure, dependency-light, workflow-safe. */
import type { AccountChainRules } from '../rules';
import { decodeEthereumAddress } from './address';
import { BATCH_GAS_LIMIT, ETH_EXECUTE_GAS, OZ_ERC20_EXECUTE_GAS, routerCostModel } from './batch-cost';

/** A Serai amount's most: a u64. */
const MAX_AMOUNT = '18446744073709551615';
/**
 * DAI per ETH for the relayer's fee in DAI batches: an agreed constant, as Serai's hard-coded DAI
 * fee per gas is (reference ethereum-router.md 7.5); there is no price oracle yet.
 */
export const DAI_PER_ETH = 3000n;

export const ethereumRules: AccountChainRules = {
  scheduler: 'account',
  // Serai's dust (reference 7.2): 0.0015 ETH, 5 DAI, in Serai's 8 decimals.
  coins: [
    { coin: 'ether', dust: '150000', maxAmount: MAX_AMOUNT },
    { coin: 'dai', dust: '500000000', maxAmount: MAX_AMOUNT },
  ],
  maxBatchGas: BATCH_GAS_LIMIT,
  firstNonce: 1,
  batchCost: (rate) =>
    routerCostModel(BigInt(Math.max(0, Math.ceil(rate))), [
      { coin: 'ether', gas: ETH_EXECUTE_GAS, unitsPerWei: 1n },
      { coin: 'dai', gas: OZ_ERC20_EXECUTE_GAS, unitsPerWei: DAI_PER_ETH },
    ]),
  paymentAddress: decodeEthereumAddress,
  addressName: 'an Ethereum address',
  blockTimeSeconds: 12,
  // The network key's x: the Router's px only when the group key needed no offset to the key rule. The
  // adapter reports the real px with each key (KeySet.contractKey); this is for keys loaded before it did.
  contractKey: (networkKey) => networkKey.slice(2),
};
