/* hostile: includes the reference solution through the kata's include path
 * (katas/race_counter/../../solutions/...). The preprocessor now runs in a folder of its
 * own with the kata's header beside the file and no -I: the path leads nowhere, and the
 * verdict says what can be included.
 * expect: stage=build status=fail first text="only the kata's own header and the system headers"
 * expect: status=fail
 * limit: 12
 */
#include "../../solutions/race_counter/race_counter.c"
