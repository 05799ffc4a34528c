/* test_timeline.c: the explore stage's picture (harness/stages/timeline.c) is well-formed XML
 * whatever the words in it, has a lane per thread, and draws each mutex held from its lock
 * to its unlock, to a wait on a condition variable, or to the end. Read back with expat. And
 * a grading whose explore stage fails says where the picture of its interleaving is. */
#include "stages/timeline.h"
#include "support/grading.h"
#include "util.h"

#include <criterion/criterion.h>
#include <expat.h>
#include <stdlib.h>
#include <string.h>

struct seen {
    int lanes, held, steps, switches;
    int in_title; /* inside a <title> of a held bar */
    char titles[512];
    char heights[256];
};

static void on_start(void *data, const char *el, const char **attr)
{
    struct seen *s = data;
    const char *class = NULL, *height = NULL;
    for (int i = 0; attr[i]; i += 2) {
        if (!strcmp(attr[i], "class"))
            class = attr[i + 1];
        if (!strcmp(attr[i], "height"))
            height = attr[i + 1];
    }
    if (class && !strcmp(class, "lane"))
        s->lanes++;
    if (class && !strcmp(class, "step"))
        s->steps++;
    if (class && !strcmp(class, "switch"))
        s->switches++;
    if (class && !strcmp(class, "held")) {
        s->held++;
        strncat(s->heights, height ? height : "?", sizeof s->heights - strlen(s->heights) - 2);
        strcat(s->heights, " ");
        s->in_title = 1;
    }
    if (!strcmp(el, "title") && s->in_title == 1)
        s->in_title = 2;
}

static void on_end(void *data, const char *el)
{
    struct seen *s = data;
    if (!strcmp(el, "title") && s->in_title == 2) {
        s->in_title = 0;
        strncat(s->titles, "|", sizeof s->titles - strlen(s->titles) - 1);
    }
}

static void on_text(void *data, const char *text, int len)
{
    struct seen *s = data;
    if (s->in_title == 2)
        strncat(s->titles, text,
                (size_t)len < sizeof s->titles - strlen(s->titles) - 1
                    ? (size_t)len
                    : sizeof s->titles - strlen(s->titles) - 1);
}

/* Parses svg; fails the test unless it is well-formed. */
static struct seen read_back(const char *svg)
{
    struct seen s = {0};
    XML_Parser p = XML_ParserCreate("UTF-8");
    XML_SetUserData(p, &s);
    XML_SetElementHandler(p, on_start, on_end);
    XML_SetCharacterDataHandler(p, on_text);
    int ok = XML_Parse(p, svg, (int)strlen(svg), 1) == XML_STATUS_OK;
    cr_assert(ok, "not well-formed XML (%s, line %lu):\n%s", XML_ErrorString(XML_GetErrorCode(p)),
              (unsigned long)XML_GetCurrentLineNumber(p), svg);
    XML_ParserFree(p);
    return s;
}

Test(timeline, is_well_formed_whatever_the_words_and_has_a_lane_per_thread)
{
    /* words a learner's code puts in a step: its lines of C, its names */
    struct timeline_step v[] = {
        {.lane = 0, .text = "the main thread starts thread 1", .line = 3, .code = "a < b && c"},
        {.lane = 1,
         .text = "thread 1 writes q->\"x\" = 1 & more",
         .line = 9,
         .code = "q->x = 1; /* <tag> \x01 */"},
        {.lane = 2, .text = "thread 2 reads x", .departs = 1},
        {.lane = 1, .text = "thread 1 writes x: thread 2's update is lost", .lost = 1},
    };
    char *svg = timeline_svg("a title with <angle> & \"quotes\"\nits second line", v, 4);
    struct seen s = read_back(svg);
    cr_assert_eq(s.lanes, 3, "the main thread, thread 1 and thread 2: %d lanes", s.lanes);
    cr_assert_eq(s.steps, 4);
    cr_assert_eq(s.switches, 1, "one departure from the default schedule");
    cr_assert(strstr(svg, "a title with &lt;angle&gt; &amp; &quot;quotes&quot;"), "%s", svg);
    cr_assert(strstr(svg, "its second line"), "%s", svg);
    cr_assert(strstr(svg, "#c62828"), "the lost update is drawn in red");
    free(svg);
}

Test(timeline, draws_each_mutex_held_until_its_unlock_a_wait_or_the_end)
{
    struct timeline_step v[] = {
        {.lane = 1, .text = "thread 1 locks m", .lock = 1, .object = 0x10, .object_name = "m"},
        {.lane = 2, .text = "thread 2 waits to lock m"},
        {.lane = 1, .text = "thread 1 unlocks m", .unlock = 1, .object = 0x10},
        {.lane = 2, .text = "thread 2 locks m", .lock = 1, .object = 0x10, .object_name = "m"},
        {.lane = 2, .text = "thread 2 waits on c", .wait = 1},
        {.lane = 1, .text = "thread 1 locks n", .lock = 1, .object = 0x20, .object_name = "n"},
        {.lane = 1, .text = "thread 1 reads x"},
    };
    char *svg = timeline_svg("held", v, 7);
    struct seen s = read_back(svg);
    cr_assert_eq(s.held, 3, "three holds: %d (%s)", s.held, s.titles);
    /* rows are 20 apart: m held over 2 rows by thread 1, 1 row by thread 2 (its wait lets it
     * go), and n from row 5 to the last row, never released */
    cr_assert_str_eq(s.heights, "48 28 28 ", "%s", s.heights);
    cr_assert(strstr(s.titles, "m held|m held|n held, never released|"), "%s", s.titles);
    free(svg);
}

Test(timeline, an_empty_interleaving_is_still_a_picture)
{
    char *svg = timeline_svg(NULL, NULL, 0);
    struct seen s = read_back(svg);
    cr_assert_eq(s.lanes, 1, "the main thread's lane");
    free(svg);
}

TestSuite(timeline_graded, .init = grading_setup, .timeout = 300);

/* The race_counter starter loses an increment under some schedule: the verdict names the
 * picture, which holds the lost update. */
Test(timeline_graded, a_failing_interleaving_is_written_as_a_picture_the_verdict_names)
{
    char *v = grade_failing("race_counter", "katas/race_counter/race_counter.c", "explore");
    const char *says = "the same, as a picture (a lane per thread): ";
    const char *at = strstr(v, says);
    cr_assert(at, "the verdict names no picture:\n%s", v);
    at += strlen(says);
    char *path = xstrndup(at, strcspn(at, "\n"));
    char *svg = read_file(path, 1 << 22, NULL);
    cr_assert(svg, "the picture %s cannot be read", path);
    struct seen s = read_back(svg);
    cr_assert_geq(s.lanes, 3, "the main thread and two threads: %d lanes", s.lanes);
    cr_assert(strstr(svg, "update is lost"), "the lost update is in the picture:\n%s", svg);
    free(svg);
    free(path);
    free(v);
}
