import { isUniqueViolation } from "@monograph/db";
import {
  badUserInput,
  conflict,
  decodeCursor,
  encodeCursor,
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
import { decoyPasswordHash, hashPassword, verifyPassword } from "./passwords.ts";
import type { UserRecord, UsersRepository } from "./repository.ts";
import type { UsersLoaders } from "./loaders.ts";

export interface UsersServiceOptions {
  jwtSecret: string;
  tokenTtlSeconds: number;
}

export interface AuthResult extends IssuedToken {
  user: UserRecord;
}

export interface SignUpInput {
  email: string;
  password: string;
  name: string;
}

// Deliberately simple: one "@", something on each side, a dot in the domain, no spaces. The real proof that an
// address works is an email to it, which is out of scope here.
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const MIN_PASSWORD_LENGTH = 10;

/** The users domain's rules: who may sign up, how credentials are checked, who may see whom. */
export class UsersService {
  constructor(
    private readonly repository: UsersRepository,
    private readonly options: UsersServiceOptions,
  ) {}

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
    return { user, ...(await this.issueToken(user)) };
  }

  /** Wrong email and wrong password are indistinguishable, in message and in timing. */
  async signIn(input: { email: string; password: string }): Promise<AuthResult> {
    const user = await this.repository.findByEmail(normalizeEmail(input.email));
    const valid = await verifyPassword(input.password, user?.passwordHash ?? (await decoyPasswordHash()));
    if (!user || !valid) throw new DomainError(ErrorCode.UNAUTHENTICATED, "Email or password is incorrect.");
    return { user, ...(await this.issueToken(user)) };
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

  async users(caller: Caller, args: { first?: number | null; after?: string | null }): Promise<Connection<UserRecord>> {
    if (caller.kind === "anonymous") throw unauthenticated();
    if (!isAdmin(caller)) throw forbidden("Only admins can list users.");
    const size = pageSize(args.first);
    let after: { createdAt: Date; id: string } | null = null;
    if (args.after) {
      const [createdAt, id] = decodeCursor(args.after, 2);
      after = { createdAt: new Date(createdAt as string), id: String(id) };
      if (Number.isNaN(after.createdAt.getTime())) throw badUserInput("`after` is not a cursor this API issued.", { argument: "after" });
    }
    const [rows, total] = await Promise.all([this.repository.listPage(after, size + 1), this.repository.count()]);
    return toConnection(rows, size, total, (user) => encodeCursor([user.createdAt.toISOString(), user.id]));
  }

  /** Entity references from other subgraphs (Order.customer): resolved for whoever may see the parent. */
  resolveReference(id: string, loaders: UsersLoaders): Promise<UserRecord | null> {
    return loaders.userById.load(id);
  }

  private issueToken(user: UserRecord): Promise<IssuedToken> {
    return issueUserToken(this.options.jwtSecret, { id: user.id, role: user.role }, this.options.tokenTtlSeconds);
  }
}

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

export function checkPasswordStrength(password: string): void {
  if (password.length < MIN_PASSWORD_LENGTH || !/[A-Za-z]/.test(password) || !/\d/.test(password)) {
    throw badUserInput(`Password must be at least ${MIN_PASSWORD_LENGTH} characters and contain a letter and a digit.`, { field: "password" });
  }
  if (password.length > 200) throw badUserInput("Password must be at most 200 characters.", { field: "password" });
}

const emailTaken = () => conflict("An account with this email already exists.", { field: "email" });
