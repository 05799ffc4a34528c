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
    int unprivileged; /* when the harness runs as root, run the child as spawn_sandbox_uid(),
                         so that RLIMIT_NPROC holds, the child can write none of root's
                         files (the tests, the references, the harness), and every
                         process it leaves can be found by its user and killed */
    int private_tmp;  /* a /tmp and /dev/shm of its own (empty tmpfs, gone with the child):
                         Criterion's /tmp/criterion_<pid>.sock left by a killed runner cannot
                         collide with a later runner, and learner files in /tmp go away */
};

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
 * block on a full pipe; file_mb bounds the files.
 */
struct child;

/* What to record at a deadline (hang/snapshot.h has the one the stages use): observe runs
 * while the processes still run and returns a new string (or NULL) that record, called once
 * every process of the tree is stopped, gets with the tree's pids. */
struct deadline_hook {
    char *(*observe)(pid_t root);
    void (*record)(const struct child *c, const char *observed, const pid_t *members, size_t n);
};

struct child {
    const char *const *argv; /* argv[0] is looked up in PATH */
    const char *const *env;  /* extra "NAME=value" entries, NULL-terminated, or NULL */
    const char *dir;         /* working directory, or NULL */
    const char *stdin_path;  /* NULL: /dev/null */
    const char *stdout_path; /* NULL: /dev/null */
    const char *stderr_path; /* NULL: /dev/null; the same path as stdout shares the file */
    const char *stacks_path; /* where to dump stacks on a deadline, or NULL */
    const struct deadline_hook *on_deadline; /* who writes stacks_path, or NULL */
    double timeout;          /* seconds of wall time; 0 means 60 */
    struct limits limits;
    int no_aslr; /* personality(ADDR_NO_RANDOMIZE): TSan on kernels with mmap_rnd_bits > 28 */

    /* results */
    pid_t pid;
    int exited;      /* exited normally: exit_code is valid */
    int exit_code;
    int signaled;    /* killed by signal `signo` */
    int signo;
    int timed_out;   /* the deadline passed and the group was killed */
    int exec_failed; /* the program could not be started: exec_errno says why */
    int exec_errno;
    double wall_seconds;
    double cpu_seconds; /* user + system of the child and its waited-for descendants */
    long max_rss_kb;
    int left_running;   /* processes it left behind, still alive after it exited (its group,
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
