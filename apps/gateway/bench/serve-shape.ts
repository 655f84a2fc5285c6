// One runtime shape of the API, as the end-to-end tests start it (startShape: a fresh seeded database, free loopback
// ports, the domains out of the shape in processes of their own), served until it is told to stop:
//
//   npm run serve-shape --workspace @monograph/gateway -- <shape> [--until-stdin-closes]
//
// This command is how a tool outside the app gets a running shape to measure: extract-check's latency row
// (packages/extract-check/src/latency.ts) starts it once per shape and reads the process tree's CPU time from
// outside. A package may not import the app, so the command line and the lines below are the whole interface:
// - stdout: one line `monograph-shape ready <GraphQL URL>` once the shape answers (other output may come before or
//   after it: the processes' logs);
// - it stops in order on SIGINT or SIGTERM, or with --until-stdin-closes when its standard input ends (the caller
//   closes it, or exits), then exits 0; a shape that fails to start writes why to stderr and exits 1.
import { parseArgs } from "node:util";
import { remoteSubgraphsOf, type Shape } from "../test/support/shape-domains.ts";
import { startShape } from "../test/support/shapes.ts";

// extract-check's latency row looks for this prefix (packages/extract-check/src/latency.ts): keep the two alike.
const READY_PREFIX = "monograph-shape ready ";

const USAGE = `Usage: npm run serve-shape --workspace @monograph/gateway -- <shape> [--until-stdin-closes]
  <shape>               monolith, hybrid, hybrid-<domain> or distributed
  --until-stdin-closes  stop when standard input ends (for a caller that holds it open), besides SIGINT/SIGTERM
`;

const { values, positionals } = parseArgs({ allowPositionals: true, options: { "until-stdin-closes": { type: "boolean" }, help: { type: "boolean", short: "h" } } });
if (values.help) {
  process.stdout.write(USAGE);
  process.exit(0);
}
if (positionals.length !== 1 || !remoteSubgraphsOf(positionals[0]!)) {
  process.stderr.write(`${positionals.length === 1 ? `Unknown shape "${positionals[0]}".\n` : ""}${USAGE}`);
  process.exit(2);
}
const shape = positionals[0] as Shape;

const started = startShape(shape);
let stopping: Promise<void> | undefined;
// A stop asked for while the shape is starting waits for the start, so that no process or database of it is left.
const stop = () =>
  (stopping ??= (async () => {
    const running = await started.catch(() => undefined);
    await running?.stop();
    process.exit(0);
  })());

for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => void stop());
if (values["until-stdin-closes"]) {
  process.stdin.on("end", () => void stop());
  process.stdin.on("close", () => void stop());
  process.stdin.resume();
}

try {
  const running = await started;
  if (!stopping) process.stdout.write(`${READY_PREFIX}${running.graphqlUrl}\n`);
} catch (error) {
  process.stderr.write(`The ${shape} shape failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
}
