import { createHash } from "node:crypto";
import type { ApolloServerPlugin, GraphQLRequestContextDidResolveOperation } from "@apollo/server";
import { ErrorCode } from "@monograph/platform";
import { GraphQLError, Kind, valueFromASTUntyped, type DocumentNode, type FragmentDefinitionNode, type OperationDefinitionNode, type SelectionSetNode } from "graphql";
import type { GatewayContext } from "./context.ts";
import { MemoryThrottleStore, RedisThrottleStore, type Bucket, type Receipt, type Take, type ThrottleStore } from "./throttle-store.ts";

/** At most `limit` per `windowMs`, over a sliding window. */
export interface RateLimit {
  limit: number;
  windowMs: number;
}

/** Each limit is optional: a missing one is off. */
export interface ThrottleLimits {
  /** Sign-in attempts from one client address, whatever their outcome. */
  signInPerAddress?: RateLimit;
  /** Failed sign-ins for one account (email), from anywhere. */
  signInPerAccount?: RateLimit;
  /** Sign-up attempts from one client address, whatever their outcome. */
  signUpPerAddress?: RateLimit;
}

export interface ThrottleOptions {
  store: ThrottleStore;
  limits: ThrottleLimits;
}

/** One root `signIn` or `signUp` field of a mutation, by its response key (its alias, or its name). */
export interface Attempt {
  field: "signIn" | "signUp";
  responseKey: string;
  /** Normalised as the users domain does (trimmed, lower-case); undefined when the document has none. */
  email?: string;
}

const THROTTLED_FIELDS = new Set(["signIn", "signUp"]);

/**
 * The sign-in and sign-up attempts of one operation: its root fields named signIn or signUp, through aliases and
 * fragments, each with the email of its `input` (a literal, or from the variables). Skipped fields (`@skip`,
 * `@include`) count too: an attempt is what the client asked for. Runs after validation, so fragments exist and
 * do not cycle.
 */
export function findAttempts(document: DocumentNode, operation: OperationDefinitionNode, variables: Record<string, unknown> = {}): Attempt[] {
  if (operation.operation !== "mutation") return [];
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  const attempts: Attempt[] = [];
  const visit = (selectionSet: SelectionSetNode, seen: Set<string>) => {
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.INLINE_FRAGMENT) visit(selection.selectionSet, seen);
      else if (selection.kind === Kind.FRAGMENT_SPREAD) {
        const fragment = fragments.get(selection.name.value);
        if (fragment && !seen.has(fragment.name.value)) visit(fragment.selectionSet, new Set([...seen, fragment.name.value]));
      } else if (THROTTLED_FIELDS.has(selection.name.value)) {
        const input = selection.arguments?.find((argument) => argument.name.value === "input");
        const value: unknown = input ? valueFromASTUntyped(input.value, variables) : undefined;
        const email = typeof value === "object" && value !== null ? (value as { email?: unknown }).email : undefined;
        attempts.push({
          field: selection.name.value as Attempt["field"],
          responseKey: selection.alias?.value ?? selection.name.value,
          email: typeof email === "string" ? email.trim().toLowerCase() : undefined,
        });
      }
    }
  };
  visit(operation.selectionSet, new Set());
  return attempts;
}

/** Accounts are counted under a hash of their email: the store never holds an address book. */
function accountKey(email: string): string {
  return createHash("sha256").update(email).digest("base64url").slice(0, 32);
}

/**
 * Sign-in and sign-up throttling at the gateway, before anything executes (ADR 0010). Once an operation is
 * validated, its attempts are counted all at once: per client address (every attempt), and per account (each
 * sign-in is counted as a failure in advance, so that concurrent attempts cannot all slip under the limit). When any
 * count would go over its limit the whole operation is refused: HTTP 429, `Retry-After`, `RATE_LIMITED`. After
 * execution, each sign-in that did not fail with UNAUTHENTICATED gives its account's point back, so only wrong
 * passwords count against an account.
 *
 * In a batch (one HTTP request, several operations) each operation is counted on its own, and the HTTP status and
 * headers are the batch's: one refused operation makes the batch answer 429, with the longest Retry-After; the
 * other operations' results are in the body as usual, and each refused one says RATE_LIMITED.
 */
export function signInThrottlePlugin(options: ThrottleOptions): ApolloServerPlugin<GatewayContext> {
  const { store, limits } = options;
  return {
    async requestDidStart() {
      // Account receipts of this operation, with the response keys of the sign-ins that took them.
      const reserved: { receipt: Receipt; responseKeys: string[] }[] = [];
      return {
        async didResolveOperation(requestContext) {
          if (!requestContext.operation) return;
          const attempts = findAttempts(requestContext.document, requestContext.operation, requestContext.request.variables);
          if (attempts.length === 0) return;
          const address = requestContext.contextValue.clientAddress;
          const takes: Take[] = [];
          const signIns = attempts.filter((attempt) => attempt.field === "signIn");
          const signUps = attempts.length - signIns.length;
          if (limits.signInPerAddress && signIns.length > 0) takes.push({ bucket: { key: `sign-in:address:${address}`, ...limits.signInPerAddress }, points: signIns.length });
          if (limits.signUpPerAddress && signUps > 0) takes.push({ bucket: { key: `sign-up:address:${address}`, ...limits.signUpPerAddress }, points: signUps });
          const accounts = new Map<string, { bucket: Bucket; responseKeys: string[] }>();
          if (limits.signInPerAccount) {
            for (const attempt of signIns) {
              if (attempt.email === undefined) continue;
              const key = `sign-in:account:${accountKey(attempt.email)}`;
              const account = accounts.get(key) ?? { bucket: { key, ...limits.signInPerAccount }, responseKeys: [] };
              account.responseKeys.push(attempt.responseKey);
              accounts.set(key, account);
            }
            for (const { bucket, responseKeys } of accounts.values()) takes.push({ bucket, points: responseKeys.length });
          }
          if (takes.length === 0) return;

          let result;
          try {
            result = await store.take(takes);
          } catch {
            // Fail closed: without its counters the throttle cannot tell a burst from a user.
            refuse(requestContext, 503, undefined, new GraphQLError("Signing in is unavailable right now. Try again shortly.", { extensions: { code: ErrorCode.SERVICE_UNAVAILABLE } }));
          }
          if (!result.ok) {
            const seconds = Math.max(1, Math.ceil(result.retryAfterMs / 1000));
            const what = result.bucket.key.startsWith("sign-up") ? "sign-ups" : "sign-in attempts";
            const refused = result.bucket;
            const tooManyAtOnce = takes.some(({ bucket, points }) => bucket.key === refused.key && points > refused.limit);
            const message = tooManyAtOnce ? `This request holds more ${what} than are allowed at once. Send fewer.` : `Too many ${what}. Try again in ${seconds} seconds.`;
            refuse(requestContext, 429, seconds, new GraphQLError(message, { extensions: { code: ErrorCode.RATE_LIMITED, retryAfterSeconds: seconds } }));
          }
          for (const receipt of result.receipts) {
            const account = accounts.get(receipt.bucket.key);
            if (account) reserved.push({ receipt, responseKeys: account.responseKeys });
          }
        },

        async willSendResponse({ response }) {
          if (reserved.length === 0) return;
          // Without a single result we cannot tell which sign-ins failed: the points stay counted.
          if (response.body.kind !== "single") return;
          const failed = new Set<unknown>();
          for (const error of response.body.singleResult.errors ?? []) {
            if (error.extensions?.code === ErrorCode.UNAUTHENTICATED && error.path?.length) failed.add(error.path[0]);
          }
          await Promise.all(
            reserved.map(async ({ receipt, responseKeys }) => {
              const succeeded = responseKeys.filter((key) => !failed.has(key)).length;
              // A refund that fails leaves a point counted: the safe side.
              if (succeeded > 0) await store.refund(receipt, succeeded).catch(() => undefined);
            }),
          );
        },
      };
    },
  };
}

/**
 * Sets the status and Retry-After on the response's HTTP head (in a batch, the batch's: the longest wait wins), and
 * throws the error, which Apollo Server answers without executing the operation.
 */
function refuse(
  requestContext: GraphQLRequestContextDidResolveOperation<GatewayContext>,
  status: number,
  retryAfterSeconds: number | undefined,
  error: GraphQLError,
): never {
  const http = requestContext.response.http;
  if (http.status !== 429) http.status = status;
  if (retryAfterSeconds !== undefined) {
    const previous = Number(http.headers.get("retry-after") ?? 0);
    http.headers.set("retry-after", String(Math.max(previous, retryAfterSeconds)));
  }
  throw error;
}

export interface ThrottleStoreSettings {
  /** Counters in Redis when set, shared by every replica; in this process's memory otherwise. */
  redisUrl?: string;
  keyPrefix: string;
  /** The memory store's bound. */
  maxKeys: number;
}

export async function createThrottleStore(settings: ThrottleStoreSettings): Promise<ThrottleStore> {
  if (settings.redisUrl) return RedisThrottleStore.connect({ url: settings.redisUrl, keyPrefix: settings.keyPrefix });
  return new MemoryThrottleStore({ maxKeys: settings.maxKeys });
}
