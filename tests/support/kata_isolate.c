/* kata_isolate.c: every Criterion test body runs in a child of its own; only the parent,
 * which never runs learner code, talks to Criterion.
 *
 * Why: Criterion's worker process runs the test body, and the body calls the learner's
 * functions. Code in that process can call Criterion itself (criterion_skip_test through a
 * weak reference or dlsym, one passing criterion_send_assert and then exit), and Criterion
 * believes it. So the worker keeps Criterion to itself: this file defines the Criterion
 * entry points the test bodies call (the executable's definitions win over libcriterion's),
 * and `criterion_internal_test_main` forks a child for the body. In the child those entry
 * points write records to a pipe; the parent reads the records while the child runs and
 * decides, and only the parent calls the real Criterion (found with dlsym(RTLD_NEXT)).
 *
 * What the parent requires for a pass: the child it forked (no other process) said that the
 * body returned, no assertion of it failed, and nothing the child started is still running.
 * A skip, an exit in the middle of the body, a death by signal, a record from another process
 * (a forked child of the learner's that returned into the test) are failures, each said in
 * words. The child has no descriptor but stdin, stdout, stderr and the record pipe, so the
 * Criterion runner's socket is out of its reach; it cannot trace or write the memory of the
 * parent or the runner (both are made non-dumpable, and a seccomp filter refuses ptrace,
 * process_vm_writev and new Unix-domain sockets in the child).
 *
 * Every record carries a key: 16 random bytes the parent draws before it forks the child, new
 * for each test. The parent takes no record without it, and fails a test whose pipe carried
 * anything else: code that knows this protocol and writes "the body returned" to the pipe,
 * then exits, fails (tests/hostile/forge_record.c). The key is in the child's memory, which
 * the learner's code shares; it is never in a file, an argument or the environment, so
 * forging a record now takes reading this process's memory at a place the learner's code
 * does not know, not writing a documented protocol. The checks that count threads, processes
 * and descriptors run in the child too. */
#define _GNU_SOURCE /* dlsym(RTLD_NEXT), pipe2, close_range */
#include "kata_test.h"

#include <criterion/criterion.h>
#include <criterion/event.h>
#include <criterion/internal/assert.h>
#include <criterion/logging.h>

#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

pid_t __real_fork(void);

enum record_kind { REC_ASSERT = 1, REC_SKIP, REC_DIE, REC_CRITERION, REC_LOG, REC_END };

/* One record on the pipe; file and message bytes follow it. */
struct record {
    unsigned char key[16]; /* record_key: the parent takes no record without it */
    int32_t kind;
    int32_t passed;
    int32_t line;
    int32_t pid;
    int64_t count; /* REC_END: assertions that passed */
    uint32_t file_len, msg_len;
};

static int record_fd = -1;           /* >= 0 only in the child that runs a test body */
static unsigned char record_key[16]; /* drawn by the parent before each body's fork */
static pid_t body_pid;               /* that child */
static int64_t body_passes;          /* in the child: assertions that passed */
static void (*body)(void);

/* The real Criterion entry point `name` (libcriterion's, not ours). */
static void *real(const char *name)
{
    void *f = dlsym(RTLD_NEXT, name);
    if (!f) {
        fprintf(stderr, "kata-test: Criterion has no %s\n", name);
        abort();
    }
    return f;
}

static void write_all(int fd, const void *p, size_t n)
{
    const char *c = p;
    while (n > 0) {
        ssize_t w = write(fd, c, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            _exit(127);
        c += w;
        n -= (size_t)w;
    }
}

static void send_record(int kind, int passed, const char *file, int line, const char *msg,
                        int64_t count)
{
    struct record r = {.kind = kind,
                       .passed = passed,
                       .line = line,
                       .pid = (int32_t)getpid(),
                       .count = count,
                       .file_len = file ? (uint32_t)strlen(file) : 0,
                       .msg_len = msg ? (uint32_t)strlen(msg) : 0};
    memcpy(r.key, record_key, sizeof r.key);
    /* one write, so records of threads that assert at once do not interleave */
    size_t n = sizeof r + r.file_len + r.msg_len;
    char *buf = malloc(n);
    if (!buf)
        _exit(127);
    memcpy(buf, &r, sizeof r);
    if (r.file_len)
        memcpy(buf + sizeof r, file, r.file_len);
    if (r.msg_len)
        memcpy(buf + sizeof r + r.file_len, msg, r.msg_len);
    write_all(record_fd, buf, n);
    free(buf);
}

/* --- the entry points the test bodies call: a record in the child, Criterion's in the parent */

void criterion_send_assert(struct criterion_assert_stats *stats)
{
    if (record_fd < 0) {
        ((void (*)(struct criterion_assert_stats *))real("criterion_send_assert"))(stats);
        return;
    }
    send_record(REC_ASSERT, stats->passed, stats->file, (int)stats->line, stats->message, 0);
}

void cri_asserts_passed_incr(void)
{
    if (record_fd < 0)
        ((void (*)(void))real("cri_asserts_passed_incr"))();
    else
        body_passes++;
}

void criterion_abort_test(void)
{
    if (record_fd >= 0)
        _exit(0); /* the failed assertion's record is on the pipe */
    ((void (*)(void))real("criterion_abort_test"))();
    abort(); /* not reached: Criterion's returns to its test loop */
}

void criterion_skip_test(const char *format, ...)
{
    char msg[512] = "";
    va_list ap;
    va_start(ap, format);
    if (format)
        vsnprintf(msg, sizeof msg, format, ap);
    va_end(ap);
    if (record_fd >= 0) {
        send_record(REC_SKIP, 0, NULL, 0, msg, 0);
        _exit(0);
    }
    /* only the harness filters tests: a skip in the parent is not ours either */
    ((void (*)(const char *, ...))real("criterion_skip_test"))("%s", msg);
    abort();
}

void criterion_test_die(const char *msg, ...)
{
    char text[512] = "";
    va_list ap;
    va_start(ap, msg);
    if (msg)
        vsnprintf(text, sizeof text, msg, ap);
    va_end(ap);
    if (record_fd >= 0) {
        send_record(REC_DIE, 0, NULL, 0, text, 0);
        _exit(0);
    }
    ((void (*)(const char *, ...))real("criterion_test_die"))("%s", text);
}

/* A test's log line (cr_log_info, ...): a record in the child, written by the parent. */
void cr_log(enum criterion_severity severity, const char *msg, ...)
{
    char text[1024] = "";
    va_list ap;
    va_start(ap, msg);
    if (msg)
        vsnprintf(text, sizeof text, msg, ap);
    va_end(ap);
    if (record_fd >= 0) {
        send_record(REC_LOG, (int)severity, NULL, 0, text, 0);
        return;
    }
    ((void (*)(enum criterion_severity, const char *, ...))real("cr_log"))(severity, "%s", text);
}

/* Criterion's own messages leave through nanomsg's nn_send. Learner code that reached the real
 * Criterion functions in the child (dlsym on libcriterion) arrives here: say so, and stop. */
int nn_send(int s, const void *buf, size_t len, int flags)
{
    if (record_fd >= 0) {
        send_record(REC_CRITERION, 0, NULL, 0, NULL, 0);
        _exit(0);
    }
    return ((int (*)(int, const void *, size_t, int))real("nn_send"))(s, buf, len, flags);
}

/* --- the child */

/* Refuses, in the child and everything it starts: ptrace and process_vm_writev (the parent
 * and the runner hold the verdict), and new Unix-domain sockets (the runner listens on one). */
static void lock_down(void)
{
    struct sock_filter filter[] = {
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW), /* another arch: the other limits hold */
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_ptrace, 3, 0),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_process_vm_writev, 2, 0),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_socket, 2, 0),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM),
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args[0])),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AF_UNIX, 0, 1),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
    };
    struct sock_fprog prog = {.len = sizeof filter / sizeof filter[0], .filter = filter};
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) || prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog))
        _exit(126);
}

static _Noreturn void run_body(int fd)
{
    /* keep stdin, stdout, stderr and the record pipe; Criterion's socket goes */
    int keep = fcntl(fd, F_DUPFD_CLOEXEC, 3);
    close(fd);
    if (keep != 3) {
        dup2(keep, 3);
        close(keep);
        fcntl(3, F_SETFD, FD_CLOEXEC);
    }
    if (syscall(SYS_close_range, 4U, ~0U, 0U) != 0)
        for (int i = 4; i < 4096; i++)
            close(i);
    record_fd = 3;
    body_pid = getpid();
    /* the learner's threads must be visible to the harness's stack dump at a deadline */
    prctl(PR_SET_DUMPABLE, 1, 0, 0, 0);
    prctl(PR_SET_CHILD_SUBREAPER, 0, 0, 0, 0);
    lock_down();
    body();
    /* a process the learner forked that returned into the test ends here too: its record
     * carries its pid, which the parent does not accept */
    send_record(REC_END, 1, NULL, 0, NULL, body_passes);
    _exit(0);
}

/* --- the parent */

struct reader {
    char *buf;
    size_t len, cap;
    int flooded; /* more than the parent keeps: the rest was dropped */
};

static void drain(int fd, struct reader *rd)
{
    char chunk[65536];
    for (;;) {
        ssize_t n = read(fd, chunk, sizeof chunk);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return;
        if (rd->len + (size_t)n > (16u << 20)) {
            rd->flooded = 1;
            continue;
        }
        if (rd->len + (size_t)n > rd->cap) {
            rd->cap = (rd->len + (size_t)n) * 2;
            rd->buf = realloc(rd->buf, rd->cap);
            if (!rd->buf)
                abort();
        }
        memcpy(rd->buf + rd->len, chunk, (size_t)n);
        rd->len += (size_t)n;
    }
}

/* Sends sig to every child of this process (from /proc: their parent is this one). */
static void signal_children(int sig)
{
    DIR *d = opendir("/proc");
    if (!d)
        return;
    long self = (long)getpid();
    struct dirent *e;
    while ((e = readdir(d))) {
        char path[300], buf[512];
        if (e->d_name[0] < '0' || e->d_name[0] > '9')
            continue;
        snprintf(path, sizeof path, "/proc/%s/stat", e->d_name);
        FILE *f = fopen(path, "r");
        if (!f)
            continue;
        size_t got = fread(buf, 1, sizeof buf - 1, f);
        fclose(f);
        buf[got] = '\0';
        char *paren = strrchr(buf, ')');
        char state = 0;
        long ppid = 0;
        if (paren && sscanf(paren + 1, " %c %ld", &state, &ppid) == 2 && ppid == self)
            kill((pid_t)atol(e->d_name), sig);
    }
    closedir(d);
}

/* Kills and reaps every child this process still has (the worker is a subreaper, so
 * whatever the body's child left, even after setsid, came back here). Returns how many
 * were alive. */
static int end_leftovers(void)
{
    int alive = kata_live_children();
    for (int round = 0; round < 100; round++) {
        while (waitpid(-1, NULL, WNOHANG) > 0)
            ;
        if (kata_live_children() <= 0 && kata_zombie_children() <= 0)
            break;
        /* stopped first, so that a fork storm cannot outrun the list */
        signal_children(SIGSTOP);
        signal_children(SIGKILL);
        usleep(10000);
    }
    return alive > 0 ? alive : 0;
}

static _Noreturn void fail(const char *msg)
{
    struct criterion_assert_stats st = {.message = msg, .passed = 0, .line = 0, .file = ""};
    ((void (*)(struct criterion_assert_stats *))real("criterion_send_assert"))(&st);
    ((void (*)(void))real("criterion_abort_test"))();
    abort();
}

/* A new key for the records of the body about to be forked. */
static void draw_key(void)
{
    size_t got = 0;
    while (got < sizeof record_key) {
        ssize_t n = getrandom(record_key + got, sizeof record_key - got, 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            perror("kata-test: getrandom");
            abort();
        }
        got += (size_t)n;
    }
}

/* Does record r carry this body's key? (The defences' proof builds this file with
 * KATA_ISOLATE_NO_KEY, to show what a forged record did without it: tests/hostile/defences.sh.) */
static int keyed(const struct record *r)
{
#ifdef KATA_ISOLATE_NO_KEY
    (void)r;
    return 1;
#else
    return memcmp(r->key, record_key, sizeof record_key) == 0;
#endif
}

static void isolated(void)
{
    int p[2];
    if (pipe2(p, O_CLOEXEC)) {
        perror("kata-test: pipe");
        abort();
    }
    draw_key();
    fflush(NULL);
    pid_t pid = __real_fork();
    if (pid < 0) {
        perror("kata-test: fork");
        abort();
    }
    if (pid == 0) {
        close(p[0]);
        run_body(p[1]);
    }
    close(p[1]);
    fcntl(p[0], F_SETFL, O_NONBLOCK);
    /* read as the child runs (a full pipe would block it), until the child ends; not until
     * the pipe's end, which a process the child left behind may still hold */
    struct reader rd = {0};
    int status = 0;
    for (;;) {
        struct pollfd pfd = {.fd = p[0], .events = POLLIN};
        poll(&pfd, 1, 20);
        drain(p[0], &rd);
        pid_t w = waitpid(pid, &status, WNOHANG);
        if (w == pid)
            break;
        if (w < 0 && errno != EINTR)
            abort();
    }
    drain(p[0], &rd);
    int left = end_leftovers();
    drain(p[0], &rd);
    close(p[0]);

    /* the records of the body's own child, in order */
    int ended = 0, strays = 0, forged = 0;
    int64_t passes = 0;
    const char *failed = NULL, *failed_file = NULL;
    size_t failed_file_len = 0;
    int failed_line = 0, failed_kind = 0;
    size_t at = 0;
    while (at + sizeof(struct record) <= rd.len) {
        struct record r;
        memcpy(&r, rd.buf + at, sizeof r);
        size_t need = sizeof r + (size_t)r.file_len + r.msg_len;
        if (need > rd.len - at)
            break;
        const char *file = rd.buf + at + sizeof r;
        const char *msg = file + r.file_len;
        if (!keyed(&r)) {
            forged++; /* not the harness's: nothing of it is read */
        } else if (r.pid != pid) {
            strays++;
        } else if (ended) {
            strays++; /* nothing comes after the end */
        } else if (r.kind == REC_END) {
            ended = 1;
            passes = r.count;
        } else if (r.kind == REC_LOG) {
            char *text = strndup(msg, r.msg_len);
            ((void (*)(enum criterion_severity, const char *, ...))real("cr_log"))(
                (enum criterion_severity)r.passed, "%s", text ? text : "");
            free(text);
        } else if (!failed && (r.kind != REC_ASSERT || !r.passed)) {
            failed_kind = r.kind;
            failed = strndup(msg, r.msg_len);
            failed_file = file;
            failed_file_len = r.file_len;
            failed_line = r.line;
        }
        at += need;
    }
    if (at != rd.len && !rd.flooded)
        forged++; /* bytes that make no whole record */

    char msg[1024];
    if (forged) {
        /* before anything the records say: a forged record may say anything */
        fail("the test's report pipe carried data the harness did not write (the code under "
             "test wrote to the test's own channel): the test is not trusted");
    }
    if (failed && failed_kind == REC_ASSERT) {
        char *file = strndup(failed_file, failed_file_len);
        struct criterion_assert_stats st = {
            .message = failed, .passed = 0, .line = (unsigned)failed_line, .file = file};
        ((void (*)(struct criterion_assert_stats *))real("criterion_send_assert"))(&st);
        ((void (*)(void))real("criterion_abort_test"))();
    }
    if (failed && failed_kind == REC_SKIP) {
        snprintf(msg, sizeof msg,
                 "the code under test asked Criterion to skip this test "
                 "(\"%s\"): a test the harness runs is passed or failed, never skipped",
                 failed);
        fail(msg);
    }
    if (failed && failed_kind == REC_CRITERION)
        fail("the code under test called Criterion itself (a report of its own, refused): "
             "only the process that judges the test talks to Criterion");
    if (failed) {
        snprintf(msg, sizeof msg, "the test died: %s", failed);
        fail(msg);
    }
    if (WIFSIGNALED(status)) {
        /* die as the child died, so the crash reads as before. The signal is named here,
         * from waitpid, whatever the child's handler wrote: a worker the code under test
         * forked writes to the same log, and a signal the handler does not catch (SIGPIPE,
         * SIGKILL) is named only here (stages/test.c reads this line first) */
        int sig = WTERMSIG(status);
        char line[80];
        int n = snprintf(line, sizeof line,
                         "\nkata-test: the test's process was killed by signal %d\n", sig);
        write_all(2, line, (size_t)n);
        signal(sig, SIG_DFL);
        raise(sig);
        _exit(128 + sig);
    }
    if (strays) {
        snprintf(msg, sizeof msg,
                 "%d report%s came from a process other than the test's: a "
                 "process your code forked went on running the test (a forked child must "
                 "end with _exit, not return)",
                 strays, strays == 1 ? "" : "s");
        fail(msg);
    }
    if (rd.flooded)
        fail("the test's report pipe was flooded: more than 16 MB of records");
    if (!ended) {
        snprintf(msg, sizeof msg,
                 "the test ended before it finished (exit code %d): did the "
                 "code under test call exit()?",
                 WIFEXITED(status) ? WEXITSTATUS(status) : -1);
        fail(msg);
    }
    if (left > 0) {
        snprintf(msg, sizeof msg,
                 "left %d process%s still running after the test ended (the "
                 "tests killed %s): wait for every child you start, and do not let one escape "
                 "with setsid()",
                 left, left == 1 ? "" : "es", left == 1 ? "it" : "them");
        fail(msg);
    }
    for (int64_t i = 0; i < passes; i++)
        ((void (*)(void))real("cri_asserts_passed_incr"))();
    free(rd.buf);
}

/* The runner and the worker, before any test: no process of the same user may trace them or
 * write their memory through /proc (the body's child turns this back on for itself). */
__attribute__((constructor)) static void kata_not_dumpable(void)
{
    prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
}

void criterion_internal_test_main(void (*fn)(void))
{
    body = fn;
    /* orphans of the body's child come back here (setsid cannot take them away), and
     * nothing of the child's may trace this process or write its memory */
    prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
    prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
    ((void (*)(void (*)(void)))real("criterion_internal_test_main"))(isolated);
}
