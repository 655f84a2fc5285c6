import { hashPassword } from "./passwords.ts";
import type { UsersDb } from "./repository.ts";

/**
 * Demo accounts. The README lists these credentials; they exist only in a seeded development (or test) database:
 * nothing seeds when NODE_ENV=production.
 */
export const SEEDED_USERS = [
  { email: "admin@monograph.dev", name: "Ada Admin", password: "admin-password-1", role: "ADMIN" },
  { email: "alice@example.com", name: "Alice Martin", password: "alice-password-1", role: "CUSTOMER" },
  { email: "bob@example.com", name: "Bob Okafor", password: "bob-password-1", role: "CUSTOMER" },
  { email: "chloe@example.com", name: "Chloé Dubois", password: "chloe-password-1", role: "CUSTOMER" },
  { email: "dev@example.com", name: "Dev Patel", password: "dev-password-1", role: "CUSTOMER" },
  { email: "emi@example.com", name: "Emi Tanaka", password: "emi-password-1", role: "CUSTOMER" },
] as const;

/** Loads the demo users into an empty users table; does nothing when any user exists. */
export async function seedUsers(db: UsersDb): Promise<number> {
  if ((await db.user.count()) > 0) return 0;
  // One statement gives every row the same now(): a millisecond apart instead, in list order, so that "newest first"
  // is the same order in every database seeded.
  const start = Date.now();
  const data = await Promise.all(
    SEEDED_USERS.map(async (user, index) => ({
      email: user.email,
      name: user.name,
      role: user.role,
      passwordHash: await hashPassword(user.password),
      createdAt: new Date(start + index),
    })),
  );
  // skipDuplicates: two processes seeding one database at the same moment both succeed.
  const { count } = await db.user.createMany({ data, skipDuplicates: true });
  return count;
}
