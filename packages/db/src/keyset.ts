/**
 * Keyset pagination, newest first, on (a timestamp column, id): the one shape our connections page by (orders by
 * createdAt, invoices by issuedAt, users by createdAt). Pages stay stable while rows are added, unlike OFFSET.
 */
export interface TimeKeyset {
  /** The timestamp of the last row of the previous page. */
  at: Date;
  /** Its id: breaks ties between rows of the same timestamp. */
  id: string;
}

/** The `where` fragment for rows after `after` in newest-first order (`{}` on the first page). Spread it into a `where`. */
export function olderThan<F extends string>(field: F, after: TimeKeyset | null): { OR?: [Record<F, { lt: Date }>, Record<F, Date> & { id: { lt: string } }] } {
  if (!after) return {};
  return {
    OR: [{ [field]: { lt: after.at } } as Record<F, { lt: Date }>, { [field]: after.at, id: { lt: after.id } } as Record<F, Date> & { id: { lt: string } }],
  };
}

/** Newest first, ties by id descending: the order `olderThan` pages through. */
export function newestFirst<F extends string>(field: F): [Record<F, "desc">, { id: "desc" }] {
  return [{ [field]: "desc" } as Record<F, "desc">, { id: "desc" }];
}
