#!/usr/bin/env bash
# deps.sh: make sure everything the harness needs is installed, installing what is missing.
#
# Usage: scripts/deps.sh [--check] [--dev]
#   without options: installs what is missing with apt-get (as root, or through `sudo -n`);
#                    where neither works, prints the exact command and exits 1.
#   --check:         only says what is missing; exits 1 if anything is.
#   --dev:           also what the project's own tests need: npm (the workflow linter),
#                    clang-format-14 (the one version `make format` uses) and libxml2-utils
#                    (xmllint, for junit.xml against its schema).
# Environment: KATA_DEB_CACHE=DIR keeps the downloaded .deb files in DIR between runs (the
#   grading workflow caches DIR): apt-get takes the ones it needs from there instead of
#   downloading them again, and what it downloaded is copied back.
set -u

check_only=0
dev=0
for arg in "$@"; do
    case "$arg" in
        --check) check_only=1 ;;
        --dev) dev=1 ;;
        *) echo "usage: scripts/deps.sh [--check] [--dev]"; exit 2 ;;
    esac
done

# Everything this script says, apt-get's output too, goes to stderr: it runs before a verdict
# whose stdout may be JSON (`make kata FORMAT=json`).
exec 1>&2

# Debian/Ubuntu packages, each with a probe that says whether it is already there.
# bubblewrap: the sandbox every process that reads learner input runs in (harness/spawn.c).
packages=(gcc clang libclang-rt-dev valgrind libcriterion-dev pkg-config gdb elfutils
          libcjson-dev libmicrohttpd-dev libcurl4-openssl-dev libexpat1-dev libssl-dev patch make bubblewrap)
if [[ $dev -eq 1 ]]; then
    packages+=(npm clang-format-14 libxml2-utils)
fi

have() {
    case "$1" in
        gcc|clang|valgrind|gdb|make|pkg-config|npm|patch|clang-format-14) command -v "$1" >/dev/null 2>&1 ;;
        libxml2-utils) command -v xmllint >/dev/null 2>&1 ;;
        elfutils) command -v eu-stack >/dev/null 2>&1 ;;
        bubblewrap) command -v bwrap >/dev/null 2>&1 ;;
        libclang-rt-dev) tsan_works ;;
        libcriterion-dev) pc_or_header criterion criterion/criterion.h ;;
        libcjson-dev) pc_or_header libcjson cjson/cJSON.h ;;
        libmicrohttpd-dev) pc_or_header libmicrohttpd microhttpd.h ;;
        libcurl4-openssl-dev) pc_or_header libcurl curl/curl.h ;;
        libexpat1-dev) pc_or_header expat expat.h ;;
        libssl-dev) pc_or_header libcrypto openssl/evp.h ;;
        *) dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'ok installed' ;;
    esac
}

pc_or_header() {
    pkg-config --exists "$1" 2>/dev/null && return 0
    [[ -f /usr/include/$2 ]]
}

# clang alone is not enough: the ThreadSanitizer runtime ships separately.
tsan_works() {
    command -v clang >/dev/null 2>&1 || return 1
    local dir
    dir=$(mktemp -d) || return 1
    printf 'int main(void){return 0;}\n' >"$dir/t.c"
    clang -fsanitize=thread "$dir/t.c" -o "$dir/t" >/dev/null 2>&1
    local rc=$?
    rm -rf "$dir"
    return $rc
}

missing=()
for p in "${packages[@]}"; do
    have "$p" || missing+=("$p")
done

if [[ ${#missing[@]} -eq 0 ]]; then
    exit 0
fi
echo "deps: missing: ${missing[*]}"
if [[ $check_only -eq 1 ]]; then
    exit 1
fi

if [[ $(id -u) -eq 0 ]]; then
    sudo=()
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    sudo=(sudo -n)
else
    echo "deps: cannot install them without root. Run this, then try again:"
    echo "    sudo apt-get update && sudo apt-get install -y ${missing[*]}"
    exit 1
fi

export DEBIAN_FRONTEND=noninteractive
archives=/var/cache/apt/archives
debs=${KATA_DEB_CACHE:-}
if [[ -n $debs ]]; then
    mkdir -p "$debs" || { echo "deps: cannot make $debs"; exit 1; }
    kept=("$debs"/*.deb)
    if [[ -e ${kept[0]} ]]; then
        echo "deps: ${#kept[@]} downloaded packages kept in $debs"
        "${sudo[@]}" cp "${kept[@]}" "$archives/" ||
            { echo "deps: cannot copy them to $archives"; exit 1; }
    fi
fi
echo "deps: installing with apt-get (this happens once)"
"${sudo[@]}" apt-get update -qq || { echo "deps: apt-get update failed"; exit 1; }
if ! "${sudo[@]}" apt-get install -y -qq --no-install-recommends \
    -o APT::Keep-Downloaded-Packages=true "${missing[@]}" >/dev/null; then
    echo "deps: apt-get install failed; the command was:"
    echo "    ${sudo[*]} apt-get install -y ${missing[*]}"
    exit 1
fi
if [[ -n $debs ]]; then
    # exactly what this install used, so that a cache saved from it does not grow forever
    rm -f "$debs"/*.deb
    used=("$archives"/*.deb)
    if [[ -e ${used[0]} ]]; then
        cp "${used[@]}" "$debs/" || { echo "deps: cannot keep the packages in $debs"; exit 1; }
    fi
fi
still=()
for p in "${missing[@]}"; do
    have "$p" || still+=("$p")
done
if [[ ${#still[@]} -gt 0 ]]; then
    echo "deps: still missing after install: ${still[*]}"
    exit 1
fi
echo "deps: all installed"
