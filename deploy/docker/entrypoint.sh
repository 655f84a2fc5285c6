#!/bin/sh
# The start command of each Monograph process in the image (Dockerfile, deploy/compose.yaml, deploy/k8s): plain
# node on the built JavaScript (`npm run build`), the same commands as the root package.json's start:prod,
# start:distributed:prod and db:migrate:prod. --conditions=@monograph/dist resolves every @monograph/* package to
# its dist/ (without it they resolve to their TypeScript sources, which the image does not have): no tsx, no
# TypeScript in any process. The distributed launcher forks its subgraphs the same way (apps/gateway/src/distributed.ts).
set -eu
RUN="node --conditions=@monograph/dist"

app="${1:-gateway}"
[ "$#" -gt 0 ] && shift
case "$app" in
  # The gateway; with every <NAME>_SUBGRAPH_URL set it is the distributed shape's gateway (Kubernetes, compose).
  # glibc's malloc arenas bounded in every gateway process, as start:prod (ADR 18).
  gateway) MALLOC_ARENA_MAX="${MALLOC_ARENA_MAX:-2}" exec $RUN apps/gateway/dist/main.js "$@" ;;
  # Applies the committed migrations to DATABASE_URL (idempotent, under an advisory lock) and exits.
  migrate) exec $RUN apps/gateway/dist/migrate-main.js "$@" ;;
  # Every subgraph as a child process of the gateway, in one container (a single VM without an orchestrator).
  # Its heap sized for a gateway with every subgraph remote, as start:distributed:prod (ADR 18); its children are not.
  gateway-distributed) MALLOC_ARENA_MAX="${MALLOC_ARENA_MAX:-2}" exec $RUN --max-semi-space-size=4 --max-old-space-size=256 apps/gateway/dist/distributed-main.js "$@" ;;
  # Any other name is a domain of the registry (packages/domains), served alone by the generic runner, which
  # refuses, with exit 64 and the list of domains, a name that is none.
  *) exec $RUN apps/gateway/dist/run-domain.js "$app" "$@" ;;
esac
