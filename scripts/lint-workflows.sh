#!/usr/bin/env bash
# lint-workflows.sh: validate GitHub Actions workflows against the workflow schema, offline.
#
# Usage: scripts/lint-workflows.sh [FILE.yml...]   (default: .github/workflows/*.yml)
#
# Uses @action-validator/cli (a WebAssembly build of action-validator, with the schema
# inside), installed once from the npm registry into build/tools; after that it needs no
# network. Exits 0 when every file is valid, 1 when one is not, 2 when the validator cannot
# be installed (no Node.js or npm, or no registry).
set -u
cd "$(dirname "$0")/.." || exit 2

version=0.6.0
tools=build/tools
bin=$tools/node_modules/.bin/action-validator
pkg=$tools/node_modules/@action-validator/cli/package.json

installed() {
    [[ -x $bin && -f $pkg ]] || return 1
    [[ $(node -p "require('./$pkg').version" 2>/dev/null) == "$version" ]]
}

if ! installed; then
    if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
        echo "lint-workflows: needs Node.js and npm; on Debian or Ubuntu: apt-get install nodejs npm"
        exit 2
    fi
    echo "lint-workflows: installing @action-validator/cli@$version into $tools (once)"
    mkdir -p "$tools"
    # --prefer-offline: a cached copy is used without asking the registry (fast offline)
    if ! npm install --prefix "$tools" --prefer-offline --no-audit --no-fund --loglevel=error \
        "@action-validator/cli@$version" "@action-validator/core@$version" >/dev/null; then
        echo "lint-workflows: npm install failed; the command was:"
        echo "    npm install --prefix $tools @action-validator/cli@$version @action-validator/core@$version"
        exit 2
    fi
fi

files=("$@")
if [[ ${#files[@]} -eq 0 ]]; then
    files=(.github/workflows/*.yml)
fi
failed=0
for f in "${files[@]}"; do
    if out=$("$bin" "$f" 2>&1); then
        echo "  ok      $f"
    else
        echo "  INVALID $f"
        printf '%s\n' "$out" | sed 's/^/    /'
        failed=1
    fi
done
exit $failed
