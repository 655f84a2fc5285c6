import { jwtVerify, SignJWT } from "jose";

/** Who is calling. Resolvers and services receive this, never a raw token or header. */
export type Caller =
  | { kind: "anonymous" }
  | { kind: "user"; userId: string; role: Role }
  | { kind: "service"; service: string };
export type Role = "CUSTOMER" | "ADMIN";

export const ANONYMOUS: Caller = Object.freeze({ kind: "anonymous" });

/**
 * The header through which the gateway (or another service) tells a subgraph process who the caller is. Its value
 * is a short-lived JWT signed with the internal secret that only the gateway and the subgraphs know, so a client
 * reaching a subgraph directly cannot forge an identity: a missing, expired or badly signed header means anonymous.
 */
export const CALLER_HEADER = "x-monograph-caller";

const USER_TOKEN_ISSUER = "monograph";
const USER_TOKEN_AUDIENCE = "monograph-api";
const CALLER_AUDIENCE = "monograph-subgraph";
const CALLER_TOKEN_TTL_SECONDS = 60;

function key(secret: string): Uint8Array {
  return new TextEncoder().encode(secret);
}

export interface IssuedToken {
  token: string;
  expiresAt: Date;
}

/** The bearer token a user receives from signUp / signIn. */
export async function issueUserToken(secret: string, user: { id: string; role: Role }, ttlSeconds: number): Promise<IssuedToken> {
  const expiresAt = new Date(Date.now() + ttlSeconds * 1000);
  const token = await new SignJWT({ role: user.role })
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .setSubject(user.id)
    .setIssuer(USER_TOKEN_ISSUER)
    .setAudience(USER_TOKEN_AUDIENCE)
    .setIssuedAt()
    .setExpirationTime(Math.floor(expiresAt.getTime() / 1000))
    .sign(key(secret));
  return { token, expiresAt };
}

/** Verifies a user's bearer token. Returns null for anything not valid: the caller is then anonymous. */
export async function verifyUserToken(secret: string, token: string): Promise<Caller | null> {
  try {
    const { payload } = await jwtVerify(token, key(secret), {
      issuer: USER_TOKEN_ISSUER,
      audience: USER_TOKEN_AUDIENCE,
      algorithms: ["HS256"],
      requiredClaims: ["exp"],
    });
    if (typeof payload.sub !== "string" || (payload.role !== "CUSTOMER" && payload.role !== "ADMIN")) return null;
    return { kind: "user", userId: payload.sub, role: payload.role };
  } catch {
    return null;
  }
}

/** Reads `Authorization: Bearer <token>`. No header, or an invalid token, means anonymous. */
export async function callerFromAuthorization(secret: string, authorization: string | undefined | null): Promise<Caller> {
  const match = /^Bearer\s+(\S+)$/i.exec(authorization ?? "");
  if (!match?.[1]) return ANONYMOUS;
  return (await verifyUserToken(secret, match[1])) ?? ANONYMOUS;
}

/** Signs the caller for the CALLER_HEADER of one internal HTTP request. */
export async function signCaller(internalSecret: string, caller: Caller): Promise<string> {
  return new SignJWT({ caller })
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .setAudience(CALLER_AUDIENCE)
    .setIssuedAt()
    .setExpirationTime(`${CALLER_TOKEN_TTL_SECONDS}s`)
    .sign(key(internalSecret));
}

/** The caller named by a CALLER_HEADER value, or anonymous when it is missing, expired or not signed by us. */
export async function verifyCaller(internalSecret: string, headerValue: string | undefined | null): Promise<Caller> {
  if (!headerValue) return ANONYMOUS;
  try {
    // A caller header without an expiry would be valid forever if it leaked: refuse it.
    const { payload } = await jwtVerify(headerValue, key(internalSecret), { audience: CALLER_AUDIENCE, algorithms: ["HS256"], requiredClaims: ["exp"] });
    return parseCaller(payload.caller) ?? ANONYMOUS;
  } catch {
    return ANONYMOUS;
  }
}

function parseCaller(value: unknown): Caller | null {
  if (typeof value !== "object" || value === null) return null;
  const candidate = value as Record<string, unknown>;
  if (candidate.kind === "user" && typeof candidate.userId === "string" && (candidate.role === "CUSTOMER" || candidate.role === "ADMIN")) {
    return { kind: "user", userId: candidate.userId, role: candidate.role };
  }
  if (candidate.kind === "service" && typeof candidate.service === "string") return { kind: "service", service: candidate.service };
  if (candidate.kind === "anonymous") return ANONYMOUS;
  return null;
}

export const isAdmin = (caller: Caller): boolean => caller.kind === "user" && caller.role === "ADMIN";
