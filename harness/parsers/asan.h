/* asan.h: read AddressSanitizer, LeakSanitizer and UBSan reports into findings. */
#ifndef KATA_ASAN_REPORT_H
#define KATA_ASAN_REPORT_H

#include "findings.h"

/* Parses the reports in `text` (the sanitizers' log files, concatenated) into `out`:
 * "ERROR: AddressSanitizer: <kind>" (access[0] the bad access, access[1] where the memory
 * was freed, when it says), each "Direct/Indirect leak" of LeakSanitizer (access[0] where
 * it was allocated) and each UBSan "runtime error" (access[0] its place). Each access is
 * the first frame in the learner's file, or the top frame. Returns the number of reports. */
int asan_parse(const char *text, const char *learner_real, struct findings *out);

#endif
