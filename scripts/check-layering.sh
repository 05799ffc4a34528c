#!/usr/bin/env bash
# check-layering.sh OBJDIR: calls in harness/ point one way. Every object file under OBJDIR
# (build/obj: one per harness .c file) is a module; module A depends on module B when A uses a
# symbol that B defines (nm: A's "U" entries against B's definitions), which catches a call
# through a header that belongs to neither. tsort(1) orders the modules and names every loop
# it has to break: any loop fails.
set -euo pipefail
objdir=${1:-build/obj}
[ -d "$objdir" ] || { echo "check-layering: no $objdir: build the harness first" >&2; exit 2; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
find "$objdir" -name '*.o' | sort | while IFS= read -r o; do
    m=${o#"$objdir"/}
    m=${m%.o}
    nm -P --defined-only "$o" | awk -v m="$m" '$2 ~ /^[TDBRVW]$/ { print $1, m }' >>"$work/defs"
    nm -P --undefined-only "$o" | awk -v m="$m" '{ print $1, m }' >>"$work/uses"
    echo "$m $m" >>"$work/edges"
done
sort -k1,1 "$work/defs" >"$work/defs.s"
sort -k1,1 "$work/uses" >"$work/uses.s"
# symbol user definer -> "user definer"
join "$work/uses.s" "$work/defs.s" | awk '$2 != $3 { print $2, $3 }' | sort -u >>"$work/edges"

if ! out=$(tsort "$work/edges" 2>&1 >/dev/null) || [ -n "$out" ]; then
    echo "check-layering: modules of harness/ that call each other (a loop tsort had to break):"
    echo "$out" | sed 's/^/  /'
    exit 1
fi
n=$(cut -d' ' -f1 "$work/edges" | sort -u | wc -l)
echo "check-layering: $n modules in harness/, every call points one way"
