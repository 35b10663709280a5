import type { Server } from 'node:net';

/** Starts `server` listening on `host:port` (0 = any free port) and resolves with the port it got. */
export async function listenOn(server: Server, host: string, port = 0): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return (server.address() as { port: number }).port;
}
