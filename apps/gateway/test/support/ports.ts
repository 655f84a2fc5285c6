import { createServer } from "node:net";

/**
 * A TCP port nobody listens on right now, for a server that must know its port before it starts. Chosen below
 * Linux's ephemeral range (32768-60999), not by the kernel (port 0): a port from that range can be taken, before
 * the server binds it, as the local port of any outgoing connection (a database pool, HAProxy's health checks),
 * which with a dozen processes starting at once happens.
 */
export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    if (await canListen(port)) return port;
  }
  throw new Error("no free port below the ephemeral range after 200 tries");
}

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", () => resolve(false));
    server.listen(port, "127.0.0.1", () => server.close(() => resolve(true)));
  });
}
