import type { IncomingMessage } from "node:http";
import { BlockList, isIP } from "node:net";

/**
 * Which X-Forwarded-For entries to believe. Without a proxy in front, none: any client can write that header, and
 * would pick its own address (and so its own throttle bucket). Behind proxies, either how many of them there are
 * (the rightmost `hops - 1` entries were written by them) or the addresses they have.
 */
export type TrustProxy = { kind: "none" } | { kind: "hops"; hops: number } | { kind: "addresses"; list: BlockList; source: string };

export const TRUST_NO_PROXY: TrustProxy = { kind: "none" };

/**
 * Parses TRUST_PROXY: unset, `false` or `0` (no proxy); a hop count `1`..`10` (1: one proxy, whose socket we see,
 * so the client is the last X-Forwarded-For entry); or a comma-separated list of proxy addresses and CIDR ranges.
 * Returns a message for anything else, `true` included: trusting every hop trusts the client's own claim.
 */
export function parseTrustProxy(value: string | undefined): TrustProxy | string {
  const text = (value ?? "").trim();
  if (text === "" || text === "false" || text === "0") return TRUST_NO_PROXY;
  if (/^\d+$/.test(text)) {
    const hops = Number(text);
    return hops >= 1 && hops <= 10 ? { kind: "hops", hops } : "a hop count must be between 1 and 10";
  }
  const list = new BlockList();
  for (const entry of text.split(",").map((part) => part.trim()).filter(Boolean)) {
    const [address, prefix, ...rest] = entry.split("/");
    const family = isIP(address ?? "");
    if (!address || family === 0 || rest.length > 0) return `"${entry}" is not an IP address or CIDR range (expected a hop count or addresses, e.g. 1 or 10.0.0.0/8,127.0.0.1)`;
    const type = family === 6 ? "ipv6" : "ipv4";
    if (prefix === undefined) {
      list.addAddress(address, type);
      continue;
    }
    const bits = /^\d+$/.test(prefix) ? Number(prefix) : NaN;
    if (!(bits >= 0 && bits <= (family === 6 ? 128 : 32))) return `"${entry}" has an invalid prefix length`;
    list.addSubnet(address, bits, type);
  }
  return { kind: "addresses", list, source: text };
}

/**
 * The address a request comes from, as the throttle counts it: the socket's peer, or the X-Forwarded-For entry
 * that the trusted proxies vouch for. IPv4-mapped IPv6 addresses count as IPv4; IPv6 addresses count by their /64,
 * since one host is usually handed a whole /64 and could otherwise take a fresh address per attempt.
 */
export function clientAddress(request: IncomingMessage, trust: TrustProxy): string {
  return throttleAddressKey(forwardedClient(request.socket.remoteAddress ?? "", request.headers["x-forwarded-for"], trust));
}

/** The client's address before grouping: walks from the socket leftwards through X-Forwarded-For while trusted. */
export function forwardedClient(socketAddress: string, forwardedFor: string | string[] | undefined, trust: TrustProxy): string {
  const socket = unmap(socketAddress);
  if (trust.kind === "none") return socket;
  const header = Array.isArray(forwardedFor) ? forwardedFor.join(",") : (forwardedFor ?? "");
  // Nearest first: the socket, then the entries from right to left.
  const hops = [socket, ...header.split(",").map((entry) => unmap(entry.trim())).filter(Boolean).reverse()];
  let client = socket;
  for (let i = 1; i < hops.length; i += 1) {
    const nearer = hops[i - 1]!;
    const trusted = trust.kind === "hops" ? i <= trust.hops : isIP(nearer) !== 0 && trust.list.check(nearer, isIP(nearer) === 6 ? "ipv6" : "ipv4");
    if (!trusted) break;
    const candidate = hops[i]!;
    // A malformed entry ends the walk: what lies left of it cannot be vouched for.
    if (isIP(candidate) === 0) break;
    client = candidate;
  }
  return client;
}

function unmap(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  return mapped ? mapped[1]! : address;
}

/** IPv4 as it is; IPv6 as its /64 prefix, e.g. `2001:db8:0:1::/64`. */
export function throttleAddressKey(address: string): string {
  if (isIP(address) !== 6) return address || "unknown";
  const groups = expandIpv6(address);
  return groups ? `${groups.slice(0, 4).map((group) => group.replace(/^0+(?=.)/, "")).join(":")}::/64` : address;
}

function expandIpv6(address: string): string[] | undefined {
  let text = address.split("%")[0]!.toLowerCase();
  const v4 = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (v4) {
    const [a, b, c, d] = v4.slice(1).map(Number) as [number, number, number, number];
    text = text.slice(0, v4.index) + `${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = text.split("::");
  const left = head ? head.split(":") : [];
  const right = tail === undefined ? [] : tail ? tail.split(":") : [];
  const missing = 8 - left.length - right.length;
  if (tail === undefined ? missing !== 0 : missing < 1) return undefined;
  return [...left, ...Array<string>(tail === undefined ? 0 : missing).fill("0"), ...right].map((group) => group.padStart(4, "0"));
}
