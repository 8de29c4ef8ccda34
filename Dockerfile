# mesh-bot runtime image: Node 24 LTS + the official istioctl binary.
# Build: docker build --build-arg ISTIO_VERSION=1.28.1 -t mesh-bot .
ARG ISTIO_VERSION=1.28.1
FROM docker.io/istio/istioctl:${ISTIO_VERSION} AS istioctl

FROM docker.io/library/node:24-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
# Production dependencies only; the `node` devDependency (Node 24 for npm scripts on older hosts) is not needed here.
RUN npm ci --omit=dev --ignore-scripts && npm cache clean --force

FROM docker.io/library/node:24-slim
WORKDIR /app
ENV NODE_ENV=production PORT=3000 ISTIOCTL=/usr/local/bin/istioctl
COPY --from=istioctl /usr/local/bin/istioctl /usr/local/bin/istioctl
COPY --from=deps /app/node_modules ./node_modules
COPY package.json ./
COPY bin ./bin
COPY src ./src
COPY commands ./commands
# The compile cache ships in the image: every pod starts with an empty /tmp (an emptyDir under a read-only root), so
# without it each start compiles every module again, about twice the time to /readyz (bench/RESULTS.md "start-up").
# Filled as the runtime user: Node names the cache's subdirectory after the uid, and reads it read-only at run time.
ENV NODE_COMPILE_CACHE=/app/.node-compile-cache
RUN mkdir .node-compile-cache && chown 10001:10001 .node-compile-cache
USER 10001:10001
RUN node src/warm-compile-cache.ts
EXPOSE 3000
# Node 24 runs the TypeScript sources directly (type stripping): no build step, the image runs what was tested.
CMD ["node", "src/main.ts"]
