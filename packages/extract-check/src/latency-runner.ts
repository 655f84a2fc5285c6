// One runtime shape of the API in a process of its own, for the latency row of extract-check (latency.ts forks it):
// a process per shape keeps the load client off the gateway's event loop and lets its CPU time be read per process
// tree, as the gateway's bench does (apps/gateway/bench/runner.ts). It reuses the end-to-end tests' shapes.
import { startShape, type RunningShape, type Shape } from "../../../apps/gateway/test/support/shapes.ts";

export type LatencyRunnerMessage = { type: "ready"; graphqlUrl: string } | { type: "failed"; error: string } | { type: "stopped" };

const shape = process.argv[2] as Shape;
const send = (message: LatencyRunnerMessage) => process.send?.(message);
let running: RunningShape | undefined;
let stopping: Promise<void> | undefined;
const stop = () => (stopping ??= (async () => void (await running?.stop()))());

process.on("disconnect", () => void stop().finally(() => process.exit()));
for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => void stop().finally(() => process.exit()));
process.on("message", (message: { type: string }) => {
  if (message.type !== "stop") return;
  void stop().finally(() => {
    send({ type: "stopped" });
    process.disconnect?.();
  });
});

try {
  running = await startShape(shape);
  send({ type: "ready", graphqlUrl: running.graphqlUrl });
} catch (error) {
  send({ type: "failed", error: error instanceof Error ? (error.stack ?? error.message) : String(error) });
  process.exitCode = 1;
  process.disconnect?.();
}
