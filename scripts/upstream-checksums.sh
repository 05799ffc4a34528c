#!/usr/bin/env bash
# upstream-checksums.sh: print the path of the checksum list to grade against.
#
# Usage: scripts/upstream-checksums.sh [--strict]   (the grading workflow: --strict)
#
# The list in the learner's own tree proves little: whoever changes a test can run
# `make checksums` too. So the list is taken, in this order of preference, from
#   1. the teacher's template repository, when KATA_UPSTREAM names it (a git URL, with an
#      optional ref after a space: "https://github.com/teacher/katas main");
#   2. the first commit of this repository's history, when it has a list (a repository made
#      from a template starts with the template's content; needs the full history, as
#      actions/checkout's fetch-depth: 0 gives);
#   3. the working tree's scripts/checksums.txt.
# The list is copied to build/upstream-checksums.txt, whose path is printed. Says on stderr
# which one it chose. Exits 1, printing nothing on stdout, when KATA_UPSTREAM cannot be read.
#
# --strict (CI) also refuses what would quietly check the learner's files against the
# learner's own list: a shallow clone without KATA_UPSTREAM (its "first commit" is the last
# one), and the working tree's list, unless KATA_UPSTREAM=self says that this repository is
# the upstream (the template repository itself).
set -u
cd "$(dirname "$0")/.." || exit 2
strict=0
case "${1:-}" in
    --strict) strict=1 ;;
    "") ;;
    *) echo "usage: scripts/upstream-checksums.sh [--strict]" >&2; exit 2 ;;
esac
list=scripts/checksums.txt
out=build/upstream-checksums.txt
mkdir -p build
rm -f "$out"

if [[ ${KATA_UPSTREAM:-} == self ]]; then
    cp "$list" "$out" 2>/dev/null || { echo "upstream-checksums: no $list" >&2; exit 1; }
    echo "upstream-checksums: $list of the working tree (KATA_UPSTREAM=self: this is the upstream)" >&2
    echo "$out"
    exit 0
fi

if [[ -n ${KATA_UPSTREAM:-} ]]; then
    read -r url ref <<<"$KATA_UPSTREAM"
    # into a repository of its own: a shallow fetch into this one would make it shallow
    scratch=$(mktemp -d)
    trap 'rm -rf "$scratch"' EXIT
    if git init --quiet --bare "$scratch" &&
        git -C "$scratch" fetch --quiet --depth=1 "$url" "${ref:-HEAD}" 2>/dev/null &&
        git -C "$scratch" show "FETCH_HEAD:$list" >"$out" 2>/dev/null; then
        echo "upstream-checksums: $list of $url ${ref:-HEAD}" >&2
        echo "$out"
        exit 0
    fi
    echo "upstream-checksums: cannot read $list from $url ${ref:-HEAD}" >&2
    exit 1
fi

if [[ $strict -eq 1 && $(git rev-parse --is-shallow-repository 2>/dev/null) != false ]]; then
    echo "upstream-checksums: the clone is shallow (or not a git repository), so its first commit" \
        "is not the template's: check out with fetch-depth: 0, or set KATA_UPSTREAM" >&2
    exit 1
fi
first=$(git rev-list --max-parents=0 HEAD 2>/dev/null | tail -n 1)
if [[ -n $first ]] && git show "$first:$list" >"$out" 2>/dev/null; then
    echo "upstream-checksums: $list of the first commit, $(git rev-parse --short "$first")" >&2
    echo "$out"
    exit 0
fi

if [[ $strict -eq 1 ]]; then
    echo "upstream-checksums: no upstream list: KATA_UPSTREAM is not set and the first commit" \
        "has no $list, so the only list is the learner's own. Set the repository variable" \
        "KATA_UPSTREAM to the template (or to \"self\" in the template repository itself)" >&2
    exit 1
fi
cp "$list" "$out" 2>/dev/null || { echo "upstream-checksums: no $list" >&2; exit 1; }
echo "upstream-checksums: $list of the working tree (no upstream to compare with)" >&2
echo "$out"
