import { DateTimeScalar } from "@monograph/platform";
import type { Resolvers } from "./generated/resolvers-types.ts";

/**
 * Thin by design: arguments in, one service call, result out. The rules live in service.ts. Argument, parent and
 * result types come from src/schema.graphql (src/generated/resolvers-types.ts, `npm run codegen`).
 */
export const resolvers: Resolvers = {
  DateTime: DateTimeScalar,
  Query: {
    me: (_, _args, ctx) => ctx.users.me(ctx.caller, ctx.loaders),
    user: (_, args, ctx) => ctx.users.user(ctx.caller, args.id, ctx.loaders),
    users: (_, args, ctx) => ctx.users.users(ctx.caller, args),
  },
  Mutation: {
    signUp: (_, args, ctx) => ctx.users.signUp(args.input),
    signIn: (_, args, ctx) => ctx.users.signIn(args.input),
    refreshToken: (_, args, ctx) => ctx.users.refresh(args.token),
    signOut: (_, args, ctx) => ctx.users.signOut(ctx.caller, args.refreshToken),
    changePassword: (_, args, ctx) => ctx.users.changePassword(ctx.caller, args.currentPassword, args.newPassword),
  },
  User: {
    __resolveReference: (reference, ctx) => ctx.users.resolveReference(reference.id, ctx.loaders),
    role: (user) => user.role,
  },
  UserConnection: {
    totalCount: (connection) => connection.totalCount(),
  },
};
