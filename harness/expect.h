/* expect.h: what a test file says its verdict must be, read from its header and checked
 * against the verdict as JSON. The grammar is tests/EXPECTATIONS.md; in short:
 *
 *   the header   the "key: value" lines at the top of a mutant's patch (before its diff) or
 *                in the opening comment of a C file (a good design, a hostile program);
 *   expect:      one line per expectation, fields separated by blanks:
 *                  stage=S          about stage S (without it: about the whole verdict)
 *                  status=W         pass, fail or error (a stage's default: fail)
 *                  first            S is the first stage that did not pass
 *                  found            S failed for what it looks for (a detector: a finding;
 *                                   perf: a time, or too slow)
 *                  text="..."       in S's message or output
 *                  match="ERE"      an extended regular expression, matched line by line
 *                  absent="..."     nowhere in the printed verdict
 *                  excerpt=FILE     every line of FILE is a line of the text verdict
 *                                   (timings, seeds, thread ids, addresses aside)
 *                  luck=S,T         in an excerpt, these stages may pass or fail
 *                @name@ in text= and match= is the number of the file's line marked
 *                / * @name@ * /.
 *
 * The self-test (selftest.c), `kata expect` (cli.c: the hostile suite's and the README
 * excerpts' check) and the harness's unit tests read and check expectations here and
 * nowhere else. */
#ifndef KATA_EXPECT_H
#define KATA_EXPECT_H

struct cJSON;

/* The values of the header lines "key: value" of text (a file's contents), in order, as a
 * NULL-terminated array; an empty one when there is none. key is given without its colon.
 * Each value is trimmed, and a closing comment mark at its end dropped. The caller frees it
 * with expect_strings_free. */
char **header_values(const char *text, const char *key);

/* The first such value (a new string), or NULL. */
char *header_value(const char *text, const char *key);

void expect_strings_free(char **v);

/* One expectation line, its fields read. */
struct expectation {
    char *stage;  /* NULL: the whole verdict */
    char *status; /* "pass", "fail", "error"; NULL: not said (a stage's is then "fail") */
    int first;    /* the stage is the first not to pass */
    int found;    /* the stage failed for what it looks for */
    char *text;   /* NULL when not given */
    char *match;
    char *absent;
    char *excerpt; /* a file */
    char *luck;    /* stages, comma-separated */
};

/* Reads one expect line's fields (the part after "expect:"). markers, when not NULL, is the
 * text of the file the line came from: each @name@ in text= and match= becomes the number
 * of its line holding the comment "@name@" between comment marks (no-marker-name when none
 * does). Returns 0, or -1 with an error printed (an unknown field, a missing quote, a bad
 * status, a regular expression that does not compile); *e is then empty. Release it with
 * expectation_release. */
int expectation_parse(const char *line, const char *markers, struct expectation *e);
void expectation_release(struct expectation *e);

/* What a check may also know: the harness's exit code, as a word ("1", or "watchdog" when
 * it was killed), compared with the whole verdict's status when a line says it (0 for pass,
 * 1 otherwise); the verdict as the learner reads it (`kata run` without --format), which
 * excerpt= lines are held to. NULL: not known (an excerpt then fails). */
struct expect_context {
    const char *exit_code;
    const char *text;
};

/* A line of a text verdict (or of an excerpt of one) with what varies from run to run
 * replaced: trailing blanks, timings (" 0.1s" -> " <t>s"), seeds ("(seed <n>)"), counts of
 * reports ("<n> data race reports", "and <n> more places"), thread ids ("thread T<n>",
 * "thread #<n>", "thread <n>", and "main thread" as "thread <n>": which thread got there
 * first varies; "pid=<n>", "tid=<n>"), addresses ("0x<addr>"), and the
 * status of the stages in luck (comma-separated, may be NULL): "<passed or FAILED>". A new
 * string. */
char *excerpt_normalise(const char *line, const char *luck);

/* Checks every line against the verdict: verdict is the parsed JSON (NULL when the text
 * was not JSON), printed its text as written (absent= looks there). Each expectation that
 * does not hold adds a line saying why to *why (a new string, or NULL when all hold; the
 * caller frees it). Returns 0 when all hold, 1 when one does not, -1 when a line could not
 * be read (an error printed; nothing checked). */
int expect_check(const struct cJSON *verdict, const char *printed, char *const *lines,
                 const char *markers, const struct expect_context *ctx, char **why);

#endif
