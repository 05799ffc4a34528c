#!/bin/bash
# record.sh: re-records every tool output in tests/harness/data from the programs in src/.
#
# The recordings are what the parser tests of tests/harness/ read, so re-record only when a
# tool's version changes, then re-run `make test-harness` and look at what moved.
#
# Everything is compiled from the repository root with -fdebug-prefix-map=<root>=., so the
# learner frames of every recording read ./tests/harness/data/src/<file>.c or
# tests/harness/data/src/<file>.c: relative to the root, where the tests run, whatever the
# folder of the checkout. The binaries live in a fixed folder so that a re-recording changes
# only what the tools changed.
#
# Needs: clang (TSan), gcc, valgrind, eu-stack (elfutils), gdb, libcriterion-dev.
set -euo pipefail

cd "$(dirname "$0")/../../.."
root=$(pwd)
data=tests/harness/data
src=$data/src
bin=/tmp/kata-record
rm -rf "$bin"
mkdir -p "$bin"
trap 'rm -rf "$bin"' EXIT
map="-fdebug-prefix-map=$root=."

say() { echo "  REC     $1"; }

# ThreadSanitizer: the harness's own TSAN_OPTIONS (harness/stages/tsan.c), with the report
# written to a log file. A clean run writes no log at all: it is recorded as an empty file.
tsan() {
    local name=$1
    clang -fsanitize=thread -O0 -g "$map" "$src/$name.c" -o "$bin/$name.tsan"
    rm -f "$bin"/tsan.*
    TSAN_OPTIONS="log_path=$bin/tsan exitcode=66 halt_on_error=0 report_signal_unsafe=0 \
die_after_fork=0 hard_rss_limit_mb=4096 history_size=4 second_deadlock_stack=1 \
external_symbolizer_path=/usr/bin/llvm-symbolizer-14" "$bin/$name.tsan" >/dev/null || true
    if ls "$bin"/tsan.* >/dev/null 2>&1; then
        cat "$bin"/tsan.* >"$data/tsan_$name.txt"
    else
        : >"$data/tsan_$name.txt"
    fi
    say "$data/tsan_$name.txt"
}

for p in race_global race_heap race_main race_atomic lock_order thread_leak clean; do
    tsan "$p"
done

# Helgrind and DRD: built as the harness builds its Valgrind driver (-O0 -g -no-pie).
valgrind_tool() {
    local tool=$1 name=$2
    [ -x "$bin/$name.gcc" ] ||
        gcc -O0 -g -no-pie -pthread "$map" "$src/$name.c" -o "$bin/$name.gcc"
    valgrind --tool="$tool" --xml=yes --xml-file="$data/${tool}_$name.xml" --fair-sched=yes \
        "$bin/$name.gcc" >/dev/null 2>&1 || true
    say "$data/${tool}_$name.xml"
}

for p in race_global clean lock_order unlock_unlocked cond_signal_unlocked; do
    valgrind_tool helgrind "$p"
    valgrind_tool drd "$p"
done

# Stack dumps of a deadlocked program, taken as harness/hang/snapshot.c takes them on a deadline.
gcc -O0 -g -pthread "$map" "$src/deadlock.c" -o "$bin/deadlock"
"$bin/deadlock" >"$bin/deadlock.out" &
pid=$!
for _ in $(seq 50); do
    grep -q started "$bin/deadlock.out" && break
    sleep 0.1
done
sleep 0.5 # both threads are then past the barrier and blocked in their second lock
eu-stack -s -p "$pid" >"$data/stacks_eu-stack.txt" 2>&1
say "$data/stacks_eu-stack.txt"
gdb -batch -nx -p "$pid" -ex 'thread apply all bt' >"$data/stacks_gdb.txt" 2>&1
say "$data/stacks_gdb.txt"
{ kill -KILL "$pid" && wait "$pid"; } 2>/dev/null || true

# Criterion's --xml for one test at a time, run as harness/stages/test.c runs each test.
gcc -O0 -g "$map" "$src/criterion_sample.c" -o "$bin/criterion_sample" -lcriterion
for t in passes fails crashes; do
    "$bin/criterion_sample" --filter="sample/$t" --jobs=1 --xml="$data/criterion_$t.xml" \
        --ascii >/dev/null 2>&1 || true
    say "$data/criterion_$t.xml"
done

# AddressSanitizer, LeakSanitizer and UBSan, with the harness's options (harness/stages/asan.c).
clang -fsanitize=address,undefined -fno-omit-frame-pointer -O1 -g "$map" "$src/asan_bugs.c" \
    -o "$bin/asan_bugs"
for b in use_after_free double_free leak overflow; do
    rm -f "$bin"/asan.*
    ASAN_OPTIONS="log_path=$bin/asan detect_leaks=1 fast_unwind_on_malloc=0 \
external_symbolizer_path=/usr/bin/llvm-symbolizer-14" \
        UBSAN_OPTIONS="log_path=$bin/asan print_stacktrace=1 halt_on_error=0 \
external_symbolizer_path=/usr/bin/llvm-symbolizer-14" "$bin/asan_bugs" "$b" >/dev/null 2>&1 ||
        true
    cat "$bin"/asan.* >"$data/asan_$b.txt"
    say "$data/asan_$b.txt"
done
