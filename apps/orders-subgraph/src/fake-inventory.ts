import { DomainError, ErrorCode } from "@monograph/platform";
import type { InventoryClient, ReservationRequestLine, ReservedLine } from "./inventory.ts";

interface FakeProduct {
  name: string;
  priceCents: number;
  currency: string;
  available: number;
}

/**
 * For orders' tests only: an inventory that keeps stock in memory and honours the InventoryClient contract
 * (all-or-nothing, idempotent per orderId, OUT_OF_STOCK naming the SKU). The real one is tested at the gateway.
 */
export class FakeInventory implements InventoryClient {
  readonly products = new Map<string, FakeProduct>();
  readonly reservations = new Map<string, { lines: ReservedLine[]; status: "HELD" | "RELEASED" | "COMMITTED" }>();
  /** Make the next calls fail as an unreachable inventory would. */
  unavailable = false;

  addProduct(sku: string, product: Partial<FakeProduct> & { available: number }): this {
    this.products.set(sku, { name: sku, priceCents: 1000, currency: "USD", ...product });
    return this;
  }

  held(orderId: string): boolean {
    return this.reservations.get(orderId)?.status === "HELD";
  }

  heldCount(): number {
    return [...this.reservations.values()].filter((reservation) => reservation.status === "HELD").length;
  }

  async reserve(orderId: string, lines: readonly ReservationRequestLine[]): Promise<{ lines: ReservedLine[] }> {
    // Let concurrent callers interleave here, as they would over the network.
    await new Promise((resolve) => setImmediate(resolve));
    this.checkAvailable();
    const existing = this.reservations.get(orderId);
    if (existing) return { lines: existing.lines };
    for (const line of lines) {
      const product = this.products.get(line.sku);
      if (!product) throw new DomainError(ErrorCode.NOT_FOUND, `No product has SKU ${line.sku}.`, { sku: line.sku });
      if (product.available < line.quantity) throw new DomainError(ErrorCode.OUT_OF_STOCK, `Not enough stock for ${line.sku}.`, { sku: line.sku });
    }
    const reserved = lines.map((line) => {
      const product = this.products.get(line.sku)!;
      product.available -= line.quantity;
      return { sku: line.sku, name: product.name, quantity: line.quantity, unitPriceCents: product.priceCents, currency: product.currency };
    });
    this.reservations.set(orderId, { lines: reserved, status: "HELD" });
    return { lines: reserved };
  }

  async release(orderId: string): Promise<void> {
    this.checkAvailable();
    const reservation = this.reservations.get(orderId);
    if (reservation?.status !== "HELD") return;
    for (const line of reservation.lines) this.products.get(line.sku)!.available += line.quantity;
    reservation.status = "RELEASED";
  }

  async commit(orderId: string): Promise<void> {
    this.checkAvailable();
    const reservation = this.reservations.get(orderId);
    if (reservation?.status === "HELD") reservation.status = "COMMITTED";
  }

  private checkAvailable(): void {
    if (this.unavailable) throw new DomainError(ErrorCode.SERVICE_UNAVAILABLE, "Inventory is not available right now. Please try again.");
  }
}
