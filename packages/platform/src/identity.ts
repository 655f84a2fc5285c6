import { createHash } from "node:crypto";
import { signHs256, verifyHs256 } from "./hs256.ts";

/** Who is calling. Resolvers and services receive this, never a raw token or header. */
export type Caller =
  | { kind: "anonymous" }
  | { kind: "user"; userId: string; role: Role; sessionId?: string }
  | { kind: "service"; service: string };
export type Role = "CUSTOMER" | "ADMIN";

export const ANONYMOUS: Caller = Object.freeze({ kind: "anonymous" });

/**
 * The header through which the gateway (or another service) tells a subgraph process who the caller is. Its value
 * is a short-lived JWT signed with the internal secret that only the gateway and the subgraphs know, and bound to
 * the one request it came with (signRequest). A subgraph process refuses any request whose header is missing,
 * expired, badly signed or signed for another request: its port is sealed to everyone but Monograph's own services.
 */
export const CALLER_HEADER = "x-monograph-caller";

const USER_TOKEN_ISSUER = "monograph";
const USER_TOKEN_AUDIENCE = "monograph-api";
const CALLER_AUDIENCE = "monograph-subgraph";
/** How long a request's caller signature is accepted: the gateway signs each fetch just before sending it. */
export const REQUEST_SIGNATURE_TTL_SECONDS = 30;
/** Whatever a signature's own `exp` says, it is refused once it is older than this. */
const REQUEST_SIGNATURE_MAX_AGE_SECONDS = 60;
/** Clocks of the gateway's and the subgraphs' machines may differ by this much. */
const CLOCK_TOLERANCE_SECONDS = 5;

export interface IssuedToken {
  token: string;
  expiresAt: Date;
}

export interface IssueUserTokenOptions {
  /** The session (refresh-token family) this access token belongs to: its `sid` claim, for signOut. */
  sessionId?: string;
  /** The issuing time (tests); default now. */
  now?: Date;
}

/**
 * The access token a user receives from signUp / signIn / refreshToken: a short-lived bearer token. The gateway
 * verifies it without asking the database, so it stays valid until it expires, whatever happens to the session.
 */
export async function issueUserToken(secret: string, user: { id: string; role: Role }, ttlSeconds: number, options: IssueUserTokenOptions = {}): Promise<IssuedToken> {
  const issuedAt = (options.now ?? new Date()).getTime();
  const expiresAt = new Date(issuedAt + ttlSeconds * 1000);
  const token = signHs256(secret, {
    role: user.role,
    ...(options.sessionId ? { sid: options.sessionId } : {}),
    sub: user.id,
    iss: USER_TOKEN_ISSUER,
    aud: USER_TOKEN_AUDIENCE,
    iat: Math.floor(issuedAt / 1000),
    exp: Math.floor(expiresAt.getTime() / 1000),
  });
  return { token, expiresAt };
}

/** Verifies a user's bearer token. Returns null for anything not valid: the caller is then anonymous. */
export async function verifyUserToken(secret: string, token: string, options: { now?: Date } = {}): Promise<Caller | null> {
  const payload = verifyHs256(secret, token, { issuer: USER_TOKEN_ISSUER, audience: USER_TOKEN_AUDIENCE, requiredClaims: ["exp"], currentDate: options.now });
  if (!payload || typeof payload.sub !== "string" || (payload.role !== "CUSTOMER" && payload.role !== "ADMIN")) return null;
  return { kind: "user", userId: payload.sub, role: payload.role, ...(typeof payload.sid === "string" ? { sessionId: payload.sid } : {}) };
}

/** Reads `Authorization: Bearer <token>`. No header, or an invalid token, means anonymous. */
export async function callerFromAuthorization(secret: string, authorization: string | undefined | null): Promise<Caller> {
  const match = /^Bearer\s+(\S+)$/i.exec(authorization ?? "");
  if (!match?.[1]) return ANONYMOUS;
  return (await verifyUserToken(secret, match[1])) ?? ANONYMOUS;
}

/** What a signature for CALLER_HEADER is bound to: the request's method and the exact bytes of its body. */
export interface BoundRequest {
  method: string;
  /** The body exactly as sent (a string is taken as UTF-8); empty for a request without one. */
  body: string | Uint8Array;
}

/** sha256 of a request body, base64url: the `bh` claim of a caller header. */
export function bodyHash(body: string | Uint8Array): string {
  return createHash("sha256").update(body).digest("base64url");
}

export interface SignRequestOptions {
  /** The signing time (tests); default now. */
  now?: Date;
}

/**
 * Signs the caller for the CALLER_HEADER of one internal HTTP request, bound to that request: the JWT carries the
 * sha256 of the body (`bh`) and the method (`htm`), and lives REQUEST_SIGNATURE_TTL_SECONDS. Someone who captures it
 * can at most send the very same request again within that time, never another query, variables or body.
 */
export async function signRequest(internalSecret: string, caller: Caller, request: BoundRequest, options: SignRequestOptions = {}): Promise<string> {
  return signRequestNow(internalSecret, caller, request, options);
}

/** signRequest, synchronously (node:crypto HMAC): for the gateway's fetcher, which signs every subgraph fetch. */
export function signRequestNow(internalSecret: string, caller: Caller, request: BoundRequest, options: SignRequestOptions = {}): string {
  const issuedAt = Math.floor((options.now ?? new Date()).getTime() / 1000);
  return signHs256(internalSecret, {
    caller,
    htm: request.method.toUpperCase(),
    bh: bodyHash(request.body),
    aud: CALLER_AUDIENCE,
    iat: issuedAt,
    exp: issuedAt + REQUEST_SIGNATURE_TTL_SECONDS,
  });
}

/**
 * The caller named by a CALLER_HEADER value, when it was signed with the internal secret for this very request
 * (same method, same body bytes) and is still fresh; otherwise null, and the request must be refused. A header
 * without an expiry, or issued more than REQUEST_SIGNATURE_MAX_AGE_SECONDS ago, is refused whatever its `exp`.
 */
export async function verifyRequest(internalSecret: string, headerValue: string | undefined | null, request: BoundRequest, options: SignRequestOptions = {}): Promise<Caller | null> {
  return verifyRequestNow(internalSecret, headerValue, request, options);
}

/** verifyRequest, synchronously (node:crypto HMAC): for the subgraph's guard, which checks every request. */
export function verifyRequestNow(internalSecret: string, headerValue: string | undefined | null, request: BoundRequest, options: SignRequestOptions = {}): Caller | null {
  if (!headerValue) return null;
  const payload = verifyHs256(internalSecret, headerValue, {
    audience: CALLER_AUDIENCE,
    requiredClaims: ["exp", "iat"],
    maxTokenAge: REQUEST_SIGNATURE_MAX_AGE_SECONDS,
    clockTolerance: CLOCK_TOLERANCE_SECONDS,
    currentDate: options.now,
  });
  if (!payload || payload.htm !== request.method.toUpperCase() || payload.bh !== bodyHash(request.body)) return null;
  return parseCaller(payload.caller);
}

function parseCaller(value: unknown): Caller | null {
  if (typeof value !== "object" || value === null) return null;
  const candidate = value as Record<string, unknown>;
  if (candidate.kind === "user" && typeof candidate.userId === "string" && (candidate.role === "CUSTOMER" || candidate.role === "ADMIN")) {
    return { kind: "user", userId: candidate.userId, role: candidate.role, ...(typeof candidate.sessionId === "string" ? { sessionId: candidate.sessionId } : {}) };
  }
  if (candidate.kind === "service" && typeof candidate.service === "string") return { kind: "service", service: candidate.service };
  if (candidate.kind === "anonymous") return ANONYMOUS;
  return null;
}

export const isAdmin = (caller: Caller): boolean => caller.kind === "user" && caller.role === "ADMIN";
