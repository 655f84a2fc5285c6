// The inventory domain's resolver types (src/generated/resolvers-types.ts): `npm run codegen`; `npm run lint` fails when stale.
import { fileURLToPath } from "node:url";
import { domainResolverTypes, runResolverCodegen } from "../../codegen.shared.ts";

export const config = domainResolverTypes(fileURLToPath(new URL(".", import.meta.url)), {
  contextType: "../context.ts#InventoryContext",
  mappers: {
    Product: "../repository.ts#ProductRecord",
    // totalCount is a function: GraphQL's default resolver calls it, so the COUNT runs only when it is asked for.
    ProductConnection: "../service.ts#ProductConnection as ProductPage",
  },
});

await runResolverCodegen(config);
