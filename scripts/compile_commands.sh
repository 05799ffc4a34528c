#!/usr/bin/env bash
# compile_commands.sh: writes compile_commands.json (for clangd) by running the project's
# compiler calls under bear; installs bear first when it is missing and that is possible.
#
# Usage: scripts/compile_commands.sh [MAKE]    (what `make compile_commands.json` runs)
# Exit: 0 written, 1 bear is missing and cannot be installed, or it failed.
set -u
cd "$(dirname "$0")/.." || exit 3
make_cmd=${1:-make}

if ! command -v bear >/dev/null 2>&1; then
    if [[ $(id -u) -eq 0 ]]; then
        sudo=()
    elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
        sudo=(sudo -n)
    else
        echo "compile_commands: bear is missing. Run this, then try again:"
        echo "    sudo apt-get install -y bear"
        exit 1
    fi
    echo "compile_commands: installing bear with apt-get"
    DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq bear >/dev/null ||
        { "${sudo[@]}" apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
            "${sudo[@]}" apt-get install -y -qq bear >/dev/null; } ||
        { echo "compile_commands: apt-get install bear failed"; exit 1; }
fi

# bear 3 takes the build after `--` and names its output with --output; bear 2 takes the
# build as its arguments and -o.
version=$(bear --version 2>&1 | grep -o '[0-9][0-9.]*' | head -n 1)
major=${version%%.*}
out=compile_commands.json
tmp=$out.tmp
build=("$make_cmd" -s --no-print-directory compile-commands-sources)
rm -f "$tmp"
if [[ ${major:-3} -ge 3 ]]; then
    bear --output "$tmp" -- "${build[@]}"
else
    bear -o "$tmp" "${build[@]}"
fi
rc=$?
if [[ $rc -ne 0 || ! -s $tmp ]]; then
    rm -f "$tmp"
    echo "compile_commands: bear ${version:-?} failed (exit $rc)"
    exit 1
fi
mv "$tmp" "$out"
entries=$(grep -c '"file"' "$out")
echo "compile_commands: wrote $out ($entries files, bear $version); clangd reads it from here"
