/* valgrind.h: read Helgrind's and DRD's XML reports into findings. */
#ifndef KATA_VALGRIND_REPORT_H
#define KATA_VALGRIND_REPORT_H

#include "findings.h"

/* Parses the <error> elements of a Valgrind --xml=yes report into `out`. Each access is
 * the first frame in the learner's file (resolved path `learner_real`), or the top frame.
 * A data address the tool did not name is kept in finding.address (DRD without
 * --read-var-info names no globals). Returns the number of errors read, or -1 when the
 * text is not a Valgrind report at all. */
int valgrind_parse(const char *xml, const char *learner_real, struct findings *out);

#endif
