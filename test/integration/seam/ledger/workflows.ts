/**
 * The workflow bundle of a processor on the toy ledger: the processor's own workflows, unchanged,
 * with the ledger's rules registered for the network it stands in for. The ledger borrows the
 * name `monero` (Serai's messages name only its external networks); no Monero code exists here.
 */
import { registerChainRules } from '../../../../networks/rules';
import { ledgerRules } from './rules';

registerChainRules('monero', ledgerRules);

export * from '../../../../workflows';
