// Bundle entry point of the devnet coordinator's worker.
export { coordinateKeygen } from './keygen';
export { coordinateBatch } from './batch';
export { coordinatePlan } from './plan';
export { seraiChain } from './serai-chain';
