// Preloaded into every process of a shape (NODE_OPTIONS="--import=<this file>", which forked children inherit) by
// the production-build test: writes to $LOAD_RECORD_FILE, one JSON line each, the process's node flags and arguments,
// every module the ESM loader loads (a hook, record-loads-hooks.mjs), and at exit every CommonJS module in
// require's cache (graphql, @apollo/*, pg: what ESM hooks of Node 20 do not see when CommonJS requires CommonJS).
// Plain JavaScript on purpose: it must run in a process that has no TypeScript runner.
import { appendFileSync } from "node:fs";
import { createRequire, register } from "node:module";
import process from "node:process";
import { pathToFileURL } from "node:url";

const file = process.env.LOAD_RECORD_FILE;
if (file) {
  const pid = process.pid;
  const write = (entry) => appendFileSync(file, `${JSON.stringify({ pid, ...entry })}\n`);
  write({ kind: "process", argv: process.argv, execArgv: process.execArgv });
  register("./record-loads-hooks.mjs", import.meta.url, { data: { file, pid } });
  const require = createRequire(import.meta.url);
  process.on("exit", () => {
    for (const path of Object.keys(require.cache)) write({ kind: "require", url: pathToFileURL(path).href });
    write({ kind: "exit" });
  });
}
