// `node --import <this file>`: writes the URL of every module the process resolves to RECORD_IMPORTS_FILE, one a
// line, so that a test can say what a process loaded (the distributed gateway loads no domain code, no Prisma).
import { register } from "node:module";
import process from "node:process";

register("./record-imports-hooks.mjs", import.meta.url, { data: { file: process.env.RECORD_IMPORTS_FILE } });
