#!/usr/bin/env bash
# readme_excerpts.sh: keeps each kata README's "What the tools will tell you" excerpts true,
# by grading the file each excerpt was taken from and finding every excerpt line in the
# verdict the harness prints today. The check itself is `kata expect`'s excerpt= (the grammar
# of every expectation in the suite: tests/EXPECTATIONS.md).
#
# Usage: tests/readme_excerpts.sh [NAME...]          (what `make check-readmes` runs)
#        tests/readme_excerpts.sh --readme FILE NAME  check FILE as kata NAME's README
#
# README.md's quick start shows a verdict too: its section "Quick start" is checked the same
# way, as the kata that a readme-check comment there names (kata=NAME), whenever that kata
# is among those checked. Its blocks that are not verdicts say skip=.
# Exit: 0 every excerpt is true, 1 one is stale (or a README lacks the section), 3 the
# harness could not grade.
#
# A line not found is looked for again in two more fresh gradings before it counts as
# stale, so that a test a loaded machine failed by bad luck does not fail the check.
#
# What is checked. Under the heading "What the tools will tell you" (any level, up to the
# next heading of the same or a higher level), every fenced block is an excerpt of a
# verdict, and every one of its lines must be a line of that verdict (in any order; the
# verdict may have more lines). By default the block is from the untouched starter. An HTML
# comment just before the fence (blank lines between are fine) says otherwise:
#
#   <!-- readme-check: src=tests/katas/race_counter/mutants/missing_unlock.patch as-learner only=test -->
#
#   src=PATH     grade PATH instead of the starter (a mutant shows a known mistake); a
#                mutant's .patch is applied to the reference first, into
#                build/mutants/<name>/<mutant>.c, where the self-test puts it too
#   as-learner   grade a copy of PATH put where the learner's file would be, so the verdict
#                names katas/<name>/<name>.c, as a learner who made that mistake sees it
#   only=S       `--stage S`: the build and that stage only
#   seed=N       `--seed N`: the tests' sizes, for excerpts that show them
#   v=1          V=1: each tool's own output too
#   luck=S,T     the pass or fail of these stages is luck on this file (lost updates are
#                a matter of timing): their status line matches either way (the
#                expectation's luck=)
#   skip=WHY     not a verdict (a drawing, a code snippet): not checked
#   kata=NAME    (README.md only) the kata whose verdict the block shows
#
# The starter is graded as a copy (in build/readme-check/), so the learner's progress in
# build/state is left alone; the copy's path is put back to katas/<name>/<name>.c.
#
# What may differ (harness/expect.c, excerpt_normalise). Both the excerpt and the verdict are
# normalised before they are compared, and only in the parts that legitimately vary from run
# to run:
#   - trailing blanks (the side-by-side table pads its last column);
#   - timings: " 0.1s", "in 3.2 s" become " <t>s" (the spaces before them too, since the
#     column is right-aligned);
#   - seeds: "(seed 146577)" becomes "(seed <n>)";
#   - counts of reports: "1 data race report", "3 data race reports" become
#     "<n> data race reports" (how many reports a detector writes for one race varies);
#     "and 2 more places" likewise;
#   - thread ids: TSan's "thread T2", Helgrind's "thread #3", DRD's and the hang report's
#     "thread 3" / "thread 9588", "pid=123", "tid=123" (which thread gets which number is
#     scheduling), and "main thread" as "thread <n>" (whether the main thread or another
#     one gets somewhere first is scheduling too);
#   - addresses: "0x7ba000004000" becomes "0x<addr>";
#   - the status of a luck= stage: "  test      passed    0.4s  all 6 tests passed"
#     becomes "  test      <passed or FAILED>" (and the lines under a failed one are
#     extra lines, which are allowed anyway).
# Everything else must match exactly, indentation included. In an excerpt, a line that is
# only "..." marks lines left out, and "..." inside a line stands for any text (a path that
# differs from machine to machine: ".../tests/katas/spawn_join/driver.c:35:18").
set -u
cd "$(dirname "$0")/.." || exit 3

KATA_BIN=${KATA_BIN:-build/bin/kata}
WORK=build/readme-check
HEADING='What the tools will tell you'
export NO_COLOR=1

die() {
    echo "readme-check: $*" >&2
    exit 3
}
[[ -x $KATA_BIN ]] || die "no $KATA_BIN: run \`make\` first"

# Splits README $1's section into $2/block-N.{txt,opts,line}; prints how many headings
# of the section it found.
extract() {
    local readme=$1 dir=$2
    awk -v dir="$dir" -v heading="${section:-$HEADING}" '
        function fence(l) { return l ~ /^[ \t]*(```|~~~)/ }
        BEGIN { insec = 0; infence = 0; n = 0; opts = ""; found = 0 }
        infence {
            if (fence($0)) { infence = 0; if (insec) close(f); next }
            if (insec) print > f
            next
        }
        fence($0) {
            infence = 1
            if (insec) {
                n++
                f = dir "/block-" n ".txt"
                printf "" > f
                print opts > (dir "/block-" n ".opts"); close(dir "/block-" n ".opts")
                print NR + 1 > (dir "/block-" n ".line"); close(dir "/block-" n ".line")
                opts = ""
            }
            next
        }
        /^#+[ \t]/ {
            match($0, /^#+/)
            if (insec && RLENGTH <= level) insec = 0
            t = $0; sub(/^#+[ \t]+/, "", t); sub(/[ \t#]+$/, "", t)
            if (t == heading) { insec = 1; level = RLENGTH; found++ }
            next
        }
        insec && /<!--[ \t]*readme-check:/ {
            opts = $0; sub(/.*readme-check:[ \t]*/, "", opts); sub(/[ \t]*-->.*/, "", opts)
            next
        }
        insec && !/^[ \t]*$/ { opts = "" }
        END { print found }
    ' "$readme"
}

# Holds verdict $2 to the excerpt in file $3 (`kata expect`, with luck $4); prints each
# excerpt line that is not in it, as README:line ($1: README, $5: the excerpt's first line).
# Returns 0 when every line is there, 1 when one is not, 3 when the check could not run.
match_lines() {
    local readme=$1 out=$2 block=$3 luck=$4 first=$5 why rc
    why=$("$KATA_BIN" expect --text "$out" --line "excerpt=\"$block\"${luck:+ luck=$luck}" 2>&1)
    rc=$?
    [[ $rc == 0 || $rc == 1 ]] || { echo "readme-check: $why" >&2; return 3; }
    awk -v readme="$readme" -v first="$first" '
        match($0, /^excerpt line [0-9]+ is not in the verdict: /) {
            n = substr($0, 14) + 0
            printf "    %s:%d: not in the verdict:\n        %s\n", readme, first + n - 1,
                substr($0, RLENGTH + 1)
        }' <<<"$why"
    return "$rc"
}

# Grades what a block's options name, once per set of options; prints the verdict's path.
verdict() {
    local name=$1 opts=$2
    local src="" as=0 only="" seed="" v="" o
    for o in $opts; do
        case $o in
            src=*) src=${o#src=} ;;
            as-learner) as=1 ;;
            only=*) only=${o#only=} ;;
            seed=*) seed=${o#seed=} ;;
            v=*) v=${o#v=} ;;
            luck=* | skip=* | kata=*) ;;
            *) echo "readme-check: unknown option '$o' in a readme-check comment" >&2 ;;
        esac
    done
    local key out
    key=$(printf '%s|%s|%s|%s|%s|%s' "$name" "$src" "$as" "$only" "$seed" "$v" | cksum | tr ' ' -)
    out=$WORK/runs/$key.out
    if [[ -f $out ]]; then
        echo "$out"
        return 0
    fi
    mkdir -p "$WORK/runs" "$WORK/src/$name"
    if [[ $src == *.patch ]]; then
        local made
        made=build/mutants/$name/$(basename "${src%.patch}").c
        mkdir -p "$(dirname "$made")"
        patch -s --no-backup-if-mismatch -r - -o "$made" "solutions/$name/$name.c" "$src" >&2 ||
            { echo "readme-check: $src does not apply to solutions/$name/$name.c" >&2; return 3; }
        src=$made
    fi
    local learner=katas/$name/$name.c graded
    if [[ -z $src || $as == 1 ]]; then
        graded=$WORK/src/$name/$name.c
        cp "${src:-$learner}" "$graded" || return 3
    else
        graded=$src
    fi
    local args=(run "$name" --src "$graded")
    [[ -n $only ]] && args+=(--stage "$only")
    [[ -n $seed ]] && args+=(--seed "$seed")
    local start=$SECONDS try rc timed=0
    # Two katas are graded side by side (README_JOBS), but a grading that times (a perf
    # stage) must have the machine to itself: it holds the timing lock alone, every other
    # grading holds it shared. It waits for the lock holding the turnstile, which the others
    # pass through first, so that they cannot keep it waiting (as kata selftest does).
    if [[ -z $only || $only == perf ]] && grep -q '"stages".*"perf"' "katas/$name/kata.json"; then
        timed=1
    fi
    # A perf stage that found the machine too busy to time fairly (another program beside
    # it) is the harness declining to judge, not a verdict: wait, and grade again.
    for try in 1 2 3 4; do
        if [[ $timed == 1 ]]; then
            V=$v flock -x "$WORK/timing.turnstile" flock -x "$WORK/timing.lock" \
                "$KATA_BIN" "${args[@]}" >"$out.raw" 2>&1
        else
            flock -x "$WORK/timing.turnstile" true
            V=$v flock -s "$WORK/timing.lock" "$KATA_BIN" "${args[@]}" >"$out.raw" 2>&1
        fi
        rc=$?
        [[ $rc == 3 ]] && grep -q "too busy to time this fairly" "$out.raw" && [[ $try -lt 4 ]] ||
            break
        sleep $((try * 3))
    done
    echo "    $name, ${opts:-the starter}: $((SECONDS - start)) s" >>"$WORK/timings"
    if [[ $rc -ne 0 && $rc -ne 1 ]]; then
        echo "readme-check: \`$KATA_BIN ${args[*]}\` could not grade (exit $rc):" >&2
        sed 's/^/    /' "$out.raw" >&2
        return 3
    fi
    if [[ $graded != "$src" ]]; then
        # The copy stands for the learner's file: say so, absolute paths first.
        sed -e "s#$PWD/$graded#$PWD/$learner#g" -e "s#$graded#$learner#g" "$out.raw" >"$out"
    else
        cp "$out.raw" "$out"
    fi
    echo "$out"
}

# Checks README $2 of kata $1. Returns 0 true, 1 stale, 3 the harness failed.
check_readme() {
    local name=$1 readme=$2
    local dir
    dir=$(mktemp -d "$WORK/blocks.XXXXXX") || return 3
    local found
    found=$(extract "$readme" "$dir")
    if [[ $found == 0 ]]; then
        echo "FAIL $name: $readme has no \"## ${section:-$HEADING}\" section"
        return 1
    fi
    local n=0 bad=0 i
    local count
    count=$(find "$dir" -name 'block-*.txt' | wc -l)
    for ((i = 1; i <= count; i++)); do
        local opts line luck="" o out
        opts=$(cat "$dir/block-$i.opts")
        line=$(cat "$dir/block-$i.line")
        [[ $opts == *skip=* ]] && continue
        for o in $opts; do [[ $o == luck=* ]] && luck=${o#luck=}; done
        n=$((n + 1))
        local try ok=0 rc
        for try in $(seq 1 "$tries"); do
            out=$(verdict "$name" "$opts") || return 3
            match_lines "$readme" "$out" "$dir/block-$i.txt" "$luck" "$line" >"$dir/miss-$i"
            rc=$?
            [[ $rc == 3 ]] && return 3
            if [[ $rc == 0 ]]; then
                ok=1
                break
            fi
            # A stale excerpt fails a second, fresh grading too; a test that a loaded
            # machine failed by bad luck does not.
            [[ $try == 1 ]] && rm -f "$out"
        done
        if [[ $ok == 0 ]]; then
            [[ $bad == 0 ]] && echo "FAIL $name: $readme is stale"
            cat "$dir/miss-$i"
            echo "    (the verdict today, from ${opts:-the starter}: $out)"
            bad=1
        fi
    done
    if [[ $n == 0 ]]; then
        echo "FAIL $name: the \"${section:-$HEADING}\" section of $readme has no excerpt to check"
        return 1
    fi
    [[ $bad == 0 ]] && echo "ok   $name: $n excerpt(s) in $readme match the verdict"
    return $bad
}

# The check must be able to fail: a copy of a README that passed, with one excerpt line
# changed (a line number moved, or else a word added), must be found stale.
prove_stale_is_caught() {
    local name=$1 readme=$2
    local dir copy target changed
    dir=$(mktemp -d "$WORK/proof.XXXXXX") || return 3
    extract "$readme" "$dir" >/dev/null
    # the first excerpt line with a file:line in it (code that moved), else the first line
    target=$(awk 'FNR == 1 { n = FILENAME; sub(/.*block-/, "", n); sub(/\.txt$/, "", n) }
        /\.c:[0-9]+/ { print 0, n, FNR; nextfile }
        !/^[ \t]*(\.\.\.)?[ \t]*$/ && !seen[n]++ { print 1, n, FNR }' "$dir"/block-*.txt |
        sort -n -k1,1 -k2,2 -k3,3 | head -n 1 | cut -d' ' -f2- | tr ' ' :)
    [[ -n $target ]] || return 0
    local block=${target%%:*} offset=${target#*:} first
    first=$(cat "$dir/block-$block.line")
    local at=$((first + offset - 1))
    copy=$dir/README.md
    awk -v at="$at" 'NR == at {
            if (match($0, /\.c:[0-9]+/)) {
                RSTART += 2; RLENGTH -= 2
                n = substr($0, RSTART + 1, RLENGTH - 1) + 1
                $0 = substr($0, 1, RSTART) n substr($0, RSTART + RLENGTH)
            } else $0 = $0 " (stale)"
        } { print }' "$readme" >"$copy"
    changed=$(sed -n "${at}p" "$copy")
    # the verdicts are the ones just checked: no second grading for the changed line
    if tries=1 check_readme "$name" "$copy" >"$dir/log" 2>&1; then
        echo "FAIL the check itself: it passed a copy of $readme whose line $at was changed to"
        echo "    $changed"
        return 1
    fi
    echo "ok   the check fails a stale excerpt (a copy of $readme, line $at changed to:"
    echo "         $changed)"
    return 0
}

readme_override=""
if [[ ${1:-} == --readme ]]; then
    [[ $# -eq 3 ]] || die "usage: $0 --readme FILE NAME"
    readme_override=$2
    shift 2
fi
rm -rf "$WORK"
mkdir -p "$WORK"
names=("$@")
if [[ ${#names[@]} -eq 0 ]]; then
    # curriculum order, as `kata list` prints it
    mapfile -t names < <("$KATA_BIN" list | awk '$1 ~ /^[0-9]+$/ { print $2 }')
    [[ ${#names[@]} -gt 0 ]] || die "\`$KATA_BIN list\` lists no kata"
fi

tries=3
start=$SECONDS
failed=0 proved=0 checked=0
# Two katas side by side (README_JOBS): most of the time goes to deadlines that a hang or a
# deadlock waits out, not to the CPU. Their results are printed in curriculum order.
jobs=${README_JOBS:-2}
[[ $jobs =~ ^[1-9][0-9]*$ ]] || die "README_JOBS must be a positive number"
running=0
for name in "${names[@]}"; do
    [[ -f katas/$name/kata.json ]] || die "no kata named '$name'"
    readme=${readme_override:-katas/$name/README.md}
    if [[ ! -f $readme ]]; then
        echo "skip $name: no $readme" >"$WORK/result-$name"
        echo skip >"$WORK/rc-$name"
        continue
    fi
    if [[ $running -ge $jobs ]]; then
        wait -n
        running=$((running - 1))
    fi
    (
        check_readme "$name" "$readme" >"$WORK/result-$name" 2>&1
        echo $? >"$WORK/rc-$name"
    ) &
    running=$((running + 1))
done
wait
for name in "${names[@]}"; do
    cat "$WORK/result-$name"
    rc=$(cat "$WORK/rc-$name")
    [[ $rc == skip ]] && continue
    [[ $rc == 3 ]] && exit 3
    readme=${readme_override:-katas/$name/README.md}
    if [[ $rc == 0 ]]; then
        checked=$((checked + 1))
        if [[ $proved == 0 && -z $readme_override ]]; then
            prove_stale_is_caught "$name" "$readme" || failed=1
            proved=1
        fi
    else
        failed=1
    fi
done
# README.md's quick start, as the kata its comment names (see the top of this file).
if [[ -z $readme_override ]]; then
    root_kata=$(awk '/^## Quick start/ { q = 1; next } /^## / { q = 0 } q && /readme-check:/' \
        README.md | sed -n 's/.*kata=\([a-z0-9_]*\).*/\1/p' | head -n 1)
    if [[ -z $root_kata ]]; then
        echo "FAIL README.md: no readme-check comment with kata=NAME in its Quick start"
        failed=1
    elif printf '%s\n' "${names[@]}" | grep -qx -- "$root_kata"; then
        section='Quick start' check_readme "$root_kata" README.md
        rc=$?
        [[ $rc == 3 ]] && exit 3
        if [[ $rc == 0 ]]; then checked=$((checked + 1)); else failed=1; fi
    fi
fi
echo "readme-check: $checked README(s) true, in $((SECONDS - start)) s; the gradings took:"
cat "$WORK/timings" 2>/dev/null
exit $failed
