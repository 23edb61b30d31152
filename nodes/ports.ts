import { createServer } from 'node:net';

/**
 * A TCP port that was free on `host` a moment ago. Another process can take it before the caller
 * binds it, so callers retry their startup with a fresh port when a bind fails.
 */
export function freePort(host = '127.0.0.1', port = 0): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen({ host, port, exclusive: true }, () => {
      const address = server.address();
      if (address === null || typeof address === 'string') {
        server.close();
        reject(new Error(`freePort: unexpected listen address ${String(address)}`));
        return;
      }
      server.close((closeError) => (closeError ? reject(closeError) : resolvePort(address.port)));
    });
  });
}

/** `count` distinct free ports. */
export async function freePorts(count: number, host = '127.0.0.1'): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < count) ports.add(await freePort(host));
  return [...ports];
}

/**
 * `count` distinct free ports in [low, high], tried at random (below the ephemeral range, for a
 * program that stores ports in a 16-bit signed column, as the Temporal server's membership does).
 */
export async function freePortsIn(count: number, low: number, high: number, host = '127.0.0.1'): Promise<number[]> {
  const ports = new Set<number>();
  for (let tries = 0; ports.size < count; tries++) {
    if (tries > 1000) throw new Error(`freePortsIn: no ${count} free ports in ${low}-${high} on ${host}`);
    const candidate = low + Math.floor(Math.random() * (high - low + 1));
    if (ports.has(candidate)) continue;
    const free = await freePort(host, candidate).then(() => true, () => false);
    if (free) ports.add(candidate);
  }
  return [...ports];
}
