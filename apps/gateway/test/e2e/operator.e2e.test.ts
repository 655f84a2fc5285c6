import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runMainFlow, type MainFlowResult } from "../support/main-flow.ts";
import { TEST_SECRETS } from "../support/shapes.ts";
import { connectedAddresses, isLoopback, startEntry, STRACE, type EntryProcess, type EntryShape, SHAPE_STARTUP_MS } from "../support/entry-process.ts";

// What an operator sees of each shape (issue 9), started from its real entry point with JSON logs and run through
// the main flow:
// - it never phones home: under `strace -f` (every process it forks is traced too), every address any of its
//   processes connected to (TCP, UDP, DNS) is loopback. APOLLO_TELEMETRY_DISABLED is not set for it: the gateway
//   must turn Apollo's telemetry off by itself;
// - every request's log lines carry its request id, in every process it reaches;
// - no token, password, secret or signed caller header appears in any log line, even at LOG_LEVEL=debug (which
//   logs every request's headers).
const SHAPES: EntryShape[] = ["monolith", "distributed"];

if (!STRACE) {
  if (process.env.CI) throw new Error("strace is required in CI (apt-get install strace): the no-outbound-connection test cannot run.");
  console.warn("[operator] strace is not installed: skipping the no-outbound-connection test (apt-get install strace).");
}

describe.each(SHAPES)("the %s shape, started by its entry point", (shape) => {
  let running: EntryProcess;
  let flow: MainFlowResult;

  beforeAll(async () => {
    running = await startEntry(shape, { strace: STRACE !== undefined, env: { LOG_LEVEL: "debug" } });
    flow = await runMainFlow(running.graphqlUrl, { requestIdPrefix: `calls-home-${shape}`, key: `calls-home-${shape}` });
  }, SHAPE_STARTUP_MS);
  afterAll(async () => {
    await running?.stop();
  });

  it("when a request is answered, then the answer carries its x-request-id, and a missing or insane one is replaced", async () => {
    expect(flow.requests.map((request) => request.answeredRequestId)).toEqual(flow.requests.map((request) => request.requestId));
    const insane = await fetch(running.graphqlUrl, { method: "POST", headers: { "content-type": "application/json", "x-request-id": "no spaces <allowed>" }, body: '{"query":"{ __typename }"}' });
    expect(insane.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
    const none = await fetch(running.graphqlUrl, { method: "POST", headers: { "content-type": "application/json" }, body: '{"query":"{ __typename }"}' });
    expect(none.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("when the main flow has run, then each request's lines carry its request id, in every process it crossed", async () => {
    const lines = running.logLines();
    for (const request of flow.requests) {
      const mine = lines.filter((line) => line.requestId === request.requestId);
      expect(mine.find((line) => line.service === "gateway" && line.msg === "request completed"), request.requestId).toMatchObject({ status: 200 });
    }
    // MyOrders crosses users, orders, inventory and billing: in the distributed shape, each one's process logged it under the same id.
    const myOrders = flow.requests.find((request) => request.operationName === "MyOrders")!;
    const services = new Set(lines.filter((line) => line.requestId === myOrders.requestId).map((line) => line.service));
    expect([...services].sort()).toEqual(shape === "distributed" ? ["billing", "gateway", "inventory", "orders", "users"] : ["gateway"]);
    // A line logged while serving a request and no request id: there must be none.
    const completed = lines.filter((line) => line.msg === "request completed" || line.msg === "request received");
    expect(completed.filter((line) => typeof line.requestId !== "string")).toEqual([]);
  });

  it("when the main flow has run, then no token, password, secret or signed caller header appears in any log line", () => {
    const output = running.output();
    // The logs did see the headers that carried them (LOG_LEVEL=debug logs each request's headers, redacted).
    expect(output).toContain('"authorization":"[redacted]"');
    if (shape === "distributed") expect(output).toContain('"x-monograph-caller":"[redacted]"');
    for (const secret of [...flow.secrets, TEST_SECRETS.JWT_SECRET, TEST_SECRETS.INTERNAL_SECRET]) expect(output).not.toContain(secret);
    // Any JWT at all: users' tokens and the gateway's signed caller headers.
    expect(output).not.toMatch(/eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\./);
  });

  it.skipIf(!STRACE)("when the main flow has run, then no process of the shape connected to any address outside loopback", async () => {
    expect(flow.invoiceId).toBeTruthy();
    // Stopped first, so that strace has written everything down.
    await running.stop();
    // It did trace: the gateway's listening socket at least (the monolith on PGlite connects nowhere at all).
    expect(running.socketsOpened()).toBeGreaterThan(0);
    const addresses = running.connections();
    if (shape === "distributed") expect(addresses.length).toBeGreaterThan(0);
    expect([...new Set(addresses.filter((address) => !isLoopback(address)))]).toEqual([]);
  });
});

describe("reading strace", () => {
  it("when strace records connections, then every address is read, and only loopback ones count as loopback", () => {
    const log = [
      '101 connect(21, {sa_family=AF_INET, sin_port=htons(80), sin_addr=inet_addr("169.254.169.254")}, 16) = -1 EINPROGRESS',
      '102 connect(22, {sa_family=AF_INET6, sin6_port=htons(4222), sin6_flowinfo=htonl(0), inet_pton(AF_INET6, "::1", &sin6_addr), sin6_scope_id=0}, 28) = 0',
      '103 sendto(23, "..."..., 40, MSG_NOSIGNAL, {sa_family=AF_INET, sin_port=htons(53), sin_addr=inet_addr("10.0.0.2")}, 16) = 40',
      '104 connect(24, {sa_family=AF_INET, sin_port=htons(5432), sin_addr=inet_addr("127.0.0.1")}, 16) = 0',
      '105 connect(25, {sa_family=AF_UNIX, sun_path="/var/run/nscd/socket"}, 110) = -1 ENOENT',
    ].join("\n");
    const addresses = connectedAddresses(log);
    expect(addresses).toEqual(["169.254.169.254:80", "[::1]:4222", "10.0.0.2:53", "127.0.0.1:5432"]);
    expect(addresses.filter((address) => !isLoopback(address))).toEqual(["169.254.169.254:80", "10.0.0.2:53"]);
  });
});
