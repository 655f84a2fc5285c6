# syntax=docker/dockerfile:1.7
# One image for every Monograph process: the gateway and each subgraph (and the migration), chosen by its command:
#   docker build -t monograph .
#   docker run monograph gateway | <domain> | migrate | gateway-distributed     (a domain: a name of packages/domains)
# The commands are in deploy/docker/entrypoint.sh (see "THE COMMAND" below). Stages:
#   pruner     turbo prune --docker: the gateway's workspace graph (it depends on every subgraph), manifests apart
#   deps       npm ci from the pruned manifests and lockfile only (cached until a package.json or the lockfile changes)
#   builder    the sources, the Prisma client, `npm run build` (every workspace to JavaScript in its dist/)
#   prod-deps  npm ci --omit=dev from the same manifests: no tsx, no TypeScript, no turbo, no Prisma CLI
#   runtime    the production dependencies, the built JavaScript and the files it reads at run time; non-root,
#              files owned by root (read-only to the app), no npm cache, no build tools, no TypeScript source
# Not built or run where this was written (there is no container engine on those machines): what was run is the
# same build (`npm run build`) and the same commands (deploy/docker/entrypoint.sh runs what `npm run start:prod`
# runs), on the checkout, by apps/gateway/test/e2e/production-build.e2e.test.ts.
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
# no package may fetch anything at install time beyond the npm registry. Dev dependencies too: the build needs
# TypeScript, turbo and the Prisma CLI.
RUN npm ci --ignore-scripts

FROM deps AS builder
COPY --from=pruner /out/full/ .
# Not workspaces, so not in turbo's output: the Prisma schema and migrations (the apps apply them at start-up, and
# `migrate` runs them), the TypeScript configuration the build reads, and the resolver types' shared codegen settings
# (the build regenerates each domain's resolver types first).
COPY prisma ./prisma
COPY prisma.config.ts tsconfig.base.json tsconfig.build.base.json tsconfig.json codegen.shared.ts ./
RUN npx --no-install prisma generate
# The generated Prisma client (TypeScript, in packages/db/src/generated) is compiled with the rest.
RUN npm run build
# What the runtime gets of the checkout, in /out/app: each workspace's package.json (its "exports" lead to dist/ under
# the build's condition) and dist/; the files read at run time: each subgraph's SDL (src/schema.graphql, read from
# dist/ as ../src/schema.graphql), the supergraph, the persisted operations (the safelist) and the recorded
# operations (the explorer's examples), and the migrations. No .ts file is copied.
RUN set -eu; \
    mkdir -p /out/app/prisma; \
    cp package.json /out/app/; \
    cp -R prisma/migrations /out/app/prisma/migrations; \
    for workspace in apps/* packages/*; do \
      mkdir -p "/out/app/$workspace"; \
      cp "$workspace/package.json" "/out/app/$workspace/"; \
      if [ -d "$workspace/dist" ]; then cp -R "$workspace/dist" "/out/app/$workspace/dist"; fi; \
      for asset in "$workspace"/src/*.graphql; do \
        if [ -e "$asset" ]; then mkdir -p "/out/app/$workspace/src" && cp "$asset" "/out/app/$workspace/src/"; fi; \
      done; \
    done; \
    cp -R packages/schema/supergraph.graphql packages/schema/api-schema.graphql packages/schema/persisted-operations.json \
      packages/schema/operations /out/app/packages/schema/; \
    if find /out/app -name '*.ts' | grep -q .; then echo "a .ts file in the runtime tree" >&2; exit 1; fi

FROM base AS prod-deps
COPY --from=pruner /out/json/ .
# The runtime's dependencies only; the workspaces' node_modules links point at the built packages copied below.
# --omit=optional too: @prisma/client names typescript and prisma as optional peers, so --omit=dev alone keeps both
# (and the Prisma CLI's dependencies); the only other optional package is pg-cloudflare, for Cloudflare Workers.
RUN npm ci --omit=dev --omit=optional --ignore-scripts && npm cache clean --force

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    LOG_FORMAT=json \
    APOLLO_TELEMETRY_DISABLED=true \
    CHECKPOINT_DISABLE=1 \
    NPM_CONFIG_UPDATE_NOTIFIER=false \
    PGLITE_DATA_DIR=/data/pglite
WORKDIR /app
# Owned by root: the app (user node, uid 1000) can read but not change its own code. Writable: /tmp (an emptyDir in
# Kubernetes, whose root filesystem is read-only) and /data (embedded PGlite, for a single container without
# PostgreSQL).
COPY --from=prod-deps /repo /app
COPY --from=builder /out/app /app
COPY deploy/docker/entrypoint.sh /usr/local/bin/monograph
RUN chmod 0755 /usr/local/bin/monograph && mkdir -p /data && chown 1000:1000 /data
USER 1000:1000
# The gateway's port and each domain's of the registry (npm run deploy:check holds this line to it).
EXPOSE 4000 4001 4002 4003 4004 4005
HEALTHCHECK --interval=10s --timeout=3s --start-period=120s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 4000) + '/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# THE COMMAND: deploy/docker/entrypoint.sh maps an app name (gateway, a domain, migrate) to its start command: plain node on the
# built entry point (a domain: the generic runner, run-domain.js <name>),
# with the condition that resolves every @monograph/* package to its dist/ (what `npm run start:prod` runs).
ENTRYPOINT ["/usr/local/bin/monograph"]
CMD ["gateway"]
