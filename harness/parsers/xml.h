/* xml.h: a small XML reader for the reports of Valgrind and Criterion. */
#ifndef KATA_XML_H
#define KATA_XML_H

/*
 * Enough XML for tool reports: elements, attributes, text, CDATA, comments,
 * processing instructions and the five predefined entities plus numeric ones.
 * No namespaces, no DTDs. Text is the concatenation of an element's own text
 * pieces, entities decoded.
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
};

/* Parses a document. Returns its root element (caller frees with xml_free), or NULL
 * when it is not well formed; *err (if given) then points to a static message. A
 * document cut off at the end (a tool killed mid-write) still returns what was read. */
struct xml_node *xml_parse(const char *text, const char **err);
void xml_free(struct xml_node *n);

/* The first child named `name`, or NULL. */
struct xml_node *xml_child(const struct xml_node *n, const char *name);
/* The text of the first child named `name`, or NULL. */
const char *xml_child_text(const struct xml_node *n, const char *name);
/* An attribute's value, or NULL. */
const char *xml_attr(const struct xml_node *n, const char *name);

#endif
