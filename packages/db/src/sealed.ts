import type { Prisma, PrismaClient } from "./generated/prisma/client.ts";

/**
 * Sealed data (docs/adr/0016): the handles a domain is given reach its own models and nothing else, at compile time
 * (these types) and, on PostgreSQL, at run time too (each domain's own role: see `DatabaseHandle.forDomain`).
 */

/** A model's delegate on the client: `order`, `invoice`, `outboxEvent`, ... */
export type ModelKey = Uncapitalize<Prisma.ModelName>;

/** The shared event tables (schema `events`): a domain writes them only inside its own transactions. */
export type EventTableKey = "outboxEvent" | "processedEvent";

/**
 * Inside one of a domain's transactions: its models (and the event tables it was given), nothing else. No
 * `$transaction`, no raw SQL, no other domain's model: `tx.invoice` in orders' code does not compile.
 */
export type DomainTx<Models extends ModelKey> = Pick<Prisma.TransactionClient, Models>;

export interface DomainTransactionOptions {
  isolationLevel?: Prisma.TransactionIsolationLevel;
  maxWait?: number;
  timeout?: number;
}

/**
 * Runs an interactive transaction whose callback sees only `Models`. A `PrismaClient` fits this type (its callback
 * gets the whole client, which is more than `DomainTx<Models>` asks for), so a composition root passes its client
 * and the domain's code only ever sees the narrow view.
 */
export interface DomainTransactions<Models extends ModelKey> {
  $transaction<T>(work: (tx: DomainTx<Models>) => Promise<T>, options?: DomainTransactionOptions): Promise<T>;
}

/**
 * The handle a domain is given: its own models (`Models`), and transactions over those plus the event tables it uses
 * (`Events`: the outbox for a producer, the inbox for a consumer), which are not reachable outside a transaction.
 * Deliberately without `$queryRaw`/`$executeRaw`: raw SQL names any table and would step over this boundary; no
 * domain needs it today (docs/adr/0016 says what to do when one does).
 */
export type DomainDb<Models extends ModelKey, Events extends EventTableKey = never> = Pick<PrismaClient, Models> &
  DomainTransactions<Models | Events>;
