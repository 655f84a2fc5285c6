#!/usr/bin/env node
// The package ships its TypeScript source, like every workspace package here; tsx (the workspace's TypeScript
// runner) compiles it on the fly, in this process, so exit codes and output pass through untouched.
import process from "node:process";
import { register } from "tsx/esm/api";

register();
const { main } = await import("../src/cli.ts");
process.exitCode = await main(process.argv.slice(2));
