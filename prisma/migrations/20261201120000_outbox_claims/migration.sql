-- Replicas of a domain (issue 11): each relay claims the rows it publishes for a lease, so two relays of one
-- domain do not publish the same rows, and a crashed relay's rows are taken over once its lease has run out
-- (docs/adr/0015-replicas-and-retention.md).
ALTER TABLE "events"."outbox" ADD COLUMN "claimed_by" TEXT;
ALTER TABLE "events"."outbox" ADD COLUMN "claimed_until" TIMESTAMPTZ(3);

-- Retention deletes delivered rows by age, and inbox rows by age: the oldest first, in small batches.
CREATE INDEX "outbox_published_at_idx" ON "events"."outbox"("published_at");
CREATE INDEX "processed_events_handled_at_idx" ON "events"."processed_events"("handled_at");
