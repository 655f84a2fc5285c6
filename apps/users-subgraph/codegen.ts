// The users domain's resolver types (src/generated/resolvers-types.ts): `npm run codegen`; `npm run lint` fails when stale.
import { fileURLToPath } from "node:url";
import { domainResolverTypes, runResolverCodegen } from "../../codegen.shared.ts";

export const config = domainResolverTypes(fileURLToPath(new URL(".", import.meta.url)), {
  contextType: "../context.ts#UsersContext",
  mappers: {
    User: "../repository.ts#UserRecord",
    AuthPayload: "../service.ts#AuthResult",
    // totalCount is counted only when a client asks for it (a function of the connection).
    UserConnection: "../service.ts#UserPage",
  },
});

await runResolverCodegen(config);
