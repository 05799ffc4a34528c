#!/usr/bin/env bash
# mutant-to-patch.sh MUTANT.c...: stores each mutant as a patch against its kata's reference
# (tests/katas/<name>/mutants/<m>.patch), so that its bug reads at a glance, and removes the
# .c file. The patch opens with the mutant's header lines ("mutant:", "expect:",
# "repeat:"), then the diff; the reference's own opening comment is kept, so the diff holds
# only the code that differs. The self-test turns each patch back into a file with patch(1).
set -euo pipefail
cd "$(dirname "$0")/.."

# The first comment block of a file: its line count.
first_comment_lines() {
    awk 'NR == 1 && !/^\/\*/ { print 0; exit } /\*\// { print NR; exit }' "$1"
}

for m in "$@"; do
    kata=$(echo "$m" | sed -n 's|^tests/katas/\([^/]*\)/mutants/[^/]*\.c$|\1|p')
    [ -n "$kata" ] || { echo "mutant-to-patch: $m is not tests/katas/<name>/mutants/<m>.c" >&2; exit 2; }
    ref=solutions/$kata/$kata.c
    out=${m%.c}.patch
    mhead=$(first_comment_lines "$m")
    rhead=$(first_comment_lines "$ref")
    head -n "$mhead" "$m" | grep -o '\(mutant\|expect\|repeat\): .*' | sed 's|[[:space:]]*\*/$||' \
        >"$out.tmp"
    grep -q '^expect: .*stage=' "$out.tmp" || { echo "mutant-to-patch: $m has no expect: line with a stage=" >&2; rm -f "$out.tmp"; exit 1; }
    # the description may go on over more comment lines before expect:
    desc=$(head -n "$mhead" "$m" | sed -n '/mutant:/,/expect:\|repeat:/p' | grep -v 'expect:\|repeat:' |
        sed 's|^/\* mutant: ||; s|^ \* *||; s|[[:space:]]*\*/$||' | tr '\n' ' ' | sed 's/ *$//')
    { echo "mutant: $desc"; grep -v '^mutant: ' "$out.tmp"; echo; } >"$out.meta"
    body=$(mktemp)
    { head -n "$rhead" "$ref"; tail -n +"$((mhead + 1))" "$m"; } >"$body"
    diff -u --label "a/$ref" --label "b/$ref" "$ref" "$body" >"$out.diff" || true
    cat "$out.meta" "$out.diff" >"$out"
    rm -f "$out.tmp" "$out.meta" "$out.diff"
    # the patch must give back exactly the mutant's code
    patch -s -o "$body.check" "$ref" "$out" >/dev/null
    cmp -s "$body" "$body.check" || { echo "mutant-to-patch: $out does not rebuild $m" >&2; exit 1; }
    rm -f "$body" "$body.check"
    if git ls-files --error-unmatch "$m" >/dev/null 2>&1; then git rm -qf "$m"; else rm "$m"; fi
    git add "$out" 2>/dev/null || true
done
