#!/bin/sh
# python_vs_c.sh - each kata's Python program (the tutorial's approach) against the kata's C
# reference, on the same workload: a table.
#
# usage: sh bench/python_vs_c.sh [KATA...]        (make bench-python [KATAS="a b"])
#
# For every kata with a "python" section in its kata.json (or the ones named), in curriculum
# order, `kata run NAME --python --src solutions/NAME/NAME.c` times the reference's driver and
# the Python program in turn, 5 rounds after a warm-up, and this script gathers the medians:
# of the wall times, of the rounds' python / reference ratios, and of the ratios of their CPU
# times (which a machine busy with other programs disturbs far less than the wall times).
# The goals of issue 20 are checked, and shown, not enforced: on the CPU-bound katas the
# reference at least 20x ahead of Python, on the I/O-bound ones (those with a latency
# server) at most 10% behind it. Each kata's full output is in build/bench-python/NAME.txt.
# Needs only sh, awk and python3. Exits 0 when every kata was timed, 1 when a run failed, 3
# when the harness is missing.

set -u
kata=${KATA_BIN:-build/bin/kata}
out=build/bench-python
[ -x "$kata" ] || { echo "python_vs_c: no $kata: run \`make\` first" >&2; exit 3; }
command -v python3 >/dev/null || { echo "python_vs_c: no python3 on the PATH" >&2; exit 3; }
mkdir -p "$out" || exit 3

if [ $# -eq 0 ]; then
    set --
    for name in $("$kata" list --names); do
        grep -q '"python"' "katas/$name/kata.json" && set -- "$@" "$name"
    done
fi

status=0
printf '%-16s %-16s %10s %10s %8s %8s  %s\n' kata workload python reference ratio \
    "in CPU" "goal (the ratio of wall times)"
for name in "$@"; do
    "$kata" run "$name" --python --src "solutions/$name/$name.c" >"$out/$name.txt" 2>&1
    rc=$?
    if [ $rc -ne 0 ]; then
        printf '%-16s failed (exit %d): see %s/%s.txt\n' "$name" "$rc" "$out" "$name"
        status=1
        continue
    fi
    io=0
    grep -q '"server": *true' "katas/$name/kata.json" && io=1
    awk -v io="$io" '
        /beside Python: the same work/ {
            w = $0; sub(/.*the same work \(/, "", w); sub(/\).*/, "", w)
        }
        /^python\/reference: / {
            ratio = $5 + 0
            if (io) goal = ratio >= 1 / 1.1 ? "met: >= 0.91x (I/O)" : "MISSED: < 0.91x (I/O)"
            else goal = ratio >= 20 ? "met: >= 20x (CPU)" : "MISSED: < 20x (CPU)"
            printf "%-16s %-16s %8.3f s %8.3f s %7.2fx %7.2fx  %s\n", $2, w, $3, $4, ratio, \
                $6, goal
        }' "$out/$name.txt"
done
echo
echo "medians of 5 rounds each, run in turn after a warm-up, on $(nproc) cores;" \
    "load average before the last kata: $(cut -d' ' -f1-3 /proc/loadavg)"
exit $status
