// What usage reporting costs one request, measured on its own: the plugin's hooks as Apollo Server calls them for
// MyOrders (requestDidStart, then didResolveOperation), against the committed API schema, with nothing written
// (flushes go to a stub). A figure in microseconds that the machine's other load moves far less than the
// end-to-end bench, to compare with MyOrders' CPU time per request (docs/benchmarks.md).
//   npx tsx apps/gateway/bench/usage-record.ts
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { HeaderMap, type BaseContext, type GraphQLRequestContextDidResolveOperation, type GraphQLRequestListener } from "@apollo/server";
import { API_SCHEMA_PATH } from "@monograph/schema";
import { buildSchema, parse } from "graphql";
import { MY_ORDERS } from "../test/support/flow.ts";
import { UsageReporter, type UsageWriter } from "../src/usage.ts";

const schema = buildSchema(readFileSync(API_SCHEMA_PATH, "utf8"));
const stub = { $executeRaw: () => Promise.resolve(0), $transaction: () => Promise.resolve([]) } as unknown as UsageWriter;
const reporter = new UsageReporter({ db: stub, flushIntervalMs: 3_600_000 });
const plugin = reporter.plugin();

function context(query: string, clientVersion: string, operationName = "MyOrders") {
  return {
    queryHash: createHash("sha256").update(query).digest("hex"),
    operationName,
    document: parse(query),
    schema,
    request: { query, http: { method: "POST", search: "", body: {}, headers: new HeaderMap([["apollographql-client-name", "web"], ["apollographql-client-version", clientVersion]]) } },
  } as unknown as GraphQLRequestContextDidResolveOperation<BaseContext>;
}

async function perCall(count: number, make: (i: number) => GraphQLRequestContextDidResolveOperation<BaseContext>): Promise<number> {
  const contexts = Array.from({ length: count }, (_, i) => make(i));
  const start = process.cpuUsage();
  for (const each of contexts) {
    const listener = (await plugin.requestDidStart!(each as never)) as GraphQLRequestListener<BaseContext>;
    await listener.didResolveOperation!(each);
  }
  const used = process.cpuUsage(start);
  return (used.user + used.system) / count;
}

// Warm-up, then: the same document again and again (the steady state), and documents never seen before (each one
// normalised, hashed and walked once).
await perCall(20_000, () => context(MY_ORDERS, "1.0.0"));
const known = await perCall(100_000, () => context(MY_ORDERS, "1.0.0"));
const fresh = await perCall(2_000, (i) => context(MY_ORDERS.replace("MyOrders", `MyOrders${i}`), "1.0.0", `MyOrders${i}`));
await reporter.stop();
if (reporter.stats.signatures !== 2_001 || reporter.stats.dropped !== 0) throw new Error(`unexpected: ${JSON.stringify(reporter.stats)}`);
console.log(`usage reporting per request (MyOrders): ${known.toFixed(2)} µs CPU for a document seen before, ${fresh.toFixed(0)} µs the first time a signature is seen`);
