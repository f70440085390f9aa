# syntax=docker/dockerfile:1
# Multi-stage: build with the whole workspace, ship only the worker's built JavaScript and its
# production dependencies, run as the unprivileged `node` user. No TypeScript runtime in the image.
ARG NODE_IMAGE=node:20-bookworm-slim
ARG PNPM_VERSION=12.4.2

FROM ${NODE_IMAGE} AS build
ARG PNPM_VERSION
RUN npm install -g pnpm@${PNPM_VERSION}
WORKDIR /repo
# Manifests first so the dependency layer is reused while only sources change.
COPY package.json pnpm-lock.yaml pnpm-workspace.yaml .npmrc ./
COPY apps/worker/package.json apps/worker/
COPY packages/core/package.json packages/core/
COPY packages/testkit/package.json packages/testkit/
COPY bench/package.json bench/
RUN pnpm install --frozen-lockfile
COPY tsconfig.base.json turbo.json ./
COPY supabase supabase
COPY scripts scripts
COPY packages packages
COPY apps apps
RUN pnpm turbo run build --filter=@auto-prospect/worker...

# A self-contained copy of the worker: dist + production node_modules (core included, built).
# Its own stage: after a deploy pnpm re-installs the workspace without dev dependencies, and the
# `build` stage must keep them (docker-compose's `migrate` service runs the Supabase CLI there).
FROM build AS deploy
RUN pnpm --filter=@auto-prospect/worker deploy --prod --legacy /out

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY --from=deploy --chown=node:node /out ./
USER node
EXPOSE 3001
STOPSIGNAL SIGTERM
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||3001)+'/health/live').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
CMD ["node", "dist/main.js"]
