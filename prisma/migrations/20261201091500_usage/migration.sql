-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "usage";

-- CreateTable
CREATE TABLE "usage"."operations" (
    "signature" TEXT NOT NULL,
    "operation_name" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "document" TEXT NOT NULL,
    "coordinates" JSONB NOT NULL,
    "via_variables" JSONB NOT NULL,
    "first_seen" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_seen" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "operations_pkey" PRIMARY KEY ("signature")
);

-- CreateTable
CREATE TABLE "usage"."counts" (
    "signature" TEXT NOT NULL,
    "client_name" TEXT NOT NULL,
    "client_version" TEXT NOT NULL,
    "bucket" TIMESTAMPTZ(3) NOT NULL,
    "count" BIGINT NOT NULL,

    CONSTRAINT "counts_pkey" PRIMARY KEY ("signature","client_name","client_version","bucket")
);

-- CreateIndex
CREATE INDEX "counts_bucket_idx" ON "usage"."counts"("bucket");
