import { newestFirst, olderThan, type DomainDb, type DomainTx, type RefreshToken, type TimeKeyset, type User } from "@monograph/db";

/** The users domain sees only its own tables: touching another domain's model does not compile. */
export type UsersModels = "user" | "refreshToken";
export type UsersDb = DomainDb<UsersModels>;
export type UsersTx = DomainTx<UsersModels>;

export type UserRecord = User;
export type RefreshTokenRecord = RefreshToken;

export interface NewUser {
  email: string;
  name: string;
  passwordHash: string;
  role?: "CUSTOMER" | "ADMIN";
}

export interface NewRefreshToken {
  userId: string;
  familyId: string;
  tokenHash: string;
  expiresAt: Date;
}

export class UsersRepository {
  constructor(private readonly db: UsersDb) {}

  transaction<T>(work: (tx: UsersTx) => Promise<T>): Promise<T> {
    return this.db.$transaction((tx) => work(tx));
  }

  findByEmail(email: string): Promise<UserRecord | null> {
    return this.db.user.findUnique({ where: { email } });
  }

  findById(id: string): Promise<UserRecord | null> {
    return this.db.user.findUnique({ where: { id } });
  }

  findManyByIds(ids: readonly string[]): Promise<UserRecord[]> {
    return this.db.user.findMany({ where: { id: { in: [...ids] } } });
  }

  create(user: NewUser): Promise<UserRecord> {
    return this.db.user.create({ data: user });
  }

  async updatePasswordHash(tx: UsersTx, id: string, passwordHash: string): Promise<void> {
    await tx.user.update({ where: { id }, data: { passwordHash } });
  }

  /** Newest first; keyset pagination on (createdAt, id) so pages stay stable while users sign up. */
  listPage(after: TimeKeyset | null, take: number): Promise<UserRecord[]> {
    return this.db.user.findMany({ where: olderThan("createdAt", after), orderBy: newestFirst("createdAt"), take });
  }

  count(): Promise<number> {
    return this.db.user.count();
  }

  findRefreshToken(tokenHash: string): Promise<RefreshTokenRecord | null> {
    return this.db.refreshToken.findUnique({ where: { tokenHash } });
  }

  async createRefreshToken(token: NewRefreshToken, db: UsersTx = this.db): Promise<void> {
    await db.refreshToken.create({ data: token });
  }

  /**
   * Marks a token as exchanged, only if it still was usable: of two requests presenting the same token at once,
   * exactly one wins (the row lock orders them; the second sees rotatedAt set and updates nothing).
   */
  async claimForRotation(tx: UsersTx, id: string, now: Date): Promise<boolean> {
    const { count } = await tx.refreshToken.updateMany({ where: { id, rotatedAt: null, revokedAt: null, expiresAt: { gt: now } }, data: { rotatedAt: now } });
    return count === 1;
  }

  async revokeFamily(familyId: string, now: Date, db: UsersTx = this.db): Promise<void> {
    await db.refreshToken.updateMany({ where: { familyId, revokedAt: null }, data: { revokedAt: now } });
  }

  async revokeSession(userId: string, familyId: string, now: Date): Promise<void> {
    await this.db.refreshToken.updateMany({ where: { userId, familyId, revokedAt: null }, data: { revokedAt: now } });
  }

  async revokeAllOfUser(userId: string, now: Date, db: UsersTx = this.db): Promise<void> {
    await db.refreshToken.updateMany({ where: { userId, revokedAt: null }, data: { revokedAt: now } });
  }

  /** Rows past their expiry serve no purpose any more, not even reuse detection. */
  async deleteExpiredOfUser(userId: string, now: Date): Promise<void> {
    await this.db.refreshToken.deleteMany({ where: { userId, expiresAt: { lt: now } } });
  }
}
