/**
 * Mines one block every interval on a btcd regtest node, so that the devnet's deposits and
 * payouts confirm by themselves. Mining calls never overlap: the next one is scheduled when the
 * previous one (and its onBlock) has finished, one interval after the previous one started.
 */
import type { BtcdNode } from '../nodes/btcd';

export interface MinerOptions {
  intervalMs: number;
  /** Called with each mined block's hash, awaited before the next block; a throw goes to onError. */
  onBlock?: (hash: string) => void | Promise<void>;
  /** Every failed mining call (or onBlock). The miner goes on at the next interval; call stop() to give up. */
  onError: (error: unknown) => void;
}

export interface Miner {
  /** Stops scheduling and resolves once an in-flight mining call has finished; idempotent. */
  stop(): Promise<void>;
  /** No new blocks until resume(); resolves once a mining call already in flight has finished. */
  pause(): Promise<void>;
  resume(): void;
  /** Blocks mined so far. */
  readonly blocks: number;
}

export class MinerOptionError extends Error {
  override readonly name = 'MinerOptionError';
  constructor(
    readonly option: keyof MinerOptions,
    detail: string,
  ) {
    super(`startMiner: option ${option}: ${detail}`);
  }
}

type MinerState = 'running' | 'paused' | 'stopped';

class IntervalMiner implements Miner {
  private state: MinerState = 'running';
  private timer: NodeJS.Timeout | undefined;
  private inFlight: Promise<void> | undefined;
  private mined = 0;

  constructor(
    private readonly node: Pick<BtcdNode, 'mine'>,
    private readonly options: MinerOptions,
  ) {
    this.schedule(options.intervalMs);
  }

  get blocks(): number {
    return this.mined;
  }

  async pause(): Promise<void> {
    if (this.state === 'running') {
      this.state = 'paused';
      this.cancelTimer();
    }
    await this.inFlight;
  }

  resume(): void {
    if (this.state !== 'paused') return;
    this.state = 'running';
    // An in-flight call schedules the next one itself when it finishes.
    if (this.inFlight === undefined) this.schedule(this.options.intervalMs);
  }

  async stop(): Promise<void> {
    this.state = 'stopped';
    this.cancelTimer();
    await this.inFlight;
  }

  private schedule(delayMs: number): void {
    this.timer = setTimeout(() => this.fire(), delayMs);
  }

  private cancelTimer(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private fire(): void {
    this.timer = undefined;
    const started = Date.now();
    this.inFlight = this.mineOne().finally(() => {
      this.inFlight = undefined;
      // Decided here, in the same step that clears inFlight, so a resume() in between cannot be lost.
      if (this.state === 'running') this.schedule(Math.max(0, this.options.intervalMs - (Date.now() - started)));
    });
  }

  private async mineOne(): Promise<void> {
    try {
      const [hash] = await this.node.mine(1);
      if (hash === undefined) throw new Error('btcd generate returned no block hash');
      this.mined++;
      await this.options.onBlock?.(hash);
    } catch (error) {
      this.options.onError(error);
    }
  }
}

/** Starts mining: the first block one interval from now. */
export function startMiner(node: Pick<BtcdNode, 'mine'>, options: MinerOptions): Miner {
  if (!Number.isFinite(options.intervalMs) || options.intervalMs <= 0) {
    throw new MinerOptionError('intervalMs', `expected a positive number of milliseconds, got ${options.intervalMs}`);
  }
  if (typeof options.onError !== 'function') throw new MinerOptionError('onError', 'errors must go somewhere: pass a function');
  return new IntervalMiner(node, options);
}
