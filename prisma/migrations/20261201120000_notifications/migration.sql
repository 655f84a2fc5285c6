-- The notifications domain (apps/notifications-subgraph): its own schema, one table.

-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "notifications";

-- CreateEnum
CREATE TYPE "notifications"."NotificationKind" AS ENUM ('ORDER_PLACED', 'INVOICE_PAID', 'ORDER_CANCELLED');

-- CreateTable
CREATE TABLE "notifications"."notifications" (
    "id" UUID NOT NULL,
    "customer_id" UUID NOT NULL,
    "kind" "notifications"."NotificationKind" NOT NULL,
    "message" TEXT NOT NULL,
    "order_id" UUID NOT NULL,
    "invoice_id" UUID,
    "event_id" UUID NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "read_at" TIMESTAMPTZ(3),
    "delivered_at" TIMESTAMPTZ(3),
    "delivery_attempts" INTEGER NOT NULL DEFAULT 0,
    "last_attempt_at" TIMESTAMPTZ(3),

    CONSTRAINT "notifications_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "notifications_event_id_key" ON "notifications"."notifications"("event_id");

-- CreateIndex
CREATE INDEX "notifications_customer_id_created_at_id_idx" ON "notifications"."notifications"("customer_id", "created_at" DESC, "id");

-- CreateIndex
CREATE INDEX "notifications_delivered_at_created_at_idx" ON "notifications"."notifications"("delivered_at", "created_at");

