// `npm run db:migrate`: applies the committed migrations to DATABASE_URL, or to the embedded database when unset.
// The program is the gateway's migrate-main (built, it is the image's `migrate` command): one migration runner.
await import("../apps/gateway/src/migrate-main.ts");
