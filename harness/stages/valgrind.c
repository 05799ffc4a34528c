/* valgrind.c: the helgrind and drd stages: the driver under Valgrind, its XML read. */
#include "stages/detect.h"
#include "stages/source.h"
#include "util.h"
#include "parsers/valgrind.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* DRD names no global without --read-var-info (which costs seconds reading libc's debug
 * info); the driver is built -no-pie, so the symbol table names the address instead. */
static void name_addresses(struct run *r, const char *bin, struct findings *f)
{
    int any = 0;
    for (size_t i = 0; i < f->n; i++)
        any |= f->v[i].address && !f->v[i].variable;
    if (!any)
        return;
    char *out = work_path(r, "nm.txt");
    const char *argv[] = {"nm", "--defined-only", "-S", bin, NULL};
    /* nm reads the binary the learner's code is linked into: in the sandbox, like the linker */
    struct child c = {.argv = argv,
                      .stdout_path = out,
                      .timeout = 10,
                      .limits = {.cpu_seconds = 10,
                                 .memory_mb = 1024,
                                 .file_mb = 64,
                                 .open_files = 64,
                                 .processes = 8,
                                 .unprivileged = 1}};
    char *text = (child_run(&c) == 0 && c.exited) ? read_file(out, 8 << 20, NULL) : NULL;
    free(out);
    if (!text)
        return;
    char *save = NULL;
    for (char *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
        unsigned long addr, size;
        char type, name[256];
        if (sscanf(l, "%lx %lx %c %255s", &addr, &size, &type, name) != 4)
            continue;
        if (!strchr("bBdDgGsS", type))
            continue;
        for (size_t i = 0; i < f->n; i++)
            if (!f->v[i].variable && f->v[i].address >= addr && f->v[i].address < addr + size)
                f->v[i].variable = xstrdup(name);
    }
    free(text);
}

static int stage_valgrind(struct run *r, const char *tool, struct stage_result *out)
{
    char *diag = NULL;
    struct code_map code = {0};
    char *bin = build_driver_mapped(r, DRIVER_PLAIN, NULL, &diag, &code);
    if (!bin) {
        stage_say(out, ST_ERROR, "the driver does not build");
        out->details = diag;
        return 0;
    }
    free(diag);
    char *tool_flag = xasprintf("--tool=%s", tool);
    /* The XML report goes to the harness's channel: Valgrind moves the descriptor into its
     * own reserved range, where the program it runs cannot write, close or replace it. */
    int files = defence_disabled(r, "channel"); /* the old way: files, for the proof only */
    char *xml = files ? xasprintf("--xml-file=%s/%s.%%p.xml", r->work, tool)
                      : xasprintf("--xml-fd=%d", DETECT_REPORT_FD);
    char *supp_path = real_path("harness/stages/valgrind.supp");
    char *supp = xasprintf("--suppressions=%s", supp_path);
    free(supp_path);
    const char *argv[MAX_ARGS + 16];
    int n = 0;
    argv[n++] = "valgrind";
    argv[n++] = tool_flag;
    argv[n++] = "--xml=yes";
    argv[n++] = xml;
    /* Valgrind runs one thread at a time in long slices; fair scheduling interleaves them
     * often enough for races to show at small sizes. */
    argv[n++] = "--fair-sched=yes";
    argv[n++] = supp;
    argv[n++] = "--error-limit=no";
    /* DRD leaves stack variables unchecked by default; a learner's counter often is one */
    if (!strcmp(tool, "drd"))
        argv[n++] = "--check-stack-var=yes";
    argv[n++] = bin;
    for (int i = 0; i < r->kata->ndetect_args; i++)
        argv[n++] = r->kata->detect_args[i];
    argv[n] = NULL;
    const char *env[] = {seed_env(r), server_env(r), NULL};
    struct child c;
    struct detect_io io = {0};
    detect_run(r, tool, argv, env, 0, 0, &io, &c);
    if (files) {
        char *suffix = xstrdup(".xml");
        free(io.report.text);
        io.report.text = detect_collect_files(r, tool, suffix);
        free(suffix);
        if (!*io.report.text) {
            free(io.report.text);
            io.report.text = NULL;
        }
    }
    /* frames are the learner's by address where the map is known (findings.h) */
    findings_use_code_map(defence_disabled(r, "address") || !code.n ? NULL : &code);
    int reports =
        io.report.text && valgrind_parse(io.report.text, r->src_real, &out->findings) >= 0;
    findings_use_code_map(NULL);
    code_map_release(&code);
    out->raw = io.report.text;
    if (reports && !detect_trusted(r, tool, &c, &io, "</valgrindoutput>", out)) {
        /* the verdict is said */
    } else if (!reports && !c.timed_out) {
        char *name = xasprintf("%s.log", tool);
        char *log = work_path(r, name);
        free(out->raw);
        out->raw = read_file(log, 64 << 10, NULL);
        free(name);
        free(log);
        stage_say(out, c.exec_failed ? ST_ERROR : ST_FAIL,
                  c.exec_failed ? "valgrind is not installed (`make deps`)"
                                : "Valgrind wrote no report: the program did not run under it "
                                  "(V=1 shows its output)");
    } else {
        name_addresses(r, bin, &out->findings);
        detect_judge(r, tool, &c, &io, out);
    }
    free(tool_flag);
    free(xml);
    free(supp);
    free(bin);
    return 0;
}

int stage_helgrind(struct run *r, struct stage_result *out)
{
    return stage_valgrind(r, "helgrind", out);
}

int stage_drd(struct run *r, struct stage_result *out)
{
    return stage_valgrind(r, "drd", out);
}
