# Coffer server image. Native addons (Reed-Solomon, zstd, and Coffer's own in
# storage-engine/native) are compiled in the build stage.
FROM node:24-bookworm-slim AS build
WORKDIR /app
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
COPY storage-engine/native storage-engine/native
# Workspace packages: npm ci links them (their sources come with `COPY . .`); every one listed
# in the root package.json's `workspaces` must be here, or npm ci fails.
COPY protocol/package.json protocol/package.json
COPY storage-engine/package.json storage-engine/package.json
COPY server/package.json server/package.json
COPY client/package.json client/package.json
COPY web/package.json web/package.json
COPY admin-ui/package.json admin-ui/package.json
COPY test-support/package.json test-support/package.json
RUN npm ci --omit=dev --no-audit --no-fund
COPY . .

FROM node:24-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production COFFER_DATA_DIR=/data COFFER_PORT=8443
COPY --from=build /app /app
VOLUME /data
EXPOSE 8443
HEALTHCHECK --interval=30s --timeout=5s CMD node -e "require('https').get({host:'127.0.0.1',port:process.env.COFFER_PORT,path:'/healthz',rejectUnauthorized:false},r=>process.exit(r.statusCode===200?0:1)).on('error',()=>process.exit(1))"
CMD ["npx", "tsx", "server/src/main.ts"]
