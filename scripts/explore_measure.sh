#!/bin/sh
# explore_measure.sh: how many schedules the explore stage needs to find each mutant of the
# katas it grades (median over 20 seeds, PCT and random walk apart), and what a correct answer
# costs. Builds as stages/stage.c does (the learner's file with gcc -fsanitize=thread -O0, the
# kata's explore.c and harness/runtime/explore.c at -O2, the pthread calls wrapped), outside
# the sandbox: a measurement for developers, never a grading.
#   scripts/explore_measure.sh [KATA...]     (default: every kata whose kata.json lists explore)
set -eu
cd "$(dirname "$0")/.."
out=$(mktemp -d /tmp/explore-measure-XXXXXX)
trap 'rm -rf "$out"' EXIT
# the linker flag the stage uses: the string literals of explore_wraps in stages/stage.c, joined
wraps=$(sed -n '/^const char explore_wraps\[\] =/,/;$/p' harness/stages/stage.c |
    grep -o '"[^"]*"' | tr -d '"\n')
katas=${*:-$(grep -l '"explore"' katas/*/kata.json | xargs -n1 dirname | xargs -n1 basename)}
SEEDS=${SEEDS:-20}
MAX=${MAX:-5000}

build() { # kata src name
    gcc -std=c11 -O0 -g -fsanitize=thread -w -I"katas/$1" -c "$2" -o "$out/$3.o"
    gcc -std=c11 -O2 -g -no-pie -w -I"katas/$1" -Iharness/runtime "tests/katas/$1/explore.c" \
        "$out/$3.o" harness/runtime/explore.c harness/runtime/explore_race.c "$wraps" -lpthread \
        -latomic -o "$out/$3"
}

median() { sort -n | awk '{v[NR]=$1} END {if (NR) print (NR%2 ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2); else print "-"}'; }

# schedules until found, for one binary and strategy, over SEEDS seeds ("miss" when a seed
# ran MAX schedules without finding it)
count() { # bin strategy
    misses=0
    for s in $(seq 1 "$SEEDS"); do
        line=$(KATA_SEED=$s KATA_EXPLORE_STRATEGY=$2 KATA_EXPLORE_MEASURE=1 \
            KATA_EXPLORE_MAX=$MAX KATA_EXPLORE_BUDGET_MS=600000 KATA_REPORT_FD=1 "$1" | head -2)
        n=$(echo "$line" | awk '/^explored/ {print $2}')
        if echo "$line" | grep -q '^verdict pass'; then misses=$((misses + 1)); else echo "$n"; fi
    done > "$out/counts"
    printf '%s' "$(median < "$out/counts")"
    [ "$misses" -eq 0 ] || printf ' (%d/%d seeds: not in %d)' "$misses" "$SEEDS" "$MAX"
}

for k in $katas; do
    echo "== $k"
    build "$k" "solutions/$k/$k.c" ref
    t0=$(date +%s.%N)
    res=$(KATA_SEED=1 KATA_EXPLORE_MAX=400 KATA_EXPLORE_BUDGET_MS=1000 KATA_REPORT_FD=1 "$out/ref" | head -1)
    t1=$(date +%s.%N)
    echo "reference: $res, $(echo "$t1 - $t0" | bc) s for the run (the stage's budget: 400 schedules or 1 s)"
    for p in tests/katas/"$k"/mutants/*.patch; do
        m=$(basename "$p" .patch)
        patch -s -o "$out/$m.c" "solutions/$k/$k.c" < "$p" > /dev/null 2>&1 || { echo "$m: does not apply"; continue; }
        build "$k" "$out/$m.c" "$m" 2> /dev/null || { echo "$m: does not build"; continue; }
        printf '%-40s pct %s; random %s\n' "$m" "$(count "$out/$m" pct)" "$(count "$out/$m" random)"
    done
done
