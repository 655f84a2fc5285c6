import { describe, expect, it } from "vitest";
import { DOMAIN_NAMES, DOMAINS, domainEntry, envPrefixOf, isDomainName, loadDomains } from "./index.ts";

describe("the registry of domains", () => {
  it("when every domain is loaded, then each module says it is the domain it is registered as", async () => {
    const modules = await loadDomains(DOMAIN_NAMES);
    expect(modules.map((module) => module.name)).toEqual([...DOMAIN_NAMES]);
  });

  it("gives each domain a port of its own, none the gateway's", () => {
    const ports = DOMAINS.map((domain) => domain.defaultPort);
    expect(new Set(ports).size).toBe(ports.length);
    expect(ports).not.toContain(4000);
  });

  it("when asked for a name that is no domain, then it refuses, naming the domains", async () => {
    expect(isDomainName("payments")).toBe(false);
    expect(() => domainEntry("payments")).toThrow(/"payments" is not a domain; one of users, inventory/);
    await expect(loadDomains(["payments"])).rejects.toThrow(/is not a domain/);
  });

  it("names each domain's variables after it", () => {
    expect(envPrefixOf("notifications")).toBe("NOTIFICATIONS");
    expect(envPrefixOf("gift-cards")).toBe("GIFT_CARDS");
  });
});
