# syntax=docker/dockerfile:1
# Reply-All group texting: production image.
#   docker build -t reply-all .
#   docker run --env-file .env -e DATABASE_URL=postgresql://... -p 3000:3000 reply-all
# In containers, point DATABASE_URL at a PostgreSQL server (see docker-compose.yml). Without it the
# app starts embedded PostgreSQL under DATA_DIR (/app/data, owned by `node`; mount a volume there to
# keep it). PostgreSQL refuses to run as root, so this image runs as the unprivileged `node` user;
# see the README's Troubleshooting for embedded PostgreSQL as a non-root user.

# ---- build: install everything, generate the Prisma client, compile, drop dev dependencies ----
FROM node:22-bookworm-slim AS build
WORKDIR /app

# `npm ci` runs the project's postinstall (scripts/prisma-generate.mjs), which needs the schema,
# prisma.config.ts and the script itself; it sets PRISMA_SCHEMA_ENGINE_BINARY so generation stays
# offline. The generated client lands in src/generated/prisma.
COPY package.json package-lock.json prisma.config.ts ./
COPY scripts ./scripts
COPY prisma ./prisma
RUN npm ci --no-audit --no-fund

COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
# `prisma` stays (it is a production dependency); --ignore-scripts keeps prune from re-running hooks.
RUN npm run build \
 && npm prune --omit=dev --ignore-scripts --no-audit --no-fund \
 && npm cache clean --force

# ---- runtime ----
FROM node:22-bookworm-slim AS runtime
ENV NODE_ENV=production \
    PORT=3000 \
    DATA_DIR=/app/data
WORKDIR /app

COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
# Migrations are read at start from prisma/migrations (resolved relative to dist/db).
COPY --from=build /app/prisma ./prisma

# Embedded PostgreSQL's data (only used without DATABASE_URL) must be writable by the app user.
RUN mkdir -p /app/data && chown node:node /app/data
USER node

EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]

# The heap flags are package.json's config.node_flags (what `npm start` and the benchmarks use).
CMD ["node", "--max-old-space-size=128", "--max-semi-space-size=4", "--enable-source-maps", "dist/main.js"]
