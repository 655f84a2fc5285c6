import { spawn } from "node:child_process";
import { connect } from "node:net";

/**
 * Documents an attacker sends, as issue 8 measured them on loopback before the edge had limits, and the small
 * HTTP helpers the edge tests need beyond fetch.
 */

/** An anonymous selection nested 1,500 levels deep, over 20 KB: it made the monolith run out of heap. */
export function deepSelection(levels = 1_500): string {
  const cycle = ["orders { id ", "edges { cursor ", "node { id status ", "customer { id name "];
  let open = "";
  for (let level = 0; level < levels; level++) open += cycle[level % cycle.length];
  return `{ me { ${open}id${" }".repeat(levels + 1)} }`;
}

/** 1,000 aliases of products(first: 100): 9.2 MB of answer and a 5-8 s stall, before. */
export function aliasFlood(count = 1_000): string {
  return `{ ${Array.from({ length: count }, (_, i) => `p${i}: products(first: 100) { edges { node { sku name description priceCents } } }`).join(" ")} }`;
}

/** Fragments that each spread the next twice: 2^levels selections once expanded (the planner would expand them). */
export function fragmentExplosion(levels = 30): string {
  let fragments = "";
  for (let i = 0; i < levels; i++) fragments += `fragment F${i} on ProductConnection { totalCount edges { cursor } ...F${i + 1} ...F${i + 1} } `;
  return `{ products(first: 1) { ...F0 } } ${fragments}fragment F${levels} on ProductConnection { __typename }`;
}

/** Within every structural limit, but ten full pages of every product field: over the cost limit. */
export const COST_BOMB = `query ($n: Int!) { ${Array.from(
  { length: 10 },
  (_, i) => `p${i}: products(first: $n) { edges { node { sku name description priceCents currency stockAvailable stockReserved updatedAt } } }`,
).join(" ")} }`;

/** Brackets nested deeper than graphql-js's recursive parser has stack for. */
export const NESTED_LIST = `{ product(sku: ${"[".repeat(5_000)}${"]".repeat(5_000)}) { sku } }`;

/** Writes raw bytes to a server and resolves with all it answered once the socket closes, and after how long. */
export function rawExchange(baseUrl: string, bytes: string, timeoutMs = 30_000, options: { end?: boolean } = {}): Promise<{ answer: string; closedAfterMs: number }> {
  const { port, hostname } = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const started = Date.now();
    // `end` half-closes after writing: nothing more is coming, as from a client that gave up.
    const socket = connect(Number(port), hostname, () => (options.end ? socket.end(bytes, "latin1") : socket.write(bytes, "latin1")));
    let answer = "";
    socket.setEncoding("utf8");
    socket.on("data", (chunk) => (answer += chunk));
    socket.on("error", () => undefined);
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`the server kept the socket open for ${timeoutMs} ms; it answered: ${answer.slice(0, 200)}`));
    }, timeoutMs);
    socket.on("close", () => {
      clearTimeout(timer);
      resolve({ answer, closedAfterMs: Date.now() - started });
    });
  });
}

/** Opens a request and sends only part of its body: the client that is slow on purpose. Returns how to let go. */
export function slowBody(baseUrl: string, headers: Record<string, string> = {}): Promise<{ release(): void }> {
  const { port, hostname } = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => {
      const extra = Object.entries(headers)
        .map(([name, value]) => `${name}: ${value}\r\n`)
        .join("");
      socket.write(`POST /graphql HTTP/1.1\r\nhost: ${hostname}\r\ncontent-type: application/json\r\ncontent-length: 1000\r\n${extra}\r\n{"query":`, () =>
        resolve({ release: () => socket.destroy() }),
      );
    });
    socket.on("error", reject);
  });
}

/** The HTTP status line and the JSON body of a raw answer. */
export function parseRawAnswer(answer: string): { status: number; body: any } {
  const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(answer)?.[1] ?? 0);
  const body = answer.slice(answer.indexOf("\r\n\r\n") + 4);
  return { status, body: body ? JSON.parse(body) : undefined };
}

/** Sorted latencies: percentile p (0-100). */
export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

// Runs in a process of its own: plain Node, fetch, no test framework.
const FLOOD_SCRIPT = `
let input = "";
for await (const chunk of process.stdin) input += chunk;
const { url, headers, bodies, concurrency, perWorker } = JSON.parse(input);
const statuses = [];
await Promise.all(Array.from({ length: concurrency }, async (_, worker) => {
  for (let i = 0; i < perWorker; i++) {
    const response = await fetch(url, { method: "POST", headers, body: bodies[(worker + i) % bodies.length] });
    await response.arrayBuffer();
    statuses.push(response.status);
  }
}));
process.stdout.write(JSON.stringify(statuses));
`;

/**
 * Sends `bodies` round-robin from another process, `concurrency` at a time: an attacker is not inside the server's
 * process, and in the monolith the test's own process is the server's. Resolves with the statuses it got.
 */
export function floodFromAnotherProcess(options: { url: string; headers: Record<string, string>; bodies: string[]; concurrency: number; perWorker: number }): Promise<number[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--input-type=module", "-e", FLOOD_SCRIPT], { stdio: ["pipe", "pipe", "inherit"] });
    let output = "";
    child.stdout.setEncoding("utf8");
    child.stdout.on("data", (chunk) => (output += chunk));
    child.on("error", reject);
    child.on("exit", (code) => (code === 0 ? resolve(JSON.parse(output) as number[]) : reject(new Error(`the flood process exited with ${code}`))));
    child.stdin.end(JSON.stringify(options));
  });
}
