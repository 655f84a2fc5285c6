// The billing domain's resolver types (src/generated/resolvers-types.ts): `npm run codegen`; `npm run lint` fails when stale.
import { fileURLToPath } from "node:url";
import { domainResolverTypes, runResolverCodegen } from "../../codegen.shared.ts";

export const config = domainResolverTypes(fileURLToPath(new URL(".", import.meta.url)), {
  contextType: "../context.ts#BillingContext",
  mappers: {
    Invoice: "../repository.ts#InvoiceRecord",
    Payment: "../repository.ts#PaymentRecord",
    // totalCount is a function, called only when a client asks for it (see InvoiceConnection.totalCount).
    InvoiceConnection: "../service.ts#InvoiceConnection as InvoicePage",
    // Entities other domains own: billing holds nothing of them but the key.
    Order: "{ id: string }",
    User: "{ id: string }",
  },
});

await runResolverCodegen(config);
