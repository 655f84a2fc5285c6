// The orders domain's resolver types (src/generated/resolvers-types.ts): `npm run codegen`; `npm run lint` fails when stale.
import { fileURLToPath } from "node:url";
import { domainResolverTypes, runResolverCodegen } from "../../codegen.shared.ts";

export const config = domainResolverTypes(fileURLToPath(new URL(".", import.meta.url)), {
  contextType: "../context.ts#OrdersContext",
  mappers: {
    Order: "../repository.ts#OrderRecord",
    OrderItem: "../repository.ts#OrderItemRecord",
    // totalCount is a function, called only when a client asks for it (see OrderConnection.totalCount).
    OrderConnection: "../service.ts#OrderConnection as OrderPage",
    // Entities other domains own: orders holds nothing of them but the key.
    User: "{ id: string }",
    Product: "{ sku: string }",
  },
});

await runResolverCodegen(config);
