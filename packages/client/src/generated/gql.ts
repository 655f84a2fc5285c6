/* eslint-disable */
import * as types from './graphql.ts';
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';

/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "mutation AdjustStock($sku: ID!, $delta: Int!) {\n  adjustStock(sku: $sku, delta: $delta) {\n    stockAvailable\n  }\n}": typeof types.AdjustStockDocument,
    "mutation CancelOrder($id: ID!) {\n  cancelOrder(id: $id) {\n    ...OrderSummary\n  }\n}": typeof types.CancelOrderDocument,
    "mutation ChangePassword($currentPassword: String!, $newPassword: String!) {\n  changePassword(currentPassword: $currentPassword, newPassword: $newPassword) {\n    token\n    expiresAt\n    refreshToken\n    refreshExpiresAt\n    user {\n      id\n    }\n  }\n}": typeof types.ChangePasswordDocument,
    "mutation CreateOrder($input: CreateOrderInput!) {\n  createOrder(input: $input) {\n    ...OrderSummary\n    items {\n      product {\n        sku\n        name\n      }\n      quantity\n      unitPriceCents\n      lineTotalCents\n    }\n  }\n}": typeof types.CreateOrderDocument,
    "mutation CreateProduct($sku: ID!, $name: String!, $priceCents: Int!, $stockAvailable: Int) {\n  createProduct(\n    input: {sku: $sku, name: $name, priceCents: $priceCents, stockAvailable: $stockAvailable}\n  ) {\n    sku\n  }\n}": typeof types.CreateProductDocument,
    "mutation MarkNotificationRead($id: ID!) {\n  markNotificationRead(id: $id) {\n    id\n    readAt\n  }\n}": typeof types.MarkNotificationReadDocument,
    "query Me {\n  me {\n    id\n    email\n    name\n    role\n  }\n}": typeof types.MeDocument,
    "query MyInvoices($first: Int = 20, $after: String) {\n  me {\n    id\n    invoices(first: $first, after: $after) {\n      edges {\n        node {\n          id\n          status\n          amountCents\n          currency\n          paidAt\n          order {\n            id\n          }\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      totalCount\n    }\n  }\n}": typeof types.MyInvoicesDocument,
    "query MyNotifications($first: Int = 20, $after: String, $unreadOnly: Boolean = false) {\n  me {\n    id\n    notifications(first: $first, after: $after, unreadOnly: $unreadOnly) {\n      edges {\n        node {\n          id\n          kind\n          message\n          createdAt\n          readAt\n          order {\n            id\n          }\n          invoice {\n            id\n          }\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      totalCount\n    }\n  }\n}": typeof types.MyNotificationsDocument,
    "query MyOrders($first: Int = 20, $after: String, $status: OrderStatus) {\n  me {\n    id\n    name\n    orders(first: $first, after: $after, status: $status) {\n      edges {\n        cursor\n        node {\n          ...OrderSummary\n          items {\n            quantity\n            unitPriceCents\n            product {\n              sku\n              name\n            }\n          }\n          invoice {\n            id\n            status\n            amountCents\n          }\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      totalCount\n    }\n  }\n}": typeof types.MyOrdersDocument,
    "fragment OrderSummary on Order {\n  id\n  status\n  totalCents\n  currency\n  createdAt\n}": typeof types.OrderSummaryFragmentDoc,
    "query Order($id: ID!) {\n  order(id: $id) {\n    ...OrderSummary\n    updatedAt\n    items {\n      product {\n        sku\n        name\n      }\n      quantity\n      unitPriceCents\n      lineTotalCents\n    }\n    invoice {\n      id\n      status\n      amountCents\n      currency\n      paidAt\n    }\n  }\n}": typeof types.OrderDocument,
    "mutation PayInvoice($invoiceId: ID!, $idempotencyKey: String) {\n  payInvoice(invoiceId: $invoiceId, idempotencyKey: $idempotencyKey) {\n    id\n    status\n    paidAt\n    payments {\n      id\n      status\n      amountCents\n      createdAt\n    }\n  }\n}": typeof types.PayInvoiceDocument,
    "query ProductStock($sku: ID!) {\n  product(sku: $sku) {\n    sku\n    stockAvailable\n    stockReserved\n  }\n}": typeof types.ProductStockDocument,
    "query Product($sku: ID!) {\n  product(sku: $sku) {\n    sku\n    name\n    priceCents\n    stockAvailable\n  }\n}": typeof types.ProductDocument,
    "query Products($first: Int, $after: String, $filter: ProductFilter) {\n  products(first: $first, after: $after, filter: $filter) {\n    edges {\n      cursor\n      node {\n        sku\n        name\n        description\n        priceCents\n        currency\n        stockAvailable\n      }\n    }\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n    totalCount\n  }\n}": typeof types.ProductsDocument,
    "mutation RefreshToken($token: String!) {\n  refreshToken(token: $token) {\n    token\n    expiresAt\n    refreshToken\n    refreshExpiresAt\n    user {\n      id\n      role\n    }\n  }\n}": typeof types.RefreshTokenDocument,
    "mutation SignIn($input: SignInInput!) {\n  signIn(input: $input) {\n    token\n    expiresAt\n    refreshToken\n    refreshExpiresAt\n    user {\n      id\n      email\n      name\n      role\n    }\n  }\n}": typeof types.SignInDocument,
    "mutation SignOut($refreshToken: String) {\n  signOut(refreshToken: $refreshToken)\n}": typeof types.SignOutDocument,
    "mutation SignUp($input: SignUpInput!) {\n  signUp(input: $input) {\n    token\n    expiresAt\n    refreshToken\n    refreshExpiresAt\n    user {\n      id\n      email\n      name\n      role\n    }\n  }\n}": typeof types.SignUpDocument,
    "query StockLevels($first: Int, $after: String) {\n  products(first: $first, after: $after) {\n    edges {\n      cursor\n      node {\n        sku\n        name\n        stockAvailable\n        stockReserved\n      }\n    }\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n    totalCount\n  }\n}": typeof types.StockLevelsDocument,
    "query Users($first: Int, $after: String) {\n  users(first: $first, after: $after) {\n    edges {\n      node {\n        email\n        name\n        role\n      }\n    }\n    totalCount\n  }\n}": typeof types.UsersDocument,
};
const documents: Documents = {
    "mutation AdjustStock($sku: ID!, $delta: Int!) {\n  adjustStock(sku: $sku, delta: $delta) {\n    stockAvailable\n  }\n}": types.AdjustStockDocument,
    "mutation CancelOrder($id: ID!) {\n  cancelOrder(id: $id) {\n    ...OrderSummary\n  }\n}": types.CancelOrderDocument,
    "mutation ChangePassword($currentPassword: String!, $newPassword: String!) {\n  changePassword(currentPassword: $currentPassword, newPassword: $newPassword) {\n    token\n    expiresAt\n    refreshToken\n    refreshExpiresAt\n    user {\n      id\n    }\n  }\n}": types.ChangePasswordDocument,
    "mutation CreateOrder($input: CreateOrderInput!) {\n  createOrder(input: $input) {\n    ...OrderSummary\n    items {\n      product {\n        sku\n        name\n      }\n      quantity\n      unitPriceCents\n      lineTotalCents\n    }\n  }\n}": types.CreateOrderDocument,
    "mutation CreateProduct($sku: ID!, $name: String!, $priceCents: Int!, $stockAvailable: Int) {\n  createProduct(\n    input: {sku: $sku, name: $name, priceCents: $priceCents, stockAvailable: $stockAvailable}\n  ) {\n    sku\n  }\n}": types.CreateProductDocument,
    "mutation MarkNotificationRead($id: ID!) {\n  markNotificationRead(id: $id) {\n    id\n    readAt\n  }\n}": types.MarkNotificationReadDocument,
    "query Me {\n  me {\n    id\n    email\n    name\n    role\n  }\n}": types.MeDocument,
    "query MyInvoices($first: Int = 20, $after: String) {\n  me {\n    id\n    invoices(first: $first, after: $after) {\n      edges {\n        node {\n          id\n          status\n          amountCents\n          currency\n          paidAt\n          order {\n            id\n          }\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      totalCount\n    }\n  }\n}": types.MyInvoicesDocument,
    "query MyNotifications($first: Int = 20, $after: String, $unreadOnly: Boolean = false) {\n  me {\n    id\n    notifications(first: $first, after: $after, unreadOnly: $unreadOnly) {\n      edges {\n        node {\n          id\n          kind\n          message\n          createdAt\n          readAt\n          order {\n            id\n          }\n          invoice {\n            id\n          }\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      totalCount\n    }\n  }\n}": types.MyNotificationsDocument,
    "query MyOrders($first: Int = 20, $after: String, $status: OrderStatus) {\n  me {\n    id\n    name\n    orders(first: $first, after: $after, status: $status) {\n      edges {\n        cursor\n        node {\n          ...OrderSummary\n          items {\n            quantity\n            unitPriceCents\n            product {\n              sku\n              name\n            }\n          }\n          invoice {\n            id\n            status\n            amountCents\n          }\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      totalCount\n    }\n  }\n}": types.MyOrdersDocument,
    "fragment OrderSummary on Order {\n  id\n  status\n  totalCents\n  currency\n  createdAt\n}": types.OrderSummaryFragmentDoc,
    "query Order($id: ID!) {\n  order(id: $id) {\n    ...OrderSummary\n    updatedAt\n    items {\n      product {\n        sku\n        name\n      }\n      quantity\n      unitPriceCents\n      lineTotalCents\n    }\n    invoice {\n      id\n      status\n      amountCents\n      currency\n      paidAt\n    }\n  }\n}": types.OrderDocument,
    "mutation PayInvoice($invoiceId: ID!, $idempotencyKey: String) {\n  payInvoice(invoiceId: $invoiceId, idempotencyKey: $idempotencyKey) {\n    id\n    status\n    paidAt\n    payments {\n      id\n      status\n      amountCents\n      createdAt\n    }\n  }\n}": types.PayInvoiceDocument,
    "query ProductStock($sku: ID!) {\n  product(sku: $sku) {\n    sku\n    stockAvailable\n    stockReserved\n  }\n}": types.ProductStockDocument,
    "query Product($sku: ID!) {\n  product(sku: $sku) {\n    sku\n    name\n    priceCents\n    stockAvailable\n  }\n}": types.ProductDocument,
    "query Products($first: Int, $after: String, $filter: ProductFilter) {\n  products(first: $first, after: $after, filter: $filter) {\n    edges {\n      cursor\n      node {\n        sku\n        name\n        description\n        priceCents\n        currency\n        stockAvailable\n      }\n    }\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n    totalCount\n  }\n}": types.ProductsDocument,
    "mutation RefreshToken($token: String!) {\n  refreshToken(token: $token) {\n    token\n    expiresAt\n    refreshToken\n    refreshExpiresAt\n    user {\n      id\n      role\n    }\n  }\n}": types.RefreshTokenDocument,
    "mutation SignIn($input: SignInInput!) {\n  signIn(input: $input) {\n    token\n    expiresAt\n    refreshToken\n    refreshExpiresAt\n    user {\n      id\n      email\n      name\n      role\n    }\n  }\n}": types.SignInDocument,
    "mutation SignOut($refreshToken: String) {\n  signOut(refreshToken: $refreshToken)\n}": types.SignOutDocument,
    "mutation SignUp($input: SignUpInput!) {\n  signUp(input: $input) {\n    token\n    expiresAt\n    refreshToken\n    refreshExpiresAt\n    user {\n      id\n      email\n      name\n      role\n    }\n  }\n}": types.SignUpDocument,
    "query StockLevels($first: Int, $after: String) {\n  products(first: $first, after: $after) {\n    edges {\n      cursor\n      node {\n        sku\n        name\n        stockAvailable\n        stockReserved\n      }\n    }\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n    totalCount\n  }\n}": types.StockLevelsDocument,
    "query Users($first: Int, $after: String) {\n  users(first: $first, after: $after) {\n    edges {\n      node {\n        email\n        name\n        role\n      }\n    }\n    totalCount\n  }\n}": types.UsersDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 *
 *
 * @example
 * ```ts
 * const query = graphql(`query GetUser($id: ID!) { user(id: $id) { name } }`);
 * ```
 *
 * The query argument is unknown!
 * Please regenerate the types.
 */
export function graphql(source: string): unknown;

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation AdjustStock($sku: ID!, $delta: Int!) {\n  adjustStock(sku: $sku, delta: $delta) {\n    stockAvailable\n  }\n}"): (typeof documents)["mutation AdjustStock($sku: ID!, $delta: Int!) {\n  adjustStock(sku: $sku, delta: $delta) {\n    stockAvailable\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation CancelOrder($id: ID!) {\n  cancelOrder(id: $id) {\n    ...OrderSummary\n  }\n}"): (typeof documents)["mutation CancelOrder($id: ID!) {\n  cancelOrder(id: $id) {\n    ...OrderSummary\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation ChangePassword($currentPassword: String!, $newPassword: String!) {\n  changePassword(currentPassword: $currentPassword, newPassword: $newPassword) {\n    token\n    expiresAt\n    refreshToken\n    refreshExpiresAt\n    user {\n      id\n    }\n  }\n}"): (typeof documents)["mutation ChangePassword($currentPassword: String!, $newPassword: String!) {\n  changePassword(currentPassword: $currentPassword, newPassword: $newPassword) {\n    token\n    expiresAt\n    refreshToken\n    refreshExpiresAt\n    user {\n      id\n    }\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation CreateOrder($input: CreateOrderInput!) {\n  createOrder(input: $input) {\n    ...OrderSummary\n    items {\n      product {\n        sku\n        name\n      }\n      quantity\n      unitPriceCents\n      lineTotalCents\n    }\n  }\n}"): (typeof documents)["mutation CreateOrder($input: CreateOrderInput!) {\n  createOrder(input: $input) {\n    ...OrderSummary\n    items {\n      product {\n        sku\n        name\n      }\n      quantity\n      unitPriceCents\n      lineTotalCents\n    }\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation CreateProduct($sku: ID!, $name: String!, $priceCents: Int!, $stockAvailable: Int) {\n  createProduct(\n    input: {sku: $sku, name: $name, priceCents: $priceCents, stockAvailable: $stockAvailable}\n  ) {\n    sku\n  }\n}"): (typeof documents)["mutation CreateProduct($sku: ID!, $name: String!, $priceCents: Int!, $stockAvailable: Int) {\n  createProduct(\n    input: {sku: $sku, name: $name, priceCents: $priceCents, stockAvailable: $stockAvailable}\n  ) {\n    sku\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation MarkNotificationRead($id: ID!) {\n  markNotificationRead(id: $id) {\n    id\n    readAt\n  }\n}"): (typeof documents)["mutation MarkNotificationRead($id: ID!) {\n  markNotificationRead(id: $id) {\n    id\n    readAt\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query Me {\n  me {\n    id\n    email\n    name\n    role\n  }\n}"): (typeof documents)["query Me {\n  me {\n    id\n    email\n    name\n    role\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query MyInvoices($first: Int = 20, $after: String) {\n  me {\n    id\n    invoices(first: $first, after: $after) {\n      edges {\n        node {\n          id\n          status\n          amountCents\n          currency\n          paidAt\n          order {\n            id\n          }\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      totalCount\n    }\n  }\n}"): (typeof documents)["query MyInvoices($first: Int = 20, $after: String) {\n  me {\n    id\n    invoices(first: $first, after: $after) {\n      edges {\n        node {\n          id\n          status\n          amountCents\n          currency\n          paidAt\n          order {\n            id\n          }\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      totalCount\n    }\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query MyNotifications($first: Int = 20, $after: String, $unreadOnly: Boolean = false) {\n  me {\n    id\n    notifications(first: $first, after: $after, unreadOnly: $unreadOnly) {\n      edges {\n        node {\n          id\n          kind\n          message\n          createdAt\n          readAt\n          order {\n            id\n          }\n          invoice {\n            id\n          }\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      totalCount\n    }\n  }\n}"): (typeof documents)["query MyNotifications($first: Int = 20, $after: String, $unreadOnly: Boolean = false) {\n  me {\n    id\n    notifications(first: $first, after: $after, unreadOnly: $unreadOnly) {\n      edges {\n        node {\n          id\n          kind\n          message\n          createdAt\n          readAt\n          order {\n            id\n          }\n          invoice {\n            id\n          }\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      totalCount\n    }\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query MyOrders($first: Int = 20, $after: String, $status: OrderStatus) {\n  me {\n    id\n    name\n    orders(first: $first, after: $after, status: $status) {\n      edges {\n        cursor\n        node {\n          ...OrderSummary\n          items {\n            quantity\n            unitPriceCents\n            product {\n              sku\n              name\n            }\n          }\n          invoice {\n            id\n            status\n            amountCents\n          }\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      totalCount\n    }\n  }\n}"): (typeof documents)["query MyOrders($first: Int = 20, $after: String, $status: OrderStatus) {\n  me {\n    id\n    name\n    orders(first: $first, after: $after, status: $status) {\n      edges {\n        cursor\n        node {\n          ...OrderSummary\n          items {\n            quantity\n            unitPriceCents\n            product {\n              sku\n              name\n            }\n          }\n          invoice {\n            id\n            status\n            amountCents\n          }\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      totalCount\n    }\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "fragment OrderSummary on Order {\n  id\n  status\n  totalCents\n  currency\n  createdAt\n}"): (typeof documents)["fragment OrderSummary on Order {\n  id\n  status\n  totalCents\n  currency\n  createdAt\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query Order($id: ID!) {\n  order(id: $id) {\n    ...OrderSummary\n    updatedAt\n    items {\n      product {\n        sku\n        name\n      }\n      quantity\n      unitPriceCents\n      lineTotalCents\n    }\n    invoice {\n      id\n      status\n      amountCents\n      currency\n      paidAt\n    }\n  }\n}"): (typeof documents)["query Order($id: ID!) {\n  order(id: $id) {\n    ...OrderSummary\n    updatedAt\n    items {\n      product {\n        sku\n        name\n      }\n      quantity\n      unitPriceCents\n      lineTotalCents\n    }\n    invoice {\n      id\n      status\n      amountCents\n      currency\n      paidAt\n    }\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation PayInvoice($invoiceId: ID!, $idempotencyKey: String) {\n  payInvoice(invoiceId: $invoiceId, idempotencyKey: $idempotencyKey) {\n    id\n    status\n    paidAt\n    payments {\n      id\n      status\n      amountCents\n      createdAt\n    }\n  }\n}"): (typeof documents)["mutation PayInvoice($invoiceId: ID!, $idempotencyKey: String) {\n  payInvoice(invoiceId: $invoiceId, idempotencyKey: $idempotencyKey) {\n    id\n    status\n    paidAt\n    payments {\n      id\n      status\n      amountCents\n      createdAt\n    }\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query ProductStock($sku: ID!) {\n  product(sku: $sku) {\n    sku\n    stockAvailable\n    stockReserved\n  }\n}"): (typeof documents)["query ProductStock($sku: ID!) {\n  product(sku: $sku) {\n    sku\n    stockAvailable\n    stockReserved\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query Product($sku: ID!) {\n  product(sku: $sku) {\n    sku\n    name\n    priceCents\n    stockAvailable\n  }\n}"): (typeof documents)["query Product($sku: ID!) {\n  product(sku: $sku) {\n    sku\n    name\n    priceCents\n    stockAvailable\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query Products($first: Int, $after: String, $filter: ProductFilter) {\n  products(first: $first, after: $after, filter: $filter) {\n    edges {\n      cursor\n      node {\n        sku\n        name\n        description\n        priceCents\n        currency\n        stockAvailable\n      }\n    }\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n    totalCount\n  }\n}"): (typeof documents)["query Products($first: Int, $after: String, $filter: ProductFilter) {\n  products(first: $first, after: $after, filter: $filter) {\n    edges {\n      cursor\n      node {\n        sku\n        name\n        description\n        priceCents\n        currency\n        stockAvailable\n      }\n    }\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n    totalCount\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation RefreshToken($token: String!) {\n  refreshToken(token: $token) {\n    token\n    expiresAt\n    refreshToken\n    refreshExpiresAt\n    user {\n      id\n      role\n    }\n  }\n}"): (typeof documents)["mutation RefreshToken($token: String!) {\n  refreshToken(token: $token) {\n    token\n    expiresAt\n    refreshToken\n    refreshExpiresAt\n    user {\n      id\n      role\n    }\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation SignIn($input: SignInInput!) {\n  signIn(input: $input) {\n    token\n    expiresAt\n    refreshToken\n    refreshExpiresAt\n    user {\n      id\n      email\n      name\n      role\n    }\n  }\n}"): (typeof documents)["mutation SignIn($input: SignInInput!) {\n  signIn(input: $input) {\n    token\n    expiresAt\n    refreshToken\n    refreshExpiresAt\n    user {\n      id\n      email\n      name\n      role\n    }\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation SignOut($refreshToken: String) {\n  signOut(refreshToken: $refreshToken)\n}"): (typeof documents)["mutation SignOut($refreshToken: String) {\n  signOut(refreshToken: $refreshToken)\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation SignUp($input: SignUpInput!) {\n  signUp(input: $input) {\n    token\n    expiresAt\n    refreshToken\n    refreshExpiresAt\n    user {\n      id\n      email\n      name\n      role\n    }\n  }\n}"): (typeof documents)["mutation SignUp($input: SignUpInput!) {\n  signUp(input: $input) {\n    token\n    expiresAt\n    refreshToken\n    refreshExpiresAt\n    user {\n      id\n      email\n      name\n      role\n    }\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query StockLevels($first: Int, $after: String) {\n  products(first: $first, after: $after) {\n    edges {\n      cursor\n      node {\n        sku\n        name\n        stockAvailable\n        stockReserved\n      }\n    }\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n    totalCount\n  }\n}"): (typeof documents)["query StockLevels($first: Int, $after: String) {\n  products(first: $first, after: $after) {\n    edges {\n      cursor\n      node {\n        sku\n        name\n        stockAvailable\n        stockReserved\n      }\n    }\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n    totalCount\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query Users($first: Int, $after: String) {\n  users(first: $first, after: $after) {\n    edges {\n      node {\n        email\n        name\n        role\n      }\n    }\n    totalCount\n  }\n}"): (typeof documents)["query Users($first: Int, $after: String) {\n  users(first: $first, after: $after) {\n    edges {\n      node {\n        email\n        name\n        role\n      }\n    }\n    totalCount\n  }\n}"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;