import { fork, type ChildProcess } from "node:child_process";
import { randomBytes, randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { createTestDatabase, testDatabaseKind, type TestDatabase } from "@monograph/db/testing";
import { createEvent, DEFAULT_NATS_URL, NatsJetStreamTransport } from "@monograph/events";
import { CALLER_HEADER, signRequest, type Caller } from "@monograph/platform";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { startLoopbackSmtpServer, type LoopbackSmtpServer } from "./smtp.test-support.ts";

// The generic runner of one domain (apps/gateway/src/run-domain.ts, the composition root that serves any registered
// domain alone), started as an operator would: a process, not an import.
const RUNNER = fileURLToPath(new URL("../../gateway/src/run-domain.ts", import.meta.url));
const INTERNAL_SECRET = "notifications-test-internal-secret-0123456789";
const NATS_URL = process.env.NATS_URL ?? DEFAULT_NATS_URL;

/**
 * notifications as its own process (hybrid and distributed shapes): the generic runner, its own database, orders' and
 * billing's events from NATS JetStream, email through a real SMTP server on loopback, GraphQL behind the
 * gateway's signed caller header.
 */
describe("the notifications process", () => {
  const prefix = `notifications_${randomBytes(5).toString("hex")}`;
  const scratch = mkdtempSync(path.join(tmpdir(), "monograph-notifications-process-"));
  let database: TestDatabase | undefined;
  let smtp: LoopbackSmtpServer;
  let child: ChildProcess;
  let output = "";
  let url: string;
  let publisher: NatsJetStreamTransport;

  beforeAll(async () => {
    smtp = await startLoopbackSmtpServer();
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      NODE_ENV: "test",
      LOG_FORMAT: "json",
      PORT: "0",
      INTERNAL_SECRET,
      NATS_URL,
      EVENTS_PREFIX: prefix,
      SMTP_URL: smtp.url,
      NOTIFICATIONS_FROM: "notifications@monograph.test",
    };
    if (testDatabaseKind() === "postgres") {
      database = await createTestDatabase();
      env.DATABASE_URL = (database.target as { url: string }).url;
    } else {
      delete env.DATABASE_URL;
      env.PGLITE_DATA_DIR = path.join(scratch, "pglite");
    }
    child = fork(RUNNER, ["notifications"], { env, execArgv: ["--import", "tsx"], stdio: ["ignore", "pipe", "pipe", "ipc"] });
    child.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
    child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
    // It says where it listens once its subscriptions are registered (runSubgraphProcess).
    url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the notifications process did not start within 180 s:\n${output}`)), 180_000);
      child.on("message", (message: { type?: string; url?: string }) => {
        if (message.type !== "listening" || !message.url) return;
        clearTimeout(timer);
        resolve(message.url);
      });
      child.once("exit", (code) => {
        clearTimeout(timer);
        reject(new Error(`the notifications process exited with ${code}:\n${output}`));
      });
    });
    publisher = await NatsJetStreamTransport.connect({ servers: NATS_URL, prefix, connectionName: "notifications-process-test" });
  }, 240_000);

  afterAll(async () => {
    await publisher?.close();
    if (child && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGTERM");
      await exited;
    }
    await smtp?.close();
    await NatsJetStreamTransport.deleteStream({ servers: NATS_URL, prefix }).catch(() => undefined);
    await database?.drop();
    rmSync(scratch, { recursive: true, force: true });
  });

  /** A GraphQL request as the gateway sends it: the caller signed for this very body. */
  const graphql = async <T>(caller: Caller, query: string, variables: Record<string, unknown>): Promise<{ data?: T; errors?: { extensions?: { code?: string } }[] }> => {
    const body = JSON.stringify({ query, variables });
    const response = await fetch(`${url}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json", [CALLER_HEADER]: await signRequest(INTERNAL_SECRET, caller, { method: "POST", body }) },
      body,
    });
    return (await response.json()) as { data?: T; errors?: { extensions?: { code?: string } }[] };
  };

  it("when orders.created, invoices.paid and orders.cancelled arrive over NATS, then each is emailed once and the customer reads the three, and marks one read", async () => {
    const customerId = randomUUID();
    const orderId = randomUUID();
    const invoiceId = randomUUID();
    const now = new Date().toISOString();
    await publisher.publish(createEvent({ source: "orders", type: "orders.created", payload: { orderId, customerId, totalCents: 2500, currency: "USD", placedAt: now, items: [] } }));
    await publisher.publish(createEvent({ source: "billing", type: "invoices.paid", payload: { invoiceId, orderId, customerId, amountCents: 2500, currency: "USD", paidAt: now } }));
    const cancelled = createEvent({ source: "orders", type: "orders.cancelled", payload: { orderId, customerId, cancelledAt: now } });
    await publisher.publish(cancelled);
    // JetStream delivers at least once: the same event again must not make a second notification or email.
    await publisher.publish(cancelled);

    const mails = await smtp.waitFor(3, 120_000);
    expect(mails.map((mail) => mail.mail.subject).sort()).toEqual(["Order cancelled", "Order placed", "Payment received"]);
    expect(new Set(mails.flatMap((mail) => mail.envelope.to))).toEqual(new Set([`${customerId}@customers.invalid`]));

    const customer: Caller = { kind: "user", userId: customerId, role: "CUSTOMER" };
    const QUERY = `query ($rep: _Any!) { _entities(representations: [$rep]) { ... on User { notifications { totalCount edges { node { id kind readAt } } } } } }`;
    type Page = { _entities: { notifications: { totalCount: number; edges: { node: { id: string; kind: string; readAt: string | null } }[] } }[] };
    const page = await vi.waitFor(
      async () => {
        const result = await graphql<Page>(customer, QUERY, { rep: { __typename: "User", id: customerId } });
        expect(result.errors).toBeUndefined();
        expect(result.data!._entities[0]!.notifications.totalCount).toBe(3);
        return result.data!._entities[0]!.notifications;
      },
      { timeout: 30_000, interval: 200 },
    );
    expect(page.edges.map((edge) => edge.node.kind).sort()).toEqual(["INVOICE_PAID", "ORDER_CANCELLED", "ORDER_PLACED"]);
    const target = page.edges[0]!.node.id;
    const marked = await graphql<{ markNotificationRead: { id: string; readAt: string | null } }>(customer, `mutation ($id: ID!) { markNotificationRead(id: $id) { id readAt } }`, { id: target });
    expect(marked.data?.markNotificationRead).toEqual({ id: target, readAt: expect.any(String) });
    const other = await graphql(
      { kind: "user", userId: randomUUID(), role: "CUSTOMER" },
      `mutation ($id: ID!) { markNotificationRead(id: $id) { id } }`,
      { id: page.edges[1]!.node.id },
    );
    expect(other.errors?.map((error) => error.extensions?.code)).toEqual(["NOT_FOUND"]);

    // Nothing more arrives: the redelivered event was handled once.
    expect(smtp.received).toHaveLength(3);
  });

  it("when a request does not carry the gateway's signature, then it is refused with 401", async () => {
    const response = await fetch(`${url}/graphql`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ query: "{ __typename }" }) });
    expect(response.status).toBe(401);
  });
});
