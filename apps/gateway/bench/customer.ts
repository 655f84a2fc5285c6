// The customer every MyOrders load runs as: the seeded demo customer, signed in, with a given number of invoiced
// orders (placed through the API, invoiced by billing on orders.created). Used by npm run bench and bench/startup.ts.
import { graphqlClient, type GraphQLClient } from "../test/support/client.ts";
import { MY_ORDERS, waitFor } from "../test/support/flow.ts";

export const CUSTOMER = { email: "alice@example.com", password: "alice-password-1" };
// Products with plenty of seeded stock, so that 50 orders of two lines each never run out.
const SKUS = ["KB-0001", "KB-0002", "KB-0005", "MS-0001", "MS-0003", "CB-0001", "CB-0002", "CB-0004"];
const CREATE_ORDER = `mutation ($input: CreateOrderInput!) { createOrder(input: $input) { id } }`;
export const myOrders = (first: number) => MY_ORDERS.replace("orders(first: 20)", `orders(first: ${first})`);

export interface OrderEdge {
  node: { id: string; invoice: { id: string } | null };
}

export async function placeOrders(api: GraphQLClient, token: string, count: number, offset = 0): Promise<void> {
  for (let i = 0; i < count; i += 1) {
    // Two lines per order over several products, so that product references fan out too.
    const items = [SKUS[(offset + i) % SKUS.length]!, SKUS[(offset + i + 3) % SKUS.length]!].map((sku) => ({ sku, quantity: 1 }));
    await api.ok(CREATE_ORDER, { input: { items } }, token);
  }
}

/** Waits until every one of the customer's orders has the invoice billing opens on orders.created. */
export async function waitForInvoices(api: GraphQLClient, token: string, count: number): Promise<void> {
  await waitFor(`${count} invoiced orders`, async () => {
    const { me } = await api.ok(myOrders(Math.max(count, 20)), {}, token);
    const edges = me.orders.edges as OrderEdge[];
    return edges.length === count && edges.every((edge) => edge.node.invoice !== null);
  }, 60_000);
}

/** Signs the seeded customer in and gives them `count` invoiced orders; returns the token. */
export async function prepareCustomer(graphqlUrl: string, count: number): Promise<string> {
  const api = graphqlClient(graphqlUrl);
  const { token } = (await api.ok(`mutation ($input: SignInInput!) { signIn(input: $input) { token } }`, { input: CUSTOMER })).signIn as { token: string };
  const { me } = await api.ok(myOrders(50), {}, token);
  const existing = (me.orders.edges as OrderEdge[]).length;
  if (existing > count) throw new Error(`${CUSTOMER.email} already has ${existing} orders, more than --orders ${count}.`);
  await placeOrders(api, token, count - existing, existing);
  await waitForInvoices(api, token, count);
  // The exact query the load sends, checked in full once: the load itself only checks for errors.
  const answer = await api.ok(MY_ORDERS, {}, token);
  const edges = answer.me.orders.edges as OrderEdge[];
  if (edges.length !== Math.min(count, 20) || edges.some((edge) => !edge.node.invoice)) throw new Error(`Unexpected MyOrders answer: ${JSON.stringify(answer)}`);
  return token;
}
