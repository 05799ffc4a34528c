#!/usr/bin/env bash
# solution.sh: shows a kata's reference solution and how it differs from the learner's file,
# once the learner's own file has passed (build/state/<name> says "passed").
#
# Usage: scripts/solution.sh NAME     (what `make solution NAME=x` runs)
# Exit: 0 shown, 1 the kata has not passed yet, 2 usage.
set -u
cd "$(dirname "$0")/.." || exit 3

name=${1:-}
if [[ ! $name =~ ^[a-z0-9_]+$ || ! -f katas/$name/kata.json ]]; then
    echo "usage: make solution NAME=<kata>   (make list shows them)"
    exit 2
fi
mine=katas/$name/$name.c
ref=solutions/$name/$name.c
state=$(cat "build/state/$name" 2>/dev/null)
if [[ $state != passed ]]; then
    echo "solution: pass $name first: \`make kata NAME=$name\` (its last grading: ${state:-none})."
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
echo "Both pass. The reference is one good answer, not the only one."
exit 0
