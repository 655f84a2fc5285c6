-- Retention (docs/adr/0015) runs as the relay's role (docs/adr/0016): besides the outbox rows it publishes and
-- prunes, it deletes expired inbox rows of the consumers in its process. Safe to run again.
GRANT SELECT, DELETE ON "events"."processed_events" TO monograph_relay;
DROP POLICY IF EXISTS inbox_relay ON "events"."processed_events";
CREATE POLICY inbox_relay ON "events"."processed_events" TO monograph_relay USING (true);
