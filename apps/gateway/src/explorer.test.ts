import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { get as httpGet } from "node:http";
import { gunzipSync } from "node:zlib";
import { createTestDatabase, type TestDatabase } from "@monograph/db/testing";
import { SEEDED_PRODUCTS } from "@monograph/inventory-subgraph";
import { API_SCHEMA_PATH } from "@monograph/schema";
import { renderGraphiQL } from "@graphql-yoga/render-graphiql";
import { buildSchema, parse, validate } from "graphql";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadGatewayConfig } from "./env.ts";
import { MAIN_FLOW_OPERATIONS, mainFlowExamples, mainFlowExplorer } from "./explorer-examples.ts";
import { renderExplorer, withClickableTabs, withHistory } from "@monograph/gateway-core/explorer";
import { startMonograph, type RunningMonograph } from "./monograph.ts";

const SECRETS = { JWT_SECRET: "explorer-test-jwt-secret-0123456789", INTERNAL_SECRET: "explorer-test-internal-secret-0123456789" };
const BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";
const CDN_HOSTS = /unpkg\.com|jsdelivr|cdnjs|esm\.sh|skypack|googleapis|gstatic|embed\.graphql\.com|apollographql\.com|cdn\./i;

/**
 * What would make a browser fetch from elsewhere: src/href/action attributes, CSS url() and @import pointing at an
 * absolute or protocol-relative URL, and any CDN host at all. (The inlined code mentions URLs in comments, licences
 * and help links; those are never fetched, and the browser test checks what is.)
 */
function externalReferences(html: string): string[] {
  const found: string[] = [];
  for (const match of html.matchAll(/\b(?:src|href|action|srcset|poster)\s*=\s*["']?\s*((?:https?:)?\/\/[^"'\s>]+)/gi)) found.push(match[1]!);
  for (const match of html.matchAll(/url\(\s*["']?((?:https?:)?\/\/[^"')\s]+)/gi)) found.push(match[1]!);
  for (const match of html.matchAll(/@import\s+(?:url\()?\s*["']?((?:https?:)?\/\/[^"')\s;]+)/gi)) found.push(match[1]!);
  for (const match of html.matchAll(new RegExp(`[\\w.-]*(?:${CDN_HOSTS.source})[\\w./-]*`, "gi"))) found.push(match[0]);
  return found;
}

async function get(url: string, headers: Record<string, string> = {}) {
  const response = await fetch(url, { headers }).catch((error: unknown) => {
    // A kept-alive socket the server closed at its keep-alive timeout, just as fetch reused it: browsers retry a GET
    // then, and so do we (seen on a loaded machine after a slow test left the socket idle for 5 s).
    if ((error as { cause?: { code?: string } }).cause?.code !== "ECONNRESET") throw error;
    return fetch(url, { headers });
  });
  return { status: response.status, headers: response.headers, body: await response.text() };
}

async function post(server: RunningMonograph, query: string) {
  const response = await fetch(server.graphqlUrl, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ query }) });
  return { status: response.status, body: (await response.json()) as { data?: any; errors?: { message: string; extensions?: { code?: string } }[] } };
}

const isExplorer = (body: string) => /^\s*<!doctype html>/i.test(body) && body.includes('<div id="root">');

describe("the explorer page", () => {
  const page = renderExplorer(mainFlowExplorer());

  it("when rendered, then nothing in it is loaded from another host", () => {
    expect(externalReferences(page.html)).toEqual([]);
    // The check itself finds what it should.
    expect(externalReferences(`<script src="https://unpkg.com/graphiql"></script><link href="//fonts.googleapis.com/css">`)).toHaveLength(4);
  });

  it("when served, then its Content Security Policy allows its own inline scripts by hash, and nothing from elsewhere", () => {
    const csp = page.headers["content-security-policy"]!;
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("connect-src 'self'");
    expect(csp).toContain("worker-src 'self' blob:");
    expect(csp).not.toMatch(/https?:|\*/);
    expect(csp).not.toContain("'unsafe-eval'");
    const scripts = [...page.html.matchAll(/<script>([\s\S]*?)<\/script>/g)];
    expect(scripts.length).toBeGreaterThanOrEqual(2);
    for (const [, body] of scripts) expect(csp).toContain(`'sha256-${createHash("sha256").update(body!, "utf8").digest("base64")}'`);
  });

  it("when rendered for the pinned renderer, then both fixes apply (history panel, clickable tabs)", () => {
    const raw = renderGraphiQL({});
    expect(withHistory(raw)).not.toEqual(raw);
    expect(withClickableTabs(raw)).toContain(".graphiql-tab { transform: none !important; }");
  });

  it("when an option would close the inline script, then rendering refuses it", () => {
    expect(() => renderExplorer({ examples: [{ query: "# </script><script>alert(1)</script>\n{ __typename }" }] })).toThrow(/<\/script>/);
  });

  it("when built, then the example tabs are the main flow's recorded operations, in order, valid against the API schema", () => {
    const examples = mainFlowExamples();
    expect(MAIN_FLOW_OPERATIONS).toEqual(["Products", "SignIn", "Me", "CreateOrder", "MyOrders", "PayInvoice"]);
    expect(examples).toHaveLength(MAIN_FLOW_OPERATIONS.length);
    const schema = buildSchema(readFileSync(API_SCHEMA_PATH, "utf8"));
    examples.forEach((example, index) => {
      const document = parse(example.query);
      const operation = document.definitions.find((definition) => definition.kind === "OperationDefinition");
      expect(operation && "name" in operation ? operation.name?.value : undefined).toBe(MAIN_FLOW_OPERATIONS[index]);
      expect(validate(schema, document).map((error) => error.message)).toEqual([]);
    });
    expect(examples[0]!.variables).toBeUndefined();
    expect(examples[1]!.variables).toEqual({ input: { email: "alice@example.com", password: "alice-password-1" } });
    const seeded = new Set(SEEDED_PRODUCTS.map((product) => product.sku));
    for (const item of (examples[3]!.variables as { input: { items: { sku: string }[] } }).input.items) expect(seeded).toContain(item.sku);
  });
});

describe("the gateway in development (explorer and introspection on by default)", () => {
  let database: TestDatabase;
  let server: RunningMonograph;

  beforeAll(async () => {
    database = await createTestDatabase();
    server = await startMonograph({ config: loadGatewayConfig({ ...SECRETS, NODE_ENV: "development", PORT: "0" }), database: database.target, seed: false });
  });
  afterAll(async () => {
    await server?.stop();
    await database?.drop();
  });

  it("when a browser opens /, then it gets the explorer, self-contained, with its security headers", async () => {
    const response = await get(`${server.url}/`, { accept: BROWSER_ACCEPT });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(response.headers.get("content-security-policy")).toContain("default-src 'self'");
    expect(response.headers.get("x-content-type-options")).toBe("nosniff");
    expect(isExplorer(response.body)).toBe(true);
    expect(response.body).toContain("<title>Monograph GraphiQL</title>");
    expect(response.body).toContain("mutation SignIn");
    expect(response.body).toContain("Bearer <paste the token from SignIn here>");
    expect(externalReferences(response.body)).toEqual([]);
  });

  it("when a browser opens /graphql, with or without a query in the address, then it gets the explorer", async () => {
    for (const path of ["/graphql", "/graphql?query=%7B__typename%7D"]) {
      const response = await get(`${server.url}${path}`, { accept: BROWSER_ACCEPT });
      expect(response.status).toBe(200);
      expect(response.headers.get("content-type")).toBe("text/html; charset=utf-8");
      expect(isExplorer(response.body)).toBe(true);
    }
  });

  it("when the browser has the page already, or accepts gzip, then it gets a 304, or the same page compressed", async () => {
    const first = await fetch(`${server.url}/`, { headers: { "accept-encoding": "identity" } });
    const html = await first.text();
    const etag = first.headers.get("etag")!;
    expect((await fetch(`${server.url}/`, { headers: { "if-none-match": etag } })).status).toBe(304);

    // fetch would decompress by itself; read the bytes as sent.
    const compressed = await new Promise<{ encoding?: string; body: Buffer }>((resolve, reject) => {
      httpGet(`${server.url}/`, { headers: { "accept-encoding": "gzip" } }, (response) => {
        const chunks: Buffer[] = [];
        response.on("data", (chunk: Buffer) => chunks.push(chunk));
        response.on("end", () => resolve({ encoding: response.headers["content-encoding"], body: Buffer.concat(chunks) }));
      }).on("error", reject);
    });
    expect(compressed.encoding).toBe("gzip");
    expect(gunzipSync(compressed.body).toString("utf8")).toBe(html);
  });

  it("when a client POSTs an operation to /graphql, then it is executed as before", async () => {
    const { status, body } = await post(server, "{ products(first: 1) { totalCount } }");
    expect(status).toBe(200);
    expect(body.errors).toBeUndefined();
    expect(typeof body.data.products.totalCount).toBe("number");
  });

  it("when a client GETs /graphql with a query and asks for JSON, then it gets JSON, not the page", async () => {
    const response = await get(`${server.graphqlUrl}?query=${encodeURIComponent("{ __typename }")}`, {
      accept: "application/json",
      "apollo-require-preflight": "true",
    });
    expect(response.status).toBe(200);
    expect(JSON.parse(response.body)).toEqual({ data: { __typename: "Query" } });
  });

  it("when the explorer introspects the schema, then it is allowed", async () => {
    const { body } = await post(server, "{ __schema { queryType { name } } }");
    expect(body.data).toEqual({ __schema: { queryType: { name: "Query" } } });
  });

  it("when something else is asked for, then it is still a 404", async () => {
    expect((await get(`${server.url}/nothing-here`, { accept: BROWSER_ACCEPT })).status).toBe(404);
    expect((await fetch(`${server.url}/`, { method: "POST" })).status).toBe(404);
  });
});

describe.each([
  { name: "without EXPLORER", env: {}, explorer: false },
  { name: "with EXPLORER=true", env: { EXPLORER: "true" }, explorer: true },
])("the gateway in production (NODE_ENV=production), $name", ({ env, explorer }) => {
  let database: TestDatabase;
  let server: RunningMonograph;

  beforeAll(async () => {
    database = await createTestDatabase();
    server = await startMonograph({ config: loadGatewayConfig({ ...SECRETS, NODE_ENV: "production", PORT: "0", ...env }), database: database.target, seed: false });
  });
  afterAll(async () => {
    await server?.stop();
    await database?.drop();
  });

  if (!explorer) {
    it("when a browser opens / or /graphql, then there is no explorer: a 404, and no page at all", async () => {
      const root = await get(`${server.url}/`, { accept: BROWSER_ACCEPT });
      expect(root.status).toBe(404);
      expect(root.headers.get("content-type")).not.toContain("text/html");
      const endpoint = await get(server.graphqlUrl, { accept: BROWSER_ACCEPT });
      expect(endpoint.status).toBeGreaterThanOrEqual(400);
      expect(endpoint.headers.get("content-type")).not.toContain("text/html");
    });

    it("when a client introspects the schema, then it is refused", async () => {
      const { status, body } = await post(server, "{ __schema { queryType { name } } }");
      expect(status).toBe(400);
      expect(body.data).toBeUndefined();
      expect(body.errors?.[0]?.message).toMatch(/introspection is not allowed/i);
    });
  } else {
    it("when EXPLORER=true, then a browser gets the explorer at /, and it may introspect the schema", async () => {
      const root = await get(`${server.url}/`, { accept: BROWSER_ACCEPT });
      expect(root.status).toBe(200);
      expect(isExplorer(root.body)).toBe(true);
      const { body } = await post(server, "{ __schema { queryType { name } } }");
      expect(body.data).toEqual({ __schema: { queryType: { name: "Query" } } });
    });
  }

  it("when a client POSTs an operation, then it is executed", async () => {
    const { status, body } = await post(server, "{ __typename }");
    expect(status).toBe(200);
    expect(body.data).toEqual({ __typename: "Query" });
  });
});
