// Which database a process uses, without loading the database layer (Prisma, the drivers): the gateway decides
// this before it knows whether it runs any domain (`@monograph/db/target`).

/** Where the data lives: a real PostgreSQL (`url`) or the embedded PGlite (`dataDir`, or "memory://"). */
export type DatabaseTarget = { kind: "postgres"; url: string } | { kind: "pglite"; dataDir: string };

/**
 * Chooses the database the way every entry point does: DATABASE_URL wins; otherwise an embedded PGlite in
 * `defaultDataDir`. Called by each app's config module, never by domain code.
 */
export function databaseTargetFrom(databaseUrl: string | undefined, defaultDataDir: string): DatabaseTarget {
  return databaseUrl ? { kind: "postgres", url: databaseUrl } : { kind: "pglite", dataDir: defaultDataDir };
}

export function describeTarget(target: DatabaseTarget): string {
  if (target.kind === "pglite") return `embedded PGlite (${target.dataDir})`;
  const url = new URL(target.url);
  return `PostgreSQL ${url.hostname}:${url.port || 5432}${url.pathname}`;
}
