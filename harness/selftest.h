/* selftest.h: the framework proving its own graders (what `make test` runs). */
#ifndef KATA_SELFTEST_H
#define KATA_SELFTEST_H

/* For each kata (or only `name`, as kata_find takes it): its reference and each good design
 * under tests/katas/<name>/good/ (another correct answer, named by a "good: <what>" line in
 * its opening comment) pass every stage `runs` times in a row, its starter fails each stage
 * its lesson is about, and each mutant is rejected by the stage it names. Each verdict is
 * held to expect: lines (tests/EXPECTATIONS.md): a good design's and a mutant's own, the
 * reference's "status=pass", the starter's "stage=S status=fail found" for each stage its
 * kata.json lists. Prints one line per check and a closing "selftest: N passed, M failed".
 * With no name and jobs > 1, that many katas at a time (their lines still in order, a
 * kata's whole), with every grading that times alone on the machine.
 * Returns 0 when every check held, 1 when one did not, 3 when the harness failed. */
int selftest(const char *name, int runs, int jobs);

#endif
