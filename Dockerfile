# syntax=docker/dockerfile:1.7
# One image for every Monograph process: the gateway and each subgraph (and the migration), chosen by its command:
#   docker build -t monograph .
#   docker run monograph gateway | users | inventory | orders | billing | migrate | gateway-distributed
# The commands are in deploy/docker/entrypoint.sh (see "THE COMMAND" below). Stages:
#   pruner   turbo prune --docker: the gateway's workspace graph (it depends on every subgraph), manifests apart
#   deps     npm ci from the pruned manifests and lockfile only (cached until a package.json or the lockfile changes)
#   builder  the sources, the Prisma client, (later) the build
#   runtime  non-root, files owned by root (read-only to the app), no npm cache, no build tools
ARG NODE_IMAGE=node:20.20-bookworm-slim

FROM ${NODE_IMAGE} AS base
ENV CHECKPOINT_DISABLE=1 \
    NPM_CONFIG_UPDATE_NOTIFIER=false \
    NPM_CONFIG_FUND=false \
    NPM_CONFIG_AUDIT=false
WORKDIR /repo

FROM base AS pruner
# The version of the repository's devDependencies (package.json), from the npm registry.
RUN npm install -g turbo@2.11.11
COPY . .
RUN turbo prune @monograph/gateway --docker --out-dir /out

FROM base AS deps
COPY --from=pruner /out/json/ .
# Scripts off: the root postinstall (prisma generate) needs the Prisma schema, which comes with the sources below, and
# no package may fetch anything at install time beyond the npm registry.
# TODAY every process runs TypeScript through tsx (a devDependency), so dev dependencies are installed too. Once the
# production build exists (issue 11, item 1), install with --omit=dev in a stage of its own for the runtime.
RUN npm ci --ignore-scripts

FROM deps AS builder
COPY --from=pruner /out/full/ .
# Not workspaces, so not in turbo's output: the Prisma schema and migrations (the apps apply them at start-up, and
# `migrate` runs them), and the TypeScript configuration tsx reads.
COPY prisma ./prisma
COPY prisma.config.ts tsconfig.base.json tsconfig.json ./
RUN npx --no-install prisma generate
# Issue 11, item 1 (production build), when it lands: RUN npm run build   (and switch THE COMMAND below)

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    LOG_FORMAT=json \
    APOLLO_TELEMETRY_DISABLED=true \
    CHECKPOINT_DISABLE=1 \
    NPM_CONFIG_UPDATE_NOTIFIER=false \
    PGLITE_DATA_DIR=/data/pglite
WORKDIR /app
# Owned by root: the app (user node, uid 1000) can read but not change its own code. Writable: /tmp (tsx's cache;
# an emptyDir in Kubernetes, whose root filesystem is read-only) and /data (embedded PGlite, for a single container
# without PostgreSQL).
COPY --from=builder /repo /app
COPY deploy/docker/entrypoint.sh /usr/local/bin/monograph
RUN chmod 0755 /usr/local/bin/monograph && mkdir -p /data && chown 1000:1000 /data
USER 1000:1000
EXPOSE 4000 4001 4002 4003 4004
HEALTHCHECK --interval=10s --timeout=3s --start-period=120s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 4000) + '/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# THE COMMAND: deploy/docker/entrypoint.sh maps an app name to its start command. TODAY that is
# `node --import tsx apps/gateway/src/main.ts`, or `apps/gateway/src/run-domain.ts <domain>` (no production build yet); issue 11, item 1 switches it to plain
# node on the built files, in that one script.
ENTRYPOINT ["/usr/local/bin/monograph"]
CMD ["gateway"]
