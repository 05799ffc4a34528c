#!/usr/bin/env bash
# solution.sh: shows a kata's reference solution and how it differs from the learner's file,
# once the learner's own file has passed (`kata progress` says so).
#
# Usage: scripts/solution.sh NAME     (what `make solution NAME=x` runs; NAME as `kata name`
#        takes it). KATA_BIN names the harness (default build/bin/kata), which owns the
#        progress: this script asks it, and never reads build/state itself.
# Exit: 0 shown, 1 the kata has not passed yet, 2 usage.
set -u
cd "$(dirname "$0")/.." || exit 3
kata=${KATA_BIN:-build/bin/kata}

name=$("$kata" name "${1:-}") || {
    echo "usage: make solution NAME=<kata>   (make list shows them)"
    exit 2
}
mine=katas/$name/$name.c
ref=solutions/$name/$name.c
if ! state=$("$kata" progress "$name"); then
    echo "solution: pass $name first: \`make kata NAME=$name\` (where it stands: $state)."
    echo "          Stuck? \`make hint NAME=$name\` gives one hint at a time."
    exit 1
fi
if [[ ! -f $ref ]]; then
    echo "solution: $name has no reference solution ($ref)"
    exit 1
fi

colour=never
[[ -t 1 && -z ${NO_COLOR:-} ]] && colour=always
rule() { printf '%s\n' "──── $* ────"; }

rule "the reference: $ref"
cat "$ref"
echo
if [[ ! -f $mine ]]; then
    echo "($mine is gone; \`make reset NAME=$name\` brings back the starter)"
    exit 0
fi
if cmp -s "$mine" "$ref"; then
    rule "your $mine is the reference, byte for byte"
    exit 0
fi
rule "from your file (-) to the reference (+)"
diff -u --color="$colour" --label "yours: $mine" --label "reference: $ref" "$mine" "$ref"
echo
if [[ $state == passed ]]; then
    echo "Both pass. The reference is one good answer, not the only one."
else
    echo "Yours passed, and has been edited since ($state). The reference is one good answer,"
    echo "not the only one."
fi
exit 0
