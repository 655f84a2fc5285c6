import { createHash, randomBytes, randomUUID } from "node:crypto";
import { isUniqueViolation } from "@monograph/db";
import {
  badUserInput,
  conflict,
  decodeTimeKeyset,
  encodeTimeKeyset,
  forbidden,
  isAdmin,
  issueUserToken,
  pageSize,
  toConnection,
  unauthenticated,
  DomainError,
  ErrorCode,
  type Caller,
  type Connection,
  type IssuedToken,
} from "@monograph/platform";
import type { QueryUsersArgs, SignInInput, SignUpInput } from "./generated/resolvers-types.ts";
import { decoyPasswordHash, hashPassword, verifyPassword } from "./passwords.ts";
import type { UserRecord, UsersRepository, UsersTx } from "./repository.ts";
import type { UsersLoaders } from "./loaders.ts";

export interface UsersServiceOptions {
  jwtSecret: string;
  /** Lifetime of an access token (the bearer token): also how long a revoked session or a changed role lingers. */
  accessTokenTtlSeconds: number;
  /** Lifetime of a refresh token; every refresh starts a new one. */
  refreshTokenTtlSeconds: number;
  /** The clock (tests move it); default the system's. */
  now?: () => Date;
}

/** What signUp, signIn, refreshToken and changePassword answer: a new access token and a new refresh token. */
export interface AuthResult extends IssuedToken {
  user: UserRecord;
  refreshToken: string;
  refreshExpiresAt: Date;
}

export type { SignInInput, SignUpInput };

// Deliberately simple: one "@", something on each side, a dot in the domain, no spaces. The real proof that an
// address works is an email to it, which is out of scope here.
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const MIN_PASSWORD_LENGTH = 10;
// Refresh tokens are 32 random bytes, base64url: 43 characters. Anything much longer is not one of ours.
const MAX_REFRESH_TOKEN_LENGTH = 128;

/** The users domain's rules: who may sign up, how credentials are checked, who may see whom, how sessions end. */
/** A page of users; its totalCount is counted only when a client asks for it. */
export type UserPage = Connection<UserRecord>;

export class UsersService {
  private readonly now: () => Date;

  constructor(
    private readonly repository: UsersRepository,
    private readonly options: UsersServiceOptions,
  ) {
    this.now = options.now ?? (() => new Date());
  }

  async signUp(input: SignUpInput): Promise<AuthResult> {
    const email = normalizeEmail(input.email);
    const name = input.name.trim();
    if (!EMAIL.test(email) || email.length > 254) throw badUserInput("Enter a valid email address.", { field: "email" });
    if (name.length === 0 || name.length > 100) throw badUserInput("Name must be between 1 and 100 characters.", { field: "name" });
    checkPasswordStrength(input.password);

    if (await this.repository.findByEmail(email)) throw emailTaken();
    let user: UserRecord;
    try {
      user = await this.repository.create({ email, name, passwordHash: await hashPassword(input.password) });
    } catch (error) {
      // Two sign-ups with one email at the same moment: the unique index decides, and the loser gets the same error.
      if (isUniqueViolation(error)) throw emailTaken();
      throw error;
    }
    return this.startSession(user);
  }

  /** Wrong email and wrong password are indistinguishable, in message and in timing. */
  async signIn(input: SignInInput): Promise<AuthResult> {
    const user = await this.repository.findByEmail(normalizeEmail(input.email));
    const valid = await verifyPassword(input.password, user?.passwordHash ?? (await decoyPasswordHash()));
    if (!user || !valid) throw new DomainError(ErrorCode.UNAUTHENTICATED, "Email or password is incorrect.");
    await this.repository.deleteExpiredOfUser(user.id, this.now());
    return this.startSession(user);
  }

  /**
   * Exchanges a refresh token for a new pair (rotation): the presented token stops working. Presenting a token that
   * was already exchanged means two parties hold it, one of them a thief: the whole session is revoked. The new
   * access token carries the user's current role, and a deleted user gets nothing.
   */
  async refresh(token: string): Promise<AuthResult> {
    if (typeof token !== "string" || token.length === 0 || token.length > MAX_REFRESH_TOKEN_LENGTH) throw sessionEnded();
    const now = this.now();
    const row = await this.repository.findRefreshToken(hashToken(token));
    if (!row || row.revokedAt || row.expiresAt <= now) throw sessionEnded();
    if (row.rotatedAt) {
      await this.repository.revokeFamily(row.familyId, now);
      throw sessionEnded();
    }
    const outcome = await this.repository.transaction(async (tx) => {
      if (!(await this.repository.claimForRotation(tx, row.id, now))) return "reused" as const;
      const user = await tx.user.findUnique({ where: { id: row.userId } });
      if (!user) return "gone" as const;
      return { user, refresh: await this.newRefreshToken(tx, user.id, row.familyId, now) };
    });
    if (outcome === "reused" || outcome === "gone") {
      // Lost a race with another use of the same token (reuse), or the user no longer exists.
      await this.repository.revokeFamily(row.familyId, now);
      throw sessionEnded();
    }
    return { user: outcome.user, ...outcome.refresh, ...(await this.accessToken(outcome.user, row.familyId)) };
  }

  /**
   * Ends a session: the one the refresh token belongs to (holding it is proof enough), or else the signed-in
   * caller's own. Answers true whether or not the token was still valid, so it reveals nothing about it. Access
   * tokens already issued stay valid until they expire (at most the access-token lifetime).
   */
  async signOut(caller: Caller, refreshToken: string | null | undefined): Promise<boolean> {
    const now = this.now();
    if (refreshToken) {
      const row = refreshToken.length <= MAX_REFRESH_TOKEN_LENGTH ? await this.repository.findRefreshToken(hashToken(refreshToken)) : null;
      if (row) await this.repository.revokeFamily(row.familyId, now);
      return true;
    }
    if (caller.kind !== "user" || !caller.sessionId) throw unauthenticated("Sign in, or pass the refresh token of the session to end.");
    await this.repository.revokeSession(caller.userId, caller.sessionId, now);
    return true;
  }

  /**
   * Changes the signed-in user's password and revokes every session they have (every device signs in again),
   * then starts a new one for this client.
   */
  async changePassword(caller: Caller, currentPassword: string, newPassword: string): Promise<AuthResult> {
    if (caller.kind !== "user") throw unauthenticated();
    const user = await this.repository.findById(caller.userId);
    if (!user) throw unauthenticated();
    if (!(await verifyPassword(currentPassword, user.passwordHash))) throw badUserInput("The current password is incorrect.", { field: "currentPassword" });
    checkPasswordStrength(newPassword, "newPassword");
    if (newPassword === currentPassword) throw badUserInput("The new password must differ from the current one.", { field: "newPassword" });
    const passwordHash = await hashPassword(newPassword);
    const now = this.now();
    const familyId = randomUUID();
    const refresh = await this.repository.transaction(async (tx) => {
      await this.repository.updatePasswordHash(tx, user.id, passwordHash);
      await this.repository.revokeAllOfUser(user.id, now, tx);
      return this.newRefreshToken(tx, user.id, familyId, now);
    });
    const updated = { ...user, passwordHash };
    return { user: updated, ...refresh, ...(await this.accessToken(updated, familyId)) };
  }

  me(caller: Caller, loaders: UsersLoaders): Promise<UserRecord | null> {
    if (caller.kind !== "user") return Promise.resolve(null);
    return loaders.userById.load(caller.userId);
  }

  /** Yourself, or anyone for an admin; anyone else reads as "no such user", so ids cannot be probed. */
  async user(caller: Caller, id: string, loaders: UsersLoaders): Promise<UserRecord | null> {
    if (caller.kind === "anonymous") throw unauthenticated();
    if (!isAdmin(caller) && !(caller.kind === "user" && caller.userId === id) && caller.kind !== "service") return null;
    return loaders.userById.load(id);
  }

  async users(caller: Caller, args: QueryUsersArgs): Promise<UserPage> {
    if (caller.kind === "anonymous") throw unauthenticated();
    if (!isAdmin(caller)) throw forbidden("Only admins can list users.");
    const size = pageSize(args.first);
    // The id is checked too (decodeTimeKeyset): a forged cursor with a non-UUID id used to reach PostgreSQL and fail there.
    const after = args.after ? decodeTimeKeyset(args.after) : null;
    const rows = await this.repository.listPage(after, size + 1);
    return toConnection(rows, size, (user) => encodeTimeKeyset(user.createdAt, user.id), () => this.repository.count());
  }

  /** Entity references from other subgraphs (Order.customer): resolved for whoever may see the parent. */
  resolveReference(id: string, loaders: UsersLoaders): Promise<UserRecord | null> {
    return loaders.userById.load(id);
  }

  /** A new session (token family): an access token naming it, and its first refresh token. */
  private async startSession(user: UserRecord): Promise<AuthResult> {
    const familyId = randomUUID();
    const refresh = await this.newRefreshToken(undefined, user.id, familyId, this.now());
    return { user, ...refresh, ...(await this.accessToken(user, familyId)) };
  }

  private async newRefreshToken(tx: UsersTx | undefined, userId: string, familyId: string, now: Date): Promise<{ refreshToken: string; refreshExpiresAt: Date }> {
    const refreshToken = randomBytes(32).toString("base64url");
    const refreshExpiresAt = new Date(now.getTime() + this.options.refreshTokenTtlSeconds * 1000);
    await this.repository.createRefreshToken({ userId, familyId, tokenHash: hashToken(refreshToken), expiresAt: refreshExpiresAt }, tx);
    return { refreshToken, refreshExpiresAt };
  }

  private accessToken(user: UserRecord, sessionId: string): Promise<IssuedToken> {
    return issueUserToken(this.options.jwtSecret, { id: user.id, role: user.role }, this.options.accessTokenTtlSeconds, { sessionId, now: this.now() });
  }
}

/** Refresh tokens are stored as their sha256 only: a copy of the table gives no usable token. */
export function hashToken(token: string): string {
  return createHash("sha256").update(token, "utf8").digest("hex");
}

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

export function checkPasswordStrength(password: string, field = "password"): void {
  if (password.length < MIN_PASSWORD_LENGTH || !/[A-Za-z]/.test(password) || !/\d/.test(password)) {
    throw badUserInput(`Password must be at least ${MIN_PASSWORD_LENGTH} characters and contain a letter and a digit.`, { field });
  }
  if (password.length > 200) throw badUserInput("Password must be at most 200 characters.", { field });
}

const emailTaken = () => conflict("An account with this email already exists.", { field: "email" });
const sessionEnded = () => unauthenticated("This session has ended. Sign in again.");
