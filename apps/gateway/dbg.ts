import { createTestDatabase } from "@monograph/db/testing";
import { loadGatewayConfig } from "./src/env.ts";
import { startMonograph } from "./src/monograph.ts";
process.env.APOLLO_TELEMETRY_DISABLED = "true";
const database = await createTestDatabase({ inMemory: true });
const server = await startMonograph({ config: loadGatewayConfig({ JWT_SECRET: "x".repeat(32), INTERNAL_SECRET: "y".repeat(32), NODE_ENV: "development", PORT: "0" }), database: database.target, seed: false });
for (const path of ["/", "/graphql", "/graphql?query=%7B__typename%7D", "/graphql"]) {
  const t = Date.now();
  try { const r = await fetch(`${server.url}${path}`, { headers: { accept: "text/html,*/*" } }); console.log(path, r.status, (await r.text()).length, Date.now() - t); } catch (e) { console.log(path, "ERR", (e as any).cause?.code ?? e, Date.now() - t); }
}
await server.stop(); await database.drop();
