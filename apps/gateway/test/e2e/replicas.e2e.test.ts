import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { CancelOrderDocument, CreateOrderDocument, OrderDocument, PayInvoiceDocument, SignInDocument } from "@monograph/client";
import type { DatabaseHandle } from "@monograph/db";
import { createTestDatabase, testDatabaseKind, type TestDatabase } from "@monograph/db/testing";
import { DEFAULT_NATS_URL, NatsJetStreamTransport } from "@monograph/events";
import { seedInventory } from "@monograph/inventory-subgraph";
import { SEEDED_USERS, seedUsers } from "@monograph/users-subgraph";
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from "vitest";
import { startSubgraphProcess, type SubgraphProcess } from "../../src/distributed.ts";
import { SUBGRAPH_NAMES, type SubgraphName } from "../../src/env.ts";
import { booksBalance } from "../support/audit.ts";
import { graphqlClient, type GraphQLClient } from "../support/client.ts";
import { SHAPE_STARTUP_MS, startGatewayProcess, type GatewayProcess } from "../support/entry-process.ts";
import { waitFor } from "../support/flow.ts";
import { freePort } from "../support/ports.ts";
import { E2E_THROTTLE, TEST_SECRETS } from "../support/shapes.ts";

// Two gateways and two replicas of every subgraph, each group behind an HAProxy frontend (Debian's haproxy, started
// here on loopback ports), on one PostgreSQL database and one JetStream namespace. Customers place, pay and cancel
// orders while one replica of each subgraph is SIGKILLed and later restarted; the books must balance afterwards.
// Replicas share a database server: on PGlite (one process per database) there is nothing to replicate.
const POSTGRES = testDatabaseKind() === "postgres";
const HAPROXY = ["/usr/sbin/haproxy", "/usr/bin/haproxy", "/usr/local/sbin/haproxy"].find((candidate) => existsSync(candidate));
const REPLICAS = 2;
/** SKUs with stock for hundreds of orders of one unit. */
const SKUS = ["KB-0001", "KB-0005", "MS-0001", "MS-0003", "CB-0001", "CB-0002", "CB-0004"];
const customers = SEEDED_USERS.filter((user) => user.role === "CUSTOMER");

/** One client request as the load saw it: when it was sent and answered, and whether it failed. */
interface Sent {
  operation: string;
  startedAt: number;
  endedAt: number;
  error?: string;
}

interface LoadResult {
  sent: Sent[];
  /** Orders whose createOrder was answered with an id. */
  acknowledged: Set<string>;
  /** The outcome each order's last acknowledged payment or cancellation implies. */
  settled: Map<string, "PAID" | "CANCELLED">;
}

// Like the suite's other outside tools: without haproxy the test is skipped with a warning, except in CI, where it fails.
const SKIP_WITHOUT_HAPROXY = !HAPROXY && !process.env.CI;
if (POSTGRES && SKIP_WITHOUT_HAPROXY) console.warn("replicas.e2e: haproxy is missing (apt-get install haproxy): skipping the replica test");

describe.skipIf(!POSTGRES || SKIP_WITHOUT_HAPROXY)(`replicas behind HAProxy (PostgreSQL only: skipped on PGlite, where no two processes share a database)`, () => {
  const cleanups: (() => Promise<void>)[] = [];
  const scratch = mkdtempSync(path.join(tmpdir(), "monograph-replicas-"));
  let database: TestDatabase;
  let db: DatabaseHandle;
  const replicas = new Map<SubgraphName, SubgraphProcess[]>();
  const replicaPorts = new Map<SubgraphName, number[]>();
  const replicaEnv = new Map<SubgraphName, NodeJS.ProcessEnv>();
  const frontPort = new Map<SubgraphName | "gateway", number>();
  const gateways: GatewayProcess[] = [];
  let haproxy: ChildProcess;
  let haproxyOutput = "";
  let api: GraphQLClient;
  let apiUrl: string;

  const front = (name: SubgraphName | "gateway") => `http://127.0.0.1:${frontPort.get(name)}`;
  const ready = async (url: string) => (await fetch(`${url}/ready`, { signal: AbortSignal.timeout(5_000) })).ok;

  const startReplica = async (name: SubgraphName, index: number, extraEnv: NodeJS.ProcessEnv = {}) => {
    const child = await startSubgraphProcess({ name, port: replicaPorts.get(name)![index]!, env: { ...replicaEnv.get(name)!, ...extraEnv }, startupTimeoutMs: SHAPE_STARTUP_MS / 2 });
    replicas.get(name)![index] = child;
    await waitFor(`${name} replica ${index + 1} to be ready`, () => ready(child.url), SHAPE_STARTUP_MS / 2);
    return child;
  };

  beforeAll(async () => {
    const setupFrom = Date.now();
    if (!HAPROXY) throw new Error("haproxy is missing: install Debian's haproxy (apt-get install haproxy; .ci/run does it); CI runs the replica test");
    // No process of this test reaches Apollo's telemetry.
    process.env.APOLLO_TELEMETRY_DISABLED = "true";
    cleanups.push(async () => rmSync(scratch, { recursive: true, force: true }));
    database = await createTestDatabase();
    cleanups.push(() => database.drop());
    db = await database.open();
    cleanups.push(() => db.close());
    await seedUsers(db.prisma);
    await seedInventory(db.prisma);
    const databaseUrl = (database.target as { url: string }).url;

    const events = { EVENTS_PREFIX: `replicas_${randomBytes(5).toString("hex")}`, NATS_URL: process.env.NATS_URL ?? DEFAULT_NATS_URL };
    cleanups.push(() => NatsJetStreamTransport.deleteStream({ servers: events.NATS_URL, prefix: events.EVENTS_PREFIX }));

    for (const name of [...SUBGRAPH_NAMES, "gateway"] as const) frontPort.set(name, await freePort());
    for (const name of SUBGRAPH_NAMES) replicaPorts.set(name, [await freePort(), await freePort()]);
    const gatewayPorts = [await freePort(), await freePort()];

    const config = haproxyConfig([...SUBGRAPH_NAMES.map((name) => ({ name, front: frontPort.get(name)!, servers: replicaPorts.get(name)! })), { name: "gateway", front: frontPort.get("gateway")!, servers: gatewayPorts }]);
    const configFile = path.join(scratch, "haproxy.cfg");
    writeFileSync(configFile, config);
    const check = spawnSync(HAPROXY, ["-c", "-q", "-f", configFile], { encoding: "utf8" });
    if (check.status !== 0) throw new Error(`haproxy refuses the generated configuration:\n${check.stdout}${check.stderr}\n${config}`);
    haproxy = spawn(HAPROXY, ["-db", "-f", configFile], { stdio: ["ignore", "pipe", "pipe"] });
    haproxy.stdout!.on("data", (chunk: Buffer) => (haproxyOutput += chunk.toString("utf8")));
    haproxy.stderr!.on("data", (chunk: Buffer) => (haproxyOutput += chunk.toString("utf8")));
    const haproxyExited = new Promise<void>((resolve) => haproxy.once("exit", () => resolve()));
    cleanups.push(async () => {
      if (haproxy.exitCode === null && haproxy.signalCode === null) haproxy.kill("SIGTERM");
      await haproxyExited;
    });

    const base: NodeJS.ProcessEnv = { ...process.env, ...TEST_SECRETS, ...E2E_THROTTLE, ...events, NODE_ENV: "test", LOG_LEVEL: "warn" };
    for (const name of SUBGRAPH_NAMES) {
      replicaEnv.set(name, {
        ...base,
        DATABASE_URL: databaseUrl,
        // Service-to-service calls go through the load balancer too, to whichever replica is up.
        INVENTORY_URL: front("inventory"),
        ORDERS_URL: front("orders"),
        // A killed relay's claimed rows are taken over within seconds, and a hold whose order never appeared (its
        // orders replica died mid-placement) is swept soon after: the books settle within the test's deadlines.
        OUTBOX_CLAIM_LEASE: "3s",
        RESERVATION_GRACE_MS: "8000",
        RESERVATION_SWEEP_INTERVAL_MS: "1000",
      });
      replicas.set(name, []);
      cleanups.push(async () => void (await Promise.all(replicas.get(name)!.map((child) => child.stop()))));
    }
    // One replica of every subgraph, then the second of each: eight processes starting at once on two cores
    // would each take minutes.
    for (let index = 0; index < REPLICAS; index += 1) {
      const started = await Promise.allSettled(SUBGRAPH_NAMES.map((name) => startReplica(name, index)));
      const failed = started.find((result) => result.status === "rejected");
      if (failed) throw failed.reason;
    }

    const gatewayEnv: NodeJS.ProcessEnv = {
      ...base,
      APOLLO_TELEMETRY_DISABLED: "true",
      USAGE_REPORTING: "off",
      // Its "listening" line is at info level: how the test learns it is up.
      LOG_LEVEL: "info",
      // Ten processes on a machine this busy answer slowly; the test is about what is lost, not about latency.
      SUBGRAPH_TIMEOUT_MS: "30000",
      REQUEST_DEADLINE_MS: "45000",
      ...Object.fromEntries(SUBGRAPH_NAMES.map((name) => [`${name.toUpperCase()}_SUBGRAPH_URL`, `${front(name)}/graphql`])),
    };
    // A gateway with every subgraph remote opens no database.
    delete gatewayEnv.DATABASE_URL;
    delete gatewayEnv.PGLITE_DATA_DIR;
    const startedGateways = await Promise.allSettled(gatewayPorts.map((port) => startGatewayProcess({ port, env: gatewayEnv })));
    for (const result of startedGateways) if (result.status === "fulfilled") gateways.push(result.value);
    cleanups.push(async () => void (await Promise.all(gateways.map((gateway) => gateway.stop()))));
    const failedGateway = startedGateways.find((result) => result.status === "rejected");
    if (failedGateway) throw failedGateway.reason;
    for (const gateway of gateways) await waitFor(`the gateway at ${gateway.url} to be ready`, () => ready(gateway.url), SHAPE_STARTUP_MS / 2);

    apiUrl = front("gateway");
    api = graphqlClient(`${apiUrl}/graphql`);
    await waitFor("the API through HAProxy", async () => (await ready(apiUrl)) && (await api.request(SignInDocument, { input: { email: customers[0]!.email, password: customers[0]!.password } })).data?.signIn, 60_000);
    console.info(`replicas: ${SUBGRAPH_NAMES.length * REPLICAS} subgraph replicas, ${gateways.length} gateways and HAProxy ready in ${Date.now() - setupFrom} ms`);
    // Ten processes start here, in two waves of subgraphs and then the gateways, each wave within its own deadline.
  }, 2 * SHAPE_STARTUP_MS);

  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  }, 120_000);

  /** What HAProxy saw (one line per request, with status and termination state), when a test fails. */
  const showBalancerOnFailure = () =>
    onTestFailed(() => {
      // Its state changes, and every request that was not a plain success (status, timings, termination state).
      const notable = haproxyOutput.split("\n").filter((line) => line && !/ 200 \d+ - - ---- /.test(line) && !line.startsWith("["));
      console.info(`HAProxy saw:\n${notable.slice(-200).join("\n")}`);
    });
  const pendingOutboxRows = () => db.prisma.outboxEvent.count({ where: { publishedAt: null } });

  it("when one replica of every subgraph is killed mid-load and restarted, then nothing acknowledged is lost or doubled, the books balance, and only requests in flight at the kill fail", async () => {
    showBalancerOnFailure();
    const kills: { at: number; done: number; restartedAt?: number }[] = [];
    const load = runLoad(api, {
      durationMs: 30_000,
      // On a loaded machine 30 s may see few orders: then it goes on a little, until enough happened.
      minSettled: 12,
      maxMs: 90_000,
      maxOrders: 240,
      // Midway one replica of each subgraph dies at once, as when a machine goes; later it comes back.
      at: [
        {
          afterMs: 10_000,
          run: async () => {
            const at = Date.now();
            await Promise.all(SUBGRAPH_NAMES.map((name) => replicas.get(name)![0]!.stop("SIGKILL")));
            kills.push({ at, done: Date.now() });
          },
        },
        {
          afterMs: 18_000,
          run: async () => {
            await Promise.all(SUBGRAPH_NAMES.map((name) => startReplica(name, 0)));
            kills.at(-1)!.restartedAt = Date.now();
          },
        },
      ],
    });
    const result = await load;
    console.info(`replicas: load ${describeLoad(result)}`);
    expect(kills).toHaveLength(1);
    expect(kills[0]!.restartedAt).toBeDefined();
    // The kill: from the signals sent to the subgraph processes gone.
    const killAt = kills[0]!.at;
    const killDone = kills[0]!.done;

    // Enough happened for the test to mean something, before and after the kill.
    expect(result.acknowledged.size).toBeGreaterThanOrEqual(10);
    expect(result.sent.filter((request) => request.startedAt > killDone && !request.error).length).toBeGreaterThanOrEqual(5);

    // Client-visible errors: only requests that were in flight when the replicas died, and not many of them.
    const failed = result.sent.filter((request) => request.error);
    const inFlight = (request: Sent) => request.startedAt <= killDone && request.endedAt >= killAt;
    const inFlightAtKill = result.sent.filter(inFlight);
    const failedOutsideKill = failed.filter((request) => !inFlight(request));
    expect(failedOutsideKill.map((request) => `${request.operation} from +${request.startedAt - killAt} to +${request.endedAt - killAt} ms after the kill: ${request.error}`)).toEqual([]);
    expect(failed.length).toBeLessThanOrEqual(inFlightAtKill.length);

    console.info(
      `replicas: ${result.acknowledged.size} orders acknowledged, ${result.settled.size} paid or cancelled, ${result.sent.length} requests, ` +
        `${failed.length} failed of ${inFlightAtKill.length} in flight at the kill; replicas back ${kills[0]!.restartedAt! - killAt} ms after it`,
    );
    // The outbox drains: every relay (the restarted ones too) published what it owed.
    await waitFor("the outbox to drain", async () => (await pendingOutboxRows()) === 0, 60_000);

    // The books balance: each order once with exactly one invoice in the matching status, stock conserved per SKU.
    const orders = await booksBalance(api, 90_000);
    const ids = orders.map((order) => order.id);
    expect(new Set(ids).size).toBe(ids.length);
    const missing = [...result.acknowledged].filter((id) => !ids.includes(id));
    expect(missing).toEqual([]);
    const byId = new Map(orders.map((order) => [order.id, order]));
    const unsettled = [...result.settled].filter(([id, status]) => byId.get(id)?.status !== status).map(([id, status]) => `${id}: expected ${status}, is ${byId.get(id)?.status}`);
    expect(unsettled).toEqual([]);
    expect(haproxy.exitCode).toBeNull();
  }, 300_000);

  it("when the retention window is short, then the outbox and the inbox stay bounded over a run, and drain once it stops", async () => {
    // One replica of every domain (each registered one: a domain that handles events keeps an inbox) restarts with
    // a 2-second window (a test value: the inbox window bounds deduplication, ADR 15); its sweep deletes for every
    // replica of its domain.
    showBalancerOnFailure();
    const short = { OUTBOX_RETENTION: "2s", INBOX_RETENTION: "2s", RETENTION_INTERVAL: "1s" };
    await Promise.all(SUBGRAPH_NAMES.map(async (name) => {
      await replicas.get(name)![1]!.stop();
      await startReplica(name, 1, short);
    }));
    // What the first test left ages out first: the short window applies to every row of these domains.
    const tablesEmpty = async () => (await db.prisma.outboxEvent.count()) === 0 && (await db.prisma.processedEvent.count()) === 0;
    await waitFor("the rows of the first test to age out", tablesEmpty, 30_000);

    // Every half second: how many rows each table holds, and which (every row lives at least the 2-second window,
    // so each is seen at least once: `seen` counts what passed through the table).
    const peak = { outbox: 0, inbox: 0 };
    const seen = { outbox: new Set<string>(), inbox: new Set<string>() };
    const sample = async () => {
      const outbox = await db.prisma.outboxEvent.findMany({ select: { id: true } });
      const inbox = await db.prisma.processedEvent.findMany({ select: { consumer: true, eventId: true } });
      peak.outbox = Math.max(peak.outbox, outbox.length);
      peak.inbox = Math.max(peak.inbox, inbox.length);
      for (const row of outbox) seen.outbox.add(row.id);
      for (const row of inbox) seen.inbox.add(`${row.consumer}/${row.eventId}`);
    };
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        await sample();
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
    })();
    let result: LoadResult;
    try {
      result = await runLoad(api, { durationMs: 20_000, minSettled: 15, maxMs: 90_000, maxOrders: 200 });
    } finally {
      sampling = false;
      await sampler;
    }
    console.info(`retention: load ${describeLoad(result)}`);
    console.info(`retention: peak ${JSON.stringify(peak)} of ${seen.outbox.size} outbox and ${seen.inbox.size} inbox rows written during the run`);
    // Enough went through for the bound to mean something...
    expect(seen.outbox.size).toBeGreaterThanOrEqual(15);
    expect(seen.inbox.size).toBeGreaterThanOrEqual(15);
    // ...and at no moment did a table hold even half of it: rows went as new ones came.
    expect(peak.outbox).toBeLessThan(seen.outbox.size / 2);
    expect(peak.inbox).toBeLessThan(seen.inbox.size / 2);
    // Once the traffic stops, every row ages out: the tables empty within a few windows.
    await waitFor("the outbox and the inbox to empty", tablesEmpty, 30_000);
    // And nothing was handled twice meanwhile: each order still has exactly one invoice, stock is conserved.
    await booksBalance(api, 60_000);
  }, 180_000);
});

/**
 * Customers (every seeded one, each in a loop of its own) place an order of one unit of a well-stocked SKU, wait
 * for its invoice, then pay it or cancel the order, for `durationMs`, and past it (up to `maxMs`) until
 * `minSettled` orders were paid or cancelled; never more than `maxOrders`. `at` runs actions during the load (a
 * kill, a restart) at those offsets. Every request's timing and failure is recorded.
 */
async function runLoad(
  api: GraphQLClient,
  {
    durationMs,
    minSettled = 0,
    maxMs = durationMs,
    maxOrders,
    at = [],
  }: { durationMs: number; minSettled?: number; maxMs?: number; maxOrders: number; at?: { afterMs: number; run: () => Promise<void> }[] },
): Promise<LoadResult> {
  const started = Date.now();
  const deadline = started + durationMs;
  const hardDeadline = started + Math.max(durationMs, maxMs);
  const result: LoadResult = { sent: [], acknowledged: new Set(), settled: new Map() };
  let placed = 0;
  const send = async <T>(operation: string, call: () => Promise<{ data?: T | null; errors?: { message: string; extensions?: Record<string, unknown> }[] }>): Promise<T | undefined> => {
    const entry: Sent = { operation, startedAt: Date.now(), endedAt: 0 };
    try {
      const response = await call();
      if (response.errors?.length || !response.data) entry.error = JSON.stringify(response.errors?.map((error) => error.extensions?.code ?? error.message) ?? "no data");
      return entry.error ? undefined : (response.data ?? undefined);
    } catch (error) {
      entry.error = (error as Error).message;
      return undefined;
    } finally {
      entry.endedAt = Date.now();
      result.sent.push(entry);
    }
  };
  const customer = async (user: (typeof customers)[number], index: number) => {
    // Signed in once, as a web client is; asked again if it fails (counted like any request).
    let token: string | undefined;
    for (let attempt = 1; !token && attempt <= 5; attempt += 1) {
      token = (await send("SignIn", () => api.request(SignInDocument, { input: { email: user.email, password: user.password } })))?.signIn.token;
    }
    if (!token) throw new Error(`${user.email} could not sign in`);
    const goOn = () => Date.now() < hardDeadline && placed < maxOrders && (Date.now() < deadline || result.settled.size < minSettled);
    for (let n = 0; goOn(); n += 1) {
      placed += 1;
      const sku = SKUS[(index + n) % SKUS.length]!;
      const created = await send("CreateOrder", () => api.request(CreateOrderDocument, { input: { items: [{ sku, quantity: 1 }] } }, token));
      const order = created?.createOrder;
      if (!order) continue;
      result.acknowledged.add(order.id);
      // The invoice appears once billing handled orders.created; the customer looks until it is there.
      let invoiceId: string | undefined;
      while (!invoiceId && Date.now() < hardDeadline + 30_000) {
        const read = await send("Order", () => api.request(OrderDocument, { id: order.id }, token));
        invoiceId = read?.order?.invoice?.id;
        if (!invoiceId) await new Promise((resolve) => setTimeout(resolve, 100));
      }
      if (!invoiceId) continue;
      if (n % 3 === 2) {
        const cancelled = await send("CancelOrder", () => api.request(CancelOrderDocument, { id: order.id }, token));
        if (cancelled?.cancelOrder) result.settled.set(order.id, "CANCELLED");
      } else {
        const paid = await send("PayInvoice", () => api.request(PayInvoiceDocument, { invoiceId, idempotencyKey: `${order.id}-pay` }, token));
        if (paid?.payInvoice) result.settled.set(order.id, "PAID");
      }
    }
  };
  const actions = at.map(async ({ afterMs, run }) => {
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, started + afterMs - Date.now())));
    await run();
  });
  await Promise.all([...customers.map((user, index) => customer(user, index)), ...actions]);
  return result;
}

/** Per operation: how many, how many failed (and with what), and the mean latency: the figures of a run. */
function describeLoad(result: LoadResult): string {
  const byOperation = new Map<string, { count: number; failed: Map<string, number>; totalMs: number }>();
  for (const request of result.sent) {
    const entry = byOperation.get(request.operation) ?? { count: 0, failed: new Map(), totalMs: 0 };
    entry.count += 1;
    entry.totalMs += request.endedAt - request.startedAt;
    if (request.error) entry.failed.set(request.error.slice(0, 120), (entry.failed.get(request.error.slice(0, 120)) ?? 0) + 1);
    byOperation.set(request.operation, entry);
  }
  const parts = [...byOperation].map(([operation, { count, failed, totalMs }]) => `${operation} ${count} (mean ${Math.round(totalMs / count)} ms${failed.size ? `, failed: ${JSON.stringify(Object.fromEntries(failed))}` : ""})`);
  return `${result.acknowledged.size} orders acknowledged, ${result.settled.size} settled; ${parts.join("; ")}`;
}

/** HAProxy in front of each group of servers: round robin, health-checked on /ready, a refused connection retried elsewhere. */
function haproxyConfig(groups: { name: string; front: number; servers: number[] }[]): string {
  const lines = [
    "global",
    "  maxconn 4096",
    // One line per request on stdout (kept in memory, shown when the test fails): status, timings, termination state.
    "  log stdout format raw local0",
    "defaults",
    "  mode http",
    "  log global",
    "  option httplog",
    "  timeout connect 2s",
    "  timeout client 60s",
    "  timeout server 60s",
    "  timeout queue 15s",
    // A connection refused by a dead replica is retried on another (nothing was sent yet, so a mutation is safe).
    "  retries 3",
    "  option redispatch 1",
    // A fresh server connection per request, closed after its response: never one a replica's keep-alive timeout
    // (5 s) closes just as the next request goes out on it (a POST that HAProxy could not safely retry), nor one
    // reused across a replica's death.
    "  http-reuse never",
    "  option http-server-close",
    // Health checks on /ready, patient with a busy machine: a replica is out after 3 failed checks (or at once, when
    // its connections are refused, thanks to the retries above).
    "  timeout check 5s",
    "  default-server check inter 1s fall 3 rise 2",
  ];
  for (const group of groups) {
    lines.push(`frontend ${group.name}_front`, `  bind 127.0.0.1:${group.front}`, `  default_backend ${group.name}`);
    lines.push(`backend ${group.name}`, "  balance roundrobin", "  option httpchk GET /ready", "  http-check expect status 200");
    group.servers.forEach((port, index) => lines.push(`  server ${group.name}_${index + 1} 127.0.0.1:${port}`));
  }
  return `${lines.join("\n")}\n`;
}
