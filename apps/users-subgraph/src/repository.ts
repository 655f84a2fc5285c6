import type { PrismaClient, User } from "@monograph/db";

/** The users domain sees only its own table: touching another domain's model does not compile. */
export type UsersDb = Pick<PrismaClient, "user">;

export type UserRecord = User;

export interface NewUser {
  email: string;
  name: string;
  passwordHash: string;
  role?: "CUSTOMER" | "ADMIN";
}

export class UsersRepository {
  constructor(private readonly db: UsersDb) {}

  findByEmail(email: string): Promise<UserRecord | null> {
    return this.db.user.findUnique({ where: { email } });
  }

  findManyByIds(ids: readonly string[]): Promise<UserRecord[]> {
    return this.db.user.findMany({ where: { id: { in: [...ids] } } });
  }

  create(user: NewUser): Promise<UserRecord> {
    return this.db.user.create({ data: user });
  }

  /** Newest first; keyset pagination on (createdAt, id) so pages stay stable while users sign up. */
  listPage(after: { createdAt: Date; id: string } | null, take: number): Promise<UserRecord[]> {
    return this.db.user.findMany({
      where: after
        ? { OR: [{ createdAt: { lt: after.createdAt } }, { createdAt: after.createdAt, id: { lt: after.id } }] }
        : undefined,
      orderBy: [{ createdAt: "desc" }, { id: "desc" }],
      take,
    });
  }

  count(): Promise<number> {
    return this.db.user.count();
  }
}
