import { startAnvil, type AnvilNode, type AnvilOptions } from '../../nodes/anvil';
import { startBtcd, type BtcdNode, type BtcdOptions } from '../../nodes/btcd';

/** Hook timeout for starting/stopping a node: start retries with generous readiness timeouts. */
export const NODE_HOOK_TIMEOUT_MS = 240_000;

interface Stoppable {
  stop(): Promise<void>;
}

type OptionsOrThunk<O> = O | (() => O);

/** Runs `body` against a fresh btcd regtest node and always stops it afterwards. */
export function withBtcd<T>(options: BtcdOptions, body: (node: BtcdNode) => Promise<T>): Promise<T> {
  return withNode(() => startBtcd(options), body);
}

/** Runs `body` against a fresh anvil and always stops it afterwards. */
export function withAnvil<T>(options: AnvilOptions, body: (node: AnvilNode) => Promise<T>): Promise<T> {
  return withNode(() => startAnvil(options), body);
}

/**
 * Starts btcd in beforeAll and stops it in afterAll of the enclosing describe (or file).
 * Options may be a function, evaluated in beforeAll, e.g. to connect to a node started earlier.
 */
export function useBtcd(options: OptionsOrThunk<BtcdOptions> = {}): () => BtcdNode {
  return useNode('btcd', () => startBtcd(typeof options === 'function' ? options() : options));
}

/** Starts anvil in beforeAll and stops it in afterAll of the enclosing describe (or file). */
export function useAnvil(options: OptionsOrThunk<AnvilOptions> = {}): () => AnvilNode {
  return useNode('anvil', () => startAnvil(typeof options === 'function' ? options() : options));
}

async function withNode<N extends Stoppable, T>(start: () => Promise<N>, body: (node: N) => Promise<T>): Promise<T> {
  const node = await start();
  try {
    return await body(node);
  } finally {
    await node.stop();
  }
}

function useNode<N extends Stoppable>(name: string, start: () => Promise<N>): () => N {
  let node: N | undefined;
  beforeAll(async () => {
    node = await start();
  }, NODE_HOOK_TIMEOUT_MS);
  afterAll(async () => {
    await node?.stop();
  }, NODE_HOOK_TIMEOUT_MS);
  return () => {
    if (!node) throw new Error(`${name} is not running: its beforeAll failed or has not run yet`);
    return node;
  };
}
