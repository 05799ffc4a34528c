/* detect.c: running the driver under a detector and turning its findings into a verdict. */
#include "stages/detect.h"

#include "hang/describe.h"
#include "stages/main_end.h"
#include "stages/source.h"
#include "hang/snapshot.h"
#include "util.h"

#include <ctype.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int run_until(struct run *r, const char *label, const char *const *argv,
                     const char *const *env, int sanitizer, int dump_stacks, double timeout,
                     struct detect_io *io, struct child *c);

const char *detect_guard_env(const struct run *r)
{
    return defence_disabled(r, "guard") ? "KATA_REPORT_GUARD=0" : "KATA_REPORT_GUARD=1";
}

int detect_run(struct run *r, const char *label, const char *const *argv, const char *const *env,
               int sanitizer, int dump_stacks, struct detect_io *io, struct child *c)
{
    return run_until(r, label, argv, env, sanitizer, dump_stacks, r->kata->detect_timeout, io, c);
}

/* io: the channel the tool writes its report to (at DETECT_REPORT_FD) and whether the
 * driver's main returned, or NULL for neither */
static int run_until(struct run *r, const char *label, const char *const *argv,
                     const char *const *env, int sanitizer, int dump_stacks, double timeout,
                     struct detect_io *io, struct child *c)
{
    char *log_name = xasprintf("%s.log", label);
    char *stacks_name = xasprintf("%s-stacks.txt", label);
    char *log = work_path(r, log_name);
    char *stacks = work_path(r, stacks_name);
    memset(c, 0, sizeof *c);
    c->argv = argv;
    c->env = env;
    c->stdout_path = log;
    c->stderr_path = log;
    c->stacks_path = dump_stacks ? stacks : NULL;
    c->on_deadline = &hang_snapshot;
    c->timeout = timeout;
    c->limits = learner_limits(timeout, sanitizer);
    /* Kernels with vm.mmap_rnd_bits above 28 make clang 14's TSan die at start ("unexpected
     * memory mapping"); without address randomisation it always finds room. */
    c->no_aslr = sanitizer;
    struct child_channel channels[2];
    struct main_end end;
    const char *with_end[34];
    int ending = io && main_end_open(&end) == 0;
    if (io) {
        io->report.fd = DETECT_REPORT_FD;
        channels[0] = io->report;
        c->channels = channels;
        c->nchannels = 1;
        io->unended[0] = '\0';
    }
    if (ending) {
        size_t n = 0;
        for (; env && env[n] && n < 32; n++)
            with_end[n] = env[n];
        with_end[n++] = end.env;
        with_end[n] = NULL;
        c->env = with_end;
        main_end_attach(&end, c, channels, 1);
    }
    int rc = child_run(c);
    if (io)
        io->report = channels[0];
    if (ending) {
        char *why = main_end_check(&end, c);
        if (why)
            snprintf(io->unended, sizeof io->unended, "%s", why);
        free(why);
        main_end_release(&end);
    } else if (io) {
        snprintf(io->unended, sizeof io->unended,
                 "the harness could not ask the driver to say "
                 "that its main returned");
    }
    c->channels = NULL;
    c->nchannels = 0;
    c->pass_fds = NULL;
    c->env = env;
    /* the paths live on in c only while this call runs */
    c->stdout_path = c->stderr_path = c->stacks_path = NULL;
    free(log_name);
    free(stacks_name);
    free(log);
    free(stacks);
    return rc;
}

/* Where each thread was at the deadline, as the test stage says it: lines into details,
 * findings into out (kept apart from the tool's reports, which came first). */
static void describe_hang(struct run *r, const char *label, const struct child *c,
                          struct stage_result *out, struct strbuf *details)
{
    char *name = xasprintf("%s-stacks.txt", label);
    char *path = work_path(r, name);
    if (file_exists(path)) {
        sb_addf(details, "where each thread was at the deadline:\n");
        out->spinning += stacks_describe(path, r->src_real, r->verbose, details, &out->findings);
    } else {
        sb_addf(details, "(no stacks could be read at the deadline of %.0f s)\n", c->timeout);
    }
    free(name);
    free(path);
}

/* Under Valgrind, eu-stack sees Valgrind's own scheduler, never the program's frames, and
 * Valgrind's gdbserver (vgdb) did not answer a sandboxed process within 10 s here (3.7 s
 * outside the sandbox, on a loaded machine). So the same driver runs again without Valgrind,
 * for a few seconds: if it hangs there too, its stacks say where; if it finishes, the hang
 * needs Valgrind's one-thread-at-a-time scheduling, and that is worth saying too. */
static void describe_valgrind_hang(struct run *r, const char *tool, const struct child *c,
                                   struct stage_result *out, struct strbuf *details)
{
    const char *argv[MAX_ARGS + 2];
    int n = 0;
    for (int i = 1; c->argv[i] && n < MAX_ARGS + 1; i++)
        if (n || c->argv[i][0] != '-') /* the program: Valgrind's first word not an option */
            argv[n++] = c->argv[i];
    argv[n] = NULL;
    if (!n)
        return;
    char *label = xasprintf("%s-alone", tool);
    double timeout = r->kata->detect_timeout < 5 ? r->kata->detect_timeout : 5;
    struct child alone;
    run_until(r, label, argv, c->env, 0, 1, timeout, NULL, &alone);
    if (alone.timed_out) {
        sb_addf(details, "without %s the same run hangs too (in %.0f s); ", tool, timeout);
        describe_hang(r, label, &alone, out, details);
    } else {
        char *how = child_describe(&alone);
        sb_addf(details,
                "without %s the same run finished (it %s): the hang needs %s's "
                "scheduling, which runs one thread at a time; a wakeup that is lost when the "
                "threads take turns differently?\n",
                tool, how, tool);
        free(how);
    }
    free(label);
}

/* A tool's name for a variable, as the learner wrote it: gcc names a function's static `b`
 * "b.0" in the symbol table, clang "worker.b" (after the function, which one of the race's
 * frames is in); both are `b`. */
static void plain_variable_name(struct finding *f)
{
    char *v = f->variable;
    if (variable_informative(v) < 2)
        return;
    size_t n = strlen(v), k = n;
    while (k > 0 && isdigit((unsigned char)v[k - 1]))
        k--;
    if (k < n && k > 1 && v[k - 1] == '.')
        v[k - 1] = '\0';
    char *dot = strchr(v, '.');
    for (int i = 0; dot && dot[1] && i < f->naccess; i++) {
        const char *fn = f->access[i].function;
        if (fn && strlen(fn) == (size_t)(dot - v) && !strncmp(fn, v, (size_t)(dot - v))) {
            memmove(v, dot + 1, strlen(dot + 1) + 1);
            return;
        }
    }
}

/* The member accesses of one line of C ("q->closed", "s.count", "p->next->value"), outside
 * comments and literals: up to max of them into tok[] (new strings). Returns how many. */
static int member_accesses(const char *line, size_t len, char **tok, int max)
{
    int n = 0;
    char quote = 0;
    for (size_t i = 0; i < len && n < max; i++) {
        char ch = line[i];
        if (quote) {
            if (ch == '\\')
                i++;
            else if (ch == quote)
                quote = 0;
            continue;
        }
        if (ch == '"' || ch == '\'') {
            quote = ch;
            continue;
        }
        if (ch == '/' && i + 1 < len && (line[i + 1] == '/' || line[i + 1] == '*'))
            break;
        if (!(isalpha((unsigned char)ch) || ch == '_') ||
            (i > 0 && (isalnum((unsigned char)line[i - 1]) || line[i - 1] == '_' ||
                       line[i - 1] == '.' || line[i - 1] == '>')))
            continue;
        size_t e = i, members = 0;
        for (;;) {
            while (e < len && (isalnum((unsigned char)line[e]) || line[e] == '_'))
                e++;
            size_t arrow = e + 1 < len && line[e] == '-' && line[e + 1] == '>' ? 2
                           : e < len && line[e] == '.'                         ? 1
                                                                               : 0;
            if (!arrow || e + arrow >= len ||
                !(isalpha((unsigned char)line[e + arrow]) || line[e + arrow] == '_'))
                break;
            e += arrow;
            members++;
        }
        if (members)
            tok[n++] = xstrndup(line + i, e - i);
        i = e;
    }
    return n;
}

char *lines_common_access(const char *source, const int *lines, int nlines)
{
    char *common[8];
    int ncommon = 0, seen_lines = 0;
    for (int k = 0; source && k < nlines; k++) {
        if (lines[k] <= 0)
            continue;
        const char *l = source;
        for (int i = 1; l && i < lines[k]; i++)
            l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL;
        if (!l)
            break;
        char *tok[8];
        int n = member_accesses(l, strcspn(l, "\n"), tok, 8);
        if (seen_lines++ == 0) {
            memcpy(common, tok, sizeof *tok * (size_t)n);
            ncommon = n;
            continue;
        }
        int kept = 0;
        for (int i = 0; i < ncommon; i++) {
            int seen = 0;
            for (int j = 0; j < n; j++)
                seen |= !strcmp(common[i], tok[j]);
            if (seen)
                common[kept++] = common[i];
            else
                free(common[i]);
        }
        ncommon = kept;
        for (int j = 0; j < n; j++)
            free(tok[j]);
    }
    /* the same access written twice on a line is one */
    int distinct = ncommon > 0;
    for (int i = 1; i < ncommon; i++)
        distinct &= !strcmp(common[i], common[0]);
    char *name = distinct ? xstrdup(common[0]) : NULL;
    for (int i = 0; i < ncommon; i++)
        free(common[i]);
    return name;
}

/* Names the memory of a race that the detector could not name ("a heap block", "a stack
 * variable", none) from the learner's lines of it (`source`, the learner's file): the one
 * member access that every such line has in common (`q->closed`). Unchanged when there is
 * no such single one. */
static void name_from_source(struct finding *f, const char *source)
{
    if (!source || variable_informative(f->variable) == 2 || strcmp(f->kind, "data race"))
        return;
    int lines[16], n = 0;
    for (int k = 0; k < f->naccess && n < 16; k++) {
        const struct access *a = &f->access[k];
        if (!a->in_learner || a->line <= 0 || (k == 1 && a->line == f->access[0].line))
            continue;
        lines[n++] = a->line;
    }
    char *name = lines_common_access(source, lines, n);
    if (name) {
        free(f->variable);
        f->variable = name;
    }
}

void detect_judge(struct run *r, const char *tool, const struct child *c,
                  const struct detect_io *io, struct stage_result *out)
{
    size_t total = out->findings.n;
    size_t mine = findings_keep_learner(&out->findings);
    out->hidden = (int)(total - mine);
    /* drop the others: they are library noise or the driver's own code */
    struct findings keep = {0};
    for (size_t i = 0; i < mine; i++)
        findings_copy_one(&keep, &out->findings.v[i]);
    findings_release(&out->findings);
    out->findings = keep;
    /* the learner's file by the name the learner gave it, whatever path the tool printed */
    for (size_t i = 0; i < keep.n; i++)
        for (int k = 0; k < keep.v[i].naccess; k++)
            if (keep.v[i].access[k].in_learner) {
                free(keep.v[i].access[k].file);
                keep.v[i].access[k].file = xstrdup(r->src);
            }
    /* the memory by the name the learner gave it: a static's plain name, a struct's field */
    char *source = keep.n ? read_file(r->src, 4 << 20, NULL) : NULL;
    for (size_t i = 0; i < keep.n; i++) {
        plain_variable_name(&keep.v[i]);
        name_from_source(&keep.v[i], source);
    }
    free(source);
    /* DRD reports one access at a time: a report its lines could not name takes the name of
     * another report on the same address */
    for (size_t i = 0; i < keep.n; i++)
        for (size_t j = 0; j < keep.n && keep.v[i].address; j++)
            if (variable_informative(keep.v[i].variable) < 2 &&
                variable_informative(keep.v[j].variable) == 2 &&
                keep.v[j].address == keep.v[i].address) {
                free(keep.v[i].variable);
                keep.v[i].variable = xstrdup(keep.v[j].variable);
            }

    struct strbuf details = STRBUF_INIT;
    if (c->timed_out && mine) {
        /* what the tool saw before the deadline is still a verdict on the code */
        const struct finding *f = &out->findings.v[0];
        stage_say(
            out, ST_FAIL,
            "did not finish within %.0f s under %s (a deadlock or a lost "
            "wakeup?), and before that it reported %zu %s%s%s%s%s",
            c->timeout, tool, mine, mine == 1 ? "finding: " : "findings, the first: ", f->kind,
            f->variable ? " on `" : "", f->variable ? f->variable : "", f->variable ? "`" : "");
        if (strcmp(tool, "helgrind") && strcmp(tool, "drd"))
            describe_hang(r, tool, c, out, &details);
        else
            describe_valgrind_hang(r, tool, c, out, &details);
    } else if (c->timed_out) {
        stage_say(out, ST_FAIL,
                  "did not finish within %.0f s under %s: a deadlock or a lost "
                  "wakeup? (where each thread was is below)",
                  c->timeout, tool);
        if (strcmp(tool, "helgrind") && strcmp(tool, "drd"))
            describe_hang(r, tool, c, out, &details);
        else
            describe_valgrind_hang(r, tool, c, out, &details);
    } else if (mine && strcmp(tool, "asan") == 0) {
        const struct finding *f = &out->findings.v[0];
        stage_say(out, ST_FAIL, "%zu report%s: %s", mine, mine == 1 ? "" : "s", f->kind);
    } else if (mine) {
        const struct finding *f = &out->findings.v[0];
        size_t races = 0;
        for (size_t i = 0; i < mine; i++)
            races += !strcmp(out->findings.v[i].kind, "data race");
        if (races)
            stage_say(out, ST_FAIL, "%zu data race report%s%s%s%s", races, races == 1 ? "" : "s",
                      f->variable ? " on `" : "", f->variable ? f->variable : "",
                      f->variable ? "`" : "");
        else
            stage_say(out, ST_FAIL, "%s", f->kind);
    } else if (c->signaled) {
        char *how = child_describe(c);
        stage_say(out, ST_FAIL, "the program %s under %s", how, tool);
        free(how);
    } else if (c->exec_failed) {
        char *how = child_describe(c);
        stage_say(out, ST_ERROR, "%s", how);
        free(how);
    } else if (io && io->unended[0] && !defence_disabled(r, "end")) {
        /* nothing found in a run that stopped halfway watched only half the work */
        stage_say(out, ST_FAIL, "%s", io->unended);
    } else {
        stage_say(out, ST_PASS, "no data race found");
    }
    if (out->hidden && out->status == ST_PASS) {
        char *s = xasprintf("%s (%d report%s outside your file ignored)", out->summary, out->hidden,
                            out->hidden == 1 ? "" : "s");
        free(out->summary);
        out->summary = s;
    }
    if (details.len)
        out->details = sb_detach(&details);
    sb_release(&details);
}

int detect_trusted(struct run *r, const char *tool, const struct child *c,
                   const struct detect_io *io, const char *complete, struct stage_result *out)
{
    const struct child_channel *report = &io->report;
    if (defence_disabled(r, "channel"))
        return 1; /* the old reading, for the proof only */
    const char *why = NULL;
    char buf[256];
    if (c->left_running) {
        snprintf(buf, sizeof buf,
                 "the program left %d process%s running after it ended (the "
                 "harness killed %s)",
                 c->left_running, c->left_running == 1 ? "" : "es",
                 c->left_running == 1 ? "it" : "them");
        why = buf;
    } else if (report->open_after) {
        why = "something still held the report channel after the program and everything it "
              "started were gone";
    } else if (report->closed_early) {
        why = "the report channel was closed while the program still ran";
    } else if (report->truncated) {
        why = "the report was larger than the harness keeps";
    } else if (complete && !c->timed_out && !c->exec_failed &&
               (!report->text || !strstr(report->text, complete))) {
        why = "the report ended before the tool finished it (was the tool killed?)";
    }
    if (!why)
        return 1;
    stage_say(out, ST_FAIL, "the %s report is not trusted: %s", tool, why);
    return 0;
}

char *detect_collect_files(const struct run *r, const char *prefix, const char *suffix)
{
    DIR *d = opendir(r->work);
    struct strbuf sb = STRBUF_INIT;
    sb_init(&sb);
    char *lead = xasprintf("%s.", prefix);
    struct dirent *e;
    while (d && (e = readdir(d))) {
        const char *rest = e->d_name + strlen(lead);
        if (!starts_with(e->d_name, lead) || *rest < '0' || *rest > '9' ||
            !ends_with(e->d_name, suffix))
            continue;
        char *path = xasprintf("%s/%s", r->work, e->d_name);
        char *text = read_file(path, 16 << 20, NULL);
        if (text)
            sb_puts(&sb, text);
        free(text);
        free(path);
    }
    if (d)
        closedir(d);
    free(lead);
    return sb_detach(&sb);
}

const char *symbolizer_option(void)
{
    /* clang 14 on Debian 12 ships it versioned; elsewhere the sanitizers search PATH */
    static const char *const candidates[] = {"/usr/bin/llvm-symbolizer-14",
                                             "/usr/bin/llvm-symbolizer-18",
                                             "/usr/bin/llvm-symbolizer", NULL};
    static char buf[128];
    for (int i = 0; candidates[i]; i++)
        if (file_exists(candidates[i])) {
            snprintf(buf, sizeof buf, "external_symbolizer_path=%s", candidates[i]);
            return buf;
        }
    return "";
}
