-- Order placement protocol (docs/adr/0011-order-placement-protocol.md).

-- CreateEnum
CREATE TYPE "orders"."PlacementOutcome" AS ENUM ('PLACED', 'ABANDONED');

-- CreateTable: the decision, per order id, whether the order exists or never will. Its primary key serialises
-- the order's insert (PLACED) and the sweeper's question (ABANDONED): whichever commits first wins.
CREATE TABLE "orders"."placements" (
    "order_id" UUID NOT NULL,
    "outcome" "orders"."PlacementOutcome" NOT NULL,
    "decided_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "placements_pkey" PRIMARY KEY ("order_id")
);

-- Every order placed before this migration is PLACED.
INSERT INTO "orders"."placements" ("order_id", "outcome", "decided_at")
SELECT "id", 'PLACED', "created_at" FROM "orders"."orders";

-- AlterTable: when orders confirmed that the reservation's order exists; the sweeper asks only about the others.
ALTER TABLE "inventory"."reservations" ADD COLUMN "confirmed_at" TIMESTAMPTZ(3);

-- CreateIndex
CREATE INDEX "reservations_status_confirmed_at_created_at_idx" ON "inventory"."reservations"("status", "confirmed_at", "created_at");
