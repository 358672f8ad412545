# syntax=docker/dockerfile:1
# Braid runtime image: the API, the built editor and (optionally) the sandbox. Needs an external PostgreSQL
# (DATABASE_URL); see docker-compose.yml.

FROM node:24-slim AS build
RUN npm install -g pnpm@10.34.9
WORKDIR /app
COPY . .
RUN pnpm install --frozen-lockfile \
 && pnpm build \
 # keep only production dependencies for the final image
 && pnpm install --frozen-lockfile --prod --config.confirmModulesPurge=false

FROM node:24-slim
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000 \
    BRAID_DATA_DIR=/data \
    BRAID_SANDBOX=off
WORKDIR /app
COPY --from=build --chown=node:node /app /app
RUN mkdir -p /data && chown node:node /data
USER node
EXPOSE 3000
VOLUME ["/data"]
HEALTHCHECK --interval=15s --timeout=3s --start-period=30s \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
CMD ["node", "apps/runtime/dist/main.js"]
