/* xml.c: Valgrind's and Criterion's XML reports read with expat into a small tree. */
#include "parsers/xml.h"

#include "util.h"

#include <expat.h>
#include <stdlib.h>
#include <string.h>

/* The tree under construction: expat calls back with each start tag, piece of text and end
 * tag, in document order; `at` is the element those belong to. */
struct builder {
    struct xml_node *root, *at;
    int done; /* the root element has closed: anything after it is past the document */
};

static void add_text(struct xml_node *n, const char *s, size_t len)
{
    if (!len)
        return;
    /* capacity doubles, so a text read in many pieces costs linear time */
    if (n->text_len + len + 1 > n->text_cap) {
        size_t cap = n->text_cap ? n->text_cap : 64;
        while (cap < n->text_len + len + 1)
            cap *= 2;
        n->text = xrealloc(n->text, cap);
        n->text_cap = cap;
    }
    memcpy(n->text + n->text_len, s, len);
    n->text_len += len;
    n->text[n->text_len] = '\0';
}

static void XMLCALL on_start(void *data, const XML_Char *name, const XML_Char **atts)
{
    struct builder *b = data;
    struct xml_node *n = xcalloc(1, sizeof *n);
    n->name = xstrdup(name);
    n->text = xstrdup("");
    n->text_cap = 1;
    size_t na = 0;
    while (atts[2 * na])
        na++;
    n->attrs = na ? xcalloc(na, sizeof *n->attrs) : NULL;
    for (size_t i = 0; i < na; i++) {
        n->attrs[i].name = xstrdup(atts[2 * i]);
        n->attrs[i].value = xstrdup(atts[2 * i + 1]);
    }
    n->nattrs = (int)na;
    n->parent = b->at;
    if (b->at) {
        struct xml_node *p = b->at;
        if (p->nkids == p->kids_cap) {
            p->kids_cap = p->kids_cap ? 2 * p->kids_cap : 4;
            p->kids = xrealloc(p->kids, sizeof *p->kids * (size_t)p->kids_cap);
        }
        p->kids[p->nkids++] = n;
    } else {
        b->root = n;
    }
    b->at = n;
}

static void XMLCALL on_end(void *data, const XML_Char *name)
{
    struct builder *b = data;
    (void)name; /* expat has checked that it matches */
    if (b->at)
        b->at = b->at->parent;
    if (!b->at)
        b->done = 1;
}

static void XMLCALL on_text(void *data, const XML_Char *s, int len)
{
    struct builder *b = data;
    if (b->at && len > 0)
        add_text(b->at, s, (size_t)len);
}

struct xml_node *xml_parse(const char *text, const char **err)
{
    if (err)
        *err = NULL;
    XML_Parser p = XML_ParserCreate("UTF-8");
    if (!p) {
        if (err)
            *err = "out of memory";
        return NULL;
    }
    struct builder b = {0};
    XML_SetUserData(p, &b);
    XML_SetElementHandler(p, on_start, on_end);
    XML_SetCharacterDataHandler(p, on_text);
    size_t len = strlen(text);
    /* expat takes an int length: a report is read with a cap far below INT_MAX, but feed it
     * in pieces all the same */
    enum XML_Status st = XML_STATUS_OK;
    const size_t piece = 1 << 20;
    for (size_t off = 0; st == XML_STATUS_OK;) {
        size_t n = len - off < piece ? len - off : piece;
        int last = off + n == len;
        st = XML_Parse(p, text + off, (int)n, last);
        off += n;
        if (last)
            break;
    }
    if (st != XML_STATUS_OK) {
        enum XML_Error e = XML_GetErrorCode(p);
        /* A report cut off inside a CDATA section (a runner killed mid-write) keeps the text
         * it had: expat reports none of an unclosed section's text. */
        if (e == XML_ERROR_UNCLOSED_CDATA_SECTION && b.at) {
            XML_Index at = XML_GetCurrentByteIndex(p);
            const char *open = at >= 0 ? strstr(text + at, "<![CDATA[") : NULL;
            if (open)
                add_text(b.at, open + 9, strlen(open + 9));
        }
        /* Past the root's end tag a second element or stray text is no part of the
         * document; anything else means the document is not whole. */
        if (!(b.done && e == XML_ERROR_JUNK_AFTER_DOC_ELEMENT) && err)
            *err = XML_ErrorString(e);
    }
    XML_ParserFree(p);
    if (!b.root && err && !*err)
        *err = "no element found";
    return b.root;
}

void xml_free(struct xml_node *n)
{
    struct xml_node *stop = n ? n->parent : NULL;
    while (n && n != stop) {
        if (n->nkids) {
            n = n->kids[--n->nkids]; /* the last child first; it leaves its parent's list */
            continue;
        }
        struct xml_node *parent = n->parent;
        for (int i = 0; i < n->nattrs; i++) {
            free(n->attrs[i].name);
            free(n->attrs[i].value);
        }
        free(n->attrs);
        free(n->kids);
        free(n->name);
        free(n->text);
        free(n);
        n = parent;
    }
}

struct xml_node *xml_child(const struct xml_node *n, const char *name)
{
    for (int i = 0; n && i < n->nkids; i++)
        if (!strcmp(n->kids[i]->name, name))
            return n->kids[i];
    return NULL;
}

const char *xml_child_text(const struct xml_node *n, const char *name)
{
    struct xml_node *k = xml_child(n, name);
    return k ? k->text : NULL;
}

const char *xml_attr(const struct xml_node *n, const char *name)
{
    for (int i = 0; n && i < n->nattrs; i++)
        if (!strcmp(n->attrs[i].name, name))
            return n->attrs[i].value;
    return NULL;
}
