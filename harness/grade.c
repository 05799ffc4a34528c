/* grade.c: one grading run: its work folder and latency server, then the stages: in order,
 * the independent ones side by side. */
#include "grade.h"

#include "sandbox.h"
#include "server/latency_server.h"
#include "stages/stage.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sched.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct stage_def {
    const char *name;
    int (*fn)(struct run *, struct stage_result *);
    const char *needs; /* a stage whose failure makes this one meaningless, or NULL */
    const char *tool;  /* runs the driver to watch or time it ("a detector", "the timer"):
                          skipped when the tests hung or ran out of memory, run after
                          failed tests otherwise (the driver stands on its own) */
};

static const struct stage_def stage_defs[] = {
    {"build", stage_build, NULL, NULL},
    {"test", stage_test, "build", NULL},
    {"tsan", stage_tsan, "build", "a detector"},
    {"helgrind", stage_helgrind, "build", "a detector"},
    {"drd", stage_drd, "build", "a detector"},
    {"asan", stage_asan, "build", "a detector"},
    {"explore", stage_explore, "build", "a detector"},
    {"perf", stage_perf, "build", "the timer"},
};

static const struct stage_def *find_stage(const char *name)
{
    for (size_t i = 0; i < sizeof stage_defs / sizeof stage_defs[0]; i++)
        if (!strcmp(stage_defs[i].name, name))
            return &stage_defs[i];
    return NULL;
}

static char *run_tag(const char *src_real)
{
    const char *b = base_name(src_real);
    size_t n = strcspn(b, ".");
    unsigned long long h = fnv1a(FNV_INIT, src_real, strlen(src_real));
    return xasprintf("%.*s-%08llx", (int)n, b, h & 0xffffffffULL);
}

int run_prepare(struct run *r)
{
    r->src_real = real_path(r->src);
    /* The harness reads no file through a final symbolic link (util.h, read_file): a
     * learner's file given as a link is read where it lies. */
    struct stat st;
    if (lstat(r->src, &st) == 0 && S_ISLNK(st.st_mode))
        r->src = r->src_real;
    char *tag = run_tag(r->src_real);
    r->work = xasprintf("build/run/%s/%s", r->kata->name, tag);
    r->cache = xasprintf("build/cache/%s", r->kata->name);
    r->include_flag = xasprintf("-I%s", r->kata->dir);
    free(tag);
    if (mkdir_p(r->cache))
        return -1;
    /* Two gradings of one file (`make watch` beside `make kata`) would share the work
     * folder: the second waits for the first. */
    char *lock = xasprintf("%s.lock", r->work);
    char *parent = xstrndup(r->work, (size_t)(strrchr(r->work, '/') - r->work));
    mkdir_p(parent);
    free(parent);
    r->lock_fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    free(lock);
    if (r->lock_fd >= 0)
        flock(r->lock_fd, LOCK_EX);
    remove_tree(r->work);
    if (mkdir_p(r->work))
        return -1;
    /* Learner code writes its reports here. In the sandbox each child has a folder of its
     * own in this one's place (spawn.c), and this one stays the harness's; without it, learner
     * code runs unprivileged when we are root (spawn.h) and writes here itself. Either way
     * the harness reads what is here only through read_file (no links followed, regular files
     * only, a size cap) and makes its own files anew (spawn.h). */
    r->isolation = sandbox_start(r->work);
    r->limits = sandbox_limits();
    if (strcmp(r->isolation, "bubblewrap") && geteuid() == 0 &&
        chown(r->work, spawn_sandbox_uid(), spawn_sandbox_uid()))
        return error("cannot hand %s to the unprivileged user: %s", r->work, strerror(errno));
    const char *require = getenv("KATA_REQUIRE_SANDBOX");
    if (require && *require && strcmp(require, "0") && strcmp(r->isolation, "bubblewrap"))
        return error("KATA_REQUIRE_SANDBOX is set and learner code would not be isolated (%s): "
                     "not grading",
                     r->isolation);
    if (r->kata->server) {
        /* The harness is in its own network namespace by now, so this loopback server
         * is the only one the learner's code can reach. */
        r->server = latency_server_start("127.0.0.1", 0);
        if (!r->server)
            return error("cannot start the latency server");
        r->server_env = xasprintf("KATA_SERVER_URL=%s", latency_server_url(r->server));
    }
    return 0;
}

/* ---- stages side by side ----
 *
 * The detectors and asan only read the build's output and write files of their own, so on a
 * machine with more than one core they run at once (up to a stage per core; KATA_JOBS=1 runs
 * them one by one), each in a forked copy of the harness:
 *
 *   1. the copy calls spawn_init() again, so that it is the subreaper of its own children and
 *      runs learner code as a sandbox user of its own (spawn.c kills "every process of the
 *      sandbox user" after each child: a user shared between stages would kill a neighbour's
 *      driver), in a work folder of its own (<work>/<stage>) that this user may write;
 *   2. it runs the stage and writes its stage_result to a pipe (encode_result), then _exits;
 *   3. the parent drains every pipe as the copies run (a full pipe would block a copy), and
 *      decodes each result into its slot, so the verdict keeps the stage order;
 *   4. should the parent fail to wait, it stops the copies still running (spawn.h's
 *      spawn_kill_left_by ends what they started).
 *
 * run_batch can take the tests too (they would then stop the detectors when they hang, and
 * the detectors be skipped whether or not they had finished, so that the verdict does not
 * depend on which process ran first); it is not given them: see grade_run.
 *
 * The parent runs no child of its own while copies run: spawn.c's orphan hunt (reap_orphans)
 * would take them for orphans. The compile cache is safe to share: compile.c writes a
 * temporary of its own pid and renames it into place. The perf stage is never run this way:
 * it times, and must have the machine to itself. */

static void put_int(struct strbuf *sb, long long v)
{
    sb_add(sb, (const char *)&v, sizeof v);
}

static void put_double(struct strbuf *sb, double v)
{
    sb_add(sb, (const char *)&v, sizeof v);
}

static void put_str(struct strbuf *sb, const char *s)
{
    put_int(sb, s ? (long long)strlen(s) : -1);
    if (s)
        sb_add(sb, s, strlen(s));
}

/* The result as bytes for the parent (the same binary reads them, so raw numbers will do). */
static void encode_result(const struct stage_result *s, struct strbuf *sb)
{
    put_int(sb, s->status);
    put_double(sb, s->seconds);
    put_str(sb, s->summary);
    put_str(sb, s->details);
    put_str(sb, s->raw);
    put_str(sb, s->picture);
    put_int(sb, s->hidden);
    put_int(sb, s->hung);
    put_int(sb, s->exhausted);
    put_int(sb, s->spinning);
    sb_add(sb, (const char *)&s->perf, sizeof s->perf);
    put_int(sb, (long long)s->findings.n);
    for (size_t i = 0; i < s->findings.n; i++) {
        const struct finding *f = &s->findings.v[i];
        put_str(sb, f->kind);
        put_str(sb, f->variable);
        put_str(sb, f->headline);
        put_int(sb, f->naccess);
        put_int(sb, f->in_learner);
        put_int(sb, (long long)f->address);
        for (int k = 0; k < f->naccess && k < 2; k++) {
            const struct access *a = &f->access[k];
            put_str(sb, a->file);
            put_int(sb, a->line);
            put_str(sb, a->function);
            put_str(sb, a->op);
            put_str(sb, a->thread);
            put_int(sb, a->in_learner);
        }
    }
    put_int(sb, s->ntests);
    for (int i = 0; i < s->ntests; i++) {
        put_str(sb, s->tests[i].name);
        put_int(sb, s->tests[i].status);
        put_str(sb, s->tests[i].message);
        put_str(sb, s->tests[i].output);
    }
    put_str(sb, "end");
}

struct reader {
    const char *p;
    size_t left;
    int bad;
};

static void get_bytes(struct reader *rd, void *out, size_t n)
{
    if (rd->bad || rd->left < n) {
        rd->bad = 1;
        memset(out, 0, n);
        return;
    }
    memcpy(out, rd->p, n);
    rd->p += n;
    rd->left -= n;
}

static long long get_int(struct reader *rd)
{
    long long v;
    get_bytes(rd, &v, sizeof v);
    return v;
}

static double get_double(struct reader *rd)
{
    double v;
    get_bytes(rd, &v, sizeof v);
    return v;
}

static char *get_str(struct reader *rd)
{
    long long n = get_int(rd);
    if (rd->bad || n < 0)
        return NULL;
    if ((unsigned long long)n > rd->left) {
        rd->bad = 1;
        return NULL;
    }
    char *s = xstrndup(rd->p, (size_t)n);
    rd->p += n;
    rd->left -= (size_t)n;
    return s;
}

/* Fills s (its name already set) from the bytes encode_result wrote. Returns 0, or -1 when
 * they are cut short: the copy died before it finished. */
static int decode_result(const char *buf, size_t len, struct stage_result *s)
{
    struct reader rd = {buf, len, 0};
    s->status = (enum status)get_int(&rd);
    s->seconds = get_double(&rd);
    s->summary = get_str(&rd);
    s->details = get_str(&rd);
    s->raw = get_str(&rd);
    s->picture = get_str(&rd);
    s->hidden = (int)get_int(&rd);
    s->hung = (int)get_int(&rd);
    s->exhausted = (int)get_int(&rd);
    s->spinning = (int)get_int(&rd);
    get_bytes(&rd, &s->perf, sizeof s->perf);
    long long nf = get_int(&rd);
    for (long long i = 0; !rd.bad && i < nf; i++) {
        struct finding *f = findings_add(&s->findings);
        f->kind = get_str(&rd);
        f->variable = get_str(&rd);
        f->headline = get_str(&rd);
        f->naccess = (int)get_int(&rd);
        f->in_learner = (int)get_int(&rd);
        f->address = (unsigned long)get_int(&rd);
        if (f->naccess < 0 || f->naccess > 2)
            rd.bad = 1, f->naccess = 0;
        for (int k = 0; k < f->naccess; k++) {
            struct access *a = &f->access[k];
            a->file = get_str(&rd);
            a->line = (int)get_int(&rd);
            a->function = get_str(&rd);
            a->op = get_str(&rd);
            a->thread = get_str(&rd);
            a->in_learner = (int)get_int(&rd);
        }
        if (!f->kind)
            f->kind = xstrdup("?");
    }
    long long nt = get_int(&rd);
    if (nt > 0 && nt < 100000 && !rd.bad) {
        s->tests = xcalloc((size_t)nt, sizeof *s->tests);
        for (long long i = 0; i < nt && !rd.bad; i++, s->ntests++) {
            s->tests[i].name = get_str(&rd);
            s->tests[i].status = (enum status)get_int(&rd);
            s->tests[i].message = get_str(&rd);
            s->tests[i].output = get_str(&rd);
        }
    }
    char *end = get_str(&rd);
    int ok = !rd.bad && end && !strcmp(end, "end");
    free(end);
    return ok ? 0 : -1;
}

/* Runs one stage, timed; a harness failure becomes an ERROR result. Returns -1 then. */
static int run_one(struct run *r, const struct stage_def *def, struct stage_result *s)
{
    double t0 = now_seconds();
    int rc = def->fn(r, s);
    if (rc)
        s->status = ST_ERROR;
    s->seconds = now_seconds() - t0;
    return rc || s->status == ST_ERROR ? -1 : 0;
}

/* How many stages may run at once: the cores this process may use, or KATA_JOBS. */
static int stage_jobs(void)
{
    const char *env = getenv("KATA_JOBS");
    if (env && *env) {
        int n = atoi(env);
        return n > 0 ? n : 1;
    }
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof set, &set) == 0)
        return CPU_COUNT(&set) > 0 ? CPU_COUNT(&set) : 1;
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? (int)n : 1;
}

struct pending {
    const struct stage_def *def;
    struct stage_result *slot;
    pid_t pid;
    int fd;            /* the read end of its pipe, -1 once drained */
    struct strbuf got; /* what it sent so far */
};

/* Step 1 and 2 in the copy. Never returns. */
static _Noreturn void stage_in_copy(struct run *r, const struct stage_def *def, int fd)
{
    spawn_init();
    char *own = xasprintf("%s/%s", r->work, def->name);
    remove_tree(own);
    int ok = mkdir_p(own) == 0;
    if (ok && geteuid() == 0 && chown(own, spawn_sandbox_uid(), spawn_sandbox_uid()))
        ok = 0;
    r->work = own;
    /* the sandbox's children bring their files back into this copy's folder, and run as its
     * own user (spawn_init above) */
    if (ok)
        free(sandbox_start(own));
    struct stage_result s = {.name = def->name};
    if (!ok)
        stage_say(&s, ST_ERROR, "cannot make the stage's work folder %s", own);
    else
        run_one(r, def, &s);
    struct strbuf sb = STRBUF_INIT;
    sb_init(&sb);
    encode_result(&s, &sb);
    for (size_t off = 0; off < sb.len;) {
        ssize_t n = write(fd, sb.buf + off, sb.len - off);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        off += (size_t)n;
    }
    _exit(0);
}

static int start_copy(struct run *r, struct pending *p)
{
    int fds[2];
    if (pipe2(fds, O_CLOEXEC))
        return error("cannot create a pipe: %s", strerror(errno));
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) {
        close(fds[0]);
        close(fds[1]);
        return error("cannot fork: %s", strerror(errno));
    }
    if (pid == 0) {
        close(fds[0]);
        stage_in_copy(r, p->def, fds[1]);
    }
    close(fds[1]);
    p->pid = pid;
    p->fd = fds[0];
    sb_init(&p->got);
    return 0;
}

/* Empties a result, keeping its name: a stage whose verdict is withdrawn. */
static void result_clear(struct stage_result *s)
{
    const char *name = s->name;
    free(s->summary);
    free(s->details);
    free(s->raw);
    free(s->picture);
    free(s->picture_path);
    findings_release(&s->findings);
    for (int k = 0; k < s->ntests; k++) {
        free(s->tests[k].name);
        free(s->tests[k].message);
        free(s->tests[k].output);
    }
    free(s->tests);
    memset(s, 0, sizeof *s);
    s->name = name;
}

/* After tests that hung or ran out of memory, the drivers would only do the same, slowly:
 * sets s to skipped, with why, and returns 1; else 0. */
static int skip_after_tests(const struct stage_result *test, const struct stage_def *def,
                            struct stage_result *s)
{
    if (!def->tool || !test)
        return 0;
    if (test->hung) {
        result_clear(s);
        stage_say(s, ST_SKIP,
                  "the tests hung, and %s cannot judge a program that does not "
                  "finish",
                  def->tool);
        return 1;
    }
    if (test->exhausted) {
        result_clear(s);
        stage_say(s, ST_SKIP,
                  "the tests ran out of memory, and under %s the program would "
                  "only do so more slowly",
                  def->tool);
        return 1;
    }
    return 0;
}

/* Reads what a copy sent; at its end, reaps it and decodes its result. Returns 1 when the
 * copy is done. */
static int drain(struct pending *p)
{
    char buf[65536];
    ssize_t got = read(p->fd, buf, sizeof buf);
    if (got < 0 && (errno == EINTR || errno == EAGAIN))
        return 0;
    if (got > 0) {
        sb_add(&p->got, buf, (size_t)got);
        return 0;
    }
    close(p->fd);
    p->fd = -1;
    while (waitpid(p->pid, NULL, 0) < 0 && errno == EINTR)
        ;
    p->pid = 0;
    if (decode_result(p->got.buf, p->got.len, p->slot)) {
        result_clear(p->slot);
        stage_say(p->slot, ST_ERROR,
                  "the harness's process for this stage died before it "
                  "reported");
    }
    sb_release(&p->got);
    return 1;
}

/* Stops copies that are still running, and whatever they started. */
static void cancel_copies(struct pending *v, int n)
{
    for (int i = 0; i < n; i++)
        if (v[i].pid > 0)
            kill(v[i].pid, SIGKILL);
    for (int i = 0; i < n; i++) {
        if (v[i].pid <= 0)
            continue;
        while (waitpid(v[i].pid, NULL, 0) < 0 && errno == EINTR)
            ;
        spawn_kill_left_by(v[i].pid);
        v[i].pid = 0;
        if (v[i].fd >= 0)
            close(v[i].fd);
        v[i].fd = -1;
        sb_release(&v[i].got);
    }
}

/* Runs the stages queued in v: the tests (when queued, first) and the drivers that watch.
 * With more than one core they run side by side, up to `jobs` at a time, in forked copies;
 * tests that hang or run out of memory stop the others, which are then skipped (so the
 * verdict does not depend on which finished first). Returns -1 when one failed the
 * harness. */
static int run_batch(struct run *r, struct pending *v, int n, int jobs)
{
    int failed = 0;
    if (n == 1 || jobs < 2) {
        for (int i = 0; i < n; i++)
            if (!skip_after_tests(run_stage(r, "test"), v[i].def, v[i].slot))
                failed |= run_one(r, v[i].def, v[i].slot) != 0;
        return failed ? -1 : 0;
    }
    int next = 0, running = 0, stopped = 0;
    const struct stage_result *test = NULL;
    while (next < n || running) {
        while (!stopped && running < jobs && next < n) {
            if (start_copy(r, &v[next])) {
                stage_say(v[next].slot, ST_ERROR, "cannot start the stage's process");
                failed = 1;
            } else {
                running++;
            }
            next++;
        }
        if (!running)
            break;
        struct pollfd pfd[MAX_STAGES];
        int map[MAX_STAGES], np = 0;
        for (int i = 0; i < next; i++)
            if (v[i].fd >= 0) {
                pfd[np] = (struct pollfd){.fd = v[i].fd, .events = POLLIN};
                map[np++] = i;
            }
        if (poll(pfd, (nfds_t)np, -1) < 0) {
            if (errno == EINTR)
                continue;
            error("cannot wait for the stages: %s", strerror(errno));
            cancel_copies(v, next);
            return -1;
        }
        for (int j = 0; j < np; j++) {
            if (!(pfd[j].revents & (POLLIN | POLLHUP | POLLERR)) || !drain(&v[map[j]]))
                continue;
            running--;
            if (!strcmp(v[map[j]].def->name, "test"))
                test = v[map[j]].slot;
        }
        if (test && (test->hung || test->exhausted) && !stopped) {
            stopped = 1;
            cancel_copies(v, next);
            running = 0;
        }
    }
    for (int i = 0; i < n; i++) {
        skip_after_tests(test, v[i].def, v[i].slot);
        if (v[i].slot->status == ST_ERROR)
            failed = 1;
    }
    return failed ? -1 : 0;
}

/* Writes a stage's picture beside its work (<work>/<stage>-timeline.svg) and says where in
 * its details. The work folder is one learner code could write to: a link put at the name
 * is removed, never followed (unlink, then O_EXCL | O_NOFOLLOW). */
static void keep_picture(struct run *r, struct stage_result *s)
{
    char *name = xasprintf("%s-timeline.svg", s->name);
    char *path = work_path(r, name);
    free(name);
    unlink(path);
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
    size_t len = strlen(s->picture), done = 0;
    while (fd >= 0 && done < len) {
        ssize_t w = write(fd, s->picture + done, len - done);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            break;
        done += (size_t)w;
    }
    if (fd >= 0)
        close(fd);
    if (fd < 0 || done < len) {
        free(path);
        return;
    }
    char *details = xasprintf("%sthe same, as a picture (a lane per thread): %s\n",
                              s->details ? s->details : "", path);
    free(s->details);
    s->details = details;
    s->picture_path = path;
}

int grade_run(struct run *r)
{
    double start = now_seconds();
    if (r->only_stage && !kata_has_stage(r->kata, r->only_stage))
        return error("kata '%s' has no stage '%s'", r->kata->name, r->only_stage);
    if (run_prepare(r)) {
        r->status = ST_ERROR; /* not graded: no verdict may read as a pass */
        return -1;
    }
    int harness_failed = 0;
    int jobs = stage_jobs();
    struct pending batch[MAX_STAGES];
    int nbatch = 0;
    r->status = ST_PASS;
    for (int i = 0; i <= r->kata->nstages; i++) {
        const char *name = i < r->kata->nstages ? r->kata->stages[i] : NULL;
        const struct stage_def *def = name ? find_stage(name) : NULL;
        if (name && !def) {
            error("kata '%s' lists an unknown stage '%s'", r->kata->name, name);
            harness_failed = 1;
            break;
        }
        if (def && r->only_stage && strcmp(name, "build") && strcmp(name, r->only_stage))
            continue;
        /* a stage that may run beside others waits in the batch; any other stage, and the
         * end of the list, runs the batch first */
        /* The tests run alone, before: tried beside the detectors, a fork storm or a thread
         * storm ran in every copy at once, and the harness overran its deadlines. */
        int side_by_side = def && def->tool && !strcmp(def->tool, "a detector");
        if (!side_by_side && nbatch) {
            harness_failed |= run_batch(r, batch, nbatch, jobs) != 0;
            nbatch = 0;
        }
        if (!def)
            break;
        struct stage_result *s = &r->stages[r->nstages++];
        memset(s, 0, sizeof *s);
        s->name = def->name;
        const struct stage_result *need = def->needs ? run_stage(r, def->needs) : NULL;
        if (need && need->status != ST_PASS) {
            stage_say(s, ST_SKIP, "the %s stage did not pass", def->needs);
            continue;
        }
        if (skip_after_tests(run_stage(r, "test"), def, s))
            continue;
        if (side_by_side) {
            batch[nbatch++] = (struct pending){.def = def, .slot = s, .fd = -1};
            continue;
        }
        harness_failed |= run_one(r, def, s) != 0;
    }
    for (int i = 0; i < r->nstages; i++) {
        struct stage_result *s = &r->stages[i];
        if (s->picture)
            keep_picture(r, s);
        if (s->status == ST_FAIL && r->status == ST_PASS)
            r->status = ST_FAIL;
        if (s->status == ST_ERROR)
            harness_failed = 1;
    }
    if (harness_failed)
        r->status = ST_ERROR;
    r->seconds = now_seconds() - start;
    return harness_failed ? -1 : 0;
}

void run_release(struct run *r)
{
    for (int i = 0; i < r->nstages; i++) {
        struct stage_result *s = &r->stages[i];
        free(s->summary);
        free(s->details);
        free(s->raw);
        free(s->picture);
        free(s->picture_path);
        findings_release(&s->findings);
        for (int k = 0; k < s->ntests; k++) {
            free(s->tests[k].name);
            free(s->tests[k].message);
            free(s->tests[k].output);
        }
        free(s->tests);
        s->tests = NULL;
        s->ntests = 0;
    }
    r->nstages = 0;
    if (r->lock_fd > 0)
        close(r->lock_fd); /* and so the lock goes */
    r->lock_fd = 0;
    if (r->server)
        latency_server_stop(r->server);
    r->server = NULL;
    free(r->server_env);
    r->server_env = NULL;
    sandbox_stop();
    free(r->isolation);
    free(r->limits);
    r->isolation = r->limits = NULL;
    free(r->src_real);
    free(r->work);
    free(r->cache);
    free(r->include_flag);
    r->src_real = r->work = r->cache = r->include_flag = NULL;
}
