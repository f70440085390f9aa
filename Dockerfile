# syntax=docker/dockerfile:1
# Multi-stage: build with the whole workspace, ship only the worker's built JavaScript and the
# production dependencies it loads, owned by root and read-only to the `node` user it runs as.
# No TypeScript, type declarations or source maps of dependencies in the image.
# NODE_IMAGE: Node 24 (the LTS line; Node 20 reached end of life). scripts/docker-smoke.sh passes
# a locally built stand-in with the same layout (node and npm in /usr/local/bin, user node, uid 1000).
ARG NODE_IMAGE=node:24-bookworm-slim
ARG PNPM_VERSION=12.4.2

FROM ${NODE_IMAGE} AS build
ARG PNPM_VERSION
# --allow-scripts: npm >= 11.21 runs no install script unless allowed, and pnpm's links its binary
# (older npm only warns that it does not know the option).
RUN npm install -g --allow-scripts=pnpm pnpm@${PNPM_VERSION}
WORKDIR /repo
# Manifests first so the dependency layer is reused while only sources change.
COPY package.json pnpm-lock.yaml pnpm-workspace.yaml .npmrc ./
# The fixes the postgres driver needs (pnpm-workspace.yaml patchedDependencies).
COPY patches patches
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
WORKDIR /out
# What the deploy brings that the running worker never loads:
# - typescript and @types/node (with undici-types): optional peers (of valibot and @bull-board/ui,
#   of sharp) that the lockfile resolves from the workspace root's devDependencies, and @types/node
#   a dependency of protobufjs for its typings: types only.
# - sharp and its libvips binaries (@img/*): a peer of Baileys, which imports it lazily
#   (`import('sharp').catch(() => {})`) only to make image thumbnails and profile pictures; the
#   worker sends text only.
# - type declarations, TypeScript sources (Node never loads .ts from node_modules) and source maps
#   of dependencies; the worker's own source maps stay, for whoever sets
#   NODE_OPTIONS=--enable-source-maps (the image leaves NODE_OPTIONS unset).
# - the demo and seed commands (`pnpm demo` / `pnpm db:seed` run them from a checkout).
# Then the links left dangling go; the build fails if any of it is still there or if a dependency
# of the worker no longer imports.
RUN rm -rf node_modules/.pnpm/typescript@* node_modules/.pnpm/@types+* node_modules/.pnpm/undici-types@* \
           node_modules/.pnpm/sharp@* node_modules/.pnpm/@img+* dist/demo \
 && find . -type f \( -name '*.d.ts' -o -name '*.d.mts' -o -name '*.d.cts' \) -delete \
 && find node_modules -type f \( -name '*.ts' -o -name '*.mts' -o -name '*.cts' -o -name '*.map' \) -delete \
 && find . -xtype l -delete && find . -type d -empty -delete \
 && chmod -R u+rwX,go+rX,go-w . \
 && if find node_modules -name typescript -o -name '@types' -o -name sharp | grep .; then \
      echo 'runtime image: the packages above should not be there' >&2; exit 1; fi \
 && node --input-type=module -e "for (const d of Object.keys(JSON.parse(process.argv[1]).dependencies)) await import(d)" \
      "$(cat package.json)"

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production
WORKDIR /app
# Owned by root (no --chown): the `node` user can read and run the application, not change it.
COPY --from=deploy /out ./
USER node
EXPOSE 3001
STOPSIGNAL SIGTERM
# Liveness, not readiness: an orchestrator that replaces unhealthy containers must not kill
# processes that only wait for Redis or Postgres to come back (/health/ready answers 503 then).
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||3001)+'/health/live').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
CMD ["node", "dist/main.js"]
