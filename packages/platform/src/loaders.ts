import DataLoader from "dataloader";

/**
 * The two by-key DataLoaders every domain needs, in one place. Both batch every key a request asks for into ONE
 * `fetch`, answer in the order of the keys, and skip the query for keys that cannot match (`accepts`: a forged
 * entity reference that is not a UUID is simply not found, not a SQL error). Create them per request, so nothing
 * cached outlives the request (or the caller) that loaded it.
 */
export interface ByKeyOptions<K> {
  /** Keys that can match at all; any other key is answered (null, or []) without a query. */
  accepts?: (key: NoInfer<K>) => boolean;
}

/** One row per key (or null when none matches), e.g. `orderById`, `productBySku`, `invoiceByOrderId`. */
export function byKeyLoader<K, V>(fetch: (keys: K[]) => Promise<readonly V[]>, keyOf: (row: V) => K, options: ByKeyOptions<K> = {}): DataLoader<K, V | null> {
  return new DataLoader<K, V | null>(async (keys) => {
    const rows = await fetchAccepted(keys, fetch, options.accepts);
    const byKey = new Map(rows.map((row) => [keyOf(row), row]));
    return keys.map((key) => byKey.get(key) ?? null);
  });
}

/** Every row of each key, in the order `fetch` returned them (or [] when none), e.g. `itemsByOrderId`. */
export function groupedByKeyLoader<K, V>(fetch: (keys: K[]) => Promise<readonly V[]>, keyOf: (row: V) => K, options: ByKeyOptions<K> = {}): DataLoader<K, V[]> {
  return new DataLoader<K, V[]>(async (keys) => {
    const rows = await fetchAccepted(keys, fetch, options.accepts);
    const byKey = new Map<K, V[]>();
    for (const row of rows) {
      const key = keyOf(row);
      const group = byKey.get(key);
      if (group) group.push(row);
      else byKey.set(key, [row]);
    }
    return keys.map((key) => byKey.get(key) ?? []);
  });
}

async function fetchAccepted<K, V>(keys: readonly K[], fetch: (keys: K[]) => Promise<readonly V[]>, accepts: ((key: K) => boolean) | undefined): Promise<readonly V[]> {
  const valid = accepts ? keys.filter(accepts) : [...keys];
  return valid.length > 0 ? fetch(valid) : [];
}

// Only UUIDs can match a UUID column; PostgreSQL refuses anything else with an error, so callers check first.
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Whether a value is a UUID (any version), the only ids our tables hold. */
export function isUuid(value: unknown): value is string {
  return typeof value === "string" && UUID.test(value);
}
