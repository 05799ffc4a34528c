/* test_xml.c: tests of harness/parsers/xml.c on hand-written documents, recorded tool reports and
 * garbage. Run from the repository root (the recordings are read from tests/harness/data). */
#include "support/recordings.h"
#include "util.h"
#include "parsers/xml.h"

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

/* Parses a document that must be well formed. */
static struct xml_node *parse_ok(const char *text)
{
    const char *err = "not set";
    struct xml_node *root = xml_parse(text, &err);
    cr_assert_not_null(root, "xml_parse(\"%s\") failed: %s", text, err ? err : "(no message)");
    cr_assert_null(err, "a successful parse leaves *err NULL, got \"%s\"", err);
    return root;
}

/* Parses a document that is not whole: the root of what was read comes back, and *err says
 * what was wrong. */
static struct xml_node *parse_partial(const char *text)
{
    const char *err = NULL;
    struct xml_node *root = xml_parse(text, &err);
    cr_assert_not_null(root, "xml_parse(\"%s\") lost what was read: %s", text,
                       err ? err : "(no message)");
    cr_assert_not_null(err, "\"%s\" is not whole, and *err must say so", text);
    return root;
}

/* A tiny fixed-seed generator, so that every run feeds the same strings. */
static unsigned long long rng_state;

static unsigned next_random(void)
{
    rng_state = rng_state * 6364136223846793005ULL + 1442695040888963407ULL;
    return (unsigned)(rng_state >> 33);
}

Test(xml, decodes_the_five_predefined_entities)
{
    struct xml_node *r = parse_ok("<a>&lt;b&gt; &amp; &quot;c&quot; &apos;d&apos;</a>");
    cr_assert_str_eq(r->name, "a");
    cr_assert_str_eq(r->text, "<b> & \"c\" 'd'");
    xml_free(r);
}

Test(xml, decodes_decimal_and_hexadecimal_character_references)
{
    struct xml_node *r = parse_ok("<a>&#65;&#x42;&#x63;&#10;</a>");
    cr_assert_str_eq(r->text, "ABc\n");
    xml_free(r);
}

Test(xml, decodes_character_references_beyond_ascii_to_utf8)
{
    struct xml_node *r = parse_ok("<a>caf&#233; &#x20AC;</a>");
    cr_assert_str_eq(r->text, "caf\xc3\xa9 \xe2\x82\xac");
    xml_free(r);
}

Test(xml, an_unknown_entity_or_a_lone_ampersand_ends_the_document_where_it_stands)
{
    struct xml_node *r = parse_partial("<a>x<b>1</b>&nbsp;<c/></a>");
    cr_assert_eq(r->nkids, 1, "nothing after the error is read");
    xml_free(r);
    r = parse_partial("<a><b>1</b> a & b <c/></a>");
    cr_assert_eq(r->nkids, 1);
    xml_free(r);
}

Test(xml, a_mismatched_end_tag_ends_the_document_where_it_stands)
{
    struct xml_node *r = parse_partial("<a><b></x><c/></a>");
    cr_assert_str_eq(r->name, "a");
    cr_assert_eq(r->nkids, 1, "<c/> comes after the error and is not read");
    cr_assert_str_eq(r->kids[0]->name, "b");
    xml_free(r);
}

Test(xml, a_long_text_in_many_pieces_is_read_whole)
{
    /* entities split the text into pieces, each appended to what came before */
    size_t pieces = 200000;
    struct strbuf sb = STRBUF_INIT;
    sb_init(&sb);
    sb_puts(&sb, "<a>");
    for (size_t i = 0; i < pieces; i++)
        sb_puts(&sb, "x&amp;");
    sb_puts(&sb, "</a>");
    struct xml_node *r = parse_ok(sb.buf);
    cr_assert_eq(strlen(r->text), 2 * pieces);
    cr_assert(starts_with(r->text, "x&x&x&"));
    xml_free(r);
    sb_release(&sb);
}

Test(xml, decodes_entities_in_attribute_values)
{
    struct xml_node *r = parse_ok("<a msg=\"x &lt; y &amp;&amp; &quot;z&quot;\"/>");
    cr_assert_str_eq(xml_attr(r, "msg"), "x < y && \"z\"");
    xml_free(r);
}

Test(xml, reads_cdata_verbatim_without_decoding_it)
{
    struct xml_node *r = parse_ok("<a>x<![CDATA[<b>&amp;</b> ]] >]]>y</a>");
    cr_assert_str_eq(r->text, "x<b>&amp;</b> ]] >y");
    cr_assert_eq(r->nkids, 0, "markup inside CDATA is text, not elements");
    xml_free(r);
}

Test(xml, reads_attributes_in_both_kinds_of_quotes)
{
    struct xml_node *r = parse_ok("<t a=\"1\" b='two' c=\"it's\" d='say \"hi\"' e=\"\">x</t>");
    cr_assert_eq(r->nattrs, 5);
    cr_assert_str_eq(xml_attr(r, "a"), "1");
    cr_assert_str_eq(xml_attr(r, "b"), "two");
    cr_assert_str_eq(xml_attr(r, "c"), "it's");
    cr_assert_str_eq(xml_attr(r, "d"), "say \"hi\"");
    cr_assert_str_eq(xml_attr(r, "e"), "");
    cr_assert_null(xml_attr(r, "f"));
    cr_assert_str_eq(r->text, "x");
    xml_free(r);
}

Test(xml, reads_attributes_across_lines_and_tabs)
{
    struct xml_node *r = parse_ok("<t\n\ta=\"1\"\r\n  b=\"2\"\n/>");
    cr_assert_str_eq(r->name, "t");
    cr_assert_str_eq(xml_attr(r, "a"), "1");
    cr_assert_str_eq(xml_attr(r, "b"), "2");
    xml_free(r);
}

Test(xml, self_closing_tags_have_no_children_and_close_themselves)
{
    struct xml_node *r = parse_ok("<r><a/><b x=\"1\"/><c /><d></d>tail</r>");
    cr_assert_eq(r->nkids, 4, "a, b, c and d are siblings, got %d children", r->nkids);
    const char *names[] = {"a", "b", "c", "d"};
    for (int i = 0; i < 4; i++) {
        cr_assert_str_eq(r->kids[i]->name, names[i]);
        cr_assert_eq(r->kids[i]->nkids, 0);
        cr_assert_eq(r->kids[i]->parent, r);
        cr_assert_str_eq(r->kids[i]->text, "");
    }
    cr_assert_str_eq(xml_attr(r->kids[1], "x"), "1");
    cr_assert_str_eq(r->text, "tail", "the text after the self-closed tags is the root's");
    cr_assert_null(r->parent);
    xml_free(r);
}

Test(xml, skips_comments_processing_instructions_and_doctype)
{
    struct xml_node *r = parse_ok("<?xml version=\"1.0\"?>\n<!DOCTYPE r>\n<!-- <x>not</x> -->\n"
                                  "<r>a<!-- <y/> -->b<?pi z ?>c</r>\n<!-- after -->\n");
    cr_assert_str_eq(r->name, "r");
    cr_assert_eq(r->nkids, 0, "nothing in a comment or a PI is an element");
    cr_assert_str_eq(r->text, "abc");
    xml_free(r);
}

Test(xml, text_is_the_concatenation_of_an_elements_own_pieces)
{
    struct xml_node *r = parse_ok("<a>one <b>inner</b>two<c/> three</a>");
    cr_assert_str_eq(r->text, "one two three");
    cr_assert_str_eq(xml_child_text(r, "b"), "inner");
    cr_assert_str_eq(xml_child_text(r, "c"), "");
    xml_free(r);
}

Test(xml, child_lookups_find_the_first_match_and_tolerate_null)
{
    struct xml_node *r = parse_ok("<r><k>1</k><k>2</k><m/></r>");
    cr_assert_eq(xml_child(r, "k"), r->kids[0]);
    cr_assert_str_eq(xml_child_text(r, "k"), "1");
    cr_assert_null(xml_child(r, "none"));
    cr_assert_null(xml_child_text(r, "none"));
    cr_assert_null(xml_child(NULL, "k"));
    cr_assert_null(xml_child_text(NULL, "k"));
    cr_assert_null(xml_attr(NULL, "k"));
    xml_free(r);
    xml_free(NULL);
}

Test(xml, keeps_only_the_first_top_level_element)
{
    /* what follows the root's end tag is no part of the document, and no error in it */
    struct xml_node *r = parse_ok("<a>1</a><b>2</b>");
    cr_assert_str_eq(r->name, "a");
    cr_assert_str_eq(r->text, "1");
    cr_assert_eq(r->nkids, 0);
    xml_free(r);
}

Test(xml, a_document_without_an_element_is_rejected_with_a_message)
{
    const char *inputs[] = {"", "just text", "<?xml version=\"1.0\"?>", "<!-- only -->", "  \n"};
    for (size_t i = 0; i < sizeof inputs / sizeof inputs[0]; i++) {
        const char *err = NULL;
        struct xml_node *r = xml_parse(inputs[i], &err);
        cr_assert_null(r, "\"%s\" has no element", inputs[i]);
        cr_assert_not_null(err, "\"%s\": a failed parse says why", inputs[i]);
    }
    cr_assert_null(xml_parse("", NULL), "err may be NULL");
}

Test(xml, an_element_without_a_name_is_an_error)
{
    const char *err = NULL;
    struct xml_node *r = parse_partial("<r>< b/></r>");
    cr_assert_eq(r->nkids, 0, "no element is made of a tag without a name");
    xml_free(r);
    cr_assert_null(xml_parse("<>", &err));
    cr_assert_not_null(err);
}

Test(xml, a_truncated_document_keeps_what_was_read)
{
    struct xml_node *r = parse_partial("<r><a x=\"1\">text</a><b>par");
    cr_assert_str_eq(r->name, "r");
    cr_assert_eq(r->nkids, 2);
    cr_assert_str_eq(xml_attr(r->kids[0], "x"), "1");
    cr_assert_str_eq(r->kids[0]->text, "text");
    cr_assert_str_eq(r->kids[1]->text, "par");
    xml_free(r);

    /* cut inside a tag, an attribute, a CDATA section, a comment, a PI, an end tag */
    const char *cuts[] = {"<r><a",      "<r><a x",    "<r><a x=",   "<r><a x=\"1", "<r><![CDATA[ab",
                          "<r><!-- ab", "<r><?pi ab", "<r><a>t</a", "<r>&am",      "<r>&#6"};
    for (size_t i = 0; i < sizeof cuts / sizeof cuts[0]; i++) {
        struct xml_node *t = xml_parse(cuts[i], NULL);
        cr_assert_not_null(t, "\"%s\" still has its root", cuts[i]);
        cr_assert_str_eq(t->name, "r");
        xml_free(t);
    }
    r = parse_partial("<r><![CDATA[abc");
    cr_assert_str_eq(r->text, "abc", "a cut CDATA section keeps its text");
    xml_free(r);
}

/* A tool killed mid-write can stop right after the '<' of its next tag. */
Test(xml, a_document_cut_just_after_a_less_than_sign_keeps_what_was_read)
{
    const char *err = NULL;
    struct xml_node *r = xml_parse("<r><a>done</a><", &err);
    cr_assert_not_null(r, "the document read so far is lost: %s", err ? err : "?");
    cr_assert_str_eq(r->name, "r");
    cr_assert_eq(r->nkids, 1);
    cr_assert_str_eq(r->kids[0]->text, "done");
    xml_free(r);
}

Test(xml, reads_a_recorded_criterion_report_of_a_passing_test)
{
    char *text = recording("criterion_passes.xml");
    struct xml_node *r = parse_ok(text);
    free(text);
    cr_assert_str_eq(r->name, "testsuites");
    struct xml_node *suite = xml_child(r, "testsuite");
    cr_assert_not_null(suite);
    cr_assert_str_eq(xml_attr(suite, "name"), "sample");
    cr_assert_eq(suite->nkids, 3, "a filtered run still lists every test");
    int passed = 0, skipped = 0;
    for (int i = 0; i < suite->nkids; i++) {
        struct xml_node *tc = suite->kids[i];
        cr_assert_str_eq(tc->name, "testcase");
        const char *status = xml_attr(tc, "status");
        cr_assert_not_null(status);
        if (!strcmp(xml_attr(tc, "name"), "passes")) {
            cr_assert_str_eq(status, "PASSED");
            cr_assert_str_eq(xml_attr(tc, "assertions"), "1");
            passed++;
        } else {
            cr_assert_str_eq(status, "SKIPPED");
            cr_assert_not_null(xml_child(tc, "skipped"));
            skipped++;
        }
    }
    cr_assert_eq(passed, 1);
    cr_assert_eq(skipped, 2);
    xml_free(r);
}

Test(xml, reads_a_recorded_criterion_failure_message_from_cdata)
{
    char *text = recording("criterion_fails.xml");
    struct xml_node *r = parse_ok(text);
    free(text);
    struct xml_node *suite = xml_child(r, "testsuite");
    struct xml_node *tc = NULL;
    for (int i = 0; suite && i < suite->nkids; i++)
        if (!strcmp(xml_attr(suite->kids[i], "name"), "fails"))
            tc = suite->kids[i];
    cr_assert_not_null(tc);
    cr_assert_str_eq(xml_attr(tc, "status"), "FAILED");
    struct xml_node *failure = xml_child(tc, "failure");
    cr_assert_not_null(failure);
    cr_assert_str_eq(xml_attr(failure, "type"), "assert");
    cr_assert_str_eq(xml_attr(failure, "message"), "1 assertion(s) failed.");
    cr_assert_str_eq(failure->text,
                     "tests/harness/data/src/criterion_sample.c:12: one and one make 2, not 3\n");
    xml_free(r);
}

Test(xml, reads_a_recorded_criterion_crash_as_a_self_closed_error)
{
    char *text = recording("criterion_crashes.xml");
    struct xml_node *r = parse_ok(text);
    free(text);
    struct xml_node *suite = xml_child(r, "testsuite");
    struct xml_node *tc = NULL;
    for (int i = 0; suite && i < suite->nkids; i++)
        if (!strcmp(xml_attr(suite->kids[i], "name"), "crashes"))
            tc = suite->kids[i];
    cr_assert_not_null(tc);
    cr_assert_str_eq(xml_attr(tc, "status"), "ERRORED");
    struct xml_node *error = xml_child(tc, "error");
    cr_assert_not_null(error);
    cr_assert_str_eq(xml_attr(error, "type"), "crash");
    cr_assert_eq(error->nkids, 0);
    cr_assert_eq(suite->nkids, 3, "the testcase after the crash is still a sibling");
    xml_free(r);
}

Test(xml, reads_a_recorded_helgrind_report)
{
    char *text = recording("helgrind_race_global.xml");
    struct xml_node *r = parse_ok(text);
    free(text);
    cr_assert_str_eq(r->name, "valgrindoutput");
    cr_assert_str_eq(xml_child_text(r, "protocoltool"), "helgrind");
    struct xml_node *error = xml_child(r, "error");
    cr_assert_not_null(error);
    cr_assert_str_eq(xml_child_text(error, "kind"), "Race");
    struct xml_node *frame = xml_child(xml_child(error, "stack"), "frame");
    cr_assert_not_null(frame);
    cr_assert_str_eq(xml_child_text(frame, "file"), "race_global.c");
    xml_free(r);
}

Test(xml, survives_every_prefix_of_a_recorded_report)
{
    char *text = recording("helgrind_race_global.xml");
    size_t len = strlen(text);
    for (size_t cut = 0; cut <= len; cut++) {
        char *prefix = xstrndup(text, cut);
        struct xml_node *r = xml_parse(prefix, NULL);
        /* a cut inside the root's start tag leaves a root named by what was read */
        if (r)
            cr_assert(starts_with("valgrindoutput", r->name), "cut at %zu: root <%s>", cut,
                      r->name);
        xml_free(r);
        free(prefix);
    }
    free(text);
}

Test(xml, survives_random_bytes)
{
    /* biased towards the characters that steer the parser */
    static const char steer[] = "<<<>>//!?[]-&;#x=\"' \nCDATA";
    rng_state = 20240601;
    char buf[257];
    for (int i = 0; i < 5000; i++) {
        size_t n = next_random() % 256;
        for (size_t j = 0; j < n; j++) {
            unsigned r = next_random();
            buf[j] = (r & 1) ? steer[(r >> 1) % (sizeof steer - 1)] : (char)(1 + (r >> 1) % 255);
        }
        buf[n] = '\0';
        const char *err = NULL;
        struct xml_node *root = xml_parse(buf, &err);
        cr_assert(root || err, "a failed parse always says why");
        xml_free(root);
    }
}

Test(xml, survives_random_damage_to_a_recorded_report)
{
    char *text = recording("criterion_fails.xml");
    size_t len = strlen(text);
    static const char steer[] = "<>/!?[]-&;#\"'=";
    rng_state = 7;
    for (int i = 0; i < 2000; i++) {
        char *copy = xstrdup(text);
        for (int k = 0; k < 4; k++)
            copy[next_random() % len] = steer[next_random() % (sizeof steer - 1)];
        xml_free(xml_parse(copy, NULL));
        free(copy);
    }
    free(text);
}

/* Nothing bounds the depth of a report: a million nested elements (3 MB, less than the
 * 4 MB the test stage reads of a Criterion report) must not exhaust the stack. */
Test(xml, survives_a_deeply_nested_document)
{
    size_t depth = 1000000;
    char *deep = xmalloc(3 * depth + 1);
    for (size_t i = 0; i < depth; i++)
        memcpy(deep + 3 * i, "<a>", 3);
    deep[3 * depth] = '\0';
    struct xml_node *r = xml_parse(deep, NULL);
    cr_assert_not_null(r);
    xml_free(r);
    free(deep);
}
