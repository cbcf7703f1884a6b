/*
 * test_proto.c - unit tests for the protocol rules (core/form.c, lists.c, proto.c): forms, Basic
 * client credentials, scope lists and syntax, PKCE, UTF-8, redirect URLs.
 * Prints TAP; run through t/unit/proto.t.
 */
#include <apr_general.h>
#include <apr_base64.h>

#include "core/core.h"
#include "tap.h"

static apr_pool_t *pool;

/* Parses a NUL-terminated string; returns the table or NULL (err set). */
static apr_table_t *parse(const char *s, int max, const char **err)
{
    apr_table_t *t = NULL;

    if (mto_form_parse(pool, s, strlen(s), max, &t, err) != 0) {
        return NULL;
    }
    return t;
}

static int nparams(const apr_table_t *t)
{
    return t ? apr_table_elts(t)->nelts : -1;
}

/* A string of n copies of c, for huge and boundary-length values. */
static char *repeat(char c, apr_size_t n)
{
    char *s = apr_palloc(pool, n + 1);

    memset(s, c, n);
    s[n] = '\0';
    return s;
}

static const char *basic_of(const char *plain)
{
    char *b = apr_palloc(pool, apr_base64_encode_len((int)strlen(plain)));

    apr_base64_encode(b, plain, (int)strlen(plain));
    return apr_pstrcat(pool, "Basic ", b, NULL);
}

static void test_form_parse(void)
{
    const char *err = NULL, *v = NULL;
    apr_table_t *t;
    char *big;

    t = parse("a=1&b=x+y&c=%41%62%c3%a9", 10, &err);
    ok(t != NULL && nparams(t) == 3, "a simple form parses into three parameters");
    is_str(apr_table_get(t, "b"), "x y", "'+' in a value is a space");
    is_str(apr_table_get(t, "c"), "Ab\xc3\xa9", "%%XX escapes decode in either case");
    ok(err == NULL, "success leaves no error message");

    t = parse("", 10, &err);
    ok(t != NULL && nparams(t) == 0, "an empty body is an empty table");
    ok(mto_form_parse(pool, NULL, 0, 10, &t, &err) == 0 && nparams(t) == 0,
       "a NULL body with length 0 is an empty table");
    t = parse("&&&", 10, &err);
    ok(t != NULL && nparams(t) == 0, "'&&&' is only empty segments, all skipped");
    t = parse("&a=1&&b=2&", 10, &err);
    ok(nparams(t) == 2, "empty segments around pairs are skipped");
    t = parse("=x", 10, &err);
    ok(t == NULL && err != NULL, "'=x' (empty name) is refused");
    t = parse("%2B=1", 10, &err);
    is_str(t ? apr_table_get(t, "+") : NULL, "1", "an escaped name is decoded");
    t = parse("flag", 10, &err);
    is_str(t ? apr_table_get(t, "flag") : NULL, "", "a name without '=' has the value \"\"");
    t = parse("a=", 10, &err);
    is_str(t ? apr_table_get(t, "a") : NULL, "", "'a=' has the value \"\"");
    t = parse("a=b=c", 10, &err);
    is_str(t ? apr_table_get(t, "a") : NULL, "b=c", "only the first '=' splits name from value");

    t = parse("a=1&a=2", 10, &err);
    ok(nparams(t) == 2, "a repeated name is kept twice");
    is_str(t ? ((const apr_table_entry_t *)apr_table_elts(t)->elts)[1].val : NULL, "2",
           "repeated names keep their order");
    ok(mto_param(t, "a", &v) == -1, "a parameter given twice is reported as a duplicate");

    t = parse("a=%zz", 10, &err);
    ok(t == NULL, "%%zz in a value is refused");
    ok(err != NULL && strstr(err, "%zz") == NULL, "the error message does not quote the input");
    ok(parse("a=%0", 10, &err) == NULL, "a truncated %%0 escape is refused");
    ok(parse("a=%", 10, &err) == NULL, "a lone '%%' at the end is refused");
    ok(parse("a=%00", 10, &err) == NULL, "an encoded NUL (%%00) is refused");
    ok(parse("%00=a", 10, &err) == NULL, "an encoded NUL in a name is refused");
    ok(parse("a=%C3%28", 10, &err) == NULL, "an escaped invalid UTF-8 sequence is refused");
    ok(parse("a=\xc3\x28", 10, &err) == NULL, "raw invalid UTF-8 bytes are refused");
    ok(parse("\xff=1", 10, &err) == NULL, "a name that is not UTF-8 is refused");
    ok(mto_form_parse(pool, "a=1\0b=2", 7, 10, &t, &err) != 0,
       "a raw NUL byte in the body is refused");
    ok(mto_form_parse(pool, "a=12345", 3, 10, &t, &err) == 0
           && strcmp(apr_table_get(t, "a"), "1") == 0,
       "only len bytes are read (no NUL needed)");
    ok(mto_form_parse(pool, "a=%4", 3, 10, &t, &err) != 0,
       "an escape cut off by the length is refused, not read past");

    ok(parse("a=1&b=2&c=3", 3, &err) != NULL, "exactly max_params pairs are accepted");
    t = parse("a=1&b=2&c=3&d=4", 3, &err);
    ok(t == NULL && err && strstr(err, "many"), "more than max_params pairs are refused");
    ok(parse("&&a=1&&&&b=2&&", 2, &err) != NULL, "empty segments do not count against max_params");
    ok(parse("a=1", 0, &err) == NULL, "max_params 0 refuses any pair");

    big = repeat('x', 65536);
    t = parse(apr_pstrcat(pool, "v=", big, NULL), 10, &err);
    ok(t && strlen(apr_table_get(t, "v")) == 65536, "a 64 KB value parses whole");
    t = parse(apr_pstrcat(pool, "v=", repeat('+', 65536), "%zz", NULL), 10, &err);
    ok(t == NULL, "a bad escape after 64 KB is still found");
}

static void test_form_unescape(void)
{
    is_str(mto_form_unescape(pool, "a+b%20c", 7), "a b c", "'+' and %%20 both decode to a space");
    is_str(mto_form_unescape(pool, "%7e%7E", 6), "~~",
           "lowercase and uppercase hex digits decode alike");
    is_str(mto_form_unescape(pool, "", 0), "", "an empty component decodes to \"\"");
    is_str(mto_form_unescape(pool, "%25zz", 5), "%zz", "an escaped '%%' is not decoded twice");
    ok(mto_form_unescape(pool, "%zz", 3) == NULL, "%%zz is refused");
    ok(mto_form_unescape(pool, "%g0", 3) == NULL, "a non-hex first digit is refused");
    ok(mto_form_unescape(pool, "%0", 2) == NULL, "%%0 (one digit) is refused");
    ok(mto_form_unescape(pool, "%00", 3) == NULL, "%%00 is refused");
    ok(mto_form_unescape(pool, "%C3%28", 6) == NULL, "%%C3%%28 (invalid UTF-8) is refused");
    ok(mto_form_unescape(pool, "%C0%80", 6) == NULL, "an overlong NUL (%%C0%%80) is refused");
    is_str(mto_form_unescape(pool, "%E2%82%AC", 9), "\xe2\x82\xac",
           "a valid escaped UTF-8 character decodes");
}

static void test_param(void)
{
    apr_table_t *t = apr_table_make(pool, 4);
    const char *v = NULL;

    ok(mto_param(t, "a", &v) == 0, "an absent parameter is 0");
    apr_table_addn(t, "a", "1");
    ok(mto_param(t, "a", &v) == 1 && v && strcmp(v, "1") == 0,
       "a parameter given once is 1 with its value");
    apr_table_addn(t, "b", "x");
    apr_table_addn(t, "b", "x");
    ok(mto_param(t, "b", &v) == -1,
       "a parameter given twice, even with the same value, is a duplicate");
    apr_table_addn(t, "C", "1");
    ok(mto_param(t, "c", &v) == 0, "parameter names are case-sensitive");
    apr_table_addn(t, "A", "2");
    ok(mto_param(t, "a", &v) == -1, "a case variant beside a name makes it ambiguous");
    ok(mto_param(NULL, "a", &v) == 0, "a NULL table has no parameters");
}

static void test_basic(void)
{
    const char *id = NULL, *sec = NULL;

    ok(mto_basic_credentials(pool, "Basic YTpi", &id, &sec) == 0,
       "valid Basic credentials are accepted");
    ok(id && sec && strcmp(id, "a") == 0 && strcmp(sec, "b") == 0,
       "Basic gives client id and secret");
    ok(mto_basic_credentials(pool, "basic YTpi", &id, &sec) == 0,
       "the scheme is case-insensitive (lowercase basic)");
    ok(mto_basic_credentials(pool, "BASIC   YTpi", &id, &sec) == 0,
       "several spaces after the scheme are allowed");
    id = sec = NULL;
    ok(mto_basic_credentials(pool, "Basic bXkrY2xpZW50OnAlMkJ3JTI1ZCUzQXg=", &id, &sec) == 0,
       "form-urlencoded credentials (RFC 6749 2.3.1) are accepted");
    is_str(id, "my client", "'+' in the client id decodes to a space");
    is_str(sec, "p+w%d:x", "a secret with '+', '%%' and ':' decodes as RFC 6749 says");
    ok(mto_basic_credentials(pool, basic_of("id:"), &id, &sec) == 0 && strcmp(sec, "") == 0,
       "an empty secret is passed on (the secret check refuses it)");
    ok(mto_basic_credentials(pool, basic_of("id:x:y"), &id, &sec) == 0 && strcmp(sec, "x:y") == 0,
       "the decoded value splits at the first ':'");

    ok(mto_basic_credentials(pool, "Bearer x", &id, &sec) == 1, "a Bearer header is not Basic (1)");
    ok(mto_basic_credentials(pool, NULL, &id, &sec) == 1, "no header is not Basic (1)");
    ok(mto_basic_credentials(pool, "BasicYTpi", &id, &sec) == 1,
       "'BasicYTpi' is some other scheme (1)");
    ok(mto_basic_credentials(pool, "Basic", &id, &sec) == 2,
       "'Basic' with no credentials is malformed");
    ok(mto_basic_credentials(pool, "Basic ", &id, &sec) == 2,
       "'Basic ' with empty credentials is malformed");
    ok(mto_basic_credentials(pool, "Basic\tYTpi", &id, &sec) == 2,
       "a tab after Basic is malformed");
    ok(mto_basic_credentials(pool, "Basic Y2xpZW50", &id, &sec) == 2,
       "Basic without a colon is malformed");
    ok(mto_basic_credentials(pool, "Basic OnNlY3JldA==", &id, &sec) == 2,
       "an empty client id is malformed");
    ok(mto_basic_credentials(pool, "Basic YTp!", &id, &sec) == 2,
       "a character outside base64 is malformed");
    ok(mto_basic_credentials(pool, "Basic YTp", &id, &sec) == 2,
       "base64 not a multiple of 4 is malformed");
    ok(mto_basic_credentials(pool, "Basic YT pi", &id, &sec) == 2,
       "a space inside the base64 is malformed");
    ok(mto_basic_credentials(pool, "Basic YTpi ", &id, &sec) == 2, "a trailing space is malformed");
    ok(mto_basic_credentials(pool, "Basic YQ=a", &id, &sec) == 2,
       "'=' inside the base64 is malformed");
    ok(mto_basic_credentials(pool, "Basic ====", &id, &sec) == 2, "padding only is malformed");
    ok(mto_basic_credentials(pool, "Basic Y===", &id, &sec) == 2,
       "three '=' of padding is malformed");
    ok(mto_basic_credentials(pool, "Basic YWJ=", &id, &sec) == 2,
       "non-zero bits before the padding are malformed");
    ok(mto_basic_credentials(pool, "Basic YTpi-_==", &id, &sec) == 2,
       "the base64url alphabet is not base64");
    ok(mto_basic_credentials(pool, "Basic YSUwMDpi", &id, &sec) == 2,
       "an encoded NUL in the client id is malformed");
    ok(mto_basic_credentials(pool, "Basic YTolQzMlMjg=", &id, &sec) == 2,
       "invalid UTF-8 in the secret is malformed");
    ok(mto_basic_credentials(pool, "Basic aWQ6/w==", &id, &sec) == 2,
       "a raw non-UTF-8 byte in the secret is malformed");
    ok(mto_basic_credentials(pool, "Basic YQ==", &id, &sec) == 2,
       "a one-byte value without ':' is malformed");
    ok(mto_basic_credentials(pool, apr_pstrcat(pool, "Basic ", repeat('Q', 65540), NULL), &id, &sec)
           == 2,
       "a huge Basic value is refused");
}

static int list_is(apr_array_header_t *l, const char *joined)
{
    return strcmp(mto_list_join(pool, l), joined) == 0;
}

static void test_lists(void)
{
    apr_array_header_t *a, *b;

    ok(mto_list_split(pool, NULL)->nelts == 0, "a NULL list is empty");
    ok(mto_list_split(pool, "")->nelts == 0, "an empty string is an empty list");
    ok(mto_list_split(pool, " , ,\t")->nelts == 0, "separators alone are an empty list");
    a = mto_list_split(pool, "read,write , admin\tread  , ,write");
    ok(a->nelts == 3 && list_is(a, "read write admin"),
       "a list splits on commas and blanks, trimmed, without empties or duplicates, in order");
    ok(list_is(mto_list_split(pool, "b a"), "b a"), "list order is kept");
    ok(mto_list_split(pool, "A a")->nelts == 2, "list items are case-sensitive");
    ok(mto_list_contains(a, "write"), "contains finds an item");
    ok(!mto_list_contains(a, "wri"), "contains does not match a prefix");
    ok(!mto_list_contains(a, "READ"), "contains is case-sensitive");
    ok(!mto_list_contains(NULL, "x"), "a NULL list contains nothing");
    b = mto_list_split(pool, "admin read");
    ok(mto_list_subset(b, a), "a smaller list is a subset");
    ok(!mto_list_subset(a, b), "a list with an extra item is not a subset");
    ok(mto_list_subset(mto_list_split(pool, ""), b), "the empty list is a subset of any list");
    ok(mto_list_subset(a, a), "a list is a subset of itself");
    is_str(mto_list_join(pool, mto_list_split(pool, "")), "", "an empty list joins to \"\"");
    is_str(mto_list_join(pool, mto_list_split(pool, "x")), "x",
           "a one-item list joins to the item");
    a = mto_list_split(pool, apr_pstrcat(pool, repeat('a', 65536), ",", repeat('a', 65536), NULL));
    ok(a->nelts == 1, "two huge equal items are one item");
}

static void test_scope(void)
{
    ok(mto_scope_syntax_ok("profile_read"), "a single scope token is valid");
    ok(mto_scope_syntax_ok("profile_read alltimetables"),
       "scopes separated by one space are valid");
    ok(mto_scope_syntax_ok("!#[]~"), "the edges of NQCHAR are valid");
    ok(!mto_scope_syntax_ok(""), "an empty scope is not valid");
    ok(!mto_scope_syntax_ok(NULL), "a NULL scope is not valid");
    ok(!mto_scope_syntax_ok("a  b"), "a double space is not valid");
    ok(!mto_scope_syntax_ok(" a"), "a leading space is not valid");
    ok(!mto_scope_syntax_ok("a "), "a trailing space is not valid");
    ok(!mto_scope_syntax_ok("a\"b"), "a double quote is not valid");
    ok(!mto_scope_syntax_ok("a\\b"), "a backslash is not valid");
    ok(!mto_scope_syntax_ok("a\tb"), "a tab is not valid");
    ok(mto_scope_syntax_ok("a,b"), "a comma is NQCHAR, so part of one scope token");
    ok(list_is(mto_scope_split(pool, "a,b"), "a,b"), "a requested scope is not split on a comma");
    ok(list_is(mto_scope_split(pool, "b a b"), "b a"),
       "a requested scope splits on spaces, duplicates dropped");
    ok(mto_scope_split(pool, NULL)->nelts == 0, "a NULL requested scope has no tokens");
    ok(!mto_scope_syntax_ok("caf\xc3\xa9"), "non-ASCII is not valid");
    ok(!mto_scope_syntax_ok("a\x7f"), "DEL is not valid");
}

static void test_pkce(void)
{
    const char *v = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
    const char *c = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

    ok(!mto_pkce_verifier_ok(repeat('a', 42)), "a 42-character verifier is too short");
    ok(mto_pkce_verifier_ok(repeat('a', 43)), "a 43-character verifier is valid");
    ok(mto_pkce_verifier_ok(repeat('~', 128)), "a 128-character verifier is valid");
    ok(!mto_pkce_verifier_ok(repeat('a', 129)), "a 129-character verifier is too long");
    ok(!mto_pkce_verifier_ok(repeat('a', 65536)), "a 64 KB verifier is refused");
    ok(!mto_pkce_verifier_ok(apr_pstrcat(pool, repeat('a', 42), "+", NULL)),
       "'+' is not allowed in a verifier");
    ok(!mto_pkce_verifier_ok(apr_pstrcat(pool, repeat('a', 42), "=", NULL)),
       "'=' is not allowed in a verifier");
    ok(!mto_pkce_verifier_ok(NULL), "a NULL verifier is refused");
    ok(mto_pkce_verifier_ok(v), "the RFC 7636 appendix B verifier is valid");

    ok(mto_pkce_challenge_ok("S256", c),
       "the RFC 7636 appendix B challenge is a valid S256 challenge");
    ok(!mto_pkce_challenge_ok("S256", repeat('A', 42)),
       "an S256 challenge of 42 characters is refused");
    ok(!mto_pkce_challenge_ok("S256", repeat('A', 44)),
       "an S256 challenge of 44 characters is refused");
    ok(!mto_pkce_challenge_ok("S256", apr_pstrcat(pool, repeat('A', 42), "=", NULL)),
       "a padded S256 challenge is refused");
    ok(!mto_pkce_challenge_ok("S256", apr_pstrcat(pool, repeat('A', 41), "~A", NULL)),
       "'~' in an S256 challenge is refused");
    ok(!mto_pkce_challenge_ok("S256", apr_pstrcat(pool, repeat('A', 42), "B", NULL)),
       "an S256 challenge no SHA-256 can encode to is refused");
    ok(!mto_pkce_challenge_ok("s256", c), "the method name is case-sensitive");
    ok(mto_pkce_challenge_ok("plain", v), "a plain challenge follows the verifier rule");
    ok(!mto_pkce_challenge_ok("plain", repeat('a', 42)),
       "a 42-character plain challenge is refused");
    ok(mto_pkce_challenge_ok("plain", repeat('a', 128)),
       "a 128-character plain challenge is valid");
    ok(!mto_pkce_challenge_ok("plain", repeat('a', 129)),
       "a 129-character plain challenge is refused");
    ok(!mto_pkce_challenge_ok("S512", c), "an unknown method is refused");
    ok(!mto_pkce_challenge_ok(NULL, c), "a NULL method is refused");

    ok(mto_pkce_matches(pool, "S256", c, v),
       "the RFC 7636 appendix B verifier answers its S256 challenge");
    ok(!mto_pkce_matches(pool, "S256", c, apr_pstrcat(pool, "e", v + 1, NULL)),
       "another verifier does not");
    ok(!mto_pkce_matches(pool, "S256", c, c), "the challenge itself is not a verifier for S256");
    ok(!mto_pkce_matches(pool, "plain", c, v), "an S256 challenge does not match as plain");
    ok(mto_pkce_matches(pool, "plain", v, v), "a plain verifier matches an equal challenge");
    ok(!mto_pkce_matches(pool, "plain", v, apr_pstrcat(pool, v, "a", NULL)),
       "a longer plain verifier does not match");
    ok(!mto_pkce_matches(pool, "plain", "short", "short"),
       "a too short plain verifier does not match");
    ok(!mto_pkce_matches(pool, "PLAIN", v, v), "an unknown method never matches");
    ok(!mto_pkce_matches(pool, "S256", c, NULL), "a NULL verifier never matches");
}

static void test_utf8(void)
{
    ok(mto_utf8_ok("", 0), "the empty string is UTF-8");
    ok(mto_utf8_ok("abc", 3), "ASCII is UTF-8");
    ok(mto_utf8_ok("\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80", 9),
       "two, three and four byte sequences are UTF-8");
    ok(mto_utf8_ok("\xf4\x8f\xbf\xbf", 4), "U+10FFFF is UTF-8");
    ok(mto_utf8_ok("\xed\x9f\xbf\xee\x80\x80", 6),
       "U+D7FF and U+E000 around the surrogates are UTF-8");
    ok(!mto_utf8_ok("a\0b", 3), "a NUL byte is refused");
    ok(!mto_utf8_ok("\xc0\x80", 2), "overlong C0 80 is refused");
    ok(!mto_utf8_ok("\xc1\xbf", 2), "overlong C1 BF is refused");
    ok(!mto_utf8_ok("\xe0\x9f\xbf", 3), "overlong E0 9F BF is refused");
    ok(!mto_utf8_ok("\xf0\x8f\xbf\xbf", 4), "overlong F0 8F BF BF is refused");
    ok(!mto_utf8_ok("\xed\xa0\x80", 3), "surrogate ED A0 80 is refused");
    ok(!mto_utf8_ok("\xed\xbf\xbf", 3), "surrogate ED BF BF is refused");
    ok(!mto_utf8_ok("\xf4\x90\x80\x80", 4), "F4 90 80 80 (above U+10FFFF) is refused");
    ok(!mto_utf8_ok("\xf5\x80\x80\x80", 4), "an F5 lead byte is refused");
    ok(!mto_utf8_ok("\xff", 1), "an FF byte is refused");
    ok(!mto_utf8_ok("\x80", 1), "a lone continuation byte is refused");
    ok(!mto_utf8_ok("\xc3", 1), "a sequence truncated by the end is refused");
    ok(!mto_utf8_ok("\xe2\x82\xac", 2), "a sequence truncated by the length is refused");
    ok(!mto_utf8_ok("\xe2\x82"
                    "a",
                    3),
       "a sequence cut by an ASCII byte is refused");
    ok(!mto_utf8_ok("\xf0\x9f\x98\xc0", 4), "a bad last continuation byte is refused");
    ok(mto_utf8_ok("abc\xff", 3), "bytes past len are not read");
    ok(!mto_utf8_ok(NULL, 1), "NULL with a length is refused");
}

static void test_url(void)
{
    apr_table_t *t = apr_table_make(pool, 4);

    is_str(mto_url_add_params(pool, "https://c.example/cb", t), "https://c.example/cb",
           "no parameters leaves the URL as it is");
    apr_table_addn(t, "code", "abc");
    apr_table_addn(t, "state", "a b&c=d/é~");
    is_str(mto_url_add_params(pool, "https://c.example/cb", t),
           "https://c.example/cb?code=abc&state=a%20b%26c%3Dd%2F%C3%A9~",
           "parameters start a query, encoded but for unreserved characters");
    is_str(mto_url_add_params(pool, "https://c.example/cb?x=1", t),
           "https://c.example/cb?x=1&code=abc&state=a%20b%26c%3Dd%2F%C3%A9~",
           "an existing query is kept and extended with '&'");
    is_str(mto_url_add_params(pool, "https://c.example/cb?", t),
           "https://c.example/cb?code=abc&state=a%20b%26c%3Dd%2F%C3%A9~",
           "an empty query after '?' needs no extra separator");
    is_str(mto_url_add_params(pool, "https://c.example/cb?x=1&", t),
           "https://c.example/cb?x=1&code=abc&state=a%20b%26c%3Dd%2F%C3%A9~",
           "a query ending in '&' needs no extra separator");
    is_str(mto_url_add_params(pool, "https://c.example/cb?x=1#frag?y", t),
           "https://c.example/cb?x=1&code=abc&state=a%20b%26c%3Dd%2F%C3%A9~#frag?y",
           "parameters go before the fragment, which is kept");
    is_str(mto_url_add_params(pool, "https://c.example/cb#f", t),
           "https://c.example/cb?code=abc&state=a%20b%26c%3Dd%2F%C3%A9~#f",
           "a '?' only in the fragment does not count as a query");
    t = apr_table_make(pool, 2);
    apr_table_addn(t, "a b", "");
    is_str(mto_url_add_params(pool, "x", t), "x?a%20b=", "names are encoded and empty values kept");
    ok(mto_url_add_params(pool, NULL, t) == NULL, "a NULL URL gives NULL");
}

static void test_db_bool(void)
{
    static const char *const yes[] = { "1", "t", "T", "true", "TRUE", "y", "yes" };
    static const char *const no[] = { "0", "f", "false", "n", "no", "on", "", "2", "truee" };
    apr_size_t i;

    for (i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
        ok(mto_db_bool(yes[i]), "database boolean '%s' is true", yes[i]);
    }
    for (i = 0; i < sizeof(no) / sizeof(no[0]); i++) {
        ok(!mto_db_bool(no[i]), "database boolean '%s' is false", no[i]);
    }
    ok(!mto_db_bool(NULL), "a NULL database boolean is false");
}

int main(void)
{
    apr_initialize();
    apr_pool_create(&pool, NULL);
    test_form_parse();
    test_form_unescape();
    test_param();
    test_basic();
    test_lists();
    test_scope();
    test_pkce();
    test_utf8();
    test_url();
    test_db_bool();
    apr_pool_destroy(pool);
    apr_terminate();
    return done_testing();
}
