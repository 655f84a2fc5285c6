// `npm run start:domain -- <name>`: serves one registered domain (users, inventory, orders, billing...) alone, as
// its own HTTP service (hybrid and distributed shapes; the distributed launcher forks this file once per domain).
import { DOMAIN_NAMES, isDomainName } from "@monograph/domains";
import { logger } from "@monograph/platform";
import { runDomainProcess } from "./domain-process.ts";

const name = process.argv[2] ?? process.env.DOMAIN ?? "";
if (!isDomainName(name)) {
  logger.fatal(`${name ? `"${name}" is not a domain` : "which domain?"}: usage run-domain.ts <name> (or DOMAIN=<name>), one of ${DOMAIN_NAMES.join(", ")}`);
  process.exit(64);
}
await runDomainProcess(name);
