// The notifications domain's resolver types (src/generated/resolvers-types.ts): `npm run codegen`; `npm run lint` fails when stale.
import { fileURLToPath } from "node:url";
import { domainResolverTypes, runResolverCodegen } from "../../codegen.shared.ts";

export const config = domainResolverTypes(fileURLToPath(new URL(".", import.meta.url)), {
  contextType: "../context.ts#NotificationsContext",
  mappers: {
    Notification: "../repository.ts#NotificationRecord",
    // totalCount is a function, called only when a client asks for it (see NotificationConnection.totalCount).
    NotificationConnection: "../service.ts#NotificationConnection as NotificationPage",
    // Entities other domains own: notifications holds nothing of them but the key.
    Order: "{ id: string }",
    Invoice: "{ id: string }",
    User: "{ id: string }",
  },
});

await runResolverCodegen(config);
