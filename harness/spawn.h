/* spawn.h: run one untrusted child under a deadline and resource limits. */
#ifndef KATA_SPAWN_H
#define KATA_SPAWN_H

#include <stddef.h>
#include <sys/types.h>

/* Resource limits applied in the child before exec. Zero means "leave as is". */
struct limits {
    long cpu_seconds; /* RLIMIT_CPU: SIGXCPU past it */
    long memory_mb;   /* RLIMIT_AS; never set it for TSan/ASan (their shadow is reserved) */
    long file_mb;     /* RLIMIT_FSIZE: caps every file the child writes, its output too */
    long open_files;  /* RLIMIT_NOFILE */
    long processes;   /* RLIMIT_NPROC; counts per user and is ignored for root */
    int unprivileged; /* the child handles learner-controlled input: it runs in the sandbox
                         (spawn_sandbox(), below) when one is configured, and, when the
                         harness runs as root, as spawn_sandbox_uid() in any case, so that
                         RLIMIT_NPROC holds, the child can write none of root's files, and
                         every process it leaves can be found by its user and killed */
    int private_tmp;  /* without the sandbox only: a /tmp and /dev/shm of its own where the
                         harness can mount them (the sandbox always gives one, and /var/tmp) */
};

/* What a sandboxed child may see besides the system (/usr and the loader's files, read-only),
 * a /proc of its own pid namespace, a minimal /dev, and an empty /tmp, /var/tmp and /dev/shm
 * of its own. The regular files its command line names (argv[i], or the path after "=" in
 * "--opt=path") are bound read-only too, so a driver sees its own binary and no other. */
struct view {
    const char *const *read; /* more files or folders, read-only at their own paths;
                                NULL-terminated, or NULL */
    const char *write;       /* the one folder it may write, at its own path; NULL: the
                                grading's work folder (struct sandbox_config) */
};

/* How sandboxed children are started: bubblewrap (bwrap) with a new user, pid, ipc, uts,
 * mount and cgroup namespace, no capabilities, no new privileges, and kata-init
 * (sandbox_init.c) as the namespace's pid 1, which reports how the command ended and what it
 * left running, and whose exit ends every process still in the namespace. */
struct sandbox_config {
    const char *bwrap; /* bubblewrap's path */
    const char *init;  /* kata-init's path */
    int share_net;     /* keep the harness's network namespace (loopback only, where the
                          latency server listens); 0: a new, empty one */
    const char *work;  /* the grading's work folder: the default `write` of a view */
};

/* Sandboxes every later child whose limits say unprivileged; NULL: none is (they run with
 * rlimits and, under a root harness, a uid of their own only). The strings must outlive the
 * children; the struct is copied. */
void spawn_sandbox(const struct sandbox_config *cfg);
/* Whether unprivileged children run in the sandbox now (spawn_sandbox was given a config). */
int spawn_sandbox_active(void);

/* The user (and group) an unprivileged child runs as when the harness is root: an id no
 * account uses, and one per harness process (100000 + its pid), so that killing "every
 * process of this user" kills only this harness's learner code, even with several
 * harnesses grading side by side. */
unsigned spawn_sandbox_uid(void);

/*
 * How to run a child, and what became of it. Use it in three steps:
 *
 *   1. fill in argv (and whichever options you need) in a zeroed struct child;
 *   2. call child_run(), which starts the child in its own process group, waits for
 *      it until `timeout` seconds have passed on CLOCK_MONOTONIC, and then stops
 *      (SIGSTOP) every process it started, so that a fork storm stops growing, (if
 *      stacks_path and on_deadline are set) lets the hook record what the group was
 *      doing, sends SIGTERM to the group, and SIGKILL half a second later;
 *   3. read the result fields. Whatever happened, no process of the group is left.
 *
 * Output goes to files, never to pipes, so a child that floods its output cannot
 * block on a full pipe; file_mb bounds the files. The harness creates them itself, before
 * the child starts, with O_CREAT|O_EXCL|O_NOFOLLOW after removing whatever had the name, so a
 * name that learner code replaced by a symbolic link or a FIFO is never followed or opened.
 */
struct child;

/* What to record at a deadline (hang/snapshot.h has the one the stages use): observe runs
 * while the processes still run and returns a new string (or NULL) that record, called once
 * every process of the tree is stopped, gets with the tree's pids. */
struct deadline_hook {
    char *(*observe)(pid_t root);
    void (*record)(const struct child *c, const char *observed, const pid_t *members, size_t n);
};

/* A report channel (added for issue 15: evidence the learner's code cannot rewrite): a pipe
 * whose write end the child gets as descriptor `fd` and whose read end child_run drains while
 * the child runs, so a tool's report arrives as it is written and cannot be truncated or
 * edited afterwards, and a full pipe never blocks the tool. */
struct child_channel {
    int fd;     /* the number the child sees it as: 3 to 63 */
    size_t max; /* bytes kept, 0 means 16 MB; more is read and dropped (truncated is set) */
    /* results */
    char *text; /* what came through, NUL-terminated (caller frees), or NULL */
    size_t len;
    int truncated;
    int closed_early; /* every write end was closed while the child still ran (for more than
                         a second): the report was cut off */
    int open_after;   /* a write end was still open when the child and everything it left
                         were gone and killed: someone else held the channel */
    int rd_, wr_;     /* child_run's own */
};

struct child {
    const char *const *argv; /* argv[0] is looked up in PATH */
    const char *const *env;  /* extra "NAME=value" entries, NULL-terminated, or NULL. The
                                child's environment is these and an allow-list of the
                                harness's own (PATH, HOME, LANG, LANGUAGE, LC_*, TZ, TERM,
                                TMPDIR, USER, LOGNAME, NO_COLOR, and the hostile suite's
                                HOSTILE_TAG): nothing else, so no CI token or GITHUB_* file
                                reaches learner code */
    const char *dir;         /* working directory, or NULL */
    const char *stdin_path;  /* NULL: /dev/null */
    const char *stdout_path; /* NULL: /dev/null */
    const char *stderr_path; /* NULL: /dev/null; the same path as stdout shares the file */
    const char *stacks_path; /* where to dump stacks on a deadline, or NULL */
    const struct deadline_hook *on_deadline; /* who writes stacks_path, or NULL */
    double timeout;                          /* seconds of wall time; 0 means 60 */
    struct limits limits;
    int no_aslr; /* personality(ADDR_NO_RANDOMIZE): TSan on kernels with mmap_rnd_bits > 28 */
    struct child_channel *channels; /* report channels (above), or NULL */
    size_t nchannels;
    struct view view;    /* what it sees in the sandbox (see struct view) */
    const int *pass_fds; /* descriptors the child keeps, at the same numbers (a report
                                channel the harness reads); -1 ends the list; NULL: none */

    /* results */
    pid_t pid;
    int exited; /* exited normally: exit_code is valid */
    int exit_code;
    int signaled; /* killed by signal `signo` */
    int signo;
    int timed_out;   /* the deadline passed and the group was killed */
    int exec_failed; /* the program could not be started: exec_errno says why */
    int exec_errno;
    int sandbox_failed; /* the sandbox itself did not start (exec_failed is set too); the
                           child's stderr file has bwrap's reason */
    int sandboxed;      /* it ran inside the sandbox */
    double wall_seconds;
    double cpu_seconds; /* user + system of the child and its waited-for descendants */
    long max_rss_kb;
    int left_running;     /* processes it left behind, still alive after it exited (its group,
                           its user's, orphans that came to us); child_run killed them */
    int deadline_procs;   /* at a deadline: how many processes it had running */
    long deadline_rss_kb; /* at a deadline: the resident memory of the largest of them */
};

/* Runs the child as described above. Returns 0 when the child ran (whatever its exit),
 * -1 when it could not be started (fork failed, or exec failed: exec_failed is set). */
int child_run(struct child *c);

/* A one-line description of how the child ended ("exited with 1", "killed by SIGSEGV
 * (segmentation fault)", "timed out after 10.0 s"). Returns a new string; caller frees. */
char *child_describe(const struct child *c);

/* The name of a signal ("SIGSEGV"), or "signal N". Returns a static string. */
const char *signal_name(int signo);

/* Makes this process a subreaper, so orphans of its children (even ones that called
 * setsid) become its children and can be found and killed. Call once at start. */
void spawn_init(void);

/* Kills every process that the harness process `harness` ran as its sandbox user (a forked
 * copy of the harness that called spawn_init; grade.c runs stages in such copies) and any
 * orphan of it that came to this process. For a copy killed before it could clean up. */
void spawn_kill_left_by(pid_t harness);

/* Kills and reaps every child of this process that child_run is not waiting for:
 * orphans that escaped their process group. Returns how many it found. */
int reap_orphans(void);

#endif
