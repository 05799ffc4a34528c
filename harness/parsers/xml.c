/* xml.c: a small, forgiving XML reader (see xml.h for what it covers). */
#include "parsers/xml.h"

#include "util.h"

#include <stdlib.h>
#include <string.h>

static struct xml_node *node_new(const char *name, size_t len, struct xml_node *parent)
{
    struct xml_node *n = xcalloc(1, sizeof *n);
    n->name = xstrndup(name, len);
    n->text = xstrdup("");
    n->parent = parent;
    if (parent) {
        parent->kids = xrealloc(parent->kids, sizeof *parent->kids * (size_t)(parent->nkids + 1));
        parent->kids[parent->nkids++] = n;
    }
    return n;
}

static void decode_into(struct strbuf *sb, const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        if (s[i] != '&') {
            sb_add(sb, s + i, 1);
            continue;
        }
        const char *semi = memchr(s + i, ';', len - i);
        if (!semi || semi - (s + i) > 10) {
            sb_add(sb, s + i, 1);
            continue;
        }
        size_t n = (size_t)(semi - (s + i)) + 1;
        const char *e = s + i;
        if (!strncmp(e, "&lt;", n)) sb_puts(sb, "<");
        else if (!strncmp(e, "&gt;", n)) sb_puts(sb, ">");
        else if (!strncmp(e, "&amp;", n)) sb_puts(sb, "&");
        else if (!strncmp(e, "&quot;", n)) sb_puts(sb, "\"");
        else if (!strncmp(e, "&apos;", n)) sb_puts(sb, "'");
        else if (e[1] == '#') {
            long code = e[2] == 'x' ? strtol(e + 3, NULL, 16) : strtol(e + 2, NULL, 10);
            if (code > 0 && code < 128) {
                char c = (char)code;
                sb_add(sb, &c, 1);
            } else {
                sb_puts(sb, "?");
            }
        } else {
            sb_add(sb, e, n);
        }
        i += n - 1;
    }
}

static void append_text(struct xml_node *n, const char *s, size_t len, int raw)
{
    if (!n || !len)
        return;
    struct strbuf sb = STRBUF_INIT;
    sb_puts(&sb, n->text);
    if (raw)
        sb_add(&sb, s, len);
    else
        decode_into(&sb, s, len);
    free(n->text);
    n->text = sb_detach(&sb);
}

static int is_name_char(char c)
{
    return c && !strchr(" \t\r\n/>=", c);
}

static const char *parse_attrs(struct xml_node *n, const char *p)
{
    for (;;) {
        while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
            p++;
        if (!*p || *p == '>' || *p == '/' || *p == '?')
            return p;
        const char *name = p;
        while (is_name_char(*p))
            p++;
        size_t nlen = (size_t)(p - name);
        if (*p != '=')
            return nlen ? p : p + 1;
        p++;
        char q = *p;
        if (q != '"' && q != '\'')
            return p;
        const char *v = ++p;
        while (*p && *p != q)
            p++;
        struct strbuf sb = STRBUF_INIT;
        sb_init(&sb);
        decode_into(&sb, v, (size_t)(p - v));
        n->attrs = xrealloc(n->attrs, sizeof *n->attrs * (size_t)(n->nattrs + 1));
        n->attrs[n->nattrs].name = xstrndup(name, nlen);
        n->attrs[n->nattrs].value = sb_detach(&sb);
        n->nattrs++;
        if (*p)
            p++;
    }
}

struct xml_node *xml_parse(const char *text, const char **err)
{
    struct xml_node *root = NULL, *cur = NULL;
    const char *p = text;
    if (err)
        *err = NULL;
    while (*p) {
        if (*p != '<') {
            const char *lt = strchr(p, '<');
            size_t len = lt ? (size_t)(lt - p) : strlen(p);
            append_text(cur, p, len, 0);
            p += len;
            continue;
        }
        if (starts_with(p, "<!--")) {
            const char *end = strstr(p, "-->");
            p = end ? end + 3 : p + strlen(p);
        } else if (starts_with(p, "<![CDATA[")) {
            const char *start = p + 9, *end = strstr(start, "]]>");
            size_t len = end ? (size_t)(end - start) : strlen(start);
            append_text(cur, start, len, 1);
            p = end ? end + 3 : start + len;
        } else if (p[1] == '?' || p[1] == '!') {
            const char *end = strchr(p, '>');
            p = end ? end + 1 : p + strlen(p);
        } else if (p[1] == '/') {
            const char *end = strchr(p, '>');
            if (cur && cur->parent)
                cur = cur->parent;
            else if (cur == root)
                cur = NULL;
            p = end ? end + 1 : p + strlen(p);
        } else {
            const char *name = ++p;
            while (is_name_char(*p))
                p++;
            /* a document cut inside a start tag: keep what was complete before it */
            if (!strchr(p, '>'))
                break;
            if (p == name) {
                if (err)
                    *err = "an element without a name";
                xml_free(root);
                return NULL;
            }
            if (root && !cur)
                break; /* a second top-level element: keep the first document only */
            struct xml_node *n = node_new(name, (size_t)(p - name), cur);
            if (!root)
                root = n;
            p = parse_attrs(n, p);
            if (*p == '/') {
                p++;
            } else {
                cur = n;
            }
            if (*p == '>')
                p++;
        }
    }
    if (!root && err)
        *err = "no element found";
    return root;
}

/* Frees the tree without recursion: a hostile report may nest a million levels deep. */
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
