import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { APPROVALS_FILE, readApprovals } from "./approvals.ts";
import { evaluateSchemaCheck, type Baseline, type CheckInputs } from "./check.ts";
import { checkDrift, writeComposedFiles } from "./committed.ts";
import { composeSupergraph } from "./compose.ts";
import { CompositionFailure, describeCompositionError, UsageError } from "./errors.ts";
import type { SubgraphDefinition } from "./federation.ts";
import { defaultBase, gitTopLevel, listFilesAt, resolveCommit, showFileAt } from "./git.ts";
import { parseOperations, readOperationFiles } from "./operations.ts";
import { OPERATIONS_DIR, REPO_ROOT } from "./paths.ts";
import { FORMATS, formatReport, type Format } from "./report.ts";
import { exportUsageFromDatabase, isDatabaseUrl, observedOperations, parseWindow, readUsageFile, type UsageExport } from "./usage.ts";
import { discoverSubgraphs, loadSubgraphSdls, subgraphNameOfSdlFile, SUBGRAPHS, subgraphsNamed, type SubgraphInfo, type SubgraphSdl } from "./subgraphs.ts";

export const USAGE = `Usage: monograph-schema <command> [options]

Commands:
  compose   Compose the subgraphs and write packages/schema/supergraph.graphql,
            packages/schema/api-schema.graphql and packages/schema/persisted-operations.json
            (the recorded operations as persisted operations: the gateway's safelist) under the root.
  check     Compose; check that the committed files are up to date; classify every change of the
            public API schema since a baseline (breaking, dangerous, safe); validate the recorded
            client operations; fail on breaking changes that a recorded operation or observed
            traffic (--usage) uses, unless approved in packages/schema/schema-approvals.json.
  usage export
            Write the gateway's recorded usage of the window as a JSON file, for --usage on a CI
            runner that cannot reach the database.

Options:
  --root <dir>               Repository root. Default: the git top level of the current directory.
  --discover                 Find subgraphs as apps/<name>-subgraph/src/schema.graphql under the root,
                             instead of the list in packages/schema/src/subgraphs.ts.
  --base <ref>               (check) Compare with the subgraph SDL files at this git ref. Default: the
                             merge base of HEAD and main; on main itself, HEAD's first parent.
  --base-file <path>         (check) Compare with this schema file (an API schema or a supergraph).
  --operations <dir>         (check) Recorded operations, <dir>/<client>/*.graphql.
                             Default: <root>/packages/schema/operations.
  --format <format>          (check) table (default), json or markdown.
  --fail-on-unused-breaking  (check) Fail on breaking changes that no recorded operation uses, too.
  --no-drift                 (check) Do not compare the committed files with a fresh composition.
  --usage <url or file>      (check) Observed traffic: a database URL (postgresql://..., or
                             pglite:<folder> of an embedded database no process has open), or a file
                             written by usage export. A breaking change it uses fails the check.
  --window <duration>        (check, usage export) How far back traffic counts: 30d (default), 12h, 2w.
  --min-count <n>            (check) An operation of a client version seen fewer than n times in the
                             window does not count. Default 1.
  --exclude-client <name>    (check) Ignore this client's traffic; repeat for several.
  --approvals <file>         (check) Reviewed breaking changes. Default:
                             <root>/packages/schema/schema-approvals.json.
  --database <url>           (usage export) The gateway's database. Default: DATABASE_URL, else
                             pglite:<root>/.data/pglite.
  --out <file>               (usage export) Write here instead of stdout.
  -h, --help                 Print this help.

Relative paths are resolved from the directory the command runs in (the repository root under the root's
npm run schema:check).

Exit codes: 0 passed, 1 a check failed (or compose could not compose), 2 bad usage or an internal error.
`;

export interface Io {
  out: (text: string) => void;
  err: (text: string) => void;
  cwd: string;
}

const defaultIo = (): Io => ({
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
  // npm runs this package's scripts in packages/schema; paths typed on the command line mean the directory npm was
  // started in (the repository root under the root's `npm run schema:check`), which npm passes on as INIT_CWD.
  cwd: process.env["npm_package_name"] === "@monograph/schema" && process.env["INIT_CWD"] ? process.env["INIT_CWD"] : process.cwd(),
});

interface Options {
  command: "compose" | "check" | "usage-export";
  root: string;
  discover: boolean;
  base?: string;
  baseFile?: string;
  operations: string;
  format: Format;
  failOnUnusedBreaking: boolean;
  drift: boolean;
  usage?: string;
  windowMs: number;
  window: string;
  minCount: number;
  excludeClients: string[];
  approvals: string;
  database?: string;
  out?: string;
}

function parseOptions(argv: readonly string[], cwd: string): Options | "help" {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        root: { type: "string" },
        discover: { type: "boolean" },
        base: { type: "string" },
        "base-file": { type: "string" },
        operations: { type: "string" },
        format: { type: "string" },
        "fail-on-unused-breaking": { type: "boolean" },
        "no-drift": { type: "boolean" },
        usage: { type: "string" },
        window: { type: "string" },
        "min-count": { type: "string" },
        "exclude-client": { type: "string", multiple: true },
        approvals: { type: "string" },
        database: { type: "string" },
        out: { type: "string" },
        help: { type: "boolean", short: "h" },
      },
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help) return "help";
  const [first, ...rest] = positionals;
  if (first !== "compose" && first !== "check" && first !== "usage") throw new UsageError(first ? `unknown command "${first}"` : "missing command: compose, check or usage export");
  if (first === "usage" && rest[0] !== "export") throw new UsageError(rest[0] ? `unknown command "usage ${rest[0]}"` : "missing command: usage export");
  const extra = first === "usage" ? rest.slice(1) : rest;
  const command = first === "usage" ? "usage-export" : first;
  if (extra.length > 0) throw new UsageError(`unexpected argument "${extra[0]}"`);
  const allowed: Record<Options["command"], string[]> = {
    compose: ["root", "discover"],
    check: ["root", "discover", "base", "base-file", "operations", "format", "fail-on-unused-breaking", "no-drift", "usage", "window", "min-count", "exclude-client", "approvals"],
    "usage-export": ["root", "window", "database", "out"],
  };
  const misplaced = Object.keys(values).filter((name) => name !== "help" && !allowed[command].includes(name));
  if (misplaced.length > 0) throw new UsageError(`--${misplaced[0]} is not an option of ${command === "usage-export" ? "usage export" : command}`);
  const minCount = values["min-count"] === undefined ? 1 : Number(values["min-count"]);
  if (!Number.isInteger(minCount) || minCount < 1) throw new UsageError(`--min-count must be a whole number of at least 1, not "${values["min-count"]}"`);
  const window = values.window ?? "30d";
  const windowMs = parseWindow(window);
  if (values.base !== undefined && values["base-file"] !== undefined) throw new UsageError("--base and --base-file exclude each other");
  const format = values.format ?? "table";
  if (!(FORMATS as readonly string[]).includes(format)) throw new UsageError(`--format must be one of ${FORMATS.join(", ")}, not "${format}"`);

  const rootArg = values.root === undefined ? (gitTopLevel(cwd) ?? REPO_ROOT) : path.resolve(cwd, values.root);
  if (!existsSync(rootArg)) throw new UsageError(`--root ${rootArg} does not exist`);
  // The default folder may be absent (no client recorded yet); one named on the command line must exist.
  if (values.operations !== undefined && !existsSync(path.resolve(cwd, values.operations))) throw new UsageError(`--operations ${path.resolve(cwd, values.operations)} does not exist`);
  return {
    command,
    root: rootArg,
    discover: values.discover ?? false,
    base: values.base,
    baseFile: values["base-file"] === undefined ? undefined : path.resolve(cwd, values["base-file"]),
    operations: values.operations === undefined ? path.join(rootArg, OPERATIONS_DIR) : path.resolve(cwd, values.operations),
    format: format as Format,
    failOnUnusedBreaking: values["fail-on-unused-breaking"] ?? false,
    drift: !values["no-drift"],
    // A database URL is taken as it is; a file is relative to where the command runs.
    usage: values.usage === undefined ? undefined : resolveSource(cwd, values.usage),
    window,
    windowMs,
    minCount,
    excludeClients: values["exclude-client"] ?? [],
    approvals: values.approvals === undefined ? path.join(rootArg, APPROVALS_FILE) : path.resolve(cwd, values.approvals),
    database: values.database === undefined ? undefined : resolveSource(cwd, values.database),
    out: values.out === undefined ? undefined : path.resolve(cwd, values.out),
  };
}

/** A PostgreSQL URL as it is; a file, or the folder of `pglite:<folder>`, relative to where the command runs. */
function resolveSource(cwd: string, source: string): string {
  if (source.startsWith("pglite:")) return `pglite:${path.resolve(cwd, source.slice("pglite:".length))}`;
  return isDatabaseUrl(source) ? source : path.resolve(cwd, source);
}

function subgraphList(options: Options): SubgraphInfo[] {
  return options.discover ? discoverSubgraphs(options.root) : [...SUBGRAPHS];
}

function loadCurrent(options: Options): SubgraphSdl[] | CompositionFailure {
  try {
    return loadSubgraphSdls(options.root, subgraphList(options));
  } catch (error) {
    if (error instanceof CompositionFailure) return error;
    throw error;
  }
}

/** The subgraph SDL files at a commit; a subgraph whose file did not exist then is simply absent. */
function gitBaseline(root: string, ref: string, commit: string, description: string, discover: boolean): Baseline {
  const files = listFilesAt(root, commit, discover ? ["apps"] : SUBGRAPHS.map((s) => s.sdlFile));
  const present = discover ? subgraphsNamed(files.flatMap((file) => subgraphNameOfSdlFile(file) ?? [])) : SUBGRAPHS.filter((s) => files.includes(s.sdlFile));
  const subgraphs: SubgraphDefinition[] = present.map((s) => ({ name: s.name, typeDefs: showFileAt(root, commit, s.sdlFile) ?? "" }));
  return { kind: "git", ref, commit, description, subgraphs };
}

function resolveBaseline(options: Options): Baseline {
  if (options.baseFile !== undefined) {
    if (!existsSync(options.baseFile)) throw new UsageError(`--base-file ${options.baseFile} does not exist`);
    return { kind: "file", file: options.baseFile, description: `schema file ${options.baseFile}`, sdl: readFileSync(options.baseFile, "utf8") };
  }
  if (options.base !== undefined) {
    const commit = resolveCommit(options.root, options.base);
    if (!commit) throw new UsageError(`--base ${options.base} is not a commit of the git repository at ${options.root}`);
    return gitBaseline(options.root, options.base, commit, `${options.base} (${commit.slice(0, 12)})`, options.discover);
  }
  const base = defaultBase(options.root);
  if (!base.commit) return { kind: "none", description: base.description };
  return gitBaseline(options.root, base.commit, base.commit, base.description, options.discover);
}

/** The observed traffic of the window, from a database or an exported file. */
async function loadTraffic(options: Options, now: Date): Promise<CheckInputs["traffic"]> {
  if (options.usage === undefined) return undefined;
  const from = new Date(now.getTime() - options.windowMs);
  let usage: UsageExport;
  let source: string;
  if (isDatabaseUrl(options.usage)) {
    usage = await exportUsageFromDatabase(options.usage, { from, to: now });
    source = options.usage.startsWith("pglite:") ? options.usage : `database ${new URL(options.usage).host}${new URL(options.usage).pathname}`;
  } else {
    usage = readUsageFile(options.usage);
    source = `file ${path.relative(options.root, options.usage) || options.usage} (exported ${usage.exportedAt})`;
  }
  const operations = observedOperations(usage, { from, minCount: options.minCount, excludeClients: options.excludeClients });
  return { source, window: { from: from.toISOString(), to: now.toISOString() }, minCount: options.minCount, excludedClients: options.excludeClients, operations };
}

async function check(options: Options, io: Io): Promise<number> {
  const baseline = resolveBaseline(options);
  const { files, problems } = readOperationFiles(options.operations, options.root);
  const loaded = parseOperations(files);
  const now = new Date();
  const report = await evaluateSchemaCheck({
    subgraphs: loadCurrent(options),
    baseline,
    operations: { operations: loaded.operations, problems: [...problems, ...loaded.problems] },
    drift: options.drift ? (composed) => checkDrift(options.root, composed) : undefined,
    failOnUnusedBreaking: options.failOnUnusedBreaking,
    traffic: await loadTraffic(options, now),
    approvals: { file: path.relative(options.root, options.approvals) || options.approvals, approvals: readApprovals(options.approvals) },
    now,
  });
  io.out(formatReport(report, options.format));
  return report.ok ? 0 : 1;
}

function compose(options: Options, io: Io): number {
  const current = loadCurrent(options);
  try {
    if (current instanceof CompositionFailure) throw current;
    const composed = composeSupergraph(current);
    const written = writeComposedFiles(options.root, composed);
    for (const hint of composed.hints) io.err(`hint ${hint.code}: ${hint.message}\n`);
    io.out(`Composed ${current.length} subgraphs (${current.map((s) => s.name).join(", ")}); wrote ${written.slice(0, -1).join(", ")} and ${written.at(-1)}.\n`);
    return 0;
  } catch (error) {
    if (!(error instanceof CompositionFailure)) throw error;
    io.err(`Composition failed; nothing was written.\n${error.errors.map((e) => `  - ${describeCompositionError(e)}\n`).join("")}`);
    return 1;
  }
}

async function usageExport(options: Options, io: Io): Promise<number> {
  const database = options.database ?? process.env["DATABASE_URL"] ?? `pglite:${path.join(options.root, ".data/pglite")}`;
  if (!isDatabaseUrl(database)) throw new UsageError(`--database must be a postgresql:// URL or pglite:<folder>, not "${database}"`);
  const now = new Date();
  const usage = await exportUsageFromDatabase(database, { from: new Date(now.getTime() - options.windowMs), to: now });
  const text = `${JSON.stringify(usage, null, 2)}\n`;
  if (options.out === undefined) {
    io.out(text);
  } else {
    mkdirSync(path.dirname(options.out), { recursive: true });
    writeFileSync(options.out, text);
    const requests = usage.operations.reduce((sum, op) => sum + op.clients.reduce((s, c) => s + c.buckets.reduce((n, b) => n + b.count, 0), 0), 0);
    io.err(`Wrote ${usage.operations.length} operation signatures (${requests} requests, last ${options.window}) to ${options.out}.\n`);
  }
  return 0;
}

/** Runs the command line; returns the exit code. */
export async function main(argv: readonly string[], io: Io = defaultIo()): Promise<number> {
  try {
    const options = parseOptions(argv, io.cwd);
    if (options === "help") {
      io.out(USAGE);
      return 0;
    }
    if (options.command === "usage-export") return await usageExport(options, io);
    return options.command === "compose" ? compose(options, io) : await check(options, io);
  } catch (error) {
    if (error instanceof UsageError) {
      io.err(`monograph-schema: ${error.message}\n\n${USAGE}`);
      return 2;
    }
    io.err(`monograph-schema: internal error: ${(error as Error).stack ?? String(error)}\n`);
    return 2;
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(import.meta.filename)) {
  process.exitCode = await main(process.argv.slice(2));
}
