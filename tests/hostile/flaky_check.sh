#!/usr/bin/env bash
# tests/hostile/flaky_check.sh [RUNS]: runs the whole `kata selftest` RUNS times in a row
# (default 20, or FLAKY_RUNS), keeps each check's verdict (ok or FAIL, under its kata), with
# timings, seeds and the stage's own wording aside, and prints how many runs had identical
# verdicts: the size of the largest group of runs that agree on every check. Each check that
# did not always get the same verdict is listed with its counts. Exit 0 when every run
# agreed, 1 when some did not, 3 when a selftest run could not be started.
#
# Environment: KATA_BIN (default build/bin/kata); FLAKY_OUT, where each run's output is kept
# (default build/flaky).
set -uo pipefail

cd "$(dirname "$0")/../.." || exit 3
runs=${1:-${FLAKY_RUNS:-20}}
kata_bin=${KATA_BIN:-build/bin/kata}
out=${FLAKY_OUT:-build/flaky}
[[ $runs =~ ^[1-9][0-9]*$ ]] || {
    echo "flaky-check: RUNS must be a positive number" >&2
    exit 2
}
[ -x "$kata_bin" ] || {
    echo "flaky-check: no harness at $kata_bin: run make first" >&2
    exit 3
}
mkdir -p "$out" || exit 3
rm -f "$out"/run-*.txt "$out"/verdicts-*.txt

# A selftest's output as one "kata | check | verdict" line per check. A check line is
# "  ok   what[: the stage's words] (1.2 s)" under a line naming the kata; what may hold a
# seed ("seed 1234"), which changes every run.
verdicts() { # output-file
    awk '
        /^[a-z0-9_]+$/ { kata = $0; next }
        /^  (ok  |FAIL) / {
            v = substr($0, 3, 4); sub(/ +$/, "", v)
            what = substr($0, 8)
            sub(/ \([0-9.]+ s\)$/, "", what)
            if (match(what, /^mutant .* rejected by [a-z]+( \(run [0-9]+ of [0-9]+\))?/))
                what = substr(what, 1, RLENGTH)
            else if ((i = index(what, ": ")) > 0) what = substr(what, 1, i - 1)
            gsub(/,? ?seed [0-9]+/, "", what)
            print kata " | " what " | " v
        }' "$1"
}

load() { cut -d' ' -f1 /proc/loadavg; }

echo "flaky-check: the whole selftest, $runs runs in a row (load $(load)); outputs in $out/"
start_all=$(date +%s)
for i in $(seq 1 "$runs"); do
    start=$(date +%s)
    "$kata_bin" selftest > "$out/run-$i.txt" 2>&1
    rc=$?
    verdicts "$out/run-$i.txt" > "$out/verdicts-$i.txt"
    n=$(wc -l < "$out/verdicts-$i.txt")
    fails=$(grep -c ' | FAIL$' "$out/verdicts-$i.txt")
    echo "  run $i of $runs: exit $rc, $n checks, $fails FAIL, $(($(date +%s) - start)) s, load $(load)"
    if [ "$n" = 0 ]; then
        echo "flaky-check: run $i reported no checks:" >&2
        tail -5 "$out/run-$i.txt" >&2
        exit 3
    fi
done

# group identical runs; the largest group is the figure
largest=0
for i in $(seq 1 "$runs"); do
    same=0
    for j in $(seq 1 "$runs"); do
        cmp -s "$out/verdicts-$i.txt" "$out/verdicts-$j.txt" && same=$((same + 1))
    done
    [ "$same" -gt "$largest" ] && largest=$same
done

# every check whose verdict was not the same in every run, with its counts
cat "$out"/verdicts-*.txt | sort | uniq -c |
    awk -v runs="$runs" '{
        n = $1; $1 = ""; sub(/^ /, "")
        k = $0; sub(/ \| [^|]*$/, "", k); v = $0; sub(/^.* \| /, "", v)
        count[k] = count[k] " " v " " n; total[k] += n
    } END {
        for (k in count) {
            t = count[k]
            if (split(t, parts, " ") > 2 || total[k] != runs)
                printf "  differs: %s:%s (of %d runs)\n", k, t, runs
        }
    }' | sort

echo "flaky-check: $largest of $runs runs had identical verdicts" \
    "($(wc -l < "$out/verdicts-1.txt") checks a run; $(($(date +%s) - start_all)) s in all; load now $(load))"
[ "$largest" = "$runs" ]
