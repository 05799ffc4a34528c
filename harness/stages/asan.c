/* asan.c: the asan stage: the driver built with AddressSanitizer and UBSan. */
#include "parsers/asan.h"
#include "stages/detect.h"
#include "stages/source.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

/* ASan's exit code after an error of its own (a driver that found a wrong answer exits 1). */
#define ASAN_EXIT_CODE 23

int stage_asan(struct run *r, struct stage_result *out)
{
    char *diag = NULL;
    struct code_map code = {0};
    char *bin = build_driver_mapped(r, DRIVER_ASAN, NULL, &diag, &code);
    if (!bin) {
        stage_say(out, ST_ERROR,
                  "the AddressSanitizer build failed (are gcc's sanitizer "
                  "runtimes, libasan and libubsan, installed? `make deps`)");
        out->details = diag;
        return 0;
    }
    free(diag);
    /* ASan, LeakSanitizer and UBSan all write to the harness's channel (DETECT_REPORT_FD, handed
     * over by tests/support/report_fd.c; every process the driver forks shares it); memory is
     * bounded by
     * hard_rss_limit_mb, since RLIMIT_AS would break ASan's shadow memory. Libraries built
     * without frame pointers (libcurl) make the fast unwinder skip the learner's frames in
     * an allocation stack: fast_unwind_on_malloc=0 keeps them. */
    int files = defence_disabled(r, "channel"); /* the old way: files, for the proof only */
    char *prefix = work_path(r, "asan");
    char *log_path = files ? xasprintf("log_path=%s ", prefix) : xstrdup("");
    /* stack_trace_format: the default, and each frame's module and offset, by which a frame
     * is the learner's (findings.h, struct code_map) */
    const char *format = "stack_trace_format='    #%n %p %F %L <%m+%o>'";
    /* exitcode: ASan's own, apart from the driver's 1 for a wrong answer (below) */
    char *asan = xasprintf("ASAN_OPTIONS=%sexitcode=%d detect_leaks=1 hard_rss_limit_mb=4096 "
                           "allocator_may_return_null=1 detect_stack_use_after_return=1 "
                           "fast_unwind_on_malloc=0 %s %s",
                           log_path, ASAN_EXIT_CODE, format, symbolizer_option());
    char *ubsan = xasprintf("UBSAN_OPTIONS=%sprint_stacktrace=1 halt_on_error=0 %s %s", log_path,
                            format, symbolizer_option());
    free(log_path);
    const char *env[] = {asan,
                         ubsan,
                         files ? seed_env(r) : DETECT_REPORT_ENV,
                         seed_env(r),
                         detect_guard_env(r),
                         server_env(r),
                         NULL};
    const char *argv[MAX_ARGS + 2];
    int n = 0;
    argv[n++] = bin;
    for (int i = 0; i < r->kata->ndetect_args; i++)
        argv[n++] = r->kata->detect_args[i];
    argv[n] = NULL;
    struct child c;
    struct detect_io io = {0};
    detect_run(r, "asan", argv, env, 1, 1, &io, &c);
    char *logs = files            ? detect_collect_files(r, "asan", "")
                 : io.report.text ? io.report.text
                                  : xstrdup("");
    if (files)
        free(io.report.text);
    free(prefix);
    /* frames are the learner's by address where the map is known (findings.h) */
    findings_use_code_map(defence_disabled(r, "address") || !code.n ? NULL : &code);
    asan_parse(logs, r->src_real, &out->findings);
    findings_use_code_map(NULL);
    code_map_release(&code);
    if (!detect_trusted(r, "asan", &c, &io, NULL, out)) {
        out->raw = logs;
        free(asan);
        free(ubsan);
        free(bin);
        return 0;
    }
    /* ASan ends the program itself at its first error, before main returns: the tool's exit,
     * not one of the learner's (the block below says so when no report came through) */
    if (c.exited && c.exit_code == ASAN_EXIT_CODE)
        io.unended[0] = '\0';
    detect_judge(r, "asan", &c, &io, out);
    /* ASan ended the program, yet no report of its came through the channel. UBSan, when it
     * starts at its first report, sends ASan's reports back to stderr (gcc 12's runtimes);
     * tests/support/report_fd.c hands ASan the channel again then, through a hook of UBSan's,
     * and this is for a runtime that does not call it. The exit code decides, when the
     * channel holds no report at all (reports outside the learner's file, a library's leak,
     * end with the same code); the report on stderr, which the learner's code could have
     * written too, only says where. */
    if (out->status == ST_PASS && c.exited && c.exit_code == ASAN_EXIT_CODE &&
        !strstr(logs, "SUMMARY: ")) {
        char *log = work_path(r, "asan.log");
        char *text = read_file(log, 1 << 20, NULL);
        const char *summary = text ? strstr(text, "SUMMARY: AddressSanitizer: ") : NULL;
        if (summary) {
            summary += strlen("SUMMARY: AddressSanitizer: ");
            stage_say(out, ST_FAIL, "AddressSanitizer stopped the program: %.*s",
                      (int)strcspn(summary, "\n"), summary);
        } else {
            stage_say(out, ST_FAIL,
                      "AddressSanitizer stopped the program (exit code %d), and its report "
                      "did not reach the harness",
                      ASAN_EXIT_CODE);
        }
        free(text);
        free(log);
    }
    if (out->status == ST_PASS && starts_with(out->summary, "no data race found")) {
        char *s = xasprintf("no memory error, leak or undefined behaviour found%s",
                            out->summary + strlen("no data race found"));
        free(out->summary);
        out->summary = s;
    }
    out->raw = logs;
    free(asan);
    free(ubsan);
    free(bin);
    return 0;
}
