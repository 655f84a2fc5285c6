import { randomUUID } from "node:crypto";
import type { DatabaseHandle, DomainTx } from "@monograph/db";
import { createTestDatabase, type TestDatabase } from "@monograph/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEvent, handleOnce, recordEvent } from "./index.ts";

// The "change" in these tests is a row in users.users: any table will do, the point is the shared transaction.
const newUser = () => ({ email: `${randomUUID()}@example.com`, name: "Outbox Test", passwordHash: "x" });

describe("outbox and inbox", () => {
  let database: TestDatabase;
  let db: DatabaseHandle;
  beforeAll(async () => {
    database = await createTestDatabase();
    db = await database.open();
  });
  afterAll(async () => {
    await db?.close();
    await database?.drop();
  });

  it("when the transaction commits, then the change and its event are both there", async () => {
    const user = newUser();
    const event = await db.prisma.$transaction(async (tx) => {
      await tx.user.create({ data: user });
      return recordEvent(tx, { source: "users", type: "users.signed-up", payload: { email: user.email, at: new Date("2026-01-02T03:04:05Z") } });
    });
    const row = await db.prisma.outboxEvent.findUniqueOrThrow({ where: { id: event.id } });
    expect(row).toMatchObject({ source: "users", type: "users.signed-up", publishedAt: null, attempts: 0 });
    // The payload is plain JSON, as every consumer will see it: a Date became its ISO string.
    expect(row.payload).toEqual({ email: user.email, at: "2026-01-02T03:04:05.000Z" });
    expect(event.payload).toEqual(row.payload);
    expect(await db.prisma.user.count({ where: { email: user.email } })).toBe(1);
  });

  it("when the transaction rolls back, then neither the change nor its event exists", async () => {
    const user = newUser();
    const id = randomUUID();
    await expect(
      db.prisma.$transaction(async (tx) => {
        await tx.user.create({ data: user });
        await recordEvent(tx, { id, source: "users", type: "users.signed-up", payload: { email: user.email } });
        throw new Error("something later in the transaction failed");
      }),
    ).rejects.toThrow("something later");
    expect(await db.prisma.outboxEvent.count({ where: { id } })).toBe(0);
    expect(await db.prisma.user.count({ where: { email: user.email } })).toBe(0);
  });

  it("when an event type is not dotted lower-case words, then creating it fails", () => {
    expect(() => createEvent({ source: "orders", type: "OrderCreated", payload: {} })).toThrow(/dotted/);
  });

  it("when the same event is handled twice, then its effect happens once", async () => {
    const event = createEvent({ source: "users", type: "users.signed-up", payload: {} });
    const email = `${randomUUID()}@example.com`;
    const effect = (tx: DomainTx<"user" | "processedEvent">) => tx.user.create({ data: { ...newUser(), email } }).then(() => undefined);
    expect(await handleOnce(db.prisma, "test-consumer", event, effect)).toBe(true);
    expect(await handleOnce(db.prisma, "test-consumer", event, effect)).toBe(false);
    expect(await db.prisma.user.count({ where: { email } })).toBe(1);
    // Another consumer has its own inbox entry for the same event.
    expect(await handleOnce(db.prisma, "other-consumer", event, async () => undefined)).toBe(true);
  });

  it("when the effect fails, then the inbox entry is rolled back too and the event can be handled again", async () => {
    const event = createEvent({ source: "users", type: "users.signed-up", payload: {} });
    await expect(handleOnce(db.prisma, "test-consumer", event, async () => Promise.reject(new Error("effect failed")))).rejects.toThrow("effect failed");
    expect(await db.prisma.processedEvent.count({ where: { eventId: event.id } })).toBe(0);
    expect(await handleOnce(db.prisma, "test-consumer", event, async () => undefined)).toBe(true);
  });

  it("when two deliveries of one event race, then exactly one runs the effect", async () => {
    const event = createEvent({ source: "users", type: "users.signed-up", payload: {} });
    let effects = 0;
    const results = await Promise.all(
      [1, 2, 3].map(() =>
        handleOnce(db.prisma, "racing-consumer", event, async (tx) => {
          effects += 1;
          await tx.user.create({ data: newUser() });
        }),
      ),
    );
    expect(results.filter(Boolean)).toHaveLength(1);
    expect(effects).toBe(1);
  });
});
