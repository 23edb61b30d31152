import { createServer } from 'node:net';
import { freePort } from '../nodes/ports';

/** `preferred` if nothing listens on it on loopback, else any free port. */
export async function preferredOrFreePort(preferred: number | undefined): Promise<number> {
  if (preferred === undefined || preferred === 0) return freePort();
  const taken = await new Promise<boolean>((done) => {
    const probe = createServer();
    probe.once('error', () => done(true));
    probe.listen(preferred, '127.0.0.1', () => probe.close(() => done(false)));
  });
  return taken ? freePort() : preferred;
}
