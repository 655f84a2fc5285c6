import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEntry, type EntryProcess, type EntryShape, SHAPE_STARTUP_MS } from "../support/entry-process.ts";
import { MY_ORDERS, waitFor } from "../support/flow.ts";
import { runMainFlow } from "../support/main-flow.ts";
import { startOtlpReceiver, type OtlpReceiver, type ReceivedSpan } from "../support/otlp-receiver.ts";

// Traces through every shape (issue 9): each shape starts from its entry point with OTEL_EXPORTER_OTLP_ENDPOINT
// pointing at a real OTLP/HTTP receiver in this test. A client request carrying its own `traceparent` must come
// back as ONE trace: the gateway's spans, a `subgraph <name>` span for each subgraph MyOrders crosses, with resolver
// spans under it and each SQL span under the resolver that ran it, the same span names in the monolith and the distributed shape; and an order's invoice, opened by
// billing when it handles orders.created (through the outbox and, between processes, NATS), continues the
// trace of the request that placed the order.
const SHAPES: EntryShape[] = ["monolith", "distributed"];
// The subgraphs MyOrders reaches (a user, their orders, their products and invoices): not the registry, a query's own.
const SUBGRAPHS = ["users", "inventory", "orders", "billing"];

let receiver: OtlpReceiver;
const spanNamesByShape = new Map<EntryShape, string[]>();

beforeAll(async () => {
  receiver = await startOtlpReceiver();
});
afterAll(async () => {
  await receiver?.stop();
});

/** A W3C traceparent of our own, as an instrumented client would send: its trace id finds the trace. */
function clientTraceparent(): { traceparent: string; traceId: string; spanId: string } {
  const traceId = randomBytes(16).toString("hex");
  const spanId = randomBytes(8).toString("hex");
  return { traceparent: `00-${traceId}-${spanId}-01`, traceId, spanId };
}

async function post(running: EntryProcess, query: string, variables: Record<string, unknown>, token: string, traceparent: string) {
  const response = await fetch(running.graphqlUrl, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${token}`, traceparent },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as { data?: any; errors?: unknown };
  if (!body.data || body.errors) throw new Error(JSON.stringify(body));
  return body.data;
}

/** Every span below `ancestor` in the trace. */
function descendants(spans: ReceivedSpan[], ancestor: ReceivedSpan): ReceivedSpan[] {
  const below = spans.filter((span) => span.parentSpanId === ancestor.spanId);
  return below.flatMap((child) => [child, ...descendants(spans, child)]);
}

describe.each(SHAPES)("traces of the %s shape", (shape) => {
  let running: EntryProcess;
  let token: string;

  beforeAll(async () => {
    running = await startEntry(shape, {
      env: { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_TRACES_SAMPLER: "always_on", OTEL_BSP_SCHEDULE_DELAY: "100" },
    });
    token = (await runMainFlow(running.graphqlUrl, { requestIdPrefix: `traces-${shape}`, key: `traces-${shape}` })).token;
  }, SHAPE_STARTUP_MS);
  afterAll(async () => {
    await running?.stop();
  });

  it("when a client sends MyOrders with its traceparent, then one trace holds the gateway's spans and each subgraph's, with each SQL statement under the resolver that ran it", async () => {
    const client = clientTraceparent();
    await post(running, MY_ORDERS, {}, token, client.traceparent);
    const spans = await waitFor(
      "each of those subgraphs' spans with SQL under it",
      async () => {
        const trace = receiver.trace(client.traceId);
        const complete = SUBGRAPHS.every((name) => {
          const subgraph = trace.find((span) => span.name === `subgraph ${name}`);
          return subgraph && descendants(trace, subgraph).some((span) => span.name.startsWith("sql "));
        });
        // Each process exports its own batches: in the distributed shape the subgraphs' spans can arrive before the
        // gateway's, whose server span ends last. Wait for that one too.
        const gatewayDone = trace.some((span) => span.parentSpanId === client.spanId);
        return complete && gatewayDone ? trace : undefined;
      },
      30_000,
    );

    // One tree: the gateway's server span is the child of the client's span, and every other span has its parent in the trace.
    const root = spans.find((span) => span.parentSpanId === client.spanId);
    expect(root).toMatchObject({ name: "POST /graphql", service: "monograph-gateway" });
    const ids = new Set(spans.map((span) => span.spanId));
    expect(spans.filter((span) => span !== root && !ids.has(span.parentSpanId!))).toEqual([]);

    const names = new Set(spans.map((span) => span.name));
    for (const name of ["gateway.request", "gateway.validate", "gateway.plan", "gateway.execute", "gateway.fetch"]) expect(names).toContain(name);
    const request = spans.find((span) => span.name === "gateway.request")!;
    expect(request.attributes).toMatchObject({ "graphql.operation.name": "MyOrders" });
    expect(spans.some((span) => span.attributes["graphql.operation.type"] === "query")).toBe(true);
    // Every subgraph fetch sits under the gateway's fetch of it, whatever the shape.
    for (const name of SUBGRAPHS) {
      const subgraph = spans.find((span) => span.name === `subgraph ${name}`)!;
      expect(spans.find((span) => span.spanId === subgraph.parentSpanId)?.name).toBe("gateway.fetch");
      expect(subgraph.service).toBe(shape === "distributed" ? `monograph-${name}` : "monograph-gateway");
      // Its SQL ran under the resolvers that caused it (`resolve User.orders`, `resolve Order.invoice`...).
      const below = descendants(spans, subgraph);
      const resolvers = below.filter((span) => span.name.startsWith("resolve "));
      expect(resolvers.some((resolver) => below.some((span) => span.parentSpanId === resolver.spanId && span.name.startsWith("sql ")))).toBe(true);
    }
    // Every SQL statement of the request hangs under a resolver span, none straight under a subgraph's span.
    const byId = new Map(spans.map((span) => [span.spanId, span]));
    const sql = spans.filter((span) => span.name.startsWith("sql "));
    expect(sql.length).toBeGreaterThan(0);
    expect(sql.map((span) => byId.get(span.parentSpanId!)?.name).filter((parent) => !parent?.startsWith("resolve "))).toEqual([]);
    // The resolvers named by the query plan, the same in every shape: the root field, entity references, and fields with their own resolver.
    for (const name of ["resolve Query.me", "resolve User.orders", "resolve Order.items", "resolve Product.__resolveReference", "resolve Order.invoice"]) expect(names).toContain(name);
    spanNamesByShape.set(shape, [...names].sort());
  });

  it("when a client places an order with its traceparent, then billing's handling of orders.created continues that trace", async () => {
    const client = clientTraceparent();
    const input = { items: [{ sku: "MS-0001", quantity: 1 }], idempotencyKey: `traced-${shape}-${client.traceId}` };
    await post(running, `mutation CreateOrder($input: CreateOrderInput!) { createOrder(input: $input) { id } }`, { input }, token, client.traceparent);
    const handled = await waitFor(
      "billing's span for orders.created in the order's trace",
      async () => {
        const trace = receiver.trace(client.traceId);
        const span = trace.find((candidate) => candidate.name === "handle orders.created" && candidate.attributes["messaging.consumer.group.name"] === "billing");
        // The span it links to comes from another process's export (orders'), which may arrive later: wait for both.
        return span && trace.some((candidate) => candidate.spanId === span.links[0]?.spanId) ? span : undefined;
      },
      30_000,
    );
    expect(handled.service).toBe(shape === "distributed" ? "monograph-billing" : "monograph-gateway");
    // Linked to the span that recorded the event (orders' resolver of the mutation, under orders' part of the
    // request), and SQL ran under it.
    const trace = receiver.trace(client.traceId);
    const origin = trace.find((span) => span.spanId === handled.links[0]?.spanId);
    expect(origin?.name).toBe("resolve Mutation.createOrder");
    expect(trace.find((span) => span.spanId === origin?.parentSpanId)?.name).toBe("subgraph orders");
    expect(handled.parentSpanId).toBe(origin?.spanId);
    await waitFor("the invoice's SQL under billing's span", async () => descendants(receiver.trace(client.traceId), handled).some((span) => span.name.startsWith("sql insert")));
  });
});

describe("across shapes", () => {
  it("when the same MyOrders is traced in the monolith and the distributed shape, then the span names are the same", () => {
    expect(spanNamesByShape.get("monolith")).toBeDefined();
    expect(spanNamesByShape.get("distributed")).toEqual(spanNamesByShape.get("monolith"));
  });
});
