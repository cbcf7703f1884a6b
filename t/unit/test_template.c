/*
 * test_template.c - unit tests for the consent page template (template.c):
 * {{name}} substitution and HTML escaping.  Prints TAP; run through
 * t/unit/template.t.
 */
#include <apr_general.h>

#include "core/core.h"
#include "tap.h"

static apr_pool_t *pool;

static const char *render(const char *tpl, const apr_table_t *vars)
{
    return mto_template_render(pool, tpl, vars);
}

static void test_render(void)
{
    apr_table_t *v = apr_table_make(pool, 4);
    char *big;

    apr_table_setn(v, "client_id", "app");
    apr_table_setn(v, "scopes", "<li>read</li>");
    apr_table_setn(v, "evil", "{{client_id}}");

    is_str(render("Hello {{client_id}}!", v), "Hello app!",
           "a placeholder is replaced by its value");
    is_str(render("{{client_id}}{{client_id}}", v), "appapp",
           "adjacent placeholders are both replaced");
    is_str(render("{{ client_id }}|{{client_id  }}|{{   client_id}}", v), "app|app|app",
           "spaces inside the braces are allowed");
    is_str(render("<ul>{{scopes}}</ul>", v), "<ul><li>read</li></ul>",
           "values are inserted as they are (the caller escapes them)");
    is_str(render("a{{unknown}}b", v), "ab", "an unknown name becomes \"\"");
    is_str(render("a{{client_id}}b", NULL), "ab", "without variables every name is unknown");
    is_str(render("x {{evil}} y", v), "x {{client_id}} y",
           "a value containing {{x}} is not expanded again");
    is_str(render("", v), "", "an empty template renders to \"\"");
    is_str(render(NULL, v), "", "a NULL template renders to \"\"");
    is_str(render("no placeholders at all", v), "no placeholders at all", "plain text is copied");

    is_str(render("a {{client_id", v), "a {{client_id", "an unterminated {{ is copied as it is");
    is_str(render("a {{", v), "a {{", "a {{ at the very end is copied");
    is_str(render("{{client_id}", v), "{{client_id}",
           "a single closing brace is not a placeholder");
    is_str(render("{{}}", v), "{{}}", "an empty name is not a placeholder");
    is_str(render("{{ }}", v), "{{ }}", "a blank name is not a placeholder");
    is_str(render("{{Client_Id}}", v), "{{Client_Id}}", "uppercase letters are not part of a name");
    is_str(render("{{client-id}}", v), "{{client-id}}", "a dash is not part of a name");
    is_str(render("{{client id}}", v), "{{client id}}", "two words are not a name");
    is_str(render("{{\tclient_id}}", v), "{{\tclient_id}}",
           "a tab is not a space inside the braces");
    is_str(render("{{{client_id}}}", v), "{app}", "extra braces around a placeholder are kept");
    is_str(render("{ {client_id} }", v), "{ {client_id} }",
           "spaced-out braces are not a placeholder");
    is_str(render("}}{{client_id}}{{", v), "}}app{{", "stray braces around a placeholder are kept");

    big = apr_palloc(pool, 65537);
    memset(big, '{', 65536);
    big[65536] = '\0';
    is_str(render(big, v), big, "64 KB of braces are copied unchanged");
    apr_table_setn(v, "big", big);
    ok(strlen(render("[{{big}}]", v)) == 65538, "a 64 KB value is inserted whole");
}

static void test_escape(void)
{
    is_str(mto_html_escape(pool, "a&b<c>d\"e'f"), "a&amp;b&lt;c&gt;d&quot;e&#39;f",
           "& < > \" ' are escaped");
    is_str(mto_html_escape(pool, "&amp;"), "&amp;amp;",
           "an entity is escaped again (no double-decoding)");
    is_str(mto_html_escape(pool, "plain caf\xc3\xa9"), "plain caf\xc3\xa9",
           "other text, UTF-8 included, is unchanged");
    is_str(mto_html_escape(pool, ""), "", "an empty string stays empty");
    is_str(mto_html_escape(pool, NULL), "", "NULL escapes to \"\"");
    is_str(mto_html_escape(pool, "<script>alert('x')</script>"),
           "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;", "a script tag is neutralised");
    is_str(mto_html_escape(pool, "{{client_id}}"), "{{client_id}}",
           "braces are not HTML-special (render never expands values anyway)");
}

int main(void)
{
    apr_initialize();
    apr_pool_create(&pool, NULL);
    test_render();
    test_escape();
    apr_pool_destroy(pool);
    apr_terminate();
    return done_testing();
}
