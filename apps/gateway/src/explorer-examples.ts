import path from "node:path";
import { childLogger } from "@monograph/platform";
import { OPERATIONS_DIR, parseOperations, readOperationFiles, REPO_ROOT } from "@monograph/schema/runtime";
import { SEEDED_USERS } from "@monograph/users-subgraph";
import { print } from "graphql";
import type { ExplorerExample, ExplorerOptions } from "@monograph/gateway-core";

/** What the headers editor shows until a token is pasted in; not a token, so the gateway treats it as anonymous. */
export const EXPLORER_DEFAULT_HEADERS = { Authorization: "Bearer <paste the token from SignIn here>" };

interface Step {
  /** The recorded web client operation (packages/schema/operations/web). */
  operation: string;
  /** Lines said above the operation in its tab; short, so that they fit beside the run button. */
  comment: string[];
  variables?: Record<string, unknown>;
}

const customer = SEEDED_USERS.find((user) => user.email === "alice@example.com")!;

/** The main flow of the shop, one tab per step, in the order a person would try it (the README's main flow). */
const MAIN_FLOW: Step[] = [
  {
    operation: "Products",
    comment: ["Step 1: browse the catalogue; no sign-in needed.", "Run it with the ▶ button or Ctrl-Enter.", "The tabs above are the main flow, left to right."],
  },
  {
    operation: "SignIn",
    comment: [
      "Step 2: sign in (a demo account of the development data).",
      "Copy data.signIn.token from the result into Headers below,",
      "in place of <paste the token from SignIn here>, in each",
      "tab that needs it.",
    ],
    variables: { input: { email: customer.email, password: customer.password } },
  },
  {
    operation: "Me",
    comment: ["Step 3: who am I? With the token in Headers:", '{"Authorization": "Bearer <token>"}. Without it, me is null.'],
  },
  {
    operation: "CreateOrder",
    comment: [
      "Step 4: place an order (token in Headers). It reserves the",
      "stock; billing opens its invoice a moment later. The same",
      "idempotencyKey again answers with the same order.",
    ],
    variables: { input: { items: [{ sku: "KB-0001", quantity: 2 }, { sku: "MS-0001", quantity: 1 }], idempotencyKey: "my-first-order" } },
  },
  {
    operation: "MyOrders",
    comment: ["Step 5: my orders, newest first, with their lines and", "invoices (token in Headers): across users, orders,", "inventory and billing."],
    variables: { first: 20 },
  },
  {
    operation: "PayInvoice",
    comment: [
      "Step 6: pay an invoice (token in Headers): paste an",
      "invoice.id from MyOrders. Then run MyOrders again: the",
      "order is PAID.",
    ],
    variables: { invoiceId: "<an invoice id from MyOrders>", idempotencyKey: "pay-1" },
  },
];

/**
 * The explorer's example tabs, built from the web client's recorded operations: the schema check validates those
 * against the supergraph in CI, so the examples cannot drift from the API. A step whose operation is no longer
 * recorded is left out, with a warning (explorer.test.ts fails on it), rather than keeping the gateway from starting.
 */
export function mainFlowExamples(): ExplorerExample[] {
  const { files } = readOperationFiles(path.join(REPO_ROOT, OPERATIONS_DIR), REPO_ROOT);
  const { operations } = parseOperations(files.filter((file) => file.client === "web"));
  return MAIN_FLOW.flatMap((step) => {
    const recorded = operations.find((operation) => operation.name === step.operation);
    if (!recorded) {
      childLogger("gateway").warn(`explorer: no example for ${step.operation}: the web client's operation is not recorded in ${OPERATIONS_DIR}/web`);
      return [];
    }
    const comment = step.comment.map((line) => `# ${line}`).join("\n");
    return [{ query: `${comment}\n${print(recorded.document)}\n`, variables: step.variables }];
  });
}

/** The names of the main flow's operations, in tab order. */
export const MAIN_FLOW_OPERATIONS = MAIN_FLOW.map((step) => step.operation);

/** The gateway's explorer: the main flow's example tabs, and a headers editor ready for the token. */
export function mainFlowExplorer(): ExplorerOptions {
  return { examples: mainFlowExamples(), defaultHeaders: EXPLORER_DEFAULT_HEADERS };
}
