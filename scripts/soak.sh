#!/usr/bin/env bash
# scripts/soak.sh [RUNS] [KATA...]: grades every reference solution and every good design
# (tests/katas/<name>/good/*.c) RUNS times in a row (default 10, or SOAK_RUNS), each with a
# fresh seed, and prints how many verdicts differed from the one each of them must get:
# every stage passed. A correct file that fails now and then is a flaky grader, which the
# self-test (one grading per file) rarely shows.
#
# A grading the harness could not finish (exit 3: above all a perf stage that found the
# machine too busy to time fairly) is counted apart, as "could not judge": it is not a
# verdict. Each differing grading's report is kept under SOAK_OUT (default build/soak).
#
# Exit: 0 when no verdict differed, 1 when one did, 2 on bad arguments, 3 when the harness is
# missing. Environment: KATA_BIN (default build/bin/kata).
set -uo pipefail

cd "$(dirname "$0")/.." || exit 3
runs=${1:-${SOAK_RUNS:-10}}
shift $(($# > 0 ? 1 : 0))
kata_bin=${KATA_BIN:-build/bin/kata}
out=${SOAK_OUT:-build/soak}
[[ $runs =~ ^[1-9][0-9]*$ ]] || {
    echo "soak: RUNS must be a positive number" >&2
    exit 2
}
[ -x "$kata_bin" ] || {
    echo "soak: no harness at $kata_bin: run make first" >&2
    exit 3
}
mkdir -p "$out" || exit 3
rm -f "$out"/*.txt

if [ $# -gt 0 ]; then
    katas=("$@")
else
    katas=()
    for d in solutions/*/; do katas+=("$(basename "$d")"); done
fi

load() { cut -d' ' -f1 /proc/loadavg; }

# The first line of the report that says why, for the summary.
why() { # report-file
    grep -m1 -E '^  [a-z]+ +(FAILED|ERROR) ' "$1" | sed -E 's/^  //; s/ +/ /g' | cut -c1-160
}

total=0 differed=0 unjudged=0
start_all=$(date +%s)
echo "soak: every reference and good design, $runs gradings each (load $(load)); reports of" \
    "differing gradings in $out/"
for k in "${katas[@]}"; do
    files=()
    [ -f "solutions/$k/$k.c" ] || {
        echo "soak: no kata $k" >&2
        exit 2
    }
    files+=("solutions/$k/$k.c")
    for g in tests/katas/"$k"/good/*.c; do
        [ -f "$g" ] && files+=("$g")
    done
    for f in "${files[@]}"; do
        passed=0 failed=0 errors=0
        start=$(date +%s)
        for i in $(seq 1 "$runs"); do
            report="$out/$k-$(basename "$f" .c)-$i.txt"
            NO_COLOR=1 "$kata_bin" run "$k" --src "$f" > "$report" 2>&1
            case $? in
            0) passed=$((passed + 1)); rm -f "$report" ;;
            1) failed=$((failed + 1)); echo "    $f, grading $i: $(why "$report")" ;;
            *) errors=$((errors + 1)); echo "    $f, grading $i, not judged: $(why "$report")" ;;
            esac
        done
        total=$((total + runs)) differed=$((differed + failed)) unjudged=$((unjudged + errors))
        printf '  %-4s %-60s %d passed, %d failed, %d not judged (%d s, load %s)\n' \
            "$([ "$failed" = 0 ] && echo ok || echo DIFF)" "$f" "$passed" "$failed" "$errors" \
            "$(($(date +%s) - start))" "$(load)"
    done
done
echo "soak: $differed of $total verdicts differed from \"passed\" ($unjudged gradings not" \
    "judged: the harness could not finish them), in $(($(date +%s) - start_all)) s"
[ "$differed" = 0 ]
