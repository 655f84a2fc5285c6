/**
 * A SKU: upper-case letters, digits and dashes, 2 to 32 characters, starting with a letter or a digit
 * (e.g. KB-0001). Nothing else can name a product, so anything else is "no such product" without a query.
 */
export const SKU_PATTERN = /^[A-Z0-9][A-Z0-9-]{1,31}$/;
export const isSku = (value: unknown): value is string => typeof value === "string" && SKU_PATTERN.test(value);

/** Upper bound of a product's available stock: keeps every sum of units far inside an INTEGER column. */
export const MAX_STOCK = 1_000_000;
/** Per reservation line, the same bound orders applies to an order line. */
export const MAX_QUANTITY = 1000;
/** Lines per reservation, the same bound orders applies to an order. */
export const MAX_LINES = 50;
export const MAX_NAME_LENGTH = 200;
export const MAX_DESCRIPTION_LENGTH = 2000;
export const MAX_FILTER_LENGTH = 100;
export const CURRENCY_PATTERN = /^[A-Z]{3}$/;


