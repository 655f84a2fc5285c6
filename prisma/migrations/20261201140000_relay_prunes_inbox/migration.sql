-- Retention (docs/adr/0015) runs as the relay's role (docs/adr/0016): besides the outbox rows it publishes and
-- prunes, it deletes expired inbox rows of the consumers in its process. Each batch picks its rows with
-- SELECT ... FOR UPDATE SKIP LOCKED (replicas split the sweep), which PostgreSQL allows only to a role with UPDATE
-- on the table: a column grant on handled_at, which the sweep never writes. Safe to run again.
GRANT SELECT, DELETE ON "events"."processed_events" TO monograph_relay;
GRANT UPDATE ("handled_at") ON "events"."processed_events" TO monograph_relay;
DROP POLICY IF EXISTS inbox_relay ON "events"."processed_events";
CREATE POLICY inbox_relay ON "events"."processed_events" TO monograph_relay USING (true);
