/* timeline.c: the explore stage's failing interleaving as an SVG picture (timeline.h). */
#include "stages/timeline.h"

#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LEFT 110   /* the column of step numbers and lines */
#define LANE_W 410 /* one thread's lane */
#define TOP 64     /* the first row's baseline, under a title of one line */
#define TITLE_H 18 /* each further line of the title */
#define ROW_H 20
#define LABEL_MAX 56 /* characters of a step's words shown in its lane (all of them on hover) */

/* s, escaped for XML text and attribute values, at most `max` characters (0: all) */
static void put_text(struct strbuf *sb, const char *s, size_t max)
{
    size_t shown = 0;
    for (; s && *s; s++) {
        if (max && shown == max) {
            sb_puts(sb, "...");
            break;
        }
        /* count characters, not the bytes of one UTF-8 character */
        if (((unsigned char)*s & 0xC0) != 0x80)
            shown++;
        switch (*s) {
        case '&': sb_puts(sb, "&amp;"); break;
        case '<': sb_puts(sb, "&lt;"); break;
        case '>': sb_puts(sb, "&gt;"); break;
        case '"': sb_puts(sb, "&quot;"); break;
        default:
            /* control characters are not allowed in XML 1.0 text */
            if ((unsigned char)*s >= 0x20 || *s == '\t')
                sb_add(sb, s, 1);
        }
    }
}

/* the lanes in order: the main thread first, then threads 1, 2, ... as they appear */
static int lane_index(const int *lanes, int nlanes, int lane)
{
    for (int i = 0; i < nlanes; i++)
        if (lanes[i] == lane)
            return i;
    return 0;
}

static int by_number(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

char *timeline_svg(const char *title, const struct timeline_step *steps, size_t n)
{
    int *lanes = xmalloc(sizeof *lanes * (n + 1));
    int nlanes = 0;
    lanes[nlanes++] = 0; /* the main thread always has a lane */
    for (size_t i = 0; i < n; i++) {
        int seen = 0;
        for (int j = 0; j < nlanes; j++)
            seen |= lanes[j] == steps[i].lane;
        if (!seen)
            lanes[nlanes++] = steps[i].lane;
    }
    qsort(lanes, (size_t)nlanes, sizeof *lanes, by_number);
    /* the title, a line of text per line of it; the rows start under it */
    int title_lines = 1;
    for (const char *p = title; p && *p; p++)
        title_lines += *p == '\n';
    int top = TOP + (title_lines - 1) * TITLE_H;
    int width = LEFT + nlanes * LANE_W + 20;
    int height = top + (int)n * ROW_H + 70;
    struct strbuf sb = STRBUF_INIT;
    sb_init(&sb);
    sb_addf(&sb,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
            "viewBox=\"0 0 %d %d\" font-family=\"monospace\" font-size=\"12\">\n"
            "<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n",
            width, height, width, height);
    for (int k = 0; k < title_lines; k++) {
        const char *line = title ? title : "";
        for (int skip = k; skip > 0 && line; skip--) {
            line = strchr(line, '\n');
            line = line ? line + 1 : NULL;
        }
        char *one = xstrndup(line ? line : "", line ? strcspn(line, "\n") : 0);
        sb_addf(&sb, "<text x=\"10\" y=\"%d\" font-size=\"14\"%s>", 20 + k * TITLE_H,
                k == 0 ? " font-weight=\"bold\"" : "");
        put_text(&sb, one, 0);
        sb_puts(&sb, "</text>\n");
        free(one);
    }
    /* the lanes: a heading and a line down each */
    for (int j = 0; j < nlanes; j++) {
        int x = LEFT + j * LANE_W;
        char name[32];
        if (lanes[j] == 0)
            snprintf(name, sizeof name, "the main thread");
        else
            snprintf(name, sizeof name, "thread %d", lanes[j]);
        sb_addf(&sb,
                "<g class=\"lane\"><text x=\"%d\" y=\"%d\" font-weight=\"bold\">%s</text>"
                "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#ccc\"/></g>\n",
                x, top - 24, name, x + 12, top - 16, x + 12, top + (int)n * ROW_H - 10);
    }
    /* each mutex held: a bar on its holder's lane, from the lock to the unlock, or to a wait
     * on a condition variable (which lets the mutex go; the bar does not come back when the
     * wait ends), or to the end when it was never released; under the steps */
    for (size_t i = 0; i < n; i++) {
        if (!steps[i].lock)
            continue;
        size_t end = n;
        for (size_t k = i + 1; k < n && end == n; k++)
            if (steps[k].lane == steps[i].lane &&
                (steps[k].wait ||
                 (steps[k].object == steps[i].object && (steps[k].unlock || steps[k].lock))))
                end = k;
        int x = LEFT + lane_index(lanes, nlanes, steps[i].lane) * LANE_W;
        int y0 = top + (int)i * ROW_H - 6, y1 = top + (int)(end == n ? n - 1 : end) * ROW_H + 2;
        sb_addf(&sb,
                "<rect class=\"held\" x=\"%d\" y=\"%d\" width=\"6\" height=\"%d\" "
                "fill=\"#3b6fd4\" fill-opacity=\"0.45\"><title>",
                x + 2, y0, y1 - y0);
        put_text(&sb, steps[i].object_name ? steps[i].object_name : "a mutex", 0);
        sb_addf(&sb, " held%s</title></rect>\n", end == n ? ", never released" : "");
    }
    for (size_t i = 0; i < n; i++) {
        const struct timeline_step *s = &steps[i];
        int y = top + (int)i * ROW_H;
        int x = LEFT + lane_index(lanes, nlanes, s->lane) * LANE_W;
        const char *colour = s->lost ? "#c62828" : "#222";
        if (s->departs)
            sb_addf(&sb,
                    "<line class=\"switch\" x1=\"10\" y1=\"%d\" x2=\"%d\" y2=\"%d\" "
                    "stroke=\"#e0a000\" stroke-dasharray=\"4 3\"/>\n",
                    y - 14, width - 10, y - 14);
        sb_puts(&sb, "<g class=\"step\"><title>");
        put_text(&sb, s->text, 0);
        if (s->line) {
            sb_addf(&sb, " (line %d", s->line);
            if (s->code) {
                sb_puts(&sb, ": ");
                put_text(&sb, s->code, 0);
            }
            sb_puts(&sb, ")");
        }
        sb_addf(&sb, "</title><text x=\"10\" y=\"%d\" fill=\"#777\">%zu", y, i + 1);
        if (s->line)
            sb_addf(&sb, "  line %d", s->line);
        sb_addf(&sb,
                "</text><circle cx=\"%d\" cy=\"%d\" r=\"4\" fill=\"%s\"/>"
                "<text x=\"%d\" y=\"%d\" fill=\"%s\"%s>",
                x + 12, y - 4, colour, x + 22, y, colour, s->lost ? " font-weight=\"bold\"" : "");
        put_text(&sb, s->text, LABEL_MAX);
        sb_puts(&sb, "</text></g>\n");
    }
    int y = top + (int)n * ROW_H + 20;
    sb_addf(&sb,
            "<g class=\"legend\" fill=\"#555\">"
            "<rect x=\"10\" y=\"%d\" width=\"6\" height=\"14\" fill=\"#3b6fd4\" "
            "fill-opacity=\"0.45\"/><text x=\"22\" y=\"%d\">a mutex held</text>"
            "<line x1=\"160\" y1=\"%d\" x2=\"190\" y2=\"%d\" stroke=\"#e0a000\" "
            "stroke-dasharray=\"4 3\"/><text x=\"196\" y=\"%d\">the scheduler switched "
            "threads here, away from its default</text>"
            "<circle cx=\"14\" cy=\"%d\" r=\"4\" fill=\"#c62828\"/><text x=\"22\" y=\"%d\" "
            "fill=\"#c62828\">a write over another thread's update</text>"
            "<text x=\"%d\" y=\"%d\">hover a step for its line of code</text></g>\n",
            y - 11, y, y - 4, y - 4, y, y + 16, y + 20, width - 260, y + 20);
    sb_puts(&sb, "</svg>\n");
    free(lanes);
    return sb_detach(&sb);
}
