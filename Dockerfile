# syntax=docker/dockerfile:1
# Coffer server image: `docker compose build` (compose.yaml), or
#   docker build --build-arg VERSION=$(node -p "require('./package.json').version") --build-arg SOURCE=https://… -t coffer .
# Three stages: `deps` compiles the production dependencies (native addons: Reed-Solomon, zstd and
# Coffer's own storage-engine/native), `build` turns the TypeScript into JavaScript (the server
# bundle in dist/server, the web app in web/dist), and the last stage runs that JavaScript as an
# unprivileged user: no compiler, no dev dependencies and no tsx at run time.
ARG NODE_IMAGE=node:24-bookworm-slim

FROM ${NODE_IMAGE} AS toolchain
WORKDIR /app
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
COPY storage-engine/native storage-engine/native
# Every workspace listed in the root package.json's `workspaces` must be here, or npm ci fails.
COPY protocol/package.json protocol/package.json
COPY storage-engine/package.json storage-engine/package.json
COPY server/package.json server/package.json
COPY client/package.json client/package.json
COPY web/package.json web/package.json
COPY admin-ui/package.json admin-ui/package.json
COPY test-support/package.json test-support/package.json

FROM toolchain AS deps
RUN npm ci --omit=dev --no-audit --no-fund
# The native addons must have built (npm skips install scripts that allowScripts does not name).
RUN node -e "require('@ronomon/reed-solomon'); require('zstd-napi/binding'); require('@coffer/native')"

FROM toolchain AS build
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build

FROM ${NODE_IMAGE}
# compose.yaml passes these from .env (COFFER_VERSION, COFFER_SOURCE, COFFER_REVISION).
ARG VERSION=0.1.0
ARG SOURCE=local
ARG REVISION=unknown
LABEL org.opencontainers.image.title="Coffer" \
      org.opencontainers.image.description="Self-hosted drive: files, sync, WebDAV, sharing; erasure-coded, encrypted blocks on S3 nodes" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.source="${SOURCE}" \
      org.opencontainers.image.revision="${REVISION}"
# tini is PID 1: it forwards `docker stop`'s SIGTERM to node (which closes everything and exits
# on its own, main.ts) and reaps any orphan.
# postgresql-client-17 (PostgreSQL's own apt repository; Debian's is 15): `coffer-admin backup`
# runs pg_dump, which must be as new as compose's PostgreSQL 17.
RUN apt-get update && apt-get install -y --no-install-recommends tini ca-certificates curl \
 && install -d /usr/share/postgresql-common/pgdg \
 && curl -fsSL -o /usr/share/postgresql-common/pgdg/apt.postgresql.org.asc https://www.postgresql.org/media/keys/ACCC4CF8.asc \
 && echo "deb [signed-by=/usr/share/postgresql-common/pgdg/apt.postgresql.org.asc] https://apt.postgresql.org/pub/repos/apt bookworm-pgdg main" > /etc/apt/sources.list.d/pgdg.list \
 && apt-get update && apt-get install -y --no-install-recommends postgresql-client-17 \
 && apt-get purge -y curl && rm -rf /var/lib/apt/lists/*
# `docker compose exec coffer1 coffer-admin …` (server/src/admin-cli, compiled by npm run build).
RUN printf '#!/bin/sh\nexec node --enable-source-maps /app/dist/server/coffer-admin.js "$@"\n' > /usr/local/bin/coffer-admin && chmod 755 /usr/local/bin/coffer-admin
WORKDIR /app
ENV NODE_ENV=production COFFER_DATA_DIR=/data COFFER_HOST=0.0.0.0 COFFER_PORT=8443
COPY package.json ./
COPY --from=deps /app/node_modules node_modules
COPY --from=deps /app/storage-engine/native storage-engine/native
COPY --from=build /app/dist dist
COPY --from=build /app/web/dist web/dist
COPY --from=build /app/admin-ui/dist admin-ui/dist
COPY server/drizzle server/drizzle
COPY storage-engine/src/nodes/fs-write-worker.mjs storage-engine/src/nodes/fs-write-worker.mjs
COPY scripts/healthcheck.mjs scripts/healthcheck.mjs
# The node image's unprivileged user (uid 1000) owns only the data directory; the code is read-only to it.
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME /data
EXPOSE 8443
# Follows the configured protocol (COFFER_PLAIN_HTTP) and asks /readyz (database and nodes).
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 CMD ["node", "scripts/healthcheck.mjs"]
ENTRYPOINT ["/usr/bin/tini", "--"]
# glibc's malloc otherwise raises its mmap threshold after the first large buffer is freed, and
# later block-sized buffers come from the main heap, which never shrinks back: it grew to ~127 MiB
# in a 256 MiB upload and download; with a fixed threshold, ~60 (server/README.md, "Memory").
ENV MALLOC_MMAP_THRESHOLD_=131072
# Node 24's V8 sizes the young generation by the heap limit (~300 MiB resident at idle); 4 MiB
# semi-spaces and a heap grown by 30 % past what survived each full collection (V8 lets it grow
# 2x or more on small heaps) keep the V8 heap ~60 MiB smaller under load, for ~10 % more server
# CPU (bench:tree: peak 367 -> 289 MiB embedded; server/README.md, "Memory").
# --liftoff-only: the embedded database's wasm is never recompiled by TurboFan, whose tier-up
# alone took ~500 MiB at its peak (server/README.md, "Memory"); no wasm runs on PostgreSQL.
# --initial-old-space-size=32: the compiled server's boot left ~170 MiB of garbage before V8's first
# full collection, and ~60 MiB more resident ever after (idle 286 -> 228 MiB embedded, 224 -> 165 on PostgreSQL).
CMD ["node", "--max-semi-space-size=4", "--heap-growing-percent=30", "--liftoff-only", "--initial-old-space-size=32", "--enable-source-maps", "dist/server/main.js"]
