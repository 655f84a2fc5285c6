-- Sealed data (docs/adr/0016): each domain connects as a role of its own, with rights on its own schema only.
-- Hand-written (prisma migrate dev does not model roles); safe to run again: roles are created only when missing,
-- and GRANT, REVOKE, ALTER DEFAULT PRIVILEGES and the policies (dropped first) give the same result a second time.
--
-- The tables stay owned by the role that runs migrations (the owner role): a domain's role gets data rights (DML),
-- never DDL, so a domain process can neither drop nor alter its tables, and the owner bypasses none of this for them.
--
-- Roles are cluster-wide in PostgreSQL (shared by every database of the server, test databases included): they are
-- created LOGIN without a password. Where the server asks for passwords (production) nobody can log in as them until
-- an operator sets one from the secret store (ALTER ROLE ... PASSWORD); under trust authentication (this machine's
-- development server) any local client can. The migrator needs CREATEROLE, or the roles must exist beforehand.
DO $$
DECLARE
  domain_role text;
BEGIN
  FOREACH domain_role IN ARRAY ARRAY['monograph_users', 'monograph_inventory', 'monograph_orders', 'monograph_billing', 'monograph_relay', 'monograph_usage'] LOOP
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = domain_role) THEN
      BEGIN
        EXECUTE format('CREATE ROLE %I LOGIN', domain_role);
      EXCEPTION WHEN duplicate_object OR unique_violation THEN
        NULL; -- another database of this server created it at the same moment
      END;
    END IF;
  END LOOP;
END
$$;

-- Nothing for anyone by default: a role reaches a schema only through the grants below.
REVOKE ALL ON SCHEMA "users", "inventory", "orders", "billing", "events", "usage" FROM PUBLIC;

-- Each domain: its schema, its tables (and those a later migration adds, run by the same owner role).
GRANT USAGE ON SCHEMA "users" TO monograph_users;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA "users" TO monograph_users;
ALTER DEFAULT PRIVILEGES IN SCHEMA "users" GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO monograph_users;

GRANT USAGE ON SCHEMA "inventory" TO monograph_inventory;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA "inventory" TO monograph_inventory;
ALTER DEFAULT PRIVILEGES IN SCHEMA "inventory" GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO monograph_inventory;

GRANT USAGE ON SCHEMA "orders" TO monograph_orders;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA "orders" TO monograph_orders;
ALTER DEFAULT PRIVILEGES IN SCHEMA "orders" GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO monograph_orders;

GRANT USAGE ON SCHEMA "billing" TO monograph_billing;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA "billing" TO monograph_billing;
ALTER DEFAULT PRIVILEGES IN SCHEMA "billing" GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO monograph_billing;

-- The gateway's usage reporting (not a domain, but sealed the same way).
GRANT USAGE ON SCHEMA "usage" TO monograph_usage;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA "usage" TO monograph_usage;
ALTER DEFAULT PRIVILEGES IN SCHEMA "usage" GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO monograph_usage;

-- The shared event tables belong to the platform (the owner role); each domain reaches only its own rows.
-- Producers (orders, billing) write their outbox rows in their transactions; the relay (role monograph_relay)
-- reads, stamps and prunes every source's rows. Consumers (inventory, orders, billing) keep their inbox rows.
GRANT USAGE ON SCHEMA "events" TO monograph_users, monograph_inventory, monograph_orders, monograph_billing, monograph_relay;
GRANT SELECT, INSERT ON "events"."outbox" TO monograph_orders, monograph_billing;
GRANT SELECT, UPDATE, DELETE ON "events"."outbox" TO monograph_relay;
GRANT SELECT, INSERT ON "events"."processed_events" TO monograph_inventory, monograph_orders, monograph_billing;

-- Row-level security: orders cannot record (or read) an event as billing's, nor mark billing's events handled.
-- The owner role (migrations, tests, tools) bypasses these policies: they bind only the roles named in them.
ALTER TABLE "events"."outbox" ENABLE ROW LEVEL SECURITY;
ALTER TABLE "events"."processed_events" ENABLE ROW LEVEL SECURITY;

DROP POLICY IF EXISTS outbox_orders ON "events"."outbox";
CREATE POLICY outbox_orders ON "events"."outbox" TO monograph_orders USING (source = 'orders') WITH CHECK (source = 'orders');
DROP POLICY IF EXISTS outbox_billing ON "events"."outbox";
CREATE POLICY outbox_billing ON "events"."outbox" TO monograph_billing USING (source = 'billing') WITH CHECK (source = 'billing');
DROP POLICY IF EXISTS outbox_relay ON "events"."outbox";
CREATE POLICY outbox_relay ON "events"."outbox" TO monograph_relay USING (true);

DROP POLICY IF EXISTS inbox_inventory ON "events"."processed_events";
CREATE POLICY inbox_inventory ON "events"."processed_events" TO monograph_inventory USING (consumer = 'inventory') WITH CHECK (consumer = 'inventory');
DROP POLICY IF EXISTS inbox_orders ON "events"."processed_events";
CREATE POLICY inbox_orders ON "events"."processed_events" TO monograph_orders USING (consumer = 'orders') WITH CHECK (consumer = 'orders');
DROP POLICY IF EXISTS inbox_billing ON "events"."processed_events";
CREATE POLICY inbox_billing ON "events"."processed_events" TO monograph_billing USING (consumer = 'billing') WITH CHECK (consumer = 'billing');
