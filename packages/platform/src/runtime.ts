// Source or build: which files a Monograph process runs. Every workspace package exports its TypeScript source by
// default (tsx, vitest and tsc read it, nothing to build in development) and its compiled dist/*.js under one
// package.json "exports" condition, which the production processes turn on with `node --conditions=...`.
// A production process forgetting the flag fails at its first import (Node cannot load a .ts file); it never runs
// stale JavaScript in development, or TypeScript in production.

/** The package.json "exports" condition that resolves every @monograph/* package to its built dist/*.js. */
export const BUILT_CONDITION = "@monograph/dist";

/** The node flag of every process that runs the build (start:prod, the image, a built launcher's children). */
export const BUILT_NODE_FLAGS: readonly string[] = Object.freeze([`--conditions=${BUILT_CONDITION}`]);

/**
 * V8's heap sized for a gateway whose subgraphs are all remote (start:distributed:prod, the image's
 * gateway-distributed, the Kubernetes distributed overlay's NODE_OPTIONS): a young generation of 4 MiB semi-spaces
 * instead of 16, and an old generation capped at 256 MiB, about five times the 47 MiB such a gateway holds live after
 * load. With V8's defaults it keeps up to 100 MiB of garbage and young space after a few thousand requests (about
 * 230 MiB of RSS, against 140 with these); its CPU per request did not move measurably. Not for a process that runs
 * domains (the monolith holds about 115 MiB live). docs/adr/0018-distributed-gateway-memory.md.
 */
export const REMOTE_GATEWAY_NODE_FLAGS: readonly string[] = Object.freeze(["--max-semi-space-size=4", "--max-old-space-size=256"]);

/**
 * glibc's malloc arenas of every gateway process, the monolith's and the distributed launcher's (start:prod,
 * start:distributed:prod, the image's gateway and gateway-distributed): 2 instead of one per thread (8 per core).
 * The monolith's RSS after 15 s of MyOrders load on PostgreSQL went from 294 to 307 MiB to 263 to 276 MiB with it
 * (issue 12, docs/benchmarks.md); unlike the heap flags above it does not trade CPU for memory.
 */
export const GATEWAY_ENV: Readonly<Record<string, string>> = Object.freeze({ MALLOC_ARENA_MAX: "2" });

/** The node flags of a process that runs the TypeScript sources (development and tests): tsx compiles on the fly. */
export const SOURCE_NODE_FLAGS: readonly string[] = Object.freeze(["--import", "tsx"]);

/** True when this code runs from a package's dist/ (the production build), false when from its TypeScript source. */
export const RUNNING_BUILT: boolean = import.meta.url.endsWith(".js");
