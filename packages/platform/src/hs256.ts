import { createHmac, createSecretKey, timingSafeEqual, type KeyObject } from "node:crypto";

/**
 * HS256 JSON Web Tokens with node:crypto's synchronous HMAC. The gateway signs one caller header per subgraph fetch
 * and every subgraph verifies one per request: through WebCrypto (jose), each of those is an asynchronous job
 * with its own promise, buffer copies and thread-pool hop, about a tenth of a gateway's CPU over HTTP. The tokens
 * are the same compact JWTs as before (`{"alg":"HS256","typ":"JWT"}`), so either side reads the other's, and the
 * checks are the ones jose's jwtVerify made with the options Monograph passed it (see verifyHs256).
 */

/** The encoded protected header of every token signed here. */
const HEADER = Buffer.from(JSON.stringify({ alg: "HS256", typ: "JWT" })).toString("base64url");

/** Claims checked on verification; names and meanings as jose's JWTVerifyOptions. */
export interface Hs256Checks {
  audience: string;
  issuer?: string;
  /** Claims that must be present (`exp`, `iat`). */
  requiredClaims?: readonly string[];
  /** Refused when `iat` is older than this (seconds); `iat` is then required. */
  maxTokenAge?: number;
  /** Seconds of tolerance for `exp`, `nbf` and `iat`. */
  clockTolerance?: number;
  currentDate?: Date;
}

// A handful of secrets per process (JWT_SECRET, INTERNAL_SECRET): turned into a key once each, not per token.
const keys = new Map<string, KeyObject>();
function keyOf(secret: string): KeyObject {
  let key = keys.get(secret);
  if (!key) {
    key = createSecretKey(Buffer.from(secret, "utf8"));
    keys.set(secret, key);
  }
  return key;
}

function signature(secret: string, signingInput: string): string {
  return createHmac("sha256", keyOf(secret)).update(signingInput).digest("base64url");
}

/** A compact HS256 JWT carrying `claims`. */
export function signHs256(secret: string, claims: Record<string, unknown>): string {
  const signingInput = `${HEADER}.${Buffer.from(JSON.stringify(claims)).toString("base64url")}`;
  return `${signingInput}.${signature(secret, signingInput)}`;
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);

function decodeJson(part: string): unknown {
  return JSON.parse(Buffer.from(part, "base64url").toString("utf8"));
}

/**
 * The claims of `token` when it is a compact JWT whose header says HS256 (and nothing it does not understand:
 * `crit`, `b64`), whose signature is the HMAC-SHA256 of its first two parts with `secret` (compared in constant
 * time, as the canonical base64url text), and whose claims pass `checks`; null otherwise. `alg: none`, another
 * algorithm, a tampered payload or another secret are all refused before any claim is read.
 */
export function verifyHs256(secret: string, token: string, checks: Hs256Checks): Record<string, unknown> | null {
  const parts = token.split(".");
  if (parts.length !== 3) return null;
  const [encodedHeader, encodedPayload, given] = parts as [string, string, string];
  let header: unknown;
  let claims: unknown;
  try {
    header = decodeJson(encodedHeader);
    if (!isObject(header) || header.alg !== "HS256" || "crit" in header || "b64" in header) return null;
    const expected = Buffer.from(signature(secret, `${encodedHeader}.${encodedPayload}`));
    const actual = Buffer.from(given);
    if (actual.length !== expected.length || !timingSafeEqual(actual, expected)) return null;
    claims = decodeJson(encodedPayload);
  } catch {
    return null;
  }
  if (!isObject(claims)) return null;
  return claimsPass(claims, checks) ? claims : null;
}

/** jose's validateClaimsSet, for the options Monograph uses. */
function claimsPass(claims: Record<string, unknown>, checks: Hs256Checks): boolean {
  const required = new Set([...(checks.requiredClaims ?? []), "aud", ...(checks.issuer !== undefined ? ["iss"] : []), ...(checks.maxTokenAge !== undefined ? ["iat"] : [])]);
  for (const claim of required) if (!Object.hasOwn(claims, claim)) return false;
  if (checks.issuer !== undefined && claims.iss !== checks.issuer) return false;
  const aud = claims.aud;
  if (!(typeof aud === "string" ? aud === checks.audience : Array.isArray(aud) && aud.includes(checks.audience))) return false;
  for (const claim of ["iat", "nbf", "exp"]) if (claims[claim] !== undefined && typeof claims[claim] !== "number") return false;
  const tolerance = checks.clockTolerance ?? 0;
  const now = Math.floor((checks.currentDate ?? new Date()).getTime() / 1000);
  const { iat, nbf, exp } = claims as { iat?: number; nbf?: number; exp?: number };
  if (nbf !== undefined && nbf > now + tolerance) return false;
  if (exp !== undefined && exp <= now - tolerance) return false;
  if (checks.maxTokenAge !== undefined) {
    const age = now - iat!;
    if (age - tolerance > checks.maxTokenAge || age < -tolerance) return false;
  }
  return true;
}
