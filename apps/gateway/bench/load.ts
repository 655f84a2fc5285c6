import http from "node:http";
import { performance } from "node:perf_hooks";

/** One GraphQL POST, prepared once and sent again and again. */
export interface LoadTarget {
  graphqlUrl: string;
  query: string;
  variables?: Record<string, unknown>;
  token?: string;
}

export interface LoadResult {
  /** Requests that completed with HTTP 200 and no GraphQL errors. */
  requests: number;
  /** Requests that failed (status, GraphQL errors, network). */
  errors: number;
  elapsedMs: number;
  /** Latency of every successful request, in milliseconds, in completion order. */
  latencies: Float64Array;
}

export interface LoadSummary {
  requests: number;
  errors: number;
  seconds: number;
  rps: number;
  meanMs: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  maxMs: number;
}

/**
 * A closed-loop load generator in plain Node: `connections` loops, each sending the next request as soon as the
 * previous answer arrived, on keep-alive sockets, until `durationMs` has passed. node:http rather than fetch: it
 * costs the client less CPU, which matters when client and server share two cores.
 */
export async function runLoad(target: LoadTarget, options: { connections: number; durationMs: number }): Promise<LoadResult> {
  const url = new URL(target.graphqlUrl);
  const body = Buffer.from(JSON.stringify({ query: target.query, variables: target.variables ?? {} }));
  const headers: http.OutgoingHttpHeaders = {
    "content-type": "application/json",
    "content-length": body.length,
    // As Apollo Client sends it: usage reporting reads it on every request.
    "apollographql-client-name": "bench",
    ...(target.token ? { authorization: `Bearer ${target.token}` } : {}),
  };
  const agent = new http.Agent({ keepAlive: true, maxSockets: options.connections });
  const latencies: number[] = [];
  let errors = 0;
  let lastError: string | undefined;

  const send = () =>
    new Promise<void>((resolve) => {
      const started = performance.now();
      const request = http.request({ agent, host: url.hostname, port: url.port, path: url.pathname, method: "POST", headers }, (response) => {
        const chunks: Buffer[] = [];
        response.on("data", (chunk: Buffer) => chunks.push(chunk));
        response.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8");
          // A cheap check, so that the client stays light: the first answer was checked in full beforehand.
          if (response.statusCode === 200 && !text.includes('"errors"')) latencies.push(performance.now() - started);
          else {
            errors += 1;
            lastError = `HTTP ${response.statusCode}: ${text.slice(0, 300)}`;
          }
          resolve();
        });
        response.on("error", (error) => {
          errors += 1;
          lastError = error.message;
          resolve();
        });
      });
      request.on("error", (error) => {
        errors += 1;
        lastError = error.message;
        resolve();
      });
      request.end(body);
    });

  const started = performance.now();
  const deadline = started + options.durationMs;
  const loop = async () => {
    while (performance.now() < deadline) await send();
  };
  await Promise.all(Array.from({ length: options.connections }, loop));
  const elapsedMs = performance.now() - started;
  agent.destroy();
  if (errors > 0 && latencies.length === 0) throw new Error(`Every request failed; the last: ${lastError}`);
  if (errors > 0) console.error(`  ! ${errors} failed requests; the last: ${lastError}`);
  return { requests: latencies.length, errors, elapsedMs, latencies: Float64Array.from(latencies) };
}

/** Throughput and latency percentiles of one or more runs of the same scenario, taken together. */
export function summarize(results: LoadResult[]): LoadSummary {
  const requests = results.reduce((sum, result) => sum + result.requests, 0);
  const errors = results.reduce((sum, result) => sum + result.errors, 0);
  const elapsedMs = results.reduce((sum, result) => sum + result.elapsedMs, 0);
  const all = new Float64Array(requests);
  let offset = 0;
  for (const result of results) {
    all.set(result.latencies, offset);
    offset += result.latencies.length;
  }
  all.sort();
  const at = (fraction: number) => (all.length === 0 ? NaN : all[Math.min(all.length - 1, Math.ceil(fraction * all.length) - 1)]!);
  return {
    requests,
    errors,
    seconds: elapsedMs / 1000,
    rps: requests / (elapsedMs / 1000),
    meanMs: all.length === 0 ? NaN : all.reduce((sum, value) => sum + value, 0) / all.length,
    p50Ms: at(0.5),
    p95Ms: at(0.95),
    p99Ms: at(0.99),
    maxMs: all.length === 0 ? NaN : all[all.length - 1]!,
  };
}
