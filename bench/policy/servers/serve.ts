// The command-line end of the benches' do-nothing servers (policy and milter): listen where argv[2]
// says (host:port, port 0 for any), print the address the bench reads, stop on SIGTERM or SIGINT.
import type net from 'node:net';

/** Listens with `server`; resolves once it accepts connections. */
export function listen(server: net.Server, host: string, port: number): Promise<net.Server> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve(server));
  });
}

/** Runs a server built by `start` as this process's whole job. */
export async function serveFromArgv(start: (host: string, port: number) => Promise<net.Server>): Promise<void> {
  const [host = '127.0.0.1', port = '0'] = (process.argv[2] ?? '127.0.0.1:0').split(/:(?=\d+$)/);
  const server = await start(host, Number(port));
  const addr = server.address() as net.AddressInfo;
  console.log(`listening ${addr.address}:${addr.port}`);
  for (const signal of ['SIGTERM', 'SIGINT'] as const) process.on(signal, () => server.close(() => process.exit(0)));
}
