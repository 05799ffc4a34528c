#!/usr/bin/env bash
# reset.sh: puts a kata's starter back in katas/<name>/<name>.c, after saving the learner's
# version to build/saved/<name>-<timestamp>.c, so that nothing is lost.
#
# Usage: scripts/reset.sh NAME        (what `make reset NAME=x` runs; KATA_BIN names the
#   harness, default build/bin/kata). Asks before replacing the file (y/N); YES=1 in the
#   environment skips the question. The kata's recorded progress is forgotten with it
#   (`kata progress --forget`): a starter put back has not been graded.
# The starter is the file as the project shipped it: at the commit this checkout shares
# with its upstream branch (git merge-base HEAD @{upstream}), so a learner who committed
# their own work still gets the original back; without an upstream branch, at HEAD.
# Exit: 0 reset, declined, or nothing to do; 1 no terminal to ask on (and no YES=1), or no
# starter to be found; 2 usage.
set -u
cd "$(dirname "$0")/.." || exit 3

kata=${KATA_BIN:-build/bin/kata}

# NAME as every command takes it (a number, another spelling); `kata name` says why not.
name=$("$kata" name "${1:-}") || {
    echo "usage: make reset NAME=<kata> [YES=1]   (make list shows them)"
    exit 2
}
file=katas/$name/$name.c

if ! git rev-parse --git-dir >/dev/null 2>&1; then
    echo "reset: this is not a git checkout, so there is no starter to go back to"
    exit 1
fi
base=HEAD
if upstream=$(git rev-parse --verify -q '@{upstream}' 2>/dev/null); then
    base=$(git merge-base HEAD "$upstream" 2>/dev/null || echo HEAD)
fi
if ! git cat-file -e "$base:$file" 2>/dev/null; then
    echo "reset: $file is not in commit $(git rev-parse --short "$base" 2>/dev/null || echo "$base");"
    echo "       there is no committed starter to go back to"
    exit 1
fi
short=$(git rev-parse --short "$base")
starter=$(mktemp) || exit 1
trap 'rm -f "$starter"' EXIT
git show "$base:$file" >"$starter" || exit 1

if [[ -f $file ]] && cmp -s "$file" "$starter"; then
    "$kata" progress --forget "$name"
    echo "reset: $file is already the starter (commit $short); nothing to do"
    exit 0
fi

if [[ ${YES:-} != 1 ]]; then
    if [[ ! -t 0 ]]; then
        echo "reset: not asking without a terminal; run \`make reset NAME=$name YES=1\`"
        exit 1
    fi
    printf 'Replace %s with the starter? Your version is saved first. [y/N] ' "$file"
    read -r answer || answer=
    if [[ ! $answer =~ ^[yY]([eE][sS])?$ ]]; then
        echo "reset: left $file as it was"
        exit 0
    fi
fi

if [[ -f $file ]]; then
    mkdir -p build/saved || exit 1
    saved=build/saved/$name-$(date +%Y%m%d-%H%M%S).c
    n=1
    while [[ -e $saved ]]; do
        saved=build/saved/$name-$(date +%Y%m%d-%H%M%S)-$n.c
        n=$((n + 1))
    done
    cp -p "$file" "$saved" || { echo "reset: cannot save your version; $file is unchanged"; exit 1; }
    echo "reset: your version is saved as $saved"
fi
# In place, so that an open editor sees the file change rather than vanish.
cat "$starter" >"$file" || { echo "reset: cannot write $file"; exit 1; }
"$kata" progress --forget "$name" || exit 3
echo "reset: $file is the starter again (commit $short)"
[[ -n ${saved:-} ]] && echo "       to undo: cp $saved $file"
exit 0
