/* xml.h: the reports of Valgrind and Criterion read into a small tree (with expat). */
#ifndef KATA_XML_H
#define KATA_XML_H

#include <stddef.h>

/*
 * Elements, attributes and text, read by expat: the text is the concatenation of an
 * element's own pieces (CDATA included), entities and character references decoded to
 * UTF-8. Comments, processing instructions and the doctype are skipped.
 */
struct xml_attr {
    char *name, *value;
};

struct xml_node {
    char *name;
    char *text; /* never NULL */
    struct xml_attr *attrs;
    int nattrs;
    struct xml_node **kids;
    int nkids;
    struct xml_node *parent;
    size_t text_len, text_cap; /* the parser's: text grows in place as it is read */
    int kids_cap;
};

/* Parses a document. Returns its root element with everything read before the first
 * error (caller frees with xml_free), or NULL when no element began. *err (if given) is
 * NULL for a well-formed document, else a static message saying what was wrong: a tool
 * killed mid-write leaves a document cut short, whose first part still counts. Anything
 * after the root's end tag is ignored. */
struct xml_node *xml_parse(const char *text, const char **err);
void xml_free(struct xml_node *n);

/* The first child named `name`, or NULL. */
struct xml_node *xml_child(const struct xml_node *n, const char *name);
/* The text of the first child named `name`, or NULL. */
const char *xml_child_text(const struct xml_node *n, const char *name);
/* An attribute's value, or NULL. */
const char *xml_attr(const struct xml_node *n, const char *name);

#endif
