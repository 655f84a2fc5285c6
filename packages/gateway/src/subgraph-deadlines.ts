import { AsyncLocalStorage } from "node:async_hooks";

/**
 * Deadlines, retries and a concurrency bound for the gateway's calls to remote subgraphs: a subgraph that hangs
 * fails its own fields within `timeoutMs`, and the rest of the answer still arrives.
 */
export interface SubgraphCallPolicy {
  /** Whole budget of one subgraph fetch: waiting for a slot, the request, a retry, reading the answer. */
  timeoutMs: number;
  /** Fetches in flight to this subgraph at most; more wait for a slot, within their deadline. */
  maxConcurrency: number;
}

export const DEFAULT_SUBGRAPH_CALL_POLICY: SubgraphCallPolicy = Object.freeze({ timeoutMs: 10_000, maxConcurrency: 64 });

/** Why a subgraph fetch gave up: a client can only retry, whatever the reason. */
export class SubgraphCallError extends Error {
  constructor(
    readonly reason: "timeout" | "overloaded" | "unreachable",
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = "SubgraphCallError";
  }
}

/** Queries and entity fetches can be sent twice; a mutation never is. */
export function isIdempotentOperation(query: string | undefined): boolean {
  const match = /^\s*(query|mutation|subscription)\b/.exec(query ?? "");
  return match ? match[1] === "query" : (query ?? "").trimStart().startsWith("{");
}

const CONNECTION_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "EPIPE", "UND_ERR_SOCKET", "UND_ERR_CLOSED", "ENOTFOUND", "EAI_AGAIN", "EHOSTUNREACH"]);

/** A failure to connect or a connection dropped before any answer: the request may be sent again if idempotent. */
export function isConnectionFailure(error: unknown): boolean {
  for (let current = error, depth = 0; current && typeof current === "object" && depth < 5; depth += 1) {
    const { code, cause, name } = current as { code?: unknown; cause?: unknown; name?: unknown };
    if (name === "TimeoutError" || name === "AbortError") return false;
    if (typeof code === "string" && CONNECTION_CODES.has(code)) return true;
    current = cause;
  }
  return false;
}

/** A counting semaphore whose waiters give up at their deadline. */
export class ConcurrencyLimit {
  private active = 0;
  private readonly waiting: { grant: () => void }[] = [];

  constructor(readonly max: number) {}

  get inFlight(): number {
    return this.active;
  }

  get queued(): number {
    return this.waiting.length;
  }

  /** Resolves with a release function once a slot is free; rejects when `signal` aborts first. */
  acquire(signal: AbortSignal): Promise<() => void> {
    const release = () => {
      const next = this.waiting.shift();
      if (next) next.grant();
      else this.active -= 1;
    };
    if (this.active < this.max) {
      this.active += 1;
      return Promise.resolve(once(release));
    }
    return new Promise((resolve, reject) => {
      const waiter = {
        grant: () => {
          signal.removeEventListener("abort", onAbort);
          resolve(once(release));
        },
      };
      const onAbort = () => {
        const index = this.waiting.indexOf(waiter);
        if (index >= 0) this.waiting.splice(index, 1);
        reject(new SubgraphCallError("overloaded", "no free slot before the deadline"));
      };
      if (signal.aborted) return onAbort();
      signal.addEventListener("abort", onAbort, { once: true });
      this.waiting.push(waiter);
    });
  }
}

function once(fn: () => void): () => void {
  let done = false;
  return () => {
    if (done) return;
    done = true;
    fn();
  };
}

const deadlines = new AsyncLocalStorage<AbortSignal>();

/** The deadline of the subgraph call in progress (set by `withDeadline`): a hung subgraph's request is aborted with it. */
export function currentDeadline(): AbortSignal | undefined {
  return deadlines.getStore();
}

/**
 * Runs one subgraph call under the policy: a slot within the deadline, then `attempt`, once more if it failed to
 * connect and `idempotent`. Throws SubgraphCallError for a deadline, a full queue or an unreachable subgraph;
 * other errors pass through.
 */
export async function withDeadline<T>(limit: ConcurrencyLimit, policy: SubgraphCallPolicy, idempotent: boolean, attempt: () => Promise<T>): Promise<T> {
  const signal = AbortSignal.timeout(policy.timeoutMs);
  const release = await limit.acquire(signal);
  try {
    for (let tries = 1; ; tries += 1) {
      try {
        return await deadlines.run(signal, attempt);
      } catch (error) {
        if (signal.aborted) throw new SubgraphCallError("timeout", `no answer within ${policy.timeoutMs} ms`, { cause: error });
        if (!isConnectionFailure(error)) throw error;
        if (!idempotent || tries >= 2) throw new SubgraphCallError("unreachable", "could not connect", { cause: error });
      }
    }
  } finally {
    release();
  }
}
