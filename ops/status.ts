/**
 * The operator's view of a validator set's processors (`npm run ops -- status`): for each validator
 * and network, the active key and any rotation, how far the scanner is behind the chain, the Batches
 * waiting for Serai, what is signing and what is stuck, the solvency watch, and the key's holdings
 * where the chain can say. Everything comes from the processors' own queries through Temporal; the
 * chain endpoints, when given, add the tip (for the lag) and the Router's balance.
 */
import type { ProcessorClient, SigningView } from '../client';
import type { NetworkName } from '../config/worker-config';
import type { ScannerStatus } from '../workflows/scanner-defs';
import type { ChainView } from './chain-view';

export interface StatusRow {
  validator: string;
  network: NetworkName;
  /** Null when the processor answered; else why not (no worker, a timeout, an error). */
  unreachable: string | null;
  session: number | null;
  /** The key's deposit script (Bitcoin) or Router (Ethereum), hex. */
  key: string | null;
  /** The later session taking over, with its stage. */
  rotation: { session: number; stage: string } | null;
  retiredSessions: number[];
  /** The last block the scanner took (its next height less one). */
  scanned: number | null;
  tip: number | null;
  lag: number | null;
  batchesAwaitingAck: number;
  signing: { batches: number; plans: number; stuck: string[] };
  solvency: string;
  outputs: number | null;
  queuedPayments: number | null;
  /** What the key holds on chain, where the chain can say (the Router's ether), in base units. */
  balance: string | null;
  /** Why the chain's tip or balance is missing although a chain view was given (its node did not answer). */
  chainError: string | null;
}


const within = <T>(ms: number, what: Promise<T>): Promise<T> =>
  Promise.race([what, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`no answer within ${ms / 1000} s (is its worker running?)`)), ms).unref())]);

/** One row: the processor's scanner and signings, and the chain's tip and balance if a view is given. */
export async function statusRow(validator: string, network: NetworkName, processor: Pick<ProcessorClient, 'scannerStatus' | 'signings'>, chain: ChainView | undefined, timeoutMs = 5_000): Promise<StatusRow> {
  const row: StatusRow = {
    validator, network, unreachable: null, session: null, key: null, rotation: null, retiredSessions: [], scanned: null, tip: null, lag: null,
    batchesAwaitingAck: 0, signing: { batches: 0, plans: 0, stuck: [] }, solvency: 'unknown', outputs: null, queuedPayments: null, balance: null, chainError: null,
  };
  let scanner: ScannerStatus;
  let signings: SigningView[];
  try {
    [scanner, signings] = await within(timeoutMs, Promise.all([processor.scannerStatus(), processor.signings()]));
  } catch (err) {
    return { ...row, unreachable: err instanceof Error ? err.message : String(err) };
  }
  const mine = signings.filter((s) => s.workflowId.includes(`-${network}-`));
  const chainErrors: string[] = [];
  const fromChain = async <T>(what: string, read: (() => Promise<T>) | undefined): Promise<T | null> => {
    if (!read) return null;
    try {
      return await within(timeoutMs, read());
    } catch (err) {
      chainErrors.push(`${what}: ${err instanceof Error ? err.message : String(err)}`);
      return null;
    }
  };
  const tip = await fromChain('tip', chain && (() => chain.tip()));
  const externalScript = scanner.externalScript;
  const balance = await fromChain('balance', chain && externalScript !== null ? () => chain.balance(externalScript) : undefined);
  const scanned = scanner.nextHeight === null ? null : scanner.nextHeight - 1;
  return {
    ...row,
    session: scanner.session,
    key: scanner.externalScript,
    rotation: scanner.rotation ? { session: scanner.rotation.session, stage: scanner.rotation.stage } : null,
    retiredSessions: scanner.retiredSessions ?? [],
    scanned,
    tip,
    lag: tip !== null && scanned !== null ? Math.max(0, tip - scanned) : null,
    batchesAwaitingAck: scanner.awaitingAck.reduce((sum, block) => sum + block.batches.length, 0),
    signing: { batches: mine.filter((s) => s.kind === 'batch').length, plans: mine.filter((s) => s.kind === 'plan').length, stuck: mine.filter((s) => s.stuck).map((s) => s.workflowId) },
    solvency: scanner.solvency ? `${scanner.solvency.state}${scanner.solvency.reason ? ` (${scanner.solvency.reason})` : ''}` : 'no key yet',
    outputs: scanner.scheduler?.outputs ?? null,
    queuedPayments: scanner.scheduler?.queuedPayments ?? null,
    balance,
    chainError: chainErrors.length > 0 ? chainErrors.join('; ') : null,
  };
}

const short = (hex: string | null) => (hex === null ? '-' : hex.length > 16 ? `${hex.slice(0, 8)}..${hex.slice(-6)}` : hex);
const dash = (value: number | string | null) => (value === null ? '-' : String(value));

/** The rows as a fixed-width table, one line per validator and network, then the stuck signings by name. */
export function formatStatus(rows: readonly StatusRow[]): string {
  const header = ['validator', 'network', 'session', 'key', 'rotation', 'scanned', 'tip', 'lag', 'batches pending', 'signing b/p', 'stuck', 'outputs', 'queued', 'balance', 'solvency'];
  const lines = rows.map((r) =>
    r.unreachable !== null
      ? [r.validator, r.network, `UNREACHABLE: ${r.unreachable}`]
      : [
          r.validator,
          r.network,
          dash(r.session),
          short(r.key),
          r.rotation ? `-> ${r.rotation.session} ${r.rotation.stage}` : r.retiredSessions.length > 0 ? `retired ${r.retiredSessions.join(',')}` : '-',
          dash(r.scanned),
          dash(r.tip),
          dash(r.lag),
          String(r.batchesAwaitingAck),
          `${r.signing.batches}/${r.signing.plans}`,
          String(r.signing.stuck.length),
          dash(r.outputs),
          dash(r.queuedPayments),
          dash(r.balance),
          r.solvency,
        ],
  );
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => (l.length === header.length || i < 2 ? l[i]!.length : 0))));
  const render = (cells: string[]) => cells.map((c, i) => (i < cells.length - 1 ? c.padEnd(widths[i]!) : c)).join('  ');
  const stuck = rows.flatMap((r) => r.signing.stuck.map((id) => `stuck: ${r.validator} ${id}`));
  const chainErrors = rows.flatMap((r) => (r.chainError === null ? [] : [`chain: ${r.validator} ${r.network}: ${r.chainError}`]));
  return [render(header), ...lines.map(render), ...stuck, ...chainErrors].join('\n');
}
