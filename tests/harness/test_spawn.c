/* test_spawn.c: tests of harness/spawn.c on real programs: exits, signals, deadlines, group
 * and orphan kills, output files, limits, exec failures and stack dumps. Timing bounds are
 * loose on purpose (several times what is expected), so a loaded machine does not fail them. */
#include "compile.h"
#include "spawn.h"
#include "hang/snapshot.h"
#include "parsers/stacks.h"
#include "util.h"

#include "support/scratch.h"

#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

/* Every test is a subreaper, as the harness is, so orphans come back to it. */
static void setup(void)
{
    spawn_init();
}

TestSuite(spawn, .init = setup, .fini = scratch_remove);

static void scratch(void)
{
    scratch_make("spawn");
    /* compilers and learner code run as a user of their own under root (spawn.h) */
    cr_assert_eq(chmod(scratch_dir, 0755), 0);
}

/* Runs `sh -c script` with these options; returns child_run's result. */
static int shell(struct child *c, const char *script)
{
    static const char *argv[4];
    argv[0] = "/bin/sh";
    argv[1] = "-c";
    argv[2] = script;
    argv[3] = NULL;
    c->argv = argv;
    return child_run(c);
}

static int gone(pid_t pid)
{
    return kill(pid, 0) == -1 && errno == ESRCH;
}

static pid_t pid_in_file(const char *path)
{
    char *text = read_file(path, 64, NULL);
    cr_assert_not_null(text, "the child did not write %s", path);
    pid_t pid = (pid_t)atoi(text);
    free(text);
    cr_assert_gt(pid, 1);
    return pid;
}

Test(spawn, records_the_exit_code)
{
    struct child c = {0};
    cr_assert_eq(shell(&c, "exit 7"), 0);
    cr_assert(c.exited);
    cr_assert_eq(c.exit_code, 7);
    cr_assert_eq(c.signaled, 0);
    cr_assert_eq(c.timed_out, 0);
    cr_assert_eq(c.exec_failed, 0);
    cr_assert_gt(c.pid, 0);
    cr_assert(c.wall_seconds >= 0 && c.wall_seconds < 5, "%f", c.wall_seconds);
    cr_assert_eq(c.timeout, 60, "a timeout of 0 means 60 s");
    char *how = child_describe(&c);
    cr_assert_str_eq(how, "exited with 7");
    free(how);

    struct child ok = {0};
    cr_assert_eq(shell(&ok, "true"), 0);
    cr_assert(ok.exited);
    cr_assert_eq(ok.exit_code, 0);
    cr_assert_gt(ok.max_rss_kb, 0);
}

Test(spawn, names_the_signal_that_killed_the_child)
{
    struct child c = {0};
    cr_assert_eq(shell(&c, "kill -SEGV $$"), 0);
    cr_assert(c.signaled);
    cr_assert_eq(c.signo, SIGSEGV);
    cr_assert_eq(c.exited, 0);
    char *how = child_describe(&c);
    cr_assert(strstr(how, "SIGSEGV"), "%s", how);
    cr_assert(strstr(how, "segmentation fault"), "%s", how);
    free(how);

    struct child a = {0};
    cr_assert_eq(shell(&a, "kill -ABRT $$"), 0);
    cr_assert(a.signaled);
    cr_assert_eq(a.signo, SIGABRT);
    how = child_describe(&a);
    cr_assert(strstr(how, "SIGABRT"), "%s", how);
    free(how);

    cr_assert_str_eq(signal_name(SIGKILL), "SIGKILL");
    cr_assert_str_eq(signal_name(SIGXCPU), "SIGXCPU");
    char *other = xasprintf("signal %d", SIGUSR1);
    cr_assert_str_eq(signal_name(SIGUSR1), other);
    free(other);
}

Test(spawn, a_deadline_ends_a_child_that_runs_too_long)
{
    const char *argv[] = {"sleep", "30", NULL};
    struct child c = {.argv = argv, .timeout = 0.5};
    double start = now_seconds();
    cr_assert_eq(child_run(&c), 0);
    double took = now_seconds() - start;
    cr_assert(took < 1.5, "child_run took %.2f s for a 0.5 s deadline", took);
    cr_assert(took >= 0.45, "child_run returned after %.2f s, before the deadline", took);
    cr_assert(c.timed_out);
    cr_assert_eq(c.exited, 0);
    cr_assert_eq(c.signaled, 0, "a deadline is reported as a deadline, not as the kill");
    cr_assert(c.wall_seconds >= 0.45 && c.wall_seconds < 1.5, "%f", c.wall_seconds);
    cr_assert(gone(c.pid));
    char *how = child_describe(&c);
    cr_assert(strstr(how, "timed out after 0.5 s"), "%s", how);
    free(how);
}

Test(spawn, a_deadline_kills_the_whole_process_group)
{
    scratch();
    char *pidfile = scratch_path("bg.pid");
    char *script = xasprintf("sleep 1000 & echo $! > %s; wait", pidfile);
    struct child c = {.timeout = 0.5};
    double start = now_seconds();
    cr_assert_eq(shell(&c, script), 0);
    cr_assert(now_seconds() - start < 3);
    cr_assert(c.timed_out);
    pid_t bg = pid_in_file(pidfile);
    cr_assert(kill(-c.pid, 0) == -1 && errno == ESRCH, "a process of group %d is left", (int)c.pid);
    cr_assert(gone(bg), "the background sleep %d is left", (int)bg);
    free(script);
    free(pidfile);
}

Test(spawn, a_child_that_exits_takes_what_it_left_in_its_group_with_it)
{
    scratch();
    char *pidfile = scratch_path("bg.pid");
    char *script = xasprintf("sleep 1000 & echo $! > %s; exit 0", pidfile);
    struct child c = {.timeout = 10};
    double start = now_seconds();
    cr_assert_eq(shell(&c, script), 0);
    cr_assert(now_seconds() - start < 3, "child_run waited for the background sleep");
    cr_assert(c.exited);
    cr_assert_eq(c.exit_code, 0);
    pid_t bg = pid_in_file(pidfile);
    cr_assert(kill(-c.pid, 0) == -1 && errno == ESRCH);
    cr_assert(gone(bg), "the background sleep %d is left", (int)bg);
    free(script);
    free(pidfile);
}

Test(spawn, an_orphan_that_escaped_with_setsid_is_killed)
{
    scratch();
    char *pidfile = scratch_path("escaped.pid");
    char *script = xasprintf("setsid sleep 1000 & echo $! > %s; exit 0", pidfile);
    struct child c = {.timeout = 10};
    cr_assert_eq(shell(&c, script), 0);
    cr_assert(c.exited);
    pid_t escaped = pid_in_file(pidfile);
    cr_assert(gone(escaped), "the setsid'd sleep %d is left", (int)escaped);
    free(script);
    free(pidfile);
}

Test(spawn, reap_orphans_kills_and_reaps_orphans_and_counts_them)
{
    int p[2];
    cr_assert_eq(pipe(p), 0);
    pid_t mid = fork();
    cr_assert_geq(mid, 0);
    if (mid == 0) {
        pid_t orphan = fork();
        if (orphan == 0) {
            setsid();
            for (;;)
                pause();
        }
        while (write(p[1], &orphan, sizeof orphan) < 0 && errno == EINTR)
            ;
        _exit(0);
    }
    pid_t orphan = 0;
    cr_assert_eq(read(p[0], &orphan, sizeof orphan), (ssize_t)sizeof orphan);
    close(p[0]);
    close(p[1]);
    cr_assert_eq(waitpid(mid, NULL, 0), mid);
    /* the orphan is now this process's child: it is a subreaper */
    cr_assert_eq(kill(orphan, 0), 0);
    cr_assert_eq(reap_orphans(), 1);
    cr_assert(gone(orphan), "the orphan %d is left (or is a zombie nobody reaped)", (int)orphan);
    cr_assert_eq(reap_orphans(), 0);
}

/* A caller that names /dev/null as a child's output gets it written, not replaced: the
 * harness runs as root in CI, where unlinking the device breaks every program on the machine.
 * A device node of the test's own stands in for it. */
Test(spawn, an_output_named_by_a_device_is_written_not_replaced)
{
    if (geteuid() != 0)
        cr_skip_test("making a device node needs root");
    scratch();
    char *dev = scratch_path("null");
    cr_assert_eq(mknod(dev, S_IFCHR | 0666, makedev(1, 3)), 0, "mknod: %s", strerror(errno));
    struct child c = {.stdout_path = dev, .stderr_path = dev};
    cr_assert_eq(shell(&c, "echo into the device; echo and its errors >&2"), 0);
    struct stat st;
    cr_assert_eq(lstat(dev, &st), 0);
    cr_assert(S_ISCHR(st.st_mode), "the device was replaced by a file (mode %o)", st.st_mode);
    free(dev);
}

Test(spawn, output_goes_to_the_files_given)
{
    scratch();
    char *out = scratch_path("out.txt"), *err = scratch_path("err.txt"),
         *both = scratch_path("both.txt");
    char *in = scratch_path("in.txt");
    cr_assert_eq(write_file(in, "from stdin\n", 11), 0);

    struct child c = {.stdin_path = in, .stdout_path = out, .stderr_path = err};
    cr_assert_eq(shell(&c, "cat; echo to-out; echo to-err >&2"), 0);
    cr_assert(c.exited && c.exit_code == 0);
    char *text = read_file(out, 1 << 16, NULL);
    cr_assert_str_eq(text, "from stdin\nto-out\n");
    free(text);
    text = read_file(err, 1 << 16, NULL);
    cr_assert_str_eq(text, "to-err\n");
    free(text);

    struct child s = {.stdout_path = both, .stderr_path = both};
    cr_assert_eq(shell(&s, "echo one; echo two >&2; echo three"), 0);
    text = read_file(both, 1 << 16, NULL);
    cr_assert_str_eq(text, "one\ntwo\nthree\n", "one shared file, in order");
    free(text);

    /* no stdin_path: /dev/null, so a reader ends at once */
    struct child n = {.stdout_path = out, .timeout = 5};
    cr_assert_eq(shell(&n, "cat; echo eof"), 0);
    cr_assert_eq(n.timed_out, 0);
    text = read_file(out, 1 << 16, NULL);
    cr_assert_str_eq(text, "eof\n");
    free(text);
    free(out);
    free(err);
    free(both);
    free(in);
}

Test(spawn, passes_extra_environment_and_the_working_directory)
{
    scratch();
    char *out = scratch_path("out.txt");
    setenv("KATA_TEST_INHERITED", "old", 1);
    const char *env[] = {"KATA_TEST_EXTRA=hello", "KATA_TEST_INHERITED=new", NULL};
    struct child c = {.env = env, .dir = scratch_dir, .stdout_path = out};
    cr_assert_eq(shell(&c, "echo \"$KATA_TEST_EXTRA $KATA_TEST_INHERITED $(pwd)\""), 0);
    char *text = read_file(out, 1 << 16, NULL);
    char *real = real_path(scratch_dir);
    char *want = xasprintf("hello new %s\n", real);
    cr_assert_str_eq(text, want);
    free(want);
    free(real);
    free(text);
    free(out);
}

Test(spawn, the_child_inherits_only_the_allowed_variables_and_no_ci_secret)
{
    scratch();
    char *out = scratch_path("env.txt");
    setenv("GITHUB_TOKEN", "ghs_secret", 1);
    setenv("GITHUB_STEP_SUMMARY", "/tmp/summary.md", 1);
    setenv("GITHUB_ENV", "/tmp/env", 1);
    setenv("GITHUB_OUTPUT", "/tmp/output", 1);
    setenv("ACTIONS_RUNTIME_TOKEN", "secret", 1);
    setenv("LC_ALL", "C", 1);
    const char *env[] = {"KATA_TEST_EXTRA=kept", NULL};
    struct child c = {.env = env, .stdout_path = out};
    cr_assert_eq(shell(&c, "env | cut -d= -f1 | sort | tr '\\n' ' '"), 0);
    char *text = read_file(out, 1 << 16, NULL);
    cr_assert(text);
    cr_assert(!strstr(text, "GITHUB_") && !strstr(text, "ACTIONS_"), "the child saw: %s", text);
    cr_assert(strstr(text, "PATH ") && strstr(text, "LC_ALL ") && strstr(text, "KATA_TEST_EXTRA "),
              "the child saw: %s", text);
    free(text);
    free(out);
    unsetenv("GITHUB_TOKEN");
    unsetenv("GITHUB_STEP_SUMMARY");
    unsetenv("GITHUB_ENV");
    unsetenv("GITHUB_OUTPUT");
    unsetenv("ACTIONS_RUNTIME_TOKEN");
}

Test(spawn, the_child_gets_no_descriptor_but_0_1_and_2)
{
    scratch();
    char *out = scratch_path("fds.txt");
    /* what a parent of the harness may leave open: a descriptor without close-on-exec, one
     * of them far up, as make's jobserver and CI runners do */
    int low = open("/dev/null", O_RDONLY), high = fcntl(low, F_DUPFD, 200);
    cr_assert(low >= 3 && high >= 200);
    struct child c = {.stdout_path = out};
    cr_assert_eq(shell(&c, "ls /proc/self/fd | sort -n | tr '\\n' ' '"), 0);
    char *text = read_file(out, 1 << 16, NULL);
    /* ls itself holds one more: the directory it reads */
    cr_assert_str_eq(text, "0 1 2 3 ", "the child saw: %s", text);
    free(text);
    close(low);
    close(high);
    free(out);
}

Test(spawn, applies_the_limits_and_the_personality_it_is_given)
{
    scratch();
    char *out = scratch_path("limits.txt");
    struct child c = {.stdout_path = out,
                      .limits = {.memory_mb = 256, .open_files = 40, .cpu_seconds = 30},
                      .no_aslr = 1};
    cr_assert_eq(shell(&c, "ulimit -v; ulimit -n; ulimit -t; ulimit -c; "
                           "cat /proc/self/personality"),
                 0);
    char *text = read_file(out, 1 << 16, NULL);
    /* ulimit -v is in KiB; no core files, ever; 0040000 is ADDR_NO_RANDOMIZE */
    cr_assert_str_eq(text, "262144\n40\n30\n0\n00040000\n");
    free(text);

    struct child d = {.stdout_path = out};
    cr_assert_eq(shell(&d, "cat /proc/self/personality"), 0);
    text = read_file(out, 1 << 16, NULL);
    cr_assert_str_eq(text, "00000000\n", "address randomisation stays on by default");
    free(text);
    free(out);
}

Test(spawn, the_file_size_limit_ends_a_flood_of_output)
{
    scratch();
    char *out = scratch_path("flood.txt");
    const char *argv[] = {"yes", NULL};
    struct child c = {.argv = argv, .stdout_path = out, .timeout = 20, .limits = {.file_mb = 1}};
    cr_assert_eq(child_run(&c), 0);
    cr_assert_eq(c.timed_out, 0, "the flood ran to the deadline");
    cr_assert(c.signaled);
    cr_assert_eq(c.signo, SIGXFSZ, "ended by %s", signal_name(c.signo));
    struct stat st;
    cr_assert_eq(stat(out, &st), 0);
    cr_assert_eq(st.st_size, 1024 * 1024, "the file stops at the limit: %lld bytes",
                 (long long)st.st_size);
    char *how = child_describe(&c);
    cr_assert(strstr(how, "SIGXFSZ"), "%s", how);
    free(how);
    free(out);
}

Test(spawn, the_cpu_limit_ends_a_busy_loop)
{
    struct child c = {.timeout = 20, .limits = {.cpu_seconds = 1}};
    double start = now_seconds();
    cr_assert_eq(shell(&c, "while :; do :; done"), 0);
    cr_assert(now_seconds() - start < 8);
    cr_assert_eq(c.timed_out, 0);
    cr_assert(c.signaled);
    cr_assert_eq(c.signo, SIGXCPU, "ended by %s", signal_name(c.signo));
    cr_assert(c.cpu_seconds >= 0.5, "cpu %.2f s", c.cpu_seconds);
}

Test(spawn, a_program_that_cannot_be_started_reports_why)
{
    const char *missing[] = {"kata-no-such-program", NULL};
    struct child c = {.argv = missing};
    cr_assert_eq(child_run(&c), -1);
    cr_assert(c.exec_failed);
    cr_assert_eq(c.exec_errno, ENOENT);
    cr_assert_eq(c.exited, 0);
    char *how = child_describe(&c);
    cr_assert(strstr(how, "kata-no-such-program"), "%s", how);
    cr_assert(strstr(how, strerror(ENOENT)), "%s", how);
    free(how);

    const char *absent[] = {"/nonexistent/program", NULL};
    struct child d = {.argv = absent};
    cr_assert_eq(child_run(&d), -1);
    cr_assert_eq(d.exec_errno, ENOENT);

    const char *not_exec[] = {"/etc/passwd", NULL};
    struct child e = {.argv = not_exec};
    cr_assert_eq(child_run(&e), -1);
    cr_assert_eq(e.exec_errno, EACCES);

    /* the output file cannot be opened: the child cannot start either */
    const char *argv[] = {"true", NULL};
    struct child f = {.argv = argv, .stdout_path = "/nonexistent/dir/out.txt"};
    cr_assert_eq(child_run(&f), -1);
    cr_assert(f.exec_failed);
    cr_assert_eq(f.exec_errno, ENOENT);
}

Test(spawn, a_deadline_writes_the_stacks_of_a_blocked_program)
{
    scratch();
    char *stacks = scratch_path("stacks.txt");
    const char *argv[] = {"sleep", "30", NULL};
    struct child c = {
        .argv = argv, .timeout = 0.5, .stacks_path = stacks, .on_deadline = &hang_snapshot};
    double start = now_seconds();
    cr_assert_eq(child_run(&c), 0);
    cr_assert(now_seconds() - start < 10);
    cr_assert(c.timed_out);
    char *text = read_file(stacks, 1 << 20, NULL);
    cr_assert_not_null(text, "no stack dump in %s", stacks);
    cr_assert(strstr(text, "TID") || strstr(text, "LWP"), "not a stack dump:\n%s", text);
    free(text);

    /* no deadline, no dump */
    char *none = scratch_path("none.txt");
    const char *quick[] = {"true", NULL};
    struct child q = {
        .argv = quick, .timeout = 5, .stacks_path = none, .on_deadline = &hang_snapshot};
    cr_assert_eq(child_run(&q), 0);
    cr_assert_eq(file_exists(none), 0);
    free(none);
    free(stacks);
}

Test(spawn, the_stacks_of_a_deadlock_show_where_each_thread_waits)
{
    scratch();
    static const char *const flags[] = {"-O0", "-g", "-pthread", NULL};
    static const char *const sources[] = {"tests/harness/data/src/deadlock.c", NULL};
    struct compile_job job = {.cc = "gcc",
                              .flags = flags,
                              .sources = sources,
                              .label = "deadlock",
                              .cache_dir = scratch_dir};
    char *diag = NULL;
    char *bin = compile(&job, &diag, NULL);
    cr_assert_not_null(bin, "cannot build the deadlock (run from the repository root): %s",
                       diag ? diag : "");
    free(diag);

    char *stacks = scratch_path("stacks.txt");
    const char *argv[] = {bin, NULL};
    struct child c = {
        .argv = argv, .timeout = 1, .stacks_path = stacks, .on_deadline = &hang_snapshot};
    cr_assert_eq(child_run(&c), 0);
    cr_assert(c.timed_out);
    char *text = read_file(stacks, 1 << 20, NULL);
    cr_assert_not_null(text);
    char *real = real_path("tests/harness/data/src/deadlock.c");
    struct findings f = {0};
    cr_assert_eq(stacks_parse(text, real, &f), 3, "the dump:\n%s", text);
    int locked = 0;
    for (size_t i = 0; i < f.n; i++) {
        const struct access *a = &f.v[i].access[0];
        cr_assert(f.v[i].in_learner, "thread %zu is not in deadlock.c:\n%s", i, text);
        if (a->op && !strcmp(a->op, "pthread_mutex_lock")) {
            locked++;
            cr_assert(a->line == 15 || a->line == 24, "%s:%d", a->function, a->line);
        }
    }
    cr_assert_eq(locked, 2, "both workers wait in pthread_mutex_lock:\n%s", text);
    findings_release(&f);
    free(real);
    free(text);
    free(stacks);
    free(bin);
}

Test(spawn, a_deadline_dumps_every_process_of_the_group)
{
    scratch();
    char *stacks = scratch_path("stacks.txt");
    struct child c = {.timeout = 0.5, .stacks_path = stacks, .on_deadline = &hang_snapshot};
    cr_assert_eq(shell(&c, "sleep 30 & wait"), 0);
    cr_assert(c.timed_out);
    char *text = read_file(stacks, 1 << 20, NULL);
    cr_assert_not_null(text);
    int processes = 0;
    for (const char *p = text; (p = strstr(p, "PID ")); p++)
        processes += p == text || p[-1] == '\n';
    cr_assert_eq(processes, 2, "the shell and its sleep:\n%s", text);
    free(text);
    free(stacks);
}

#define FAKE_EU_STACK "#!/bin/sh\necho cannot attach >&2\nexit 1\n"

Test(spawn, a_stack_dump_falls_back_to_gdb_when_eu_stack_fails)
{
    scratch();
    /* an eu-stack that always fails, found first in PATH */
    char *fake = scratch_path("eu-stack");
    cr_assert_eq(write_file(fake, FAKE_EU_STACK, strlen(FAKE_EU_STACK)), 0);
    cr_assert_eq(chmod(fake, 0755), 0);
    char *path = xasprintf("%s:%s", scratch_dir, getenv("PATH") ? getenv("PATH") : "/usr/bin:/bin");
    setenv("PATH", path, 1);

    char *stacks = scratch_path("stacks.txt");
    const char *argv[] = {"sleep", "30", NULL};
    struct child c = {
        .argv = argv, .timeout = 0.5, .stacks_path = stacks, .on_deadline = &hang_snapshot};
    cr_assert_eq(child_run(&c), 0);
    cr_assert(c.timed_out);
    char *text = read_file(stacks, 1 << 20, NULL);
    cr_assert_not_null(text);
    cr_assert(strstr(text, "(LWP "), "no gdb backtrace:\n%s", text);
    struct findings f = {0};
    cr_assert_eq(stacks_parse(text, "/nowhere.c", &f), 1, "one thread:\n%s", text);
    findings_release(&f);
    free(text);
    free(stacks);
    free(path);
    free(fake);
}

Test(spawn, an_output_file_replaced_by_a_link_is_made_anew_not_followed)
{
    scratch();
    char *target = scratch_path("protected.txt");
    char *out = scratch_path("out.txt");
    cr_assert_eq(write_file(target, "keep me\n", 8), 0);
    cr_assert_eq(symlink(target, out), 0);
    struct child c = {.stdout_path = out};
    cr_assert_eq(shell(&c, "echo written"), 0);
    char *kept = read_file(target, 64, NULL);
    cr_assert_str_eq(kept, "keep me\n");
    struct stat st;
    cr_assert_eq(lstat(out, &st), 0);
    cr_assert(S_ISREG(st.st_mode), "the output is a regular file of the harness's own");
    char *written = read_file(out, 64, NULL);
    cr_assert_str_eq(written, "written\n");
    /* and the harness reads nothing through a link, nor blocks on a FIFO */
    char *fifo = scratch_path("fifo");
    cr_assert_eq(mkfifo(fifo, 0600), 0);
    cr_assert_null(read_file(fifo, 64, NULL));
    cr_assert_eq(unlink(out), 0);
    cr_assert_eq(symlink(target, out), 0);
    cr_assert_null(read_file(out, 64, NULL));
    free(kept);
    free(written);
    free(fifo);
    free(target);
    free(out);
}

/* The sandbox as the harness configures it (sandbox.c), with kata-init from the build. */
static void sandbox_on(const char *work)
{
    if (access("/usr/bin/bwrap", X_OK) || access("build/bin/kata-init", X_OK))
        cr_skip_test("needs bubblewrap and build/bin/kata-init (run from the repository root)");
    static char init[4096];
    cr_assert_not_null(realpath("build/bin/kata-init", init));
    struct sandbox_config cfg = {.bwrap = "/usr/bin/bwrap", .init = init, .work = work};
    spawn_sandbox(&cfg);
}

Test(spawn, a_sandboxed_child_sees_only_its_view_and_writes_only_its_own_folder)
{
    scratch();
    sandbox_on(scratch_dir);
    char *secret = scratch_path("secret.txt");
    cr_assert_eq(write_file(secret, "x", 1), 0);
    char *script = xasprintf("test ! -e %s || exit 3; test ! -e /etc/passwd || exit 4; "
                             "id -u > %s/mine.txt; ln -s /etc/passwd %s/link; "
                             "ipcmk -M 4096 > /dev/null 2>&1; echo tmp > /tmp/t; test -s /tmp/t",
                             secret, scratch_dir, scratch_dir);
    struct child c = {.limits = {.unprivileged = 1}};
    cr_assert_eq(shell(&c, script), 0);
    spawn_sandbox(NULL);
    cr_assert(c.sandboxed);
    cr_assert(c.exited && c.exit_code == 0, "exited %d with %d", c.exited, c.exit_code);
    /* what it wrote came out of its own folder: the regular file, not the link */
    char *mine = scratch_path("mine.txt");
    char *uid = read_file(mine, 64, NULL);
    cr_assert_not_null(uid);
    if (geteuid() == 0)
        cr_assert_eq((unsigned)atol(uid), spawn_sandbox_uid(), "it ran as %s", uid);
    char *link = scratch_path("link");
    struct stat st;
    cr_assert_neq(lstat(link, &st), 0, "a link it made stays behind in its own folder");
    free(link);
    free(uid);
    free(mine);
    free(script);
    free(secret);
}

Test(spawn, a_sandboxed_child_reports_what_it_left_and_takes_it_along)
{
    scratch();
    sandbox_on(scratch_dir);
    struct child c = {.limits = {.unprivileged = 1}, .timeout = 20};
    double t0 = now_seconds();
    cr_assert_eq(shell(&c, "sleep 30 & setsid sleep 30 & exit 5"), 0);
    spawn_sandbox(NULL);
    cr_assert(c.exited && c.exit_code == 5);
    cr_assert_eq(c.left_running, 2);
    cr_assert_lt(now_seconds() - t0, 5.0);
}

/* The process limit counts the sandbox's own processes, not every process of its user: as an
 * ordinary user the harness, the other stages and the other gradings are that user too, and a
 * limit that counted them refused bwrap its first fork on a busy machine (a compile "failed").
 * Here the same user already runs more processes than the limit, and the child still starts;
 * inside, the limit holds. */
Test(spawn, a_sandboxed_child_limit_counts_only_its_own_processes)
{
    scratch();
    sandbox_on(scratch_dir);
    int ready[2];
    cr_assert_eq(pipe(ready), 0);
    pid_t crowd = fork();
    if (crowd == 0) {
        setpgid(0, 0);
        if (geteuid() == 0 && (setgid(spawn_sandbox_uid()) || setuid(spawn_sandbox_uid())))
            _exit(1);
        for (int i = 0; i < 12; i++)
            if (fork() == 0) {
                close(ready[1]);
                pause();
                _exit(0);
            }
        close(ready[1]);
        pause();
        _exit(0);
    }
    setpgid(crowd, crowd);
    close(ready[1]);
    char byte;
    cr_assert_eq(read(ready[0], &byte, 1), 0); /* every one of the crowd has closed its end */
    close(ready[0]);
    struct child c = {.limits = {.unprivileged = 1, .processes = 6}, .timeout = 20};
    int rc = shell(&c, "exit 7");
    /* inside, the shell cannot start ten more */
    struct child storm = {.limits = {.unprivileged = 1, .processes = 6}, .timeout = 20};
    int src = shell(&storm, "for i in 1 2 3 4 5 6 7 8 9 10; do sleep 5 & done; exit 7");
    kill(-crowd, SIGKILL);
    waitpid(crowd, NULL, 0);
    spawn_sandbox(NULL);
    cr_assert_eq(rc, 0, "the child did not start: %s", strerror(c.exec_errno));
    cr_assert(c.exited && c.exit_code == 7, "exited %d with %d", c.exited, c.exit_code);
    cr_assert_eq(src, 0, "the storm did not start: %s", strerror(storm.exec_errno));
    cr_assert(storm.exited && storm.exit_code != 7, "ten processes started under a limit of six");
}

Test(spawn, a_sandboxed_child_dies_by_the_signal_it_died_of)
{
    scratch();
    sandbox_on(scratch_dir);
    struct child c = {.limits = {.unprivileged = 1}};
    cr_assert_eq(shell(&c, "kill -SEGV $$"), 0);
    spawn_sandbox(NULL);
    cr_assert(c.signaled);
    cr_assert_eq(c.signo, SIGSEGV);
}

Test(spawn, a_deadline_stops_and_ends_a_sandboxed_crowd_of_processes)
{
    scratch();
    sandbox_on(scratch_dir);
    struct child c = {.limits = {.unprivileged = 1}, .timeout = 2};
    double t0 = now_seconds();
    cr_assert_eq(shell(&c, "for i in $(seq 100); do setsid sleep 100 & done; sleep 100"), 0);
    spawn_sandbox(NULL);
    cr_assert(c.timed_out);
    cr_assert_geq(c.deadline_procs, 100, "%d processes at the deadline", c.deadline_procs);
    cr_assert_lt(now_seconds() - t0, 10.0);
}

Test(spawn, a_sandboxed_child_cannot_put_a_file_in_place_of_its_own_log)
{
    scratch();
    sandbox_on(scratch_dir);
    char *log = scratch_path("run.log");
    char *script = xasprintf("echo real; echo forged > %s", log);
    struct child c = {.limits = {.unprivileged = 1}, .stdout_path = log};
    cr_assert_eq(shell(&c, script), 0);
    spawn_sandbox(NULL);
    char *text = read_file(log, 64, NULL);
    cr_assert_str_eq(text, "real\n");
    free(text);
    free(script);
    free(log);
}
