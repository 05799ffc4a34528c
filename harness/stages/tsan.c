/* tsan.c: the tsan stage: the driver built with ThreadSanitizer, its reports read. */
#include "stages/detect.h"
#include "stages/source.h"
#include "parsers/tsan.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int stage_tsan(struct run *r, struct stage_result *out)
{
    char *diag = NULL;
    struct code_map code = {0};
    char *bin = build_driver_mapped(r, DRIVER_TSAN, NULL, &diag, &code);
    if (!bin) {
        stage_say(out, ST_ERROR,
                  "the ThreadSanitizer build failed (is gcc's TSan runtime, "
                  "libtsan, installed? `make deps`)");
        out->details = diag;
        return 0;
    }
    free(diag);
    /* All of TSan's settings, in one place (the report itself goes to the harness's channel,
     * DETECT_REPORT_FD, handed to the runtime by tests/support/report_fd.c: a file in a
     * folder the learner's code can write could be rewritten before it was read):
     *  exitcode      66 is also TSan's own fatal exit, so the report decides, not the code
     *  halt_on_error=0 and report_signal_unsafe=0: see every race, not the first
     *  die_after_fork=0: katas that fork and then start threads in the child
     *  hard_rss_limit_mb: RLIMIT_AS would break TSan's shadow memory, so memory is bounded here
     *  external_symbolizer_path: frames need llvm-symbolizer for file:line */
    int files = defence_disabled(r, "channel"); /* the old way: files, for the proof only */
    char *log_prefix = work_path(r, "tsan");
    char *log_path = files ? xasprintf("log_path=%s ", log_prefix) : xstrdup("");
    char *options = xasprintf("TSAN_OPTIONS=%sexitcode=66 halt_on_error=0 "
                              "report_signal_unsafe=0 die_after_fork=0 hard_rss_limit_mb=4096 "
                              "history_size=4 second_deadlock_stack=1 "
                              "%s",
                              log_path, symbolizer_option());
    free(log_path);
    free(log_prefix);
    const char *env[] = {options,       files ? seed_env(r) : DETECT_REPORT_ENV,
                         seed_env(r),   detect_guard_env(r),
                         server_env(r), NULL};
    const char *argv[MAX_ARGS + 2];
    int n = 0;
    argv[n++] = bin;
    for (int i = 0; i < r->kata->ndetect_args; i++)
        argv[n++] = r->kata->detect_args[i];
    argv[n] = NULL;
    struct child c;
    struct detect_io io = {0};
    detect_run(r, "tsan", argv, env, 1, 1, &io, &c);
    char *logs = files            ? detect_collect_files(r, "tsan", "")
                 : io.report.text ? io.report.text
                                  : xstrdup("");
    if (files)
        free(io.report.text);
    /* frames are the learner's by address where the map is known (findings.h) */
    findings_use_code_map(defence_disabled(r, "address") || !code.n ? NULL : &code);
    tsan_parse(logs, r->src_real, &out->findings);
    findings_use_code_map(NULL);
    code_map_release(&code);
    if (strstr(logs, "unexpected memory mapping") || strstr(logs, "FATAL: ThreadSanitizer")) {
        stage_say(out, ST_ERROR, "ThreadSanitizer could not start (V=1 shows why)");
        out->raw = logs;
        free(options);
        free(bin);
        return 0;
    }
    if (!detect_trusted(r, "tsan", &c, &io, NULL, out)) {
        out->raw = logs;
        free(options);
        free(bin);
        return 0;
    }
    /* A deadly signal (SEGV, a stack overflow) makes TSan print an ERROR report and exit with
     * its exitcode, not die of the signal: that is a crash, not a clean run (said below), and
     * TSan's exit, not one of the learner's in the middle of main */
    const char *err = strstr(logs, "ERROR: ThreadSanitizer: ");
    if (err)
        io.unended[0] = '\0';
    detect_judge(r, "tsan", &c, &io, out);
    if (out->status == ST_PASS && err) {
        const char *summary = strstr(err, "SUMMARY: ThreadSanitizer: ");
        const char *what = summary ? summary + strlen("SUMMARY: ThreadSanitizer: ")
                                   : err + strlen("ERROR: ThreadSanitizer: ");
        stage_say(out, ST_FAIL, "the program crashed under tsan: %.*s", (int)strcspn(what, "\n"),
                  what);
    }
    out->raw = logs;
    free(options);
    free(bin);
    return 0;
}
