#!/usr/bin/env bash
# HTTP load test: diglot's standalone server (JSON-RPC and XML-RPC) against a
# hand-written axum + serde_json handler (the ceiling) and jsonrpsee, all
# answering calc.add(1, 2). See README.md beside this file.
#
# Each server runs pinned to one core, wrk to another, over loopback, for a
# fixed time. Knobs (environment): DURATION (seconds, 10), WARMUP (seconds, 2),
# CONNECTIONS (32), ROUNDS (1; each case's median over the rounds is
# reported, and each ratio as the median of the rounds' ratios), RESULTS (a
# file to copy every round's figures to),
# PORT (18480), SERVER_CPU (0), LOAD_CPU (1), SERVERS ("diglot axum jsonrpsee").
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)

DURATION=${DURATION:-10}
WARMUP=${WARMUP:-2}
CONNECTIONS=${CONNECTIONS:-32}
ROUNDS=${ROUNDS:-1}
PORT=${PORT:-18480}
SERVER_CPU=${SERVER_CPU:-0}
LOAD_CPU=${LOAD_CPU:-1}
SERVERS=${SERVERS:-diglot axum jsonrpsee}

JSON_BODY='{"jsonrpc":"2.0","method":"calc.add","params":[1,2],"id":1}'
XML_BODY='<?xml version="1.0"?><methodCall><methodName>calc.add</methodName><params><param><value><int>1</int></value></param><param><value><int>2</int></value></param></params></methodCall>'

die() {
    echo "run.sh: $*" >&2
    exit 1
}

# --- tools ------------------------------------------------------------------
if ! command -v wrk >/dev/null; then
    echo "== installing wrk (Debian package)"
    if [ "$(id -u)" -eq 0 ]; then
        apt-get update -qq && apt-get install -y -qq wrk >/dev/null
    elif command -v sudo >/dev/null; then
        sudo apt-get update -qq && sudo apt-get install -y -qq wrk >/dev/null
    else
        die "wrk is missing; install it (apt-get install wrk)"
    fi
fi
for tool in taskset curl python3 cargo timeout; do
    command -v "$tool" >/dev/null || die "$tool is missing"
done
ncpu=$(nproc)
[ "$SERVER_CPU" -lt "$ncpu" ] && [ "$LOAD_CPU" -lt "$ncpu" ] ||
    die "needs CPUs $SERVER_CPU and $LOAD_CPU, this machine has $ncpu"

# --- build ------------------------------------------------------------------
echo "== building (release)"
(cd "$root" && cargo build --release --quiet -p diglot-examples --example http_load_server)
bin=${CARGO_TARGET_DIR:-$root/target}/release/examples/http_load_server
[ -x "$bin" ] || die "no server binary at $bin"

# --- server lifecycle -------------------------------------------------------
tmp=$(mktemp -d)
server_pid=
stop_server() {
    [ -n "$server_pid" ] || return 0
    kill -TERM "$server_pid" 2>/dev/null || true
    for _ in $(seq 50); do
        kill -0 "$server_pid" 2>/dev/null || break
        sleep 0.1
    done
    kill -KILL "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
    server_pid=
}
cleanup() {
    stop_server
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

url="http://127.0.0.1:$PORT/"

start_server() {
    local kind=$1
    if curl -s -o /dev/null --max-time 1 "$url"; then
        die "something already listens on port $PORT (set PORT=...)"
    fi
    taskset -c "$SERVER_CPU" "$bin" "$kind" "$PORT" >"$tmp/$kind.log" 2>&1 &
    server_pid=$!
    for _ in $(seq 100); do
        kill -0 "$server_pid" 2>/dev/null || {
            cat "$tmp/$kind.log" >&2
            die "$kind server exited at start"
        }
        curl -s -o /dev/null --max-time 1 "$url" && return 0
        sleep 0.1
    done
    die "$kind server did not answer on $url within 10 s"
}

# check PROTOCOL CONTENT_TYPE BODY: one call, must be 200 with 3 as its result.
check() {
    local protocol=$1 content_type=$2 body=$3 code
    code=$(curl -s --max-time 5 -o "$tmp/reply" -w '%{http_code}' \
        -H "Content-Type: $content_type" --data-binary "$body" "$url") || true
    [ "$code" = 200 ] || die "$protocol check: HTTP status $code, not 200: $(head -c 300 "$tmp/reply")"
    python3 - "$protocol" "$tmp/reply" <<'PY' || die "$protocol check: wrong reply: $(head -c 300 "$tmp/reply")"
import json, sys, xmlrpc.client
protocol, path = sys.argv[1], sys.argv[2]
data = open(path, "rb").read()
if protocol == "json-rpc":
    assert json.loads(data) == {"jsonrpc": "2.0", "result": 3, "id": 1}
else:
    assert xmlrpc.client.loads(data.decode()) == ((3,), None)
PY
}

# load NAME CONTENT_TYPE BODY SECONDS: one wrk run; prints its RESULT line.
load() {
    local name=$1 content_type=$2 body=$3 seconds=$4 out
    out="$tmp/$name.wrk"
    RPC_BODY=$body RPC_CONTENT_TYPE=$content_type \
        timeout $((seconds + 30)) taskset -c "$LOAD_CPU" \
        wrk -t1 -c"$CONNECTIONS" -d"${seconds}s" --latency -s "$here/post.lua" "$url" >"$out" 2>&1 ||
        die "wrk failed for $name: $(cat "$out")"
    grep '^RESULT ' "$out" || die "no RESULT from wrk for $name: $(cat "$out")"
}

# cpu_ticks: the server's user + system CPU time so far, in clock ticks.
cpu_ticks() {
    # Fields 14 and 15 of /proc/PID/stat, counted after the ")" that ends
    # the command name.
    sed 's/.*) //' "/proc/$server_pid/stat" | awk '{ print $12 + $13 }'
}

# measure CASE PROTOCOL CONTENT_TYPE BODY: check, warm up, measure; appends
# "case protocol rps p50 p99 cpu_us_per_request" to $tmp/results.
measure() {
    local case=$1 protocol=$2 content_type=$3 body=$4 line ticks_before ticks_after
    check "$protocol" "$content_type" "$body"
    load "$case-warmup" "$content_type" "$body" "$WARMUP" >/dev/null
    ticks_before=$(cpu_ticks)
    line=$(load "$case" "$content_type" "$body" "$DURATION") || exit 1
    ticks_after=$(cpu_ticks)
    # shellcheck disable=SC2086
    set -- $line
    local requests=${2#requests=} duration=${3#duration_us=} p50=${4#p50_us=} p99=${5#p99_us=} errors=0 field
    for field in "${@:6}"; do
        errors=$((errors + ${field#*=}))
    done
    [ "$errors" -eq 0 ] || die "$case: wrk saw $errors errors or non-2xx replies ($line)"
    local rps cpu busy ticks=$((ticks_after - ticks_before)) hz
    hz=$(getconf CLK_TCK)
    rps=$(awk -v r="$requests" -v d="$duration" 'BEGIN { printf "%.0f", r / (d / 1e6) }')
    cpu=$(awk -v t="$ticks" -v hz="$hz" -v r="$requests" 'BEGIN { printf "%.2f", t / hz * 1e6 / r }')
    busy=$(awk -v t="$ticks" -v hz="$hz" -v d="$duration" 'BEGIN { printf "%.0f", t / hz * 1e6 / d * 100 }')
    printf '  %-10s %-9s %8s req/s  p50 %5s us  p99 %6s us  server CPU %5s us/request, busy %3s%%\n' \
        "$case" "$protocol" "$rps" "$p50" "$p99" "$cpu" "$busy"
    echo "$case $protocol $rps $p50 $p99 $cpu $busy" >>"$tmp/results"
}

# --- the runs ---------------------------------------------------------------
echo "== machine: $(nproc) CPUs, $(lscpu | sed -n 's/^Model name: *//p' | head -1), $(rustc -V)"
echo "== load average before: $(cut -d' ' -f1-3 /proc/loadavg) (anything busy skews the figures)"
echo "== wrk -t1 -c$CONNECTIONS -d${DURATION}s (after ${WARMUP}s warm-up), server on CPU $SERVER_CPU, wrk on CPU $LOAD_CPU, $ROUNDS round(s)"
for round in $(seq "$ROUNDS"); do
    [ "$ROUNDS" -eq 1 ] || echo "-- round $round"
    for server in $SERVERS; do
        start_server "$server"
        case $server in
        diglot)
            measure diglot json-rpc application/json "$JSON_BODY"
            measure diglot xml-rpc text/xml "$XML_BODY"
            ;;
        axum) measure axum json-rpc application/json "$JSON_BODY" ;;
        jsonrpsee) measure jsonrpsee json-rpc application/json "$JSON_BODY" ;;
        *) die "unknown server $server" ;;
        esac
        stop_server
    done
done

# --- the table: the median of the rounds ------------------------------------
# Each column is the median over the rounds; each ratio is the median of the
# rounds' own ratios (the servers of one round ran back to back, so a busy
# spell on the machine slows both sides of a ratio alike).
echo
awk '
    { key = $1 " " $2; n[key]++; rows[key, n[key]] = $3 " " $4 " " $5 " " $6 " " $7
      if (!(key in seen)) { seen[key] = 1; order[++k] = key } }
    END {
        print "| server | protocol | requests/s | p50 latency | p99 latency | server CPU per request | server core busy |"
        print "|---|---|---:|---:|---:|---:|---:|"
        for (i = 1; i <= k; i++) {
            key = order[i]; m = n[key]
            for (c = 1; c <= 5; c++) {
                for (a = 1; a <= m; a++) { split(rows[key, a], f, " "); col[a] = f[c] + 0 }
                med[c] = median(col, m)
            }
            split(key, s, " ")
            printf "| %s | %s | %d | %.0f µs | %.0f µs | %.2f µs | %d%% |\n", s[1], s[2], med[1], med[2], med[3], med[4], med[5]
        }
        if (n["diglot json-rpc"] && (n["diglot xml-rpc"] || n["axum json-rpc"] || n["jsonrpsee json-rpc"])) {
            print ""
            print "| ratio (median of the rounds) | by requests/s | by server CPU per request | target |"
            print "|---|---:|---:|---|"
        }
        ratio("diglot JSON-RPC / axum ceiling", "diglot json-rpc", "axum json-rpc", 1.0)
        ratio("diglot JSON-RPC / jsonrpsee", "diglot json-rpc", "jsonrpsee json-rpc", 1.15)
        ratio("diglot XML-RPC / diglot JSON-RPC", "diglot xml-rpc", "diglot json-rpc", 0.95)
        print ""
        print "Server CPU per request is user + system time of the server process over the"
        print "measured run divided by the requests answered; it moves less than requests/s"
        print "when other processes share the cores. A server core busy well under 100%"
        print "means something else (another process, or the load generator) was the limit."
    }
    function median(v, m,    i, j, t) {
        for (i = 2; i <= m; i++) { t = v[i]; for (j = i - 1; j >= 1 && v[j] > t; j--) v[j + 1] = v[j]; v[j + 1] = t }
        return m % 2 ? v[(m + 1) / 2] : (v[m / 2] + v[m / 2 + 1]) / 2
    }
    # Per round: a / b by throughput, b / a by CPU time per request.
    function ratio(name, a, b, target,    m, r, by_rps, by_cpu, x, y) {
        m = n[a] < n[b] ? n[a] : n[b]
        if (m == 0) return
        for (r = 1; r <= m; r++) {
            split(rows[a, r], x, " "); split(rows[b, r], y, " ")
            by_rps[r] = x[1] / y[1]; by_cpu[r] = y[4] / x[4]
        }
        by_rps[0] = median(by_rps, m); by_cpu[0] = median(by_cpu, m)
        printf "| %s | %.3f | %.3f | ≥ %.2f %s |\n", name, by_rps[0], by_cpu[0], target, (by_rps[0] >= target ? "met" : "**missed**")
    }
' "$tmp/results"
# The rounds themselves, for charts (examples/charts/http_rounds.py draws them).
if [ -n "${RESULTS:-}" ]; then
    cp "$tmp/results" "$RESULTS"
    echo "== rounds written to $RESULTS (case protocol requests/s p50 p99 cpu busy)"
fi
