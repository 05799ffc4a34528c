/* junit.h: the grading as JUnit XML, for CI dashboards and test-report tools. */
#ifndef KATA_REPORT_JUNIT_H
#define KATA_REPORT_JUNIT_H

#include "scores.h"

/* Escapes s for XML 1.0 character data (attribute != 0: for an attribute value in double
 * quotes, where line breaks and tabs become character references so that they survive
 * attribute normalisation). The five markup characters become entities (so "]]>" can never
 * end anything); bytes XML 1.0 cannot carry at all (control characters other than tab and
 * line breaks, invalid UTF-8, U+FFFE and U+FFFF) become the visible text "\xHH". Returns a new
 * string; caller frees. NULL gives "". */
char *junit_escape(const char *s, int attribute);

/* Returns the grading as a JUnit XML document (a new string; caller frees) that validates
 * against the Jenkins xunit plugin's junit-10.xsd (tests/schemas/junit-10.xsd encodes its
 * rules; `make check-junit` runs xmllint with it): <testsuites> with one <testsuite> per kata
 * (file: the learner's file; properties: seed, points, status) and one <testcase> per stage
 * (classname: the kata; name: the stage), except the test stage, which has one <testcase> per
 * Criterion test (classname "<kata>.test", name "suite/test"). A failed stage or test
 * carries <failure message="its summary" type="the stage"> with the details and findings as
 * text, ending with "at <learner's file>:<line>" when a finding names a line of it (the
 * schema has no file or line attribute on a testcase or a failure); a harness error
 * <error>; a skipped one <skipped message=...>; a perf stage its timings in <system-out>. A
 * kata that was not graded for an error gets one more testcase, "not graded", with an
 * <error>. */
char *report_junit(const struct grade_summary *g);

#endif
