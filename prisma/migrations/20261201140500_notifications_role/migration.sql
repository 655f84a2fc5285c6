-- The notifications domain's own role (docs/adr/0016): data rights on its schema only, and on the inbox its own rows
-- (consumer 'notifications'). Safe to run again, as the other role migrations.
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'monograph_notifications') THEN
    BEGIN
      CREATE ROLE monograph_notifications LOGIN;
    EXCEPTION WHEN duplicate_object OR unique_violation THEN
      NULL; -- another database of this server created it at the same moment
    END;
  END IF;
END
$$;

REVOKE ALL ON SCHEMA "notifications" FROM PUBLIC;
GRANT USAGE ON SCHEMA "notifications" TO monograph_notifications;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA "notifications" TO monograph_notifications;
ALTER DEFAULT PRIVILEGES IN SCHEMA "notifications" GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO monograph_notifications;

GRANT USAGE ON SCHEMA "events" TO monograph_notifications;
GRANT SELECT, INSERT ON "events"."processed_events" TO monograph_notifications;
DROP POLICY IF EXISTS inbox_notifications ON "events"."processed_events";
CREATE POLICY inbox_notifications ON "events"."processed_events" TO monograph_notifications USING (consumer = 'notifications') WITH CHECK (consumer = 'notifications');
