/* cli.h: the `kata` command: its subcommands, their options, and its exit codes. */
#ifndef KATA_CLI_H
#define KATA_CLI_H

/* Exit codes of every subcommand. */
enum { EXIT_PASSED = 0, EXIT_FAILED = 1, EXIT_USAGE = 2, EXIT_HARNESS = 3 };

/*
 * Runs `kata <subcommand> [options] [args]` (argv[0] is the program). In three steps:
 *
 *   1. finds the subcommand in its table and parses its options with getopt_long; an unknown
 *      subcommand or option, a missing argument, or a value that is not what the option
 *      takes (SEED=abc, --format xml, a stage the kata lacks) is a usage error: the reason
 *      and the usage on stderr, nothing on stdout, EXIT_USAGE;
 *   2. makes the repository root the current folder, once, for everything after it: KATA_ROOT
 *      when set, else the nearest folder at or above the current one (then above the program
 *      itself) with a katas/ folder and a Makefile; paths given on the command line are taken
 *      from the folder the command was started in;
 *   3. runs the subcommand; those that run learner code confine themselves to loopback
 *      networking first (sandbox.h).
 *
 * Returns the exit code (EXIT_*; `kata grade`'s are in grade_all.h). The caller has called
 * spawn_init(). Steps 1's errors are found before anything is run or written, so the unit
 * tests call it in their own process.
 */
int cli_main(int argc, char **argv);

/* Reads a seed: one to eighteen decimal digits. Returns 0 with *out set, or -1 with an error
 * printed that names `what` (e.g. "SEED") when s is anything else. */
int parse_seed(const char *s, const char *what, unsigned long *out);

/* Wraps text to lines of at most `width` columns (a longer word keeps a line of its own),
 * each line starting with `indent`, and ending in a newline. Returns a new string. */
char *wrap_text(const char *text, int width, const char *indent);

#endif
