/* hostile: climbs out of the preprocessor's private folder (build/cache/<kata>/tu-*) to the
 * reference solution, far enough up to find it. Every file the preprocessor opened must be
 * the kata's header or a system header: the build refuses it, naming the file.
 * expect: stage=build text="solutions/race_counter/race_counter.c: only the kata's own header"
 * limit: 12
 */
#include "../../../../solutions/race_counter/race_counter.c"
