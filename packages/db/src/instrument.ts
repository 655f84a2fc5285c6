import { observeSql, telemetryOff } from "@monograph/telemetry";

type Query = { sql: string };

/**
 * Wraps a Prisma driver adapter factory so that every SQL statement it runs (in or out of a transaction) is timed
 * and, with tracing on, gets a span under whatever was active when the statement was issued (the resolver that
 * ran it: see tracedResolver in @monograph/telemetry). Works the same for @prisma/adapter-pg and
 * pglite-prisma-adapter: it only sees the driver adapter contract (`connect`, `queryRaw`, `executeRaw`,
 * `startTransaction`).
 */
export function observeAdapter<T extends object>(factory: T): T {
  return telemetryOff.has("sql") ? factory : wrap(factory);
}

function wrap<T extends object>(target: T): T {
  // One wrapper per method and adapter object, made on first use: Prisma reads `queryRaw` for every statement.
  const wrappers = new Map<PropertyKey, unknown>();
  return new Proxy(target, {
    get(object, property, receiver) {
      // The wrapper first: Prisma reads `queryRaw` once per statement, and this trap is on that path.
      const cached = wrappers.get(property);
      if (cached !== undefined) return cached;
      const value = Reflect.get(object, property, receiver) as unknown;
      if (typeof value !== "function") return value;
      const method = value as (...args: unknown[]) => unknown;
      let wrapper: unknown;
      switch (property) {
        case "queryRaw":
        case "executeRaw":
          // Checked per statement too: the benchmark switches SQL timing off and on in one process.
          wrapper = (query: Query) => (telemetryOff.has("sql") ? method.call(object, query) : observeSql(query.sql, () => method.call(object, query) as Promise<unknown>));
          break;
        case "connect":
        case "connectToShadowDb":
        case "startTransaction":
          wrapper = async (...args: unknown[]) => wrap((await method.apply(object, args)) as object);
          break;
        default:
          wrapper = method.bind(object);
      }
      wrappers.set(property, wrapper);
      return wrapper;
    },
  });
}
