// Source or build: which files a Monograph process runs. Every workspace package exports its TypeScript source by
// default (tsx, vitest and tsc read it, nothing to build in development) and its compiled dist/*.js under one
// package.json "exports" condition, which the production processes turn on with `node --conditions=...`.
// A production process forgetting the flag fails at its first import (Node cannot load a .ts file); it never runs
// stale JavaScript in development, or TypeScript in production.

/** The package.json "exports" condition that resolves every @monograph/* package to its built dist/*.js. */
export const BUILT_CONDITION = "@monograph/dist";

/** The node flag of every process that runs the build (start:prod, the image, a built launcher's children). */
export const BUILT_NODE_FLAGS: readonly string[] = Object.freeze([`--conditions=${BUILT_CONDITION}`]);

/** The node flags of a process that runs the TypeScript sources (development and tests): tsx compiles on the fly. */
export const SOURCE_NODE_FLAGS: readonly string[] = Object.freeze(["--import", "tsx"]);

/** True when this code runs from a package's dist/ (the production build), false when from its TypeScript source. */
export const RUNNING_BUILT: boolean = import.meta.url.endsWith(".js");
