import {
  badUserInput,
  conflict,
  decodeCursor,
  DomainError,
  encodeCursor,
  ErrorCode,
  forbidden,
  isAdmin,
  notFound,
  pageSize,
  toConnection,
  unauthenticated,
  type Caller,
  type Connection,
} from "@monograph/platform";
import { isUniqueViolation } from "@monograph/db";
import type { CreateProductInput, QueryProductsArgs, UpdateProductInput } from "./generated/resolvers-types.ts";
import type { InventoryLoaders } from "./loaders.ts";
import type { InventoryRepository, NewProduct, ProductChanges, ProductFilter, ProductRecord } from "./repository.ts";
import {
  CURRENCY_PATTERN,
  isSku,
  MAX_DESCRIPTION_LENGTH,
  MAX_FILTER_LENGTH,
  MAX_NAME_LENGTH,
  MAX_STOCK,
  SKU_PATTERN,
} from "./rules.ts";

/** The arguments of Query.products, as the SDL states them (generated). */
export type ProductsArgs = QueryProductsArgs;

/** A page of products. `totalCount` costs a COUNT, so it runs only when a client asks for it. */
export type ProductConnection = Connection<ProductRecord>;

// The mutations' inputs, as the SDL states them (generated). GraphQL passes null for an omitted nullable field that
// has no default.
export type { CreateProductInput, UpdateProductInput };

/** The catalogue's rules: anyone browses; only admins add products, change them and adjust stock. */
export class InventoryService {
  constructor(private readonly repository: InventoryRepository) {}

  async products(args: ProductsArgs): Promise<ProductConnection> {
    const size = pageSize(args.first);
    const afterSku = args.after ? decodeSkuCursor(args.after) : null;
    const filter = productFilter(args.filter);
    const rows = await this.repository.listPage(filter, afterSku, size + 1);
    return toConnection(rows, size, (product) => encodeCursor([product.sku]), () => this.repository.count(filter));
  }

  product(sku: string, loaders: InventoryLoaders): Promise<ProductRecord | null> {
    return loaders.productBySku.load(sku);
  }

  /** Entity references from other subgraphs (OrderItem.product): batched into one statement per request. */
  resolveReference(sku: string, loaders: InventoryLoaders): Promise<ProductRecord | null> {
    return loaders.productBySku.load(sku);
  }

  async createProduct(caller: Caller, input: CreateProductInput): Promise<ProductRecord> {
    requireAdmin(caller);
    const product = validateNewProduct(input);
    try {
      return await this.repository.create(product);
    } catch (error) {
      // Two creations of one SKU at the same moment: the primary key decides, and the loser gets the same error.
      if (isUniqueViolation(error)) throw conflict(`A product with SKU ${product.sku} already exists.`, { field: "sku", sku: product.sku });
      throw error;
    }
  }

  /** Changes name, description or price. Orders keep the price they captured when they were placed. */
  async updateProduct(caller: Caller, sku: string, input: UpdateProductInput): Promise<ProductRecord> {
    requireAdmin(caller);
    const changes = validateChanges(input);
    if (!isSku(sku)) throw noSuchProduct(sku);
    return this.repository.transaction(async (tx) => {
      if (Object.keys(changes).length > 0 && !(await this.repository.update(tx, sku, changes))) throw noSuchProduct(sku);
      const product = await this.repository.findBySku(sku, tx);
      if (!product) throw noSuchProduct(sku);
      return product;
    });
  }

  /**
   * Adds (delta > 0) or removes (delta < 0) available stock in one conditional UPDATE, so concurrent adjustments
   * and reservations can never take it below zero. Removing more than is available is OUT_OF_STOCK and changes
   * nothing. Reserved units are not touched: they belong to placed orders.
   */
  async adjustStock(caller: Caller, sku: string, delta: number): Promise<ProductRecord> {
    requireAdmin(caller);
    if (!Number.isInteger(delta) || Math.abs(delta) > MAX_STOCK) {
      throw badUserInput(`\`delta\` must be a whole number between -${MAX_STOCK} and ${MAX_STOCK}.`, { field: "delta" });
    }
    if (!isSku(sku)) throw noSuchProduct(sku);
    return this.repository.transaction(async (tx) => {
      const applied = delta >= 0 ? await this.repository.addAvailable(tx, sku, delta, MAX_STOCK) : await this.repository.removeAvailable(tx, sku, -delta);
      const product = await this.repository.findBySku(sku, tx);
      if (!product) throw noSuchProduct(sku);
      if (applied) return product;
      if (delta < 0) {
        throw new DomainError(ErrorCode.OUT_OF_STOCK, `Cannot remove ${-delta} units of ${sku}: only ${product.stockAvailable} available.`, {
          field: "delta",
          sku,
          available: product.stockAvailable,
        });
      }
      throw badUserInput(`Available stock of ${sku} cannot exceed ${MAX_STOCK} units.`, { field: "delta", sku });
    });
  }
}

function requireAdmin(caller: Caller): void {
  if (caller.kind === "anonymous") throw unauthenticated();
  if (!isAdmin(caller)) throw forbidden("Only admins can change the catalogue.");
}

const noSuchProduct = (sku: string) => notFound(`No product has SKU ${sku}.`, { sku });

function decodeSkuCursor(cursor: string): string {
  const [sku] = decodeCursor(cursor, 1);
  if (!isSku(sku)) throw badUserInput("`after` is not a cursor this API issued.", { argument: "after" });
  return sku;
}

function productFilter(filter: ProductsArgs["filter"]): ProductFilter {
  const nameContains = filter?.nameContains?.trim();
  if (!nameContains) return {};
  if (nameContains.length > MAX_FILTER_LENGTH) {
    throw badUserInput(`\`nameContains\` must be at most ${MAX_FILTER_LENGTH} characters.`, { argument: "filter.nameContains" });
  }
  return { nameContains };
}

function validateNewProduct(input: CreateProductInput): NewProduct {
  if (!SKU_PATTERN.test(input.sku)) {
    throw badUserInput("A SKU has 2 to 32 upper-case letters, digits or dashes, and starts with a letter or a digit (e.g. KB-0001).", { field: "sku" });
  }
  const stockAvailable = input.stockAvailable ?? 0;
  if (!Number.isInteger(stockAvailable) || stockAvailable < 0 || stockAvailable > MAX_STOCK) {
    throw badUserInput(`Stock must be a whole number from 0 to ${MAX_STOCK}.`, { field: "stockAvailable" });
  }
  return {
    sku: input.sku,
    name: validName(input.name),
    description: validDescription(input.description ?? ""),
    priceCents: validPrice(input.priceCents),
    currency: validCurrency(input.currency ?? "USD"),
    stockAvailable,
  };
}

/** An omitted or null field is left as it is. */
function validateChanges(input: UpdateProductInput): ProductChanges {
  const changes: ProductChanges = {};
  if (input.name !== undefined && input.name !== null) changes.name = validName(input.name);
  if (input.description !== undefined && input.description !== null) changes.description = validDescription(input.description);
  if (input.priceCents !== undefined && input.priceCents !== null) changes.priceCents = validPrice(input.priceCents);
  return changes;
}

function validName(raw: string): string {
  const name = raw.trim();
  if (name.length === 0 || name.length > MAX_NAME_LENGTH) throw badUserInput(`Name must be between 1 and ${MAX_NAME_LENGTH} characters.`, { field: "name" });
  return name;
}

function validDescription(raw: string): string {
  const description = raw.trim();
  if (description.length > MAX_DESCRIPTION_LENGTH) throw badUserInput(`Description must be at most ${MAX_DESCRIPTION_LENGTH} characters.`, { field: "description" });
  return description;
}

function validPrice(priceCents: number): number {
  if (!Number.isInteger(priceCents) || priceCents < 0) throw badUserInput("Price must be a whole, non-negative number of cents.", { field: "priceCents" });
  return priceCents;
}

function validCurrency(currency: string): string {
  if (!CURRENCY_PATTERN.test(currency)) throw badUserInput("Currency must be an ISO-4217 code of three upper-case letters, e.g. USD.", { field: "currency" });
  return currency;
}
