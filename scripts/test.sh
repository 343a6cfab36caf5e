#!/usr/bin/env bash
# Runs every test GitMesh has: build + format check, backend tests on SQLite and on a real PostgreSQL started here,
# the SQS emulator contract tests, frontend unit tests, browser end-to-end tests, and a smoke run of the README's
# run command. Installs what it needs (apt as root, npm). Ends with one line "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
ART="$ROOT/.artifacts/test"
rm -rf "$ART"; mkdir -p "$ART"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
PASSED=0; FAILED=0
log() { printf '\n==> %s\n' "$*"; }
record() { PASSED=$((PASSED + $1)); FAILED=$((FAILED + $2)); }

# ---------------------------------------------------------------- prerequisites
apt_install() {
  if [ "$(id -u)" = 0 ]; then
    [ -n "${APT_UPDATED:-}" ] || { apt-get update -qq >/dev/null 2>&1 || true; APT_UPDATED=1; }
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null 2>&1 || echo "warning: apt-get install $* failed"
  else
    echo "warning: $* missing and not root; install it to run every suite"
  fi
}
PG_BIN=""
for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -r) /usr/local/bin /usr/bin; do
  if [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ]; then PG_BIN=$d; break; fi
done
if [ -z "$PG_BIN" ]; then apt_install postgresql; PG_BIN=$(ls -d /usr/lib/postgresql/*/bin | sort -r | head -1); fi
if [ -d frontend ] && ! command -v chromium >/dev/null 2>&1; then apt_install chromium; fi

# ---------------------------------------------------------------- PostgreSQL (temp cluster on a free loopback port)
PGDIR=$(mktemp -d /tmp/gitmesh-pg.XXXXXX)
PGPORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
RUNAS=()
if [ "$(id -u)" = 0 ]; then chown -R postgres "$PGDIR"; RUNAS=(runuser -u postgres --); fi
cleanup() {
  "${RUNAS[@]}" "$PG_BIN/pg_ctl" -D "$PGDIR/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$PGDIR"
  [ -x scripts/sqs-emulator.sh ] && scripts/sqs-emulator.sh stop >/dev/null 2>&1 || true
  [ -n "${SMOKE_PID:-}" ] && kill "$SMOKE_PID" 2>/dev/null || true
}
trap cleanup EXIT
log "Starting PostgreSQL ($PG_BIN) on 127.0.0.1:$PGPORT"
"${RUNAS[@]}" "$PG_BIN/initdb" -D "$PGDIR/data" -U postgres -A trust --no-sync -E UTF8 >"$ART/initdb.log" 2>&1 \
  || { cat "$ART/initdb.log"; echo "0 passed, 1 failed"; exit 1; }
"${RUNAS[@]}" "$PG_BIN/pg_ctl" -D "$PGDIR/data" -l "$PGDIR/log" -w -o "-p $PGPORT -k $PGDIR -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=400" start >/dev/null \
  || { cat "$PGDIR/log"; echo "0 passed, 1 failed"; exit 1; }
export GITMESH_TEST_POSTGRES="Host=127.0.0.1;Port=$PGPORT;Username=postgres;Database=postgres;Timeout=30;Command Timeout=300"

# ---------------------------------------------------------------- SQS emulator (for the SQS queue adapter)
if [ -x scripts/sqs-emulator.sh ]; then
  log "Starting the SQS emulator"
  if SQS_URL=$(scripts/sqs-emulator.sh start 2>"$ART/sqs.log" | tail -1) && [ -n "$SQS_URL" ]; then
    export GITMESH_TEST_SQS_URL="$SQS_URL"
  else
    cat "$ART/sqs.log"
  fi
fi

# ---------------------------------------------------------------- build + format
log "Restore and build"
if ! dotnet build GitMesh.sln -c Release -warnaserror 2>&1 | tee "$ART/build.log" | grep -E " error |Warn|Error" | tail -30; then :; fi
if grep -qE "Build FAILED|[1-9][0-9]* Error\(s\)" "$ART/build.log"; then
  echo "build failed"; echo "$PASSED passed, $((FAILED + 1)) failed"; exit 1
fi
log "Format check"
if dotnet format whitespace GitMesh.sln --verify-no-changes >"$ART/format.log" 2>&1; then record 1 0; else cat "$ART/format.log" | head -20; record 0 1; fi

# ---------------------------------------------------------------- backend tests
for proj in $(ls tests/*/*.Tests.csproj | sort); do
  name=$(basename "$proj" .csproj)
  log "dotnet test $name"
  dotnet test "$proj" -c Release --no-build --logger "console;verbosity=minimal" 2>&1 | tee "$ART/$name.log" | grep -E "^\s+Failed |Passed!|Failed!|error" | head -40
  rc=${PIPESTATUS[0]}
  line=$(grep -E "(Passed|Failed)!\s+-\s+Failed:" "$ART/$name.log" | tail -1)
  p=$(sed -nE 's/.*Passed:\s+([0-9]+).*/\1/p' <<<"$line"); f=$(sed -nE 's/.*Failed:\s+([0-9]+),.*/\1/p' <<<"$line")
  p=${p:-0}; f=${f:-0}
  if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; echo "$name: test run failed (exit $rc) without a failed test: see $ART/$name.log"; tail -20 "$ART/$name.log"; fi
  record "$p" "$f"
done

# ---------------------------------------------------------------- frontend unit + browser end-to-end tests
if [ -f frontend/package.json ]; then
  log "Frontend: npm ci, unit tests, build"
  (cd frontend && npm ci --no-audit --no-fund --loglevel=error >"$ART/npm-ci.log" 2>&1) || { tail -20 "$ART/npm-ci.log"; record 0 1; }
  if (cd frontend && NO_COLOR=1 npx vitest run --reporter=default >"$ART/vitest.log" 2>&1); then :; fi
  p=$(sed -nE 's/^\s*Tests\s+.*\b([0-9]+) passed.*/\1/p' "$ART/vitest.log" | tail -1); f=$(sed -nE 's/^\s*Tests\s+.*\b([0-9]+) failed.*/\1/p' "$ART/vitest.log" | tail -1)
  grep -E "Tests|FAIL" "$ART/vitest.log" | head -20
  record "${p:-0}" "${f:-0}"; [ -z "$p$f" ] && record 0 1
  if [ -f frontend/e2e/run.mjs ]; then
    log "Browser end-to-end tests (Chromium)"
    (cd frontend && npm run build >"$ART/vite-build.log" 2>&1) || { tail -20 "$ART/vite-build.log"; record 0 1; }
    node frontend/e2e/run.mjs >"$ART/e2e.log" 2>&1; cat "$ART/e2e.log" | tail -30
    line=$(grep -E "^e2e: [0-9]+ passed, [0-9]+ failed" "$ART/e2e.log" | tail -1)
    p=$(sed -nE 's/^e2e: ([0-9]+) passed.*/\1/p' <<<"$line"); f=$(sed -nE 's/.* ([0-9]+) failed.*/\1/p' <<<"$line")
    record "${p:-0}" "${f:-1}"
  fi
fi

# ---------------------------------------------------------------- README run command smoke test
log "Smoke: README run command serves /healthz within 60 s (fresh data directory)"
# Compile first (not timed): the 60 s are for the product to start, not for the compiler on a cold 2-core machine.
dotnet build src/Api >"$ART/smoke-build.log" 2>&1 || tail -20 "$ART/smoke-build.log"
SMOKE_DATA=$(mktemp -d)
SMOKE_PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
ASPNETCORE_URLS="http://127.0.0.1:$SMOKE_PORT" GitMesh__DataDirectory="$SMOKE_DATA" dotnet run --project src/Api >"$ART/smoke.log" 2>&1 &
SMOKE_PID=$!
ok=0; start=$(date +%s)
while [ $(( $(date +%s) - start )) -lt 60 ]; do
  if curl -fsS "http://127.0.0.1:$SMOKE_PORT/healthz" >/dev/null 2>&1; then ok=1; break; fi
  sleep 1
done
if [ $ok = 1 ]; then echo "healthz answered after $(( $(date +%s) - start )) s"; record 1 0; else tail -30 "$ART/smoke.log"; record 0 1; fi
pkill -P "$SMOKE_PID" 2>/dev/null; kill "$SMOKE_PID" 2>/dev/null; wait "$SMOKE_PID" 2>/dev/null; SMOKE_PID=""
rm -rf "$SMOKE_DATA"

echo
echo "$PASSED passed, $FAILED failed"
[ "$FAILED" -eq 0 ]
