import { describe, expect, it } from "vitest";
import { forwardedClient, parseTrustProxy, throttleAddressKey, type TrustProxy } from "./throttle-address.ts";

const trust = (value: string): TrustProxy => {
  const parsed = parseTrustProxy(value);
  if (typeof parsed === "string") throw new Error(parsed);
  return parsed;
};

describe("the client address the throttle counts", () => {
  it("when no proxy is trusted, then X-Forwarded-For is ignored: a client cannot pick its own bucket", () => {
    expect(forwardedClient("203.0.113.5", "198.51.100.1", trust(""))).toBe("203.0.113.5");
    expect(forwardedClient("::ffff:203.0.113.5", "198.51.100.1", trust("false"))).toBe("203.0.113.5");
  });

  it("when one proxy hop is trusted, then the client is the entry that proxy appended, whatever the client wrote before it", () => {
    expect(forwardedClient("10.0.0.2", "1.1.1.1, 198.51.100.7", trust("1"))).toBe("198.51.100.7");
    expect(forwardedClient("10.0.0.2", ["6.6.6.6", "198.51.100.7"], trust("1"))).toBe("198.51.100.7");
    expect(forwardedClient("10.0.0.2", "1.1.1.1, 198.51.100.7, 10.0.0.1", trust("2"))).toBe("198.51.100.7");
    // No header behind a trusted proxy: the proxy itself is all we know.
    expect(forwardedClient("10.0.0.2", undefined, trust("1"))).toBe("10.0.0.2");
  });

  it("when proxies are trusted by address, then the walk stops at the first address that is not one of them", () => {
    const proxies = trust("10.0.0.0/8, 127.0.0.1");
    expect(forwardedClient("127.0.0.1", "6.6.6.6, 198.51.100.7, 10.1.2.3", proxies)).toBe("198.51.100.7");
    // A socket that is not a trusted proxy is the client, whatever it claims.
    expect(forwardedClient("203.0.113.9", "198.51.100.7", proxies)).toBe("203.0.113.9");
    // A malformed entry cannot be vouched for: the last good hop counts.
    expect(forwardedClient("127.0.0.1", "198.51.100.7, not-an-ip", proxies)).toBe("127.0.0.1");
  });

  it("when a client has IPv6, then its whole /64 is one bucket", () => {
    expect(throttleAddressKey("2001:db8:0:1:aaaa:bbbb:cccc:dddd")).toBe("2001:db8:0:1::/64");
    expect(throttleAddressKey("2001:db8:0:1::7")).toBe("2001:db8:0:1::/64");
    expect(throttleAddressKey("::1")).toBe("0:0:0:0::/64");
    expect(throttleAddressKey("203.0.113.5")).toBe("203.0.113.5");
    expect(throttleAddressKey("")).toBe("unknown");
  });

  it.each(["true", "11", "10.0.0.0/33", "10.0.0.0/8/1", "proxy.internal", "::1/129"])("when TRUST_PROXY=%s, then it is refused with a reason", (value) => {
    expect(typeof parseTrustProxy(value)).toBe("string");
  });
});
