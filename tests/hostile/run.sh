#!/usr/bin/env bash
# tests/hostile/run.sh: grade each hostile program (tests/hostile/*.c) as a learner's file and
# check the verdict its header promises, that the run ended in time, that it left no process
# behind, that the protected files are untouched, and that the reference still passes.
#
#   tests/hostile/run.sh [PROGRAM...]     names (deadlock) or paths; default: all of them
#
# Environment:
#   KATA_BIN      the harness (default build/bin/kata)
#   HOSTILE_JOBS  programs graded side by side (default 2); programs marked `solo:` run alone
#   HOSTILE_REF   each (default): the reference's test stage after every program, and every
#                 stage of it after the suite; end: only after the suite; none: never
#   V=1           also print the verdict of a failed expectation in full
#   HOSTILE_KEEP=1  keep the folder of verdicts and logs (kept anyway when a check failed)
#
# A program's header (the grammar: tests/EXPECTATIONS.md), checked by `kata expect`:
#   expect: stage=test status=fail first text="did not finish"
#                                                that stage fails, first; its message holds
#   expect: stage=test status=fail match="thread [0-9]+"
#                                                an extended regular expression; @name@ is
#                                                the line marked /* @name@ */
#   expect: status=fail                          the whole verdict, and the harness's exit code
#   expect: absent="root:"                       the text appears nowhere in the verdict
# and the suite's own keys:
#   limit: 9                                     seconds the whole run may take
#   kata: spawn_join                             the kata it is graded against (race_counter)
#   solo: why                                    run it with no other program beside it
#   needs: root why                              skipped unless the harness runs as root
#   after: wrong                                 then grade tests/hostile/wrong/<kata>.c: the
#                                                tests must still reject it
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
cd "$root" || exit 3
kata_bin=${KATA_BIN:-build/bin/kata}
jobs=${HOSTILE_JOBS:-2}
ref_mode=${HOSTILE_REF:-each}
verbose=${V:-0}
case $ref_mode in each | end | none) ;; *)
    echo "HOSTILE_REF is each, end or none" >&2
    exit 2
    ;;
esac
[[ $jobs =~ ^[1-9][0-9]*$ ]] || {
    echo "HOSTILE_JOBS must be a positive number" >&2
    exit 2
}
[ -x "$kata_bin" ] || {
    echo "no harness at $kata_bin: run make first" >&2
    exit 3
}
command -v jq > /dev/null || {
    echo "run.sh needs jq (apt-get install jq)" >&2
    exit 3
}

work=$(mktemp -d "${TMPDIR:-/tmp}/hostile.XXXXXX")
# On the way out (Ctrl-C included) end the gradings still running: the harness runs in a
# session of its own, out of reach of the terminal's signals. Only pids the suite started.
cleanup() {
    local f pid
    for f in "$work"/*.pid; do
        [ -f "$f" ] || continue
        pid=$(cat "$f")
        kill -TERM "$pid" 2> /dev/null
    done
    mapfile -t pids < <(jobs -p)
    [ "${#pids[@]}" -gt 0 ] && kill "${pids[@]}" 2> /dev/null
    sleep 0.2
    if [ "${HOSTILE_KEEP:-0}" = 1 ] || [ -e "$work/.keep" ]; then
        echo "hostile: verdicts and logs kept in $work"
    else
        rm -rf "$work"
    fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }
# `over A B`: is A greater than B (decimals)?
over() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a > b) }'; }

# Every live process that belongs to one grading: any uid the harness gave its learner code
# (100000 + its pid), its session (it runs under setsid), or the tag in its environment.
# Zombies are not counted: the kernel reaps them with their parent.
members() { # harness-pid tag
    local hpid=$1 tag=$2 sandbox_uid=$((100000 + $1))
    {
        ps -e -o pid=,uid=,sid=,stat= 2> /dev/null |
            awk -v u="$sandbox_uid" -v s="$hpid" '$4 !~ /^Z/ && ($2 == u || $3 == s) { print $1 }'
        grep -lsz -x "HOSTILE_TAG=$tag" /proc/[0-9]*/environ 2> /dev/null |
            sed -n 's|^/proc/\([0-9]*\)/environ$|\1|p'
    } | sort -un | while read -r pid; do
        # a process that is gone by now, or a zombie, is not left behind
        state=$(awk '{ sub(/^.*\) /, ""); print substr($0, 1, 1) }' "/proc/$pid/stat" 2> /dev/null)
        [ -n "$state" ] && [ "$state" != Z ] && echo "$pid"
    done
}

# Processes of a sandbox user (uid 100000 + a harness's pid) whose harness is gone, for the
# harnesses this suite started (their pids are in $work/harness.pids): leaked by one of its
# gradings. Another suite's are not ours to count: `make test` runs the ordinary user's
# suite beside root's, and a harness of root's that has just ended leaves its sandbox's
# processes dying for a moment, which the other suite counted as left behind.
orphaned_sandbox() {
    ps -e -o pid=,uid=,stat= 2> /dev/null | awk '$2 >= 100000 && $3 !~ /^Z/ { print $1, $2 - 100000 }' |
        while read -r pid harness; do
            [ -d "/proc/$harness" ] || ! grep -qx "$harness" "$work/harness.pids" 2> /dev/null ||
                echo "$pid"
        done
}

# Ends what a grading left: stops each process first (a stopped process forks no more, so a
# fork storm cannot outrun the list), again until none runs, then kills them one by one.
end_all() { # harness-pid tag
    local pids round
    for round in 1 2 3 4 5 6 7 8 9 10; do
        pids=$(members "$1" "$2")
        [ -n "$pids" ] || return 0
        # shellcheck disable=SC2086 # one pid a word
        kill -STOP $pids 2> /dev/null
        [ "$round" -lt 3 ] && continue
        # shellcheck disable=SC2086
        kill -KILL $pids 2> /dev/null
        sleep 0.1
    done
}

# The files a hostile program must not change: the kata's side, its tests, its reference
# (and this suite): their SHA-256, and what git says of them (a new file shows there).
protected_sums() { # kata
    find "katas/$1" "tests/katas/$1" "solutions/$1" tests/hostile -type f -print0 2> /dev/null |
        sort -z | xargs -0 sha256sum 2> /dev/null
    git status --porcelain --untracked-files=all -- "katas/$1" "tests/katas/$1" "solutions/$1" \
        tests/hostile 2> /dev/null
}

# What a grading may leave on the machine outside its work folder, that the hostile programs
# name on purpose: SysV objects with the key 0x6b617461 ("kata"), files called
# leftover-kata-hostile-* in /tmp, /var/tmp and /dev/shm (every sandbox has its own), and
# the folders tmp_squat puts where Criterion's sockets go (they would fail every later
# grading on this machine, other people's too).
leftovers() {
    {
        ipcs -m 2> /dev/null | awk '$1 == "0x6b617461" { print "SysV shared memory " $2 }'
        ipcs -s 2> /dev/null | awk '$1 == "0x6b617461" { print "SysV semaphores " $2 }'
        find /tmp /var/tmp /dev/shm -maxdepth 1 -name 'leftover-kata-hostile*' 2> /dev/null
        # tmp_squat's squats: a folder nobody may enter where Criterion puts its socket
        find /tmp -maxdepth 1 -name 'criterion_*.sock' -type d -perm 000 2> /dev/null | head -3
    } | sort
}

# Removes them (after they were reported), so that the next program starts clean.
clear_leftovers() {
    local id
    for id in $(ipcs -m 2> /dev/null | awk '$1 == "0x6b617461" { print $2 }'); do ipcrm -m "$id"; done
    for id in $(ipcs -s 2> /dev/null | awk '$1 == "0x6b617461" { print $2 }'); do ipcrm -s "$id"; done
    find /tmp /var/tmp /dev/shm -maxdepth 1 -name 'leftover-kata-hostile*' -exec rm -rf {} + 2> /dev/null
    find /tmp -maxdepth 1 -name 'criterion_*.sock' -type d -perm 000 -delete 2> /dev/null
}

# `grade OUT KATA SRC LIMIT [ARGS...]`: runs the harness on SRC under a watchdog (LIMIT plus
# 15 s, so that a hung harness cannot hang the suite) and writes OUT.json, OUT.err, OUT.rc,
# OUT.secs and OUT.left (the processes of that grading still alive when it ended).
grade() {
    local out=$1 kata=$2 src=$3 limit=$4
    shift 4
    local tag="hostile-$$-$RANDOM$RANDOM" start end hpid rc left dog finished
    start=$(now)
    HOSTILE_TAG=$tag setsid "$kata_bin" run "$kata" --src "$src" --format json "$@" \
        > "$out.json" 2> "$out.err" &
    hpid=$!
    echo "$hpid" > "$out.pid"
    echo "$hpid" >> "$work/harness.pids"
    sleep "$((${limit%.*} + 15))" &
    dog=$!
    wait -n -p finished "$hpid" "$dog"
    rc=$?
    if [ "${finished:-}" = "$dog" ]; then
        echo "the suite's watchdog killed the harness after $((${limit%.*} + 15)) s" >> "$out.err"
        kill -KILL "$hpid" 2> /dev/null
        wait "$hpid"
        rc=watchdog
    else
        kill "$dog" 2> /dev/null
        wait "$dog" 2> /dev/null
    fi
    end=$(now)
    rm -f "$out.pid"
    left=$(members "$hpid" "$tag")
    echo "$rc" > "$out.rc"
    elapsed "$start" "$end" > "$out.secs"
    if [ -n "$left" ]; then
        # say what was left, then end it: these are the suite's own descendants
        for pid in $left; do
            echo "left behind: $(ps -o pid=,uid=,pgid=,sid=,stat=,args= -p "$pid" 2> /dev/null)"
        done | head -20 >> "$out.err"
        echo "$left" | wc -l > "$out.left"
        end_all "$hpid" "$tag"
    else
        echo 0 > "$out.left"
    fi
}

# The values of a program's header lines `key: value` (tests/EXPECTATIONS.md), one a line.
header() { # file key
    "$kata_bin" expect --print "$2" "$1"
}

# Does the verdict OUT.json hold to the expectations? `expects OUT [kata expect options]`:
# what does not hold is printed, one reason a line.
expects() { # out [--line EXPECTATION]... [--exit-code RC] [FILE]
    local out=$1
    shift
    "$kata_bin" expect "$out.json" "$@" 2>&1
}

# How many times its usual time a grading may take now: 1 on a machine with at most two
# runnable programs per core, more on a busier one (a time limit guards against a harness that
# hangs, and the busy machine is not the harness's fault: CI on a machine at load 30 ran
# sigstop_self in 10.6 s against its 9). From the load when the program starts.
slack() {
    local cores load1
    cores=$(nproc 2> /dev/null || echo 1)
    load1=$(cut -d' ' -f1 /proc/loadavg)
    awk -v l="$load1" -v c="$cores" 'BEGIN { f = l / (2 * c); print (f > 1 ? int(f + 0.999) : 1) }'
}

# Checks one program. Prints its line; writes $work/NAME.verdict (ok, FAIL or skip) and
# $work/NAME.why (the reasons, one a line).
check_program() { # file
    local file=$1 name kata limit out why seconds left rc verdict shown
    name=$(basename "$file" .c)
    out="$work/$name"
    why="$out.why"
    : > "$why"
    kata=$(header "$file" kata | head -1)
    kata=${kata:-race_counter}
    limit=$(header "$file" limit | head -1)
    limit=${limit:-10}
    local factor
    factor=$(slack)
    limit=$(awk -v l="$limit" -v f="$factor" 'BEGIN { print l * f }')
    local needs
    needs=$(header "$file" needs | head -1)
    if [[ $needs == root* ]] && [ "$(id -u)" != 0 ]; then
        echo skip > "$out.verdict"
        echo "needs the harness to run as root:${needs#root}" > "$why"
        printf '  %-5s %-24s %-44s %6s  %s\n' skip "$name" "(needs root)" - -
        return
    fi
    local before after orphans_before orphans
    before=$(protected_sums "$kata")
    orphans_before=$(orphaned_sandbox)
    grade "$out" "$kata" "$file" "$limit"
    local left_files
    left_files=$(leftovers)
    rc=$(cat "$out.rc")
    seconds=$(cat "$out.secs")
    left=$(cat "$out.left")
    after=$(protected_sums "$kata")
    # new orphans of any sandbox user count as left behind too
    orphans=$(comm -13 <(sort <<< "$orphans_before") <(orphaned_sandbox | sort) | grep -c .)
    if [ "$orphans" -gt 0 ]; then
        # a sandbox torn down a moment ago may still be dying (on a loaded machine): only
        # what is still there a second later was left behind
        sleep 1
        orphans=$(comm -13 <(sort <<< "$orphans_before") <(orphaned_sandbox | sort) | grep -c .)
    fi
    if [ "$orphans" -gt 0 ]; then
        echo "orphaned sandbox processes appeared: $orphans" >> "$out.err"
        left=$((left + orphans))
    fi

    jq -e . "$out.json" > /dev/null 2>&1 ||
        echo "no JSON verdict (exit $rc): $(head -c 300 "$out.err" | tr '\n' ' ')" >> "$why"
    # the verdict's headline: the first stage that did not pass (tests[] lists the Criterion
    # tests, named "suite/test", before their stage; a stage that did not run is left out)
    shown=$(jq -r '[.tests[] | select((.name | contains("/") | not) and .status != "pass")][0] |
        if . then "\(.name): \(.message // "" | split("\n")[0])" else "all stages passed" end' \
        "$out.json" 2> /dev/null)

    # each expect: line of the header, and the harness's exit code against the verdict's
    expects "$out" --exit-code "$rc" "$file" >> "$why"
    over "$seconds" "$limit" && echo "took $seconds s, the limit is $limit s$([ "$factor" = 1 ] ||
        echo " ($factor times the header's: the machine was busy)")" >> "$why"
    [ "$left" = 0 ] || echo "$left process(es) left behind ($(grep -c '^left behind' "$out.err") shown in the log)" >> "$why"
    [ "$before" = "$after" ] || echo "the protected files of $kata changed: $(diff \
        <(echo "$before") <(echo "$after") | grep '^[<>]' | head -3 | tr '\n' ' ')" >> "$why"
    if [ -n "$left_files" ]; then
        echo "left outside its work folder: $(tr '\n' ' ' <<< "$left_files")" >> "$why"
        clear_leftovers
    fi

    # a wrong answer graded next is still rejected: nothing the program did changed the tests
    if header "$file" after | grep -x wrong > /dev/null; then
        local wrong="$work/$name.wrong"
        grade "$wrong" "$kata" "tests/hostile/wrong/$kata.c" 30 --stage test
        expects "$wrong" --line "stage=test status=fail" > /dev/null ||
            echo "afterwards a wrong answer (tests/hostile/wrong/$kata.c) was not rejected by the tests" >> "$why"
    fi

    if [ "$ref_mode" = each ]; then
        local ref="$work/$name.ref" refsrc="solutions/$kata/$kata.c"
        grade "$ref" "$kata" "$refsrc" 30 --stage test
        if ! expects "$ref" --line status=pass > /dev/null || [ "$(cat "$ref.left")" != 0 ]; then
            echo "afterwards the reference's test stage did not pass cleanly: $(jq -r \
                '[.tests[] | select(.status != "pass")][0] | "\(.message) \(.output // "")"' \
                "$ref.json" 2> /dev/null | tr '\n' ' ') ($(cat "$ref.left") left)" >> "$why"
        fi
    fi

    if [ -s "$why" ]; then verdict=FAIL; else verdict=ok; fi
    echo "$verdict" > "$out.verdict"
    printf '  %-5s %-24s %-44.44s %5s s  %s left\n' "$verdict" "$name" "$shown" "$seconds" "$left"
}

# the programs: the arguments (names or paths), or every one
programs=()
if [ $# -gt 0 ]; then
    for a in "$@"; do
        a=${a%.c}
        a=${a##*/}
        [ -f "$here/$a.c" ] || {
            echo "no hostile program $a (tests/hostile/$a.c)" >&2
            exit 2
        }
        programs+=("tests/hostile/$a.c")
    done
else
    for f in tests/hostile/*.c; do programs+=("$f"); done
fi

echo "hostile: ${#programs[@]} programs, $jobs side by side, load $(cut -d' ' -f1-3 /proc/loadavg)," \
    "$(if [ "$(id -u)" = 0 ]; then echo "as root"; else echo "as uid $(id -u)"; fi)"
printf '  %-5s %-24s %-44s %7s  %s\n' "" program "verdict (first stage not passed)" time left
suite_start=$(now)
running=0
for f in "${programs[@]}"; do
    if [ -n "$(header "$f" solo)" ]; then
        wait
        running=0
        check_program "$f"
        continue
    fi
    if [ "$running" -ge "$jobs" ]; then
        wait -n
        running=$((running - 1))
    fi
    check_program "$f" &
    running=$((running + 1))
done
wait

passed=0 failed=0 skipped=0
for f in "${programs[@]}"; do
    name=$(basename "$f" .c)
    case $(cat "$work/$name.verdict" 2> /dev/null) in
    ok) passed=$((passed + 1)) ;;
    skip)
        skipped=$((skipped + 1))
        echo "  skipped $name: $(cat "$work/$name.why")"
        ;;
    *)
        failed=$((failed + 1))
        echo "  FAIL $name:"
        sed 's/^/      /' "$work/$name.why"
        # the first stage that did not pass, in its own words (a CI log then says why)
        jq -r '[.tests[] | select((.name | contains("/") | not) and .status != "pass")][0] |
            select(.) | "\(.name): \(.message // "")\n\(.output // "")"' "$work/$name.json" \
            2> /dev/null | head -8 | sed 's/^/      | /'
        if [ "$verbose" = 1 ] && [ -f "$work/$name.json" ]; then
            jq -r '.tests[] | "      \(.name) \(.status): \(.message)\n\(.output // "" |
                split("\n") | map("        " + .) | join("\n"))"' "$work/$name.json" 2> /dev/null
            sed 's/^/      stderr: /' "$work/$name.err"
        fi
        ;;
    esac
done

# the reference, every stage, once more at the end: the next kata's verdict is unchanged
if [ "$ref_mode" != none ]; then
    refs=()
    for f in "${programs[@]}"; do
        k=$(header "$f" kata | head -1)
        k=${k:-race_counter}
        [[ " ${refs[*]} " == *" $k "* ]] || refs+=("$k")
    done
    for k in "${refs[@]}"; do
        grade "$work/final-$k" "$k" "solutions/$k/$k.c" 60
        rleft=$(cat "$work/final-$k.left")
        if expects "$work/final-$k" --line status=pass > /dev/null && [ "$rleft" = 0 ]; then
            passed=$((passed + 1))
            printf '  %-5s %-24s %-44s %5s s  %s left\n' ok "reference $k" "every stage passed" \
                "$(cat "$work/final-$k.secs")" 0
        else
            failed=$((failed + 1))
            printf '  %-5s %-24s %-44.44s %5s s  %s left\n' FAIL "reference $k" \
                "$(jq -r '[.tests[] | select(.status != "pass")][0] | "\(.name): \(.message)"' \
                    "$work/final-$k.json" 2> /dev/null)" "$(cat "$work/final-$k.secs")" "$rleft"
            jq -r '.tests[] | select(.status != "pass") | "      \(.name) \(.status): \(.message)",
                (.output // "" | split("\n")[] | "        " + .)' "$work/final-$k.json" 2> /dev/null
        fi
    done
fi

echo "hostile: took $(elapsed "$suite_start" "$(now)") s; load now $(cut -d' ' -f1-3 /proc/loadavg)" \
    "$([ "$skipped" -gt 0 ] && echo "; $skipped skipped")"
[ "$failed" = 0 ] || touch "$work/.keep"
echo "hostile: $passed passed, $failed failed"
[ "$failed" = 0 ]
