#!/usr/bin/env bash
# defences.sh: each defence of the evidence is proven, not assumed. For every line of the
# table below the hostile program is graded twice on the stage it attacks: as the harness
# stands (it must fail), and with that defence turned off (it must pass: the attack is real
# and this defence is what stops it).
#
# The switch is KATA_TEST_DISABLE_DEFENCE=name,name in the harness's environment; the harness
# honours it only for a file under tests/hostile/ (harness/stages/source.h,
# defence_disabled), so no learner's grading can run without a defence: learner code starts
# long after the harness chose its builds, and only this repository's programs qualify.
#
#   tests/hostile/defences.sh [program...]      (make defences [DEFENCES="a b"])
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
cd "$root" || exit 3
kata_bin=${KATA_BIN:-build/bin/kata}
[ -x "$kata_bin" ] || { echo "no harness at $kata_bin: run make first" >&2; exit 3; }
command -v jq > /dev/null || { echo "defences.sh needs jq" >&2; exit 3; }

# program            defences turned off   stage attacked   sandbox  off in both
# (the include defence is proven without the sandbox, which hides solutions/ from the
# compiler as well: each of the two stops these programs on its own. The last column names
# defences off in both gradings, where another defence stops the program first: the build
# refuses dlsym before the isolation of the tests is reached, redirect_report's dup2 over
# every pipe takes the driver's end line away too, and exit_timed fetches nothing either)
table='
one_assert_exit      isolation             test             on       lookup
skip_weak            isolation,skip        test             on
skip_dlsym           isolation,skip        test             on       lookup
line_rename          line,address          tsan             on
paste_annotate       include,tokens        tsan             on
detect_build         one-tu                tsan             on
libc_override        localise              tsan             on
include_solution     include               test             off
include_climb        include               test             off
blank_reports        channel               tsan             on
lookup_annotate      lookup                tsan             on
redirect_report      guard                 tsan             on       end
exit_unwatched       end                   tsan             on
exit_timed           end                   perf             on       served
forge_record         key                   test             on
forge_schedule       key                   explore          on
made_up_bodies       served                perf             on
hardcoded_timed      vary                  perf             on
'

work=$(mktemp -d "${TMPDIR:-/tmp}/defences.XXXXXX")
trap 'rm -rf "$work"' EXIT

# `grade OUT SRC STAGE SANDBOX [DEFENCES]`: the stage's status ("pass", "fail", ...) into OUT.
# The kata is the program's `kata:` line (tests/EXPECTATIONS.md), race_counter without one.
grade() {
    local out=$1 src=$2 stage=$3 sandbox=$4 off=${5:-}
    local no_sandbox= kata
    [ "$sandbox" = off ] && no_sandbox=1
    kata=$(sed -n 's/^ \* kata: *\([a-z_]*\).*/\1/p' "$src" | head -n 1)
    KATA_NO_SANDBOX=$no_sandbox KATA_TEST_DISABLE_DEFENCE=$off setsid "$kata_bin" run "${kata:-race_counter}" --src "$src" \
        --stage "$stage" --format json > "$out.json" 2> "$out.err"
    jq -r --arg s "$stage" '([.tests[] | select(.name == "build" and .status != "pass")][0]
        // ([.tests[] | select(.name == $s)][0])) | "\(.status) \(.name): \(.message)"' \
        "$out.json" 2> /dev/null || echo "none: no verdict ($(head -c 200 "$out.err"))"
}

passed=0 failed=0
while read -r program off stage sandbox base; do
    [ -n "$program" ] || continue
    if [ $# -gt 0 ] && [[ " $* " != *" $program "* ]]; then continue; fi
    src="tests/hostile/$program.c"
    with=$(grade "$work/$program.on" "$src" "$stage" "$sandbox" "$base")
    without=$(grade "$work/$program.off" "$src" "$stage" "$sandbox" "${base:+$base,}$off")
    if [[ $with == fail* ]] && [[ $without == pass* ]]; then
        passed=$((passed + 1))
        printf '  ok    %-18s %-16s stopped; passes without it\n' "$program" "$off"
    else
        failed=$((failed + 1))
        printf '  FAIL  %-18s %-16s\n        with it:    %s\n        without it: %s\n' \
            "$program" "$off" "${with:0:300}" "${without:0:300}"
    fi
done <<< "$table"
echo "defences: $passed proven, $failed not"
[ "$failed" = 0 ]
