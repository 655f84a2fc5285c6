import { DateTimeScalar, type Resolvers } from "@monograph/platform";
import type { UserRecord } from "./repository.ts";
import type { UsersContext } from "./index.ts";

type Args = Record<string, never>;

/** Thin by design: arguments in, one service call, result out. The rules live in service.ts. */
export const resolvers: Resolvers<UsersContext> = {
  DateTime: DateTimeScalar,
  Query: {
    me: (_: unknown, _args: Args, ctx: UsersContext) => ctx.users.me(ctx.caller, ctx.loaders),
    user: (_: unknown, args: { id: string }, ctx: UsersContext) => ctx.users.user(ctx.caller, args.id, ctx.loaders),
    users: (_: unknown, args: { first?: number | null; after?: string | null }, ctx: UsersContext) => ctx.users.users(ctx.caller, args),
  },
  Mutation: {
    signUp: (_: unknown, args: { input: { email: string; password: string; name: string } }, ctx: UsersContext) => ctx.users.signUp(args.input),
    signIn: (_: unknown, args: { input: { email: string; password: string } }, ctx: UsersContext) => ctx.users.signIn(args.input),
    refreshToken: (_: unknown, args: { token: string }, ctx: UsersContext) => ctx.users.refresh(args.token),
    signOut: (_: unknown, args: { refreshToken?: string | null }, ctx: UsersContext) => ctx.users.signOut(ctx.caller, args.refreshToken),
    changePassword: (_: unknown, args: { currentPassword: string; newPassword: string }, ctx: UsersContext) =>
      ctx.users.changePassword(ctx.caller, args.currentPassword, args.newPassword),
  },
  User: {
    __resolveReference: (reference: { id: string }, ctx: UsersContext) => ctx.users.resolveReference(reference.id, ctx.loaders),
    role: (user: UserRecord) => user.role,
  },
};
