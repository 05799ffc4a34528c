#!/bin/sh
# server_bench.sh - runs the latency server's two benchmarks, each judged against its limit.
#
# usage: sh bench/server_bench.sh [SERVER_BENCH [KATA_SERVE]]
#
# CLIENT=raw (default) or curl picks the benchmark's client (bench/raw_client.h says why).
# Each scenario runs RUNS times (default 5) with the server in the benchmark's
# own process and, when KATA_SERVE is given, again against a kata-serve in a
# process of its own, which is how the harness runs it (the learner's client is
# a child of the harness). The verdict is on the median; every run is shown.
# Exits 1 if a scenario fails its limit or a run fails, 0 otherwise.

set -u
bench=${1:-build/bin/server-bench}
serve=${2:-}
runs=${RUNS:-5}
# CLIENT=curl times libcurl's multi interface instead of the lean raw client (raw_client.h)
client=${CLIENT:-raw}
status=0
tmp=$(mktemp -d) || exit 3
serve_pid=

cleanup() {
    if [ -n "$serve_pid" ]; then
        kill "$serve_pid" 2>/dev/null
        wait "$serve_pid" 2>/dev/null
    fi
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 3' INT TERM

# scenario MODE REQUESTS DELAY_MS LIMIT_S [URL]
scenario() {
    mode=$1 n=$2 delay=$3 limit=$4 url=${5:-}
    bound=$(awk -v l="$limit" -v d="$delay" 'BEGIN { printf "%.2f", l * 1000 / d }')
    : >"$tmp/times"
    i=0
    while [ "$i" -lt "$runs" ]; do
        i=$((i + 1))
        if [ -n "$url" ]; then
            out=$("$bench" --requests "$n" --delay "$delay" --bound "$bound" --url "$url" \
                --client "$client")
        else
            out=$("$bench" --requests "$n" --delay "$delay" --bound "$bound" --client "$client")
        fi
        rc=$?
        echo "    $out"
        if [ "$rc" -ne 0 ]; then
            echo "    run $i failed (exit $rc)"
            status=1
        fi
        printf '%s\n' "$out" | sed -n 's/.* client: \([0-9.]*\) s.*/\1/p' >>"$tmp/times"
        # Let the last run's thousand connections finish closing before the next one starts.
        sleep 0.3
    done
    sort -n "$tmp/times" | awk -v mode="$mode" -v n="$n" -v d="$delay" -v l="$limit" '
        { t[NR] = $1 }
        END {
            if (NR == 0) {
                printf "FAIL %s, %d @ %d ms: no run reported a time\n", mode, n, d
                exit 1
            }
            med = t[int((NR + 1) / 2)]
            verdict = med < l ? "PASS" : "FAIL"
            printf "%s %s, %d requests @ %d ms: min %.3f s, median %.3f s (%.2f latencies), " \
                   "max %.3f s; limit %.3f s (%.2f latencies)\n",
                   verdict, mode, n, d, t[1], med, med * 1000 / d, t[NR], l, l * 1000 / d
            exit (verdict == "PASS" ? 0 : 1)
        }' || status=1
}

# Starts kata-serve on a port the kernel picks and sets $serve_url.
start_serve() {
    : >"$tmp/serve.out"
    "$serve" --port 0 >"$tmp/serve.out" 2>&1 &
    serve_pid=$!
    tries=0
    serve_url=
    while [ -z "$serve_url" ] && [ "$tries" -lt 50 ]; do
        serve_url=$(sed -n 's/^latency server listening on \(http:[^ ]*\).*/\1/p' "$tmp/serve.out")
        [ -n "$serve_url" ] || sleep 0.1
        tries=$((tries + 1))
    done
    if [ -z "$serve_url" ]; then
        echo "server_bench.sh: kata-serve did not start:" >&2
        cat "$tmp/serve.out" >&2
        return 1
    fi
}

echo "latency server benchmark, $runs runs per scenario, $client client ($(nproc) cores)"
echo "  server in the benchmark's process:"
scenario in-process 1000 150 0.26
scenario in-process 100 50 0.07
if [ -n "$serve" ]; then
    if start_serve; then
        echo "  server in a process of its own ($serve_url):"
        scenario separate 1000 150 0.26 "$serve_url"
        scenario separate 100 50 0.07 "$serve_url"
    else
        status=1
    fi
fi
exit "$status"
