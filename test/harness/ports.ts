import { type AddressInfo, createServer, type Server } from "node:net";

/**
 * `count` distinct free TCP ports on 127.0.0.1, for servers a test starts in another
 * process. They come from below the kernel's ephemeral range (32768 and up on
 * Linux), which a port-0 bind would draw from: there, any test's outgoing
 * connection could take the port between the check and the server's bind, and a
 * whole full run opens thousands of connections. All are held until all are found.
 */
export async function freePorts(count: number): Promise<number[]> {
  const held: Server[] = [];
  try {
    while (held.length < count) {
      const port = 20_000 + Math.floor(Math.random() * 12_000);
      const server = await new Promise<Server | undefined>((resolve) => {
        const candidate = createServer();
        candidate.once("error", () => resolve(undefined));
        candidate.listen(port, "127.0.0.1", () => resolve(candidate));
      });
      if (server) held.push(server);
    }
    return held.map((server) => (server.address() as AddressInfo).port);
  } finally {
    await Promise.all(held.map((server) => new Promise((resolve) => server.close(resolve))));
  }
}

/** One free port, as `freePorts`. */
export async function freePort(): Promise<number> {
  const [port] = await freePorts(1);
  return port!;
}
