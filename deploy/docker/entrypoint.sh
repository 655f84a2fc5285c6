#!/bin/sh
# The start command of each Monograph process in the image (Dockerfile, deploy/compose.yaml, deploy/k8s): the one
# place to change when the production build lands.
#
# TODAY: TypeScript through tsx, because `npm run build` builds nothing yet. Issue 11, item 1 (production build)
# replaces RUN with plain `node` and each path with its built file, e.g.
#   RUN="node"; gateway) exec $RUN apps/gateway/dist/main.js
set -eu
RUN="node --import tsx"

app="${1:-gateway}"
[ "$#" -gt 0 ] && shift
case "$app" in
  # The gateway; with every <NAME>_SUBGRAPH_URL set it is the distributed shape's gateway (Kubernetes, compose).
  gateway) exec $RUN apps/gateway/src/main.ts "$@" ;;
  # Applies the committed migrations to DATABASE_URL (idempotent, under an advisory lock) and exits.
  migrate) exec $RUN prisma/migrate.ts "$@" ;;
  # Every subgraph as a child process of the gateway, in one container (a single VM without an orchestrator).
  gateway-distributed) exec $RUN apps/gateway/src/distributed-main.ts "$@" ;;
  # Any other name is a domain of the registry (packages/domains), served alone by the generic runner, which
  # refuses, with exit 64 and the list of domains, a name that is none.
  *) exec $RUN apps/gateway/src/run-domain.ts "$app" "$@" ;;
esac
