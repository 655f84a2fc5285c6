// The loader hook of record-loads.mjs (it runs on the loader's own thread): one line per module loaded.
import { appendFileSync } from "node:fs";

let file;
let pid;

export function initialize(data) {
  file = data.file;
  pid = data.pid;
}

export async function load(url, context, nextLoad) {
  appendFileSync(file, `${JSON.stringify({ pid, kind: "load", url })}\n`);
  return nextLoad(url, context);
}
