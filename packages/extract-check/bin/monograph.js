#!/usr/bin/env node
// Like monograph-schema: the package ships its TypeScript source, and tsx compiles it on the fly in this process,
// so exit codes and output pass through untouched.
import process from "node:process";
import { register } from "tsx/esm/api";

register();
const { main } = await import("../src/cli.ts");
process.exitCode = await main(process.argv.slice(2));
