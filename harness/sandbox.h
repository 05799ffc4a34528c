/* sandbox.h: the harness's loopback-only network, and the bubblewrap sandbox of its children. */
#ifndef KATA_SANDBOX_H
#define KATA_SANDBOX_H

/* Moves this process into a new network namespace whose only interface is loopback (up),
 * so learner code reaches 127.0.0.1 and nothing else; as root directly, otherwise through
 * a user namespace. Returns 1 when confined, 0 when the system allows neither (a warning
 * says so once). Call it before any thread or child is started. */
int sandbox_network(void);

/* Sets up the sandbox (spawn.h, struct sandbox_config) for one grading whose work folder is
 * `work`: finds bubblewrap (bwrap, on PATH) and kata-init (beside this program), and checks
 * once per process that a sandbox starts here, as the user learner code runs as. Where it
 * cannot start (no bwrap; no user namespaces and not root; AppArmor's restriction of
 * unprivileged user namespaces on Ubuntu 24.04), it warns once in one line and children run
 * unconfined, as before.
 * Returns a new string (caller frees) that says which isolation holds: "bubblewrap", or
 * "none: <why>". KATA_NO_SANDBOX=1 turns it off ("none: KATA_NO_SANDBOX is set"). */
char *sandbox_start(const char *work);

/* Children run unconfined again (the work folder of the last sandbox_start is forgotten). */
void sandbox_stop(void);

/* The limits that hold for learner code here, in one line for the verdict's header (a new
 * string, caller frees): the rlimits always; the grading's total memory only where a cgroup
 * v2 memory controller could bound it, which the harness does not use yet. */
char *sandbox_limits(void);

#endif
