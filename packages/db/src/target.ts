// Which database a process uses, without loading the database layer (Prisma, the drivers): the gateway decides
// this before it knows whether it runs any domain (`@monograph/db/target`).

/**
 * Where the data lives: a real PostgreSQL (`url`, as the owner role that runs migrations) or the embedded PGlite
 * (`dataDir`, or "memory://"). `rolePasswordDir`: a folder holding one file per role (`monograph_orders`, ...) with
 * that role's password, as a secret store mounts them (docs/adr/0016); unset, the roles connect without a password
 * (trust authentication, as on a development server).
 */
export type DatabaseTarget = { kind: "postgres"; url: string; rolePasswordDir?: string } | { kind: "pglite"; dataDir: string };

/**
 * Chooses the database the way every entry point does: DATABASE_URL wins; otherwise an embedded PGlite in
 * `defaultDataDir`. Called by each app's config module, never by domain code.
 */
export function databaseTargetFrom(databaseUrl: string | undefined, defaultDataDir: string, rolePasswordDir?: string): DatabaseTarget {
  if (!databaseUrl) return { kind: "pglite", dataDir: defaultDataDir };
  return rolePasswordDir ? { kind: "postgres", url: databaseUrl, rolePasswordDir } : { kind: "postgres", url: databaseUrl };
}

export function describeTarget(target: DatabaseTarget): string {
  if (target.kind === "pglite") return `embedded PGlite (${target.dataDir})`;
  const url = new URL(target.url);
  return `PostgreSQL ${url.hostname}:${url.port || 5432}${url.pathname}`;
}
