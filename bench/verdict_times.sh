#!/usr/bin/env bash
# verdict_times.sh: how long a learner waits for a verdict, kata by kata: the reference
# graded warm (its builds cached by a first grading), and a hanging answer graded once
# (its builds cold, as a learner's fresh mistake is).
#
# Usage: bench/verdict_times.sh [NAME...]     (what `make bench-verdicts` runs; all katas
#                                              without names)
#        IN_TURN=1 bench/verdict_times.sh ...  also the reference with its stages in turn
#                                              (KATA_JOBS=1), graded right after, so that a
#                                              busy machine weighs on both alike
# The goals (issue 17): a warm verdict of correct code under 3 s, any verdict under 15 s.
# Prints a table and exits 0; a goal missed is marked "over", not an error: timings on a
# loaded machine are evidence, not a test.
#
# The hanging answers are made here from each reference by one macro inserted after its
# last #include (so they follow the reference as it changes): a join that never returns, a
# wakeup that is never sent, a wait on a child that never comes back.
set -u
cd "$(dirname "$0")/.." || exit 3

KATA_BIN=${KATA_BIN:-build/bin/kata}
WORK=build/bench/hangs
export NO_COLOR=1

# The one macro that makes each kata's reference hang.
hang_macro() {
    case "$1" in
        producer_consumer | thread_pool)
            # a lost wakeup: waiters are never woken
            echo '#define pthread_cond_signal(c) ((void)(c), 0)'
            echo '#define pthread_cond_broadcast(c) ((void)(c), 0)' ;;
        pipe_messages | process_memory | process_pool)
            echo '#define waitpid(p, s, o) ((void)(p), (void)(s), (void)(o), pause(), (pid_t)-1)' ;;
        event_loop)
            echo '#define clock_nanosleep(c, f, a, b) ((void)(c), (void)(f), (void)(a), (void)(b), pause(), 0)' ;;
        async_download)
            echo '#define curl_multi_poll(m, e, n, t, r) ((void)(m), (void)(e), (void)(n), (void)(t), (void)(r), pause(), CURLM_OK)' ;;
        *)
            # the thread katas: main waits forever for a thread that has long finished
            echo '#define pthread_join(t, r) ((void)(t), (void)(r), pause(), 0)' ;;
    esac
}

make_hang() {
    local name=$1 out=$WORK/$1.c
    mkdir -p "$WORK"
    awk -v macro="$(printf '#include <unistd.h>\n%s' "$(hang_macro "$name")")" '
        { lines[NR] = $0; if ($0 ~ /^#include/) last = NR }
        END { for (i = 1; i <= NR; i++) { print lines[i]; if (i == last) print macro } }
    ' "solutions/$name/$name.c" >"$out"
    echo "$out"
}

# Grades $2 against kata $1; prints "<seconds> <exit code> <stage:status:seconds,...>".
grade() {
    local name=$1 src=$2 out t0 t1 rc
    out=$(mktemp)
    t0=$(date +%s.%N)
    "$KATA_BIN" run "$name" --src "$src" --format text >"$out" 2>&1
    rc=$?
    t1=$(date +%s.%N)
    local stages
    stages=$(awk '/^  [a-z]+ +(passed|FAILED|skipped|ERROR) +[0-9.]+s/ {
                      printf "%s%s:%s:%s", sep, $1, $2, $3; sep = "," }' "$out")
    rm -f "$out"
    printf '%.1f %d %s\n' "$(echo "$t1 - $t0" | bc)" "$rc" "${stages:--}"
}

slowest() {
    echo "$1" | tr ',' '\n' | awk -F: '{ s = $3; sub(/s$/, "", s); if (s + 0 >= best) { best = s + 0; n = $1 } }
                                      END { if (n != "") printf "%s %.1fs", n, best; else print "-" }'
}

names=("$@")
if [[ ${#names[@]} -eq 0 ]]; then
    mapfile -t names < <("$KATA_BIN" list --names)
fi

echo "verdict times on $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), $(date -u +%FT%TZ)"
echo "goals: reference (warm) < 3 s, any verdict < 15 s"
echo
if [[ ${IN_TURN:-0} == 1 ]]; then
    printf '%-18s %9s %9s %-18s %9s %-18s %s\n' kata reference "in turn" "slowest stage" hang \
        "slowest stage" "hang verdict"
else
    printf '%-18s %9s %-18s %9s %-18s %s\n' kata reference "slowest stage" hang "slowest stage" \
        "hang verdict"
fi
over=0
for n in "${names[@]}"; do
    ref=solutions/$n/$n.c
    grade "$n" "$ref" >/dev/null # fills the compile cache
    read -r rt rrc rstages < <(grade "$n" "$ref")
    turn=""
    if [[ ${IN_TURN:-0} == 1 ]]; then
        read -r tt _ _ < <(KATA_JOBS=1 grade "$n" "$ref")
        turn=$(printf ' %8ss' "$tt")
    fi
    hang=$(make_hang "$n")
    read -r ht hrc hstages < <(grade "$n" "$hang")
    first=$(echo "$hstages" | tr ',' '\n' | awk -F: '$2 != "passed" { print $1 " " $2; exit }')
    mark_r=""; mark_h=""
    [[ $rrc -ne 0 ]] && mark_r="!"
    [[ $hrc -ne 1 ]] && mark_h="!"
    awk -v t="$rt" 'BEGIN { exit !(t >= 3) }' && mark_r="${mark_r}*" && over=$((over + 1))
    awk -v t="$ht" 'BEGIN { exit !(t >= 15) }' && mark_h="${mark_h}*" && over=$((over + 1))
    printf '%-18s %8ss%-1s%s %-18s %8ss%-1s %-18s %s\n' "$n" "$rt" "$mark_r" "$turn" "$(slowest "$rstages")" \
        "$ht" "$mark_h" "$(slowest "$hstages")" "${first:-none failed}"
done
echo
echo "*: over its goal ($over); !: the reference did not pass, or the hang was not a failed verdict"
