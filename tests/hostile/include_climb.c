/* hostile: climbs out of the preprocessor's private folder (build/cache/<kata>/tu-*) to the
 * reference solution, far enough up to find it. In the sandbox the compiler sees no
 * solutions/ at all; without it, every file the preprocessor opened must be the kata's header
 * or a system header, and the build refuses the file, naming it (tests/hostile/defences.sh
 * proves that second defence with the sandbox off).
 * expect: stage=build status=fail first text="only the kata's own header and the system headers"
 * expect: status=fail
 * limit: 12
 */
#include "../../../../solutions/race_counter/race_counter.c"
