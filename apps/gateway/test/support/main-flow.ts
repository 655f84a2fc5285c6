import { SEEDED_USERS } from "@monograph/users-subgraph";
import { MY_ORDERS, waitFor } from "./flow.ts";

const PRODUCTS = `query Products { products(first: 5) { edges { node { sku name priceCents stockAvailable } } } }`;
const SIGN_IN = `mutation SignIn($input: SignInInput!) { signIn(input: $input) { token } }`;
const CREATE_ORDER = `mutation CreateOrder($input: CreateOrderInput!) { createOrder(input: $input) { id status totalCents } }`;
const PAY = `mutation PayInvoice($invoiceId: ID!, $idempotencyKey: String) { payInvoice(invoiceId: $invoiceId, idempotencyKey: $idempotencyKey) { id status } }`;

export interface FlowRequest {
  operationName: string;
  /** The x-request-id this request was sent with. */
  requestId: string;
  /** The x-request-id the gateway answered with. */
  answeredRequestId: string | null;
  status: number;
  traceparent?: string;
}

export interface MainFlowResult {
  /** Alice's bearer token. */
  token: string;
  /** Alice's bearer token, and what else a log must never show. */
  secrets: string[];
  orderId: string;
  invoiceId: string;
  requests: FlowRequest[];
}

/**
 * The main flow of ARCHITECTURE.md as a web client runs it, against any shape: browse, sign in, place an order,
 * wait for its invoice (MyOrders, crossing users, orders, inventory and billing), pay it. Every request carries an x-request-id
 * `${requestIdPrefix}-<n>-<operation>`, so its log lines can be found.
 */
export async function runMainFlow(graphqlUrl: string, { requestIdPrefix, key }: { requestIdPrefix: string; key: string }): Promise<MainFlowResult> {
  const alice = SEEDED_USERS.find((user) => user.role === "CUSTOMER")!;
  const requests: FlowRequest[] = [];
  const send = async (operationName: string, query: string, variables: Record<string, unknown> = {}, token?: string) => {
    const requestId = `${requestIdPrefix}-${requests.length + 1}-${operationName}`;
    const response = await fetch(graphqlUrl, {
      method: "POST",
      headers: { "content-type": "application/json", "x-request-id": requestId, ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify({ query, variables, operationName }),
    });
    const body = (await response.json()) as { data?: Record<string, any>; errors?: unknown[] };
    requests.push({ operationName, requestId, answeredRequestId: response.headers.get("x-request-id"), status: response.status });
    if (body.errors?.length || !body.data) throw new Error(`${operationName} failed: ${JSON.stringify(body.errors ?? body)}`);
    return body.data;
  };

  await send("Products", PRODUCTS);
  const token = (await send("SignIn", SIGN_IN, { input: { email: alice.email, password: alice.password } })).signIn.token as string;
  const order = (await send("CreateOrder", CREATE_ORDER, { input: { items: [{ sku: "KB-0001", quantity: 1 }], idempotencyKey: `${key}-order` } }, token)).createOrder;
  const invoice = await waitFor("the invoice of the new order", async () => {
    const data = await send("MyOrders", MY_ORDERS, {}, token);
    return data.me.orders.edges.find((edge: any) => edge.node.id === order.id)?.node.invoice as { id: string } | null;
  });
  await send("PayInvoice", PAY, { invoiceId: invoice.id, idempotencyKey: `${key}-pay` }, token);
  await send("MyOrders", MY_ORDERS, {}, token);
  return { token, secrets: [token, alice.password], orderId: order.id, invoiceId: invoice.id, requests };
}
