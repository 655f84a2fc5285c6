import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isUniqueViolation, type DatabaseHandle } from "./index.ts";
import { createTestDatabase, testDatabaseKind, type TestDatabase } from "./testing.ts";

// Real errors from the database of this run (PGlite by default, PostgreSQL when DATABASE_URL is set): each driver
// adapter surfaces a unique violation its own way, and the one helper must recognise all of them.
describe(`isUniqueViolation (${testDatabaseKind()})`, () => {
  let database: TestDatabase;
  let db: DatabaseHandle;
  const user = { email: "taken@example.com", name: "Taken", passwordHash: "x" };
  beforeAll(async () => {
    database = await createTestDatabase();
    db = await database.open();
    await db.prisma.user.create({ data: user });
  });
  afterAll(async () => {
    await db?.close();
    await database?.drop();
  });

  const caught = async (action: () => Promise<unknown>): Promise<unknown> => {
    try {
      await action();
    } catch (error) {
      return error;
    }
    throw new Error("expected the database to refuse");
  };

  it("when a create hits a unique index, then it is recognised", async () => {
    expect(isUniqueViolation(await caught(() => db.prisma.user.create({ data: user })))).toBe(true);
  });

  it("when the create runs in an interactive or a batch transaction, then it is recognised", async () => {
    expect(isUniqueViolation(await caught(() => db.prisma.$transaction(async (tx) => tx.user.create({ data: user }))))).toBe(true);
    expect(isUniqueViolation(await caught(() => db.prisma.$transaction([db.prisma.user.create({ data: user })])))).toBe(true);
  });

  it("when a raw statement hits a unique index, then it is recognised", async () => {
    const error = await caught(() => db.prisma.$executeRawUnsafe(`INSERT INTO users.users (id, email, name, password_hash) VALUES (gen_random_uuid(), $1, 'x', 'x')`, user.email));
    expect(isUniqueViolation(error)).toBe(true);
  });

  it("when the database refuses for another reason, then it is not a unique violation", async () => {
    const notNull = await caught(() => db.prisma.$executeRawUnsafe(`INSERT INTO users.users (id, email, name, password_hash) VALUES (gen_random_uuid(), NULL, 'x', 'x')`));
    expect(isUniqueViolation(notNull)).toBe(false);
    const badSql = await caught(() => db.prisma.$executeRawUnsafe(`SELECT * FROM users.no_such_table`));
    expect(isUniqueViolation(badSql)).toBe(false);
  });

  it.each([[null], [undefined], ["23505"], [42], [new Error("23505")], [{ code: "P2003" }], [{ cause: { code: "23503" } }], [{ meta: { driverAdapterError: null } }]])(
    "when given %s, then it is not a unique violation",
    (value) => {
      expect(isUniqueViolation(value)).toBe(false);
    },
  );
});
