#!/usr/bin/env bash
# scripts/as-user.sh: run a command of the repository as an ordinary user, in a copy of the
# repository that user owns (CI runs as root in a fresh clone; learners and GitHub runners
# grade as ordinary users, and the harness must hold there too).
#
#   scripts/as-user.sh COMMAND [ARG...]     e.g. scripts/as-user.sh make hostile
#
# As root: makes the account KATA_TEST_USER (default kata-test; no home, no login shell) if
# it is missing, copies the repository's files (tracked and new, not build/) to a folder
# of its own under /tmp, builds the harness there as that user and runs COMMAND there as
# that user; the copy is removed afterwards (kept with KEEP=1). Not as root: runs COMMAND
# here, as the user it already is. Exits with COMMAND's exit code.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "$(id -u)" != 0 ]; then
    exec "$@"
fi
user=${KATA_TEST_USER:-kata-test}
if ! id "$user" > /dev/null 2>&1; then
    useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin "$user"
fi
copy=$(mktemp -d "${TMPDIR:-/tmp}/kata-as-user.XXXXXX")
trap '[ "${KEEP:-0}" = 1 ] && echo "as-user: the copy is kept in $copy" || rm -rf "$copy"' EXIT
git ls-files -z -c -o --exclude-standard | grep -zv '^build/' | tar --null -T - -cf - | tar -xf - -C "$copy"
chown -R "$user:" "$copy"
chmod 0755 "$copy"
echo "as-user: running '$*' as $user (uid $(id -u "$user")) in $copy"
run=(runuser -u "$user" -- env HOME="$copy" PATH="$PATH")
"${run[@]}" make -C "$copy" --no-print-directory -s build/bin/kata
set +e
(cd "$copy" && "${run[@]}" "$@")
rc=$?
exit $rc
