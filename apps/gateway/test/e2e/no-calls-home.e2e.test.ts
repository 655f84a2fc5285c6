import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runMainFlow, type MainFlowResult } from "../support/main-flow.ts";
import { connectedAddresses, isLoopback, startEntry, STRACE, type EntryProcess, type EntryShape } from "../support/entry-process.ts";

// Issue 9: a self-hosted gateway must never phone home. Each shape starts from its real entry point under
// `strace -f` (every process it forks is traced too), runs the main flow, and every address any of its processes
// connected to (TCP, UDP, DNS) must be loopback. APOLLO_TELEMETRY_DISABLED is not set for it: the gateway must
// turn Apollo's telemetry off by itself.
const SHAPES: EntryShape[] = ["monolith", "distributed"];

if (!STRACE) {
  if (process.env.CI) throw new Error("strace is required in CI (apt-get install strace): the no-outbound-connection test cannot run.");
  console.warn("[no-calls-home] strace is not installed: skipping the no-outbound-connection test (apt-get install strace).");
}

describe.skipIf(!STRACE).each(SHAPES)("the %s shape, started by its entry point", (shape) => {
  let running: EntryProcess;
  let flow: MainFlowResult;

  beforeAll(async () => {
    running = await startEntry(shape, { strace: true });
    flow = await runMainFlow(running.graphqlUrl, { requestIdPrefix: `calls-home-${shape}`, key: `calls-home-${shape}` });
  });
  afterAll(async () => {
    await running?.stop();
  });

  it("when the main flow has run, then no process of the shape connected to any address outside loopback", async () => {
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
