import { SEEDED_PRODUCTS } from "@monograph/inventory-subgraph";
import { SEEDED_USERS } from "@monograph/users-subgraph";
import type { GraphQLClient } from "./client.ts";

const admin = SEEDED_USERS.find((user) => user.role === "ADMIN")!;

const ORDERS_PAGE = `query ($after: String) { orders(first: 100, after: $after) {
  pageInfo { hasNextPage endCursor }
  edges { node { id status items { quantity product { sku } } invoice { id status } } }
} }`;
const PRODUCTS_PAGE = `query ($after: String) { products(first: 100, after: $after) {
  pageInfo { hasNextPage endCursor }
  edges { node { sku stockAvailable stockReserved } }
} }`;
// Paged, like the orders and products: one page of 10 users with up to 100 invoices each stays under the default
// operation cost limit (MAX_COST), which an admin's audit is held to like any client.
const INVOICES_PAGE = `query ($after: String) { users(first: 10, after: $after) {
  pageInfo { hasNextPage endCursor }
  edges { node { id invoices(first: 100) { pageInfo { hasNextPage } edges { node { id status order { id } } } } } }
} }`;

const INVOICE_FOR: Record<string, string> = { PENDING_PAYMENT: "OPEN", PAID: "PAID", CANCELLED: "VOID" };

interface AuditedOrder {
  id: string;
  status: string;
  items: { quantity: number; product: { sku: string } }[];
  invoice: { id: string; status: string } | null;
}

/**
 * The books of the whole API, read as an admin through the gateway, the way an operator would check them after an
 * incident. Problems are described in words; none means the books balance:
 * - every order has exactly one invoice, in the status that goes with the order's (OPEN / PAID / VOID);
 * - per SKU of the seeded catalogue: initial stock = available + reserved + sold (the units of PAID orders), and
 *   reserved = the units that live (PENDING_PAYMENT) orders hold: no stock is held for an order that does not
 *   exist, and none is missing for one that does.
 */
export async function auditBooks(api: GraphQLClient, token?: string): Promise<{ problems: string[]; orders: AuditedOrder[] }> {
  token ??= await signInAsAdmin(api);
  const orders: AuditedOrder[] = await pages(api, ORDERS_PAGE, "orders", token);
  const products: { sku: string; stockAvailable: number; stockReserved: number }[] = await pages(api, PRODUCTS_PAGE, "products", token);
  const users: { id: string; invoices: { pageInfo: { hasNextPage: boolean }; edges: { node: { id: string; order: { id: string } } }[] } }[] = await pages(
    api,
    INVOICES_PAGE,
    "users",
    token,
  );
  const problems: string[] = [];
  for (const user of users) if (user.invoices.pageInfo.hasNextPage) problems.push(`user ${user.id} has more than 100 invoices: the audit cannot count them all`);
  const invoices = users.flatMap((user) => user.invoices.edges.map((edge) => edge.node));

  const invoicesPerOrder = new Map<string, number>();
  for (const invoice of invoices) invoicesPerOrder.set(invoice.order.id, (invoicesPerOrder.get(invoice.order.id) ?? 0) + 1);
  for (const order of orders) {
    const count = invoicesPerOrder.get(order.id) ?? 0;
    if (count !== 1) problems.push(`order ${order.id} has ${count} invoices`);
    if (order.invoice && order.invoice.status !== INVOICE_FOR[order.status]) problems.push(`order ${order.id} is ${order.status} but its invoice is ${order.invoice.status}`);
  }

  const held = new Map<string, number>();
  const sold = new Map<string, number>();
  for (const order of orders) {
    const into = order.status === "PENDING_PAYMENT" ? held : order.status === "PAID" ? sold : undefined;
    for (const item of order.items) into?.set(item.product.sku, (into.get(item.product.sku) ?? 0) + item.quantity);
  }
  const bySku = new Map(products.map((product) => [product.sku, product]));
  for (const seeded of SEEDED_PRODUCTS) {
    const product = bySku.get(seeded.sku);
    if (!product) {
      problems.push(`${seeded.sku} is missing`);
      continue;
    }
    const { stockAvailable, stockReserved } = product;
    const soldUnits = sold.get(seeded.sku) ?? 0;
    if (seeded.stockAvailable !== stockAvailable + stockReserved + soldUnits) {
      problems.push(`${seeded.sku}: initial ${seeded.stockAvailable} != available ${stockAvailable} + reserved ${stockReserved} + sold ${soldUnits}`);
    }
    const heldUnits = held.get(seeded.sku) ?? 0;
    if (stockReserved !== heldUnits) problems.push(`${seeded.sku}: ${stockReserved} reserved but live orders hold ${heldUnits}`);
  }
  return { problems, orders };
}

/** Waits until the books balance (events and the sweeper settle things moments later), or fails listing what does not. */
export async function booksBalance(api: GraphQLClient, timeoutMs = 30_000): Promise<AuditedOrder[]> {
  const deadline = Date.now() + timeoutMs;
  let last: string[] = [];
  // Signed in once: the audit polls, and sign-ins are throttled per client address like anyone's.
  let token: string | undefined;
  for (;;) {
    const { problems, orders } = await (async () => auditBooks(api, (token ??= await signInAsAdmin(api))))().catch((error: unknown) => ({ problems: [`audit failed: ${(error as Error).message}`], orders: [] }));
    if (problems.length === 0) return orders;
    last = problems;
    if (Date.now() > deadline) throw new Error(`The books do not balance after ${timeoutMs} ms:\n  ${last.join("\n  ")}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

async function signInAsAdmin(api: GraphQLClient): Promise<string> {
  return (await api.ok(`mutation ($input: SignInInput!) { signIn(input: $input) { token } }`, { input: { email: admin.email, password: admin.password } })).signIn.token;
}

async function pages<T>(api: GraphQLClient, query: string, field: string, token: string): Promise<T[]> {
  const nodes: T[] = [];
  let after: string | null = null;
  for (;;) {
    const page: { pageInfo: { hasNextPage: boolean; endCursor: string | null }; edges: { node: T }[] } = (await api.ok(query, { after }, token))[field];
    nodes.push(...page.edges.map((edge) => edge.node));
    if (!page.pageInfo.hasNextPage) return nodes;
    after = page.pageInfo.endCursor;
  }
}
