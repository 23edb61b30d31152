// The single bundle entry point of the processor worker: workflows (and workflow-safe definitions) only.
export { processorHealth } from './health';
export { keyGeneration } from './keygen';
export { confirmKeyPair } from './confirm';
export { signBatch } from './batch';
export { signPlan } from './plan';
export { scanner } from './scanner';
export { substrateBlock } from './serai-block';
