// Type-level tests of sealed data (docs/adr/0016): this file is compiled by `npm run typecheck` and never run.
// Each `@ts-expect-error` below is a line that must NOT compile: should orders' handles ever reach billing's tables
// again, the directive itself becomes the error ("Unused '@ts-expect-error' directive") and typecheck fails.
import type { PrismaClient } from "@monograph/db";
import { handleOnce } from "@monograph/events";
import { defineDomain, providePort } from "@monograph/platform";
import type { PlacementsPort } from "./contracts.ts";
import type ordersModule from "./module.ts";
import type { OrdersDb, OrdersTx } from "./repository.ts";

export async function ordersHandleReachesOrdersOnly(db: OrdersDb): Promise<void> {
  await db.order.findMany();
  // @ts-expect-error billing's invoices are not orders' to read
  await db.invoice.findMany();
  // @ts-expect-error nor inventory's products
  await db.product.findMany();
  // @ts-expect-error the outbox is written only inside a transaction, with the change it describes
  await db.outboxEvent.findMany();
  // @ts-expect-error raw SQL would name any table: orders' handle has none
  await db.$queryRaw`SELECT * FROM billing.invoices`;
}

export async function ordersTransactionReachesOrdersOnly(db: OrdersDb): Promise<void> {
  await db.$transaction(async (tx) => {
    await tx.order.findMany();
    await tx.outboxEvent.count();
    // @ts-expect-error billing's invoices, inside orders' transaction
    await tx.invoice.findMany();
    // @ts-expect-error billing's payments
    await tx.payment.create({ data: { invoiceId: "x", amountCents: 1, currency: "EUR", status: "SUCCEEDED", providerRef: "x" } });
    // @ts-expect-error no raw SQL inside a transaction either
    await tx.$executeRaw`DELETE FROM billing.invoices`;
  });
}

export async function ordersInboxEffectReachesOrdersOnly(db: OrdersDb): Promise<void> {
  await handleOnce(db, "orders", { id: "00000000-0000-4000-8000-000000000000" }, async (tx) => {
    await tx.order.findMany();
    // @ts-expect-error billing's invoices, inside the inbox's transaction
    await tx.invoice.findMany();
  });
  // The effect cannot widen its own transaction either: asking for the whole client's shape does not fit.
  // @ts-expect-error an effect typed to billing's transaction is not an orders effect
  await handleOnce(db, "orders", { id: "00000000-0000-4000-8000-000000000000" }, async (tx: OrdersTx & { invoice: unknown }) => void tx);
}

// The module contract (packages/platform/src/domain.ts): what the composition root hands orders' own module (its
// `build`, its `seed`, the `create` of each port it provides) is typed to orders' handle from the start. Read off the
// real module, so that these fail too if orders' module.ts is declared over a wider handle.
type OrdersModule = typeof ordersModule;
type BuildDb = Parameters<OrdersModule["build"]>[0]["db"];
type SeedDb = Parameters<NonNullable<OrdersModule["seed"]>>[0];
type ProvisionDb = Parameters<NonNullable<OrdersModule["provides"]>[number]["create"]>[0]["db"];

export async function ordersModuleDepsReachOrdersOnly(db: BuildDb): Promise<void> {
  await db.order.findMany();
  // @ts-expect-error billing's invoices, through the handle build is given
  await db.invoice.findMany();
  // @ts-expect-error no raw SQL on it either
  await db.$queryRaw`SELECT * FROM billing.invoices`;
  await db.$transaction(async (tx) => {
    // @ts-expect-error nor inside a transaction over it
    await tx.invoice.findMany();
  });
}

export async function ordersSeedHandleReachesOrdersOnly(db: SeedDb): Promise<void> {
  await db.order.count();
  // @ts-expect-error billing's invoices, through the handle a seed is given
  await db.invoice.count();
}

export async function ordersProvidedPortReachesOrdersOnly(db: ProvisionDb): Promise<void> {
  await db.placement.findMany();
  // @ts-expect-error billing's payments, through the handle a provided port is given
  await db.payment.findMany();
}

// Written inline, a module's code gets the same handle, and cannot ask for a wider one.
export function ordersModuleCodeReachesOrdersOnly(): void {
  defineDomain<OrdersDb>({
    name: "orders",
    provides: [
      providePort<PlacementsPort, OrdersDb>("placements", ({ db }) => ({
        api: {
          settle: async () => {
            // @ts-expect-error billing's invoices, inside a provided port's implementation
            await db.invoice.findMany();
            return {};
          },
        },
      })),
    ],
    seed: async (db) => {
      // @ts-expect-error billing's invoices, inside the seed
      return db.invoice.count();
    },
    build: ({ db }) => {
      // @ts-expect-error billing's invoices, inside build
      void db.invoice.findMany();
      throw new Error("never run");
    },
  });
  defineDomain<OrdersDb>({
    name: "orders",
    // @ts-expect-error a provided port asking for the whole client does not fit orders' module
    provides: [providePort<PlacementsPort, PrismaClient>("placements", ({ db }) => ({ api: { settle: async () => (await db.invoice.count(), {}) } }))],
    build: () => {
      throw new Error("never run");
    },
  });
  // @ts-expect-error nor may a module be declared over the whole client
  defineDomain<PrismaClient>({ name: "orders", build: () => ({}) as never });
}
