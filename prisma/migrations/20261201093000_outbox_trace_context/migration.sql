-- The W3C traceparent of the request that recorded an event, so that its handling continues that trace (issue 9).
ALTER TABLE "events"."outbox" ADD COLUMN "traceparent" TEXT;
