import { execFile, execFileSync } from "node:child_process";
import { chownSync, existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir, userInfo } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { freePort } from "./ports.ts";

const run = promisify(execFile);

export interface PrivatePostgres {
  /** postgresql://postgres@127.0.0.1:<port>/postgres */
  url: string;
  /** Stops the server at once (`pg_ctl stop -m immediate`): every connection is cut, as on a crash. */
  stop(): Promise<void>;
  /** Starts it again on the same port and data (nothing when it runs). */
  start(): Promise<void>;
  /** Stops it and deletes its files. */
  destroy(): Promise<void>;
}

/** PostgreSQL's server binaries (Debian's postgresql-15); POSTGRES_BIN overrides the folder. */
export function postgresBinDir(): string | undefined {
  const candidates = [process.env.POSTGRES_BIN, "/usr/lib/postgresql/15/bin", "/usr/lib/postgresql/16/bin", "/usr/lib/postgresql/17/bin"];
  return candidates.find((dir): dir is string => !!dir && existsSync(path.join(dir, "initdb")));
}

/**
 * A PostgreSQL cluster of the test's own, in a temporary folder on a free port, with trust authentication on
 * 127.0.0.1: a test may stop it without touching the machine's shared server. As root, the server runs as the
 * `postgres` user (PostgreSQL refuses to run as root).
 */
export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  const bin = postgresBinDir();
  if (!bin) throw new Error("PostgreSQL's server binaries were not found (install postgresql-15, or set POSTGRES_BIN).");
  const root = mkdtempSync(path.join(tmpdir(), "monograph-pg-"));
  const asRoot = userInfo().uid === 0;
  if (asRoot) chownSync(root, uidOf("postgres"), gidOf("postgres"));
  const exec = (command: string, args: string[]) =>
    asRoot ? run("runuser", ["-u", "postgres", "--", path.join(bin, command), ...args], { timeout: 60_000 }) : run(path.join(bin, command), args, { timeout: 60_000 });
  const dataDir = path.join(root, "data");
  const port = await freePort();
  await exec("initdb", ["-D", dataDir, "-A", "trust", "-U", "postgres", "--no-sync", "--no-instructions"]);
  const options = `-p ${port} -k ${root} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off`;
  let up = false;
  const start = async () => {
    if (up) return;
    await exec("pg_ctl", ["-D", dataDir, "-o", options, "-l", path.join(root, "log"), "-w", "-t", "60", "start"]);
    up = true;
  };
  const stop = async () => {
    if (!up) return;
    await exec("pg_ctl", ["-D", dataDir, "-m", "immediate", "-w", "-t", "60", "stop"]);
    up = false;
  };
  await start();
  return {
    url: `postgresql://postgres@127.0.0.1:${port}/postgres`,
    stop,
    start,
    destroy: async () => {
      await stop().catch(() => undefined);
      rmSync(root, { recursive: true, force: true });
    },
  };
}

function uidOf(user: string): number {
  return Number(String(execFileSync("id", ["-u", user])).trim());
}

function gidOf(user: string): number {
  return Number(String(execFileSync("id", ["-g", user])).trim());
}
