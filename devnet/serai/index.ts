/**
 * The devnet's Serai chain simulator: a pure chain core (`chain.ts`) over a JSON state, and a
 * file store so the chain survives restarts. See README.md.
 */
export { burn, produceBlock, publishSignedBatch, setKeys, type IncludedBatch, type ProduceBlockOptions } from './chain';
export { blockMessages, type BlockMessage } from './block-messages';
export * from './errors';
export type { BurnRequest, SetKeysRequest } from './input';
export { parseState, serializeState } from './serialize';
export { emptyState, type BatchRecord, type BurnRecord, type SeraiBlock, type SeraiChainState } from './state';
export { loadSeraiState, saveSeraiState } from './store';
export { supplyProblem, totals, type CoinReport } from './totals';
