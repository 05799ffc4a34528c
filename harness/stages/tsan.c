/* tsan.c: the tsan stage: the driver built with ThreadSanitizer, its reports read. */
#include "stages/detect.h"
#include "parsers/tsan.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int stage_tsan(struct run *r, struct stage_result *out)
{
    char *diag = NULL;
    char *bin = build_driver(r, DRIVER_TSAN, NULL, &diag);
    if (!bin) {
        stage_say(out, ST_ERROR, "the ThreadSanitizer build failed (is gcc's TSan runtime, "
                  "libtsan, installed? `make deps`)");
        out->details = diag;
        return 0;
    }
    free(diag);
    /* All of TSan's settings, in one place:
     *  log_path      one report file per process, read back below (stderr is the learner's)
     *  exitcode      66 is also TSan's own fatal exit, so the report decides, not the code
     *  halt_on_error=0 and report_signal_unsafe=0: see every race, not the first
     *  die_after_fork=0: katas that fork and then start threads in the child
     *  hard_rss_limit_mb: RLIMIT_AS would break TSan's shadow memory, so memory is bounded here
     *  external_symbolizer_path: frames need llvm-symbolizer for file:line */
    char *log_prefix = work_path(r, "tsan");
    char *options = xasprintf("TSAN_OPTIONS=log_path=%s exitcode=66 halt_on_error=0 "
                              "report_signal_unsafe=0 die_after_fork=0 hard_rss_limit_mb=4096 "
                              "history_size=4 second_deadlock_stack=1 "
                              "%s",
                              log_prefix, symbolizer_option());
    const char *env[] = {options, seed_env(r), server_env(r), NULL};
    const char *argv[MAX_ARGS + 2];
    int n = 0;
    argv[n++] = bin;
    for (int i = 0; i < r->kata->ndetect_args; i++)
        argv[n++] = r->kata->detect_args[i];
    argv[n] = NULL;
    struct child c;
    detect_run(r, "tsan", argv, env, 1, 1, &c);
    char *logs = detect_collect_logs(r, "tsan");
    tsan_parse(logs, r->src_real, &out->findings);
    if (strstr(logs, "unexpected memory mapping") || strstr(logs, "FATAL: ThreadSanitizer")) {
        stage_say(out, ST_ERROR, "ThreadSanitizer could not start (V=1 shows why)");
        out->raw = logs;
        free(options);
        free(log_prefix);
        free(bin);
        return 0;
    }
    detect_judge(r, "tsan", &c, out);
    /* A deadly signal (SEGV, a stack overflow) makes TSan print an ERROR report and exit with
     * its exitcode, not die of the signal: that is a crash, not a clean run. */
    const char *err = strstr(logs, "ERROR: ThreadSanitizer: ");
    if (out->status == ST_PASS && err) {
        const char *summary = strstr(err, "SUMMARY: ThreadSanitizer: ");
        const char *what = summary ? summary + strlen("SUMMARY: ThreadSanitizer: ")
                                   : err + strlen("ERROR: ThreadSanitizer: ");
        stage_say(out, ST_FAIL, "the program crashed under tsan: %.*s", (int)strcspn(what, "\n"),
                  what);
    }
    out->raw = logs;
    free(options);
    free(log_prefix);
    free(bin);
    return 0;
}
