/*
 * test_bearer.c - unit tests for where the gate finds an access token
 * (bearer.c): the Authorization header (RFC 6750 §2.1), the access_token
 * query parameter (§2.3), the query without it (for the backend), its
 * redaction (for logs) and quoted-strings for WWW-Authenticate.
 * Prints TAP; run through t/unit/bearer.t.
 */
#include <apr_general.h>
#include <apr_strings.h>

#include "core/core.h"
#include "tap.h"

static apr_pool_t *pool;

/* A string of n copies of c, for huge inputs. */
static char *repeat(char c, apr_size_t n)
{
    char *s = apr_palloc(pool, n + 1);

    memset(s, c, n);
    s[n] = '\0';
    return s;
}

static int b64(const char *s)
{
    return mto_b64token_ok(s, strlen(s));
}

typedef int (*cred_fn)(apr_pool_t *p, const char *in, const char **token);

/* A credential source gives FOUND with exactly want_tok, or (want_tok NULL)
 * the status want and no token at all. */
static void cred_is(cred_fn fn, const char *in, int want, const char *want_tok, const char *name)
{
    const char *tok = "unset";
    int rv = fn(pool, in, &tok);
    int good = rv == want && (want_tok ? tok && strcmp(tok, want_tok) == 0 : tok == NULL);

    ok(good, "%s", name);
    if (!good) {
        printf("#   status %d, token '%s'\n", rv, tok ? tok : "(null)");
    }
}

#define hdr_found(in, tok, name)                                                                   \
    cred_is(mto_bearer_from_header, (in), MTO_CRED_FOUND, (tok), (name))
#define hdr_is(in, want, name)   cred_is(mto_bearer_from_header, (in), (want), NULL, (name))
#define qry_found(in, tok, name) cred_is(mto_bearer_from_query, (in), MTO_CRED_FOUND, (tok), (name))
#define qry_is(in, want, name)   cred_is(mto_bearer_from_query, (in), (want), NULL, (name))

static void test_b64token(void)
{
    int c, bad = 0;

    ok(b64("abc"), "letters are a b64token");
    ok(b64("AZaz09-._~+/"), "every punctuation b64token allows is accepted");
    ok(b64("abc="), "one '=' of padding at the end is accepted");
    ok(b64("abc==="), "several '=' of padding at the end are accepted");
    ok(!b64("="), "padding alone is not a b64token");
    ok(!b64("==abc"), "'=' at the start is refused");
    ok(!b64("ab=c"), "'=' in the middle is refused");
    ok(!b64("ab=c="), "'=' in the middle is refused even with padding after it");
    ok(!b64(""), "the empty string is not a b64token");
    ok(!mto_b64token_ok(NULL, 0), "NULL is not a b64token");
    ok(!b64("ab c"), "a space is refused");
    ok(!b64("ab\tc"), "a tab is refused");
    ok(!b64("abc "), "a trailing space is refused");
    ok(!b64("ab%41"), "'%%' is refused (tokens are not percent-encoded)");
    ok(!b64("a,b"), "',' is refused");
    ok(!b64("a\"b"), "'\"' is refused");
    ok(!b64("\xc3\xa9t\xc3\xa9"), "non-ASCII letters are refused");
    ok(!b64("a\x7f"), "DEL is refused");
    ok(mto_b64token_ok("abc def", 3), "only len bytes are judged");
    ok(!mto_b64token_ok("ab\0cd", 5), "a NUL inside len is refused");
    ok(!mto_b64token_ok("abc", 4), "len past the NUL is refused, not read as a token");
    ok(b64(repeat('A', 1 << 20)), "a 1 MB token is accepted");

    /* Every printable ASCII character, one by one, against RFC 6750's list. */
    for (c = 0x21; c < 0x7f; c++) {
        int want = (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')
                   || strchr("-._~+/=", c);
        char s[3] = { 'a', (char)c, '\0' };

        bad += b64(s) != want;
    }
    ok(bad == 0, "each printable ASCII character is accepted exactly when RFC 6750 allows it");
}

static void test_header(void)
{
    const char *t;
    char *big;

    hdr_found("Bearer abc", "abc", "'Bearer abc' gives the token abc");
    hdr_found("bearer abc", "abc", "the scheme is case-insensitive: 'bearer'");
    hdr_found("BEARER abc", "abc", "the scheme is case-insensitive: 'BEARER'");
    hdr_found("bEaReR abc", "abc", "the scheme is case-insensitive: mixed case");
    hdr_found("Bearer   abc", "abc", "several spaces after the scheme are allowed");
    hdr_found("Bearer abc  ", "abc", "trailing spaces are not part of the token");
    hdr_found("Bearer mF_9.B5f-4.1JqM+/~", "mF_9.B5f-4.1JqM+/~",
              "every b64token character is kept");
    hdr_found("Bearer abc==", "abc==", "padding at the end is part of the header token");

    hdr_is("Bearer", MTO_CRED_MALFORMED, "'Bearer' alone is malformed");
    hdr_is("Bearer ", MTO_CRED_MALFORMED, "'Bearer ' with no token is malformed");
    hdr_is("Bearer    ", MTO_CRED_MALFORMED, "'Bearer' and only spaces is malformed");
    hdr_is("Bearer\tabc", MTO_CRED_MALFORMED,
           "a tab after the scheme is malformed (RFC 7235: 1*SP)");
    hdr_is("Bearer abc\t", MTO_CRED_MALFORMED, "a trailing tab is not stripped like a space");
    hdr_is("Bearer ab c", MTO_CRED_MALFORMED, "a space inside the token is malformed");
    hdr_is("Bearer abc def", MTO_CRED_MALFORMED, "two tokens are malformed");
    hdr_is("Bearer a=b", MTO_CRED_MALFORMED, "'=' before the end of the token is malformed");
    hdr_is("Bearer ==", MTO_CRED_MALFORMED, "Bearer and padding alone is malformed");
    hdr_is("Bearer \"abc\"", MTO_CRED_MALFORMED, "a quoted token is malformed");
    hdr_is("Bearer abc, Basic eA==", MTO_CRED_MALFORMED, "a list of credentials is malformed");
    hdr_is("Bearer realm=\"x\"", MTO_CRED_MALFORMED,
           "auth-params instead of a token are malformed");
    hdr_is("Bearer \xc3\xa9", MTO_CRED_MALFORMED, "a non-ASCII token is malformed");
    hdr_is("Bearer,abc", MTO_CRED_MALFORMED, "a ',' right after the scheme is malformed");

    hdr_is(NULL, MTO_CRED_ABSENT, "no header is absent");
    hdr_is("Basic dXNlcjpwdw==", MTO_CRED_ABSENT, "Basic credentials are absent (not ours)");
    hdr_is("Negotiate", MTO_CRED_ABSENT, "a scheme alone (Negotiate) is absent");
    hdr_is("Digest username=\"a\", realm=\"b\"", MTO_CRED_ABSENT,
           "Digest with auth-params is absent");
    hdr_is("Bearerx abc", MTO_CRED_ABSENT, "'Bearerx' is another scheme, not Bearer");
    hdr_is("Beare abc", MTO_CRED_ABSENT, "'Beare' is another scheme, not Bearer");
    hdr_is("MAC id=\"x\"", MTO_CRED_ABSENT, "MAC is another scheme");
    hdr_is("X-Bearer abc", MTO_CRED_ABSENT, "a scheme that only contains Bearer is another scheme");

    hdr_is("", MTO_CRED_MALFORMED, "an empty header is malformed");
    hdr_is(" ", MTO_CRED_MALFORMED, "a header of one space is malformed");
    hdr_is(" Bearer abc", MTO_CRED_MALFORMED, "a space before the scheme is malformed");
    hdr_is("abc", MTO_CRED_ABSENT, "a lone token68-like word reads as a scheme (absent)");
    hdr_is("=abc", MTO_CRED_MALFORMED, "no scheme at all is malformed");
    hdr_is("\"Bearer\" abc", MTO_CRED_MALFORMED, "a quoted scheme is malformed");
    hdr_is("Bearer=abc", MTO_CRED_MALFORMED, "'=' right after the scheme is malformed");
    hdr_is("Basic\tabc", MTO_CRED_MALFORMED, "another scheme followed by a tab is not well-formed");
    hdr_is("\xc3\xa9 abc", MTO_CRED_MALFORMED, "a non-ASCII scheme is malformed");
    hdr_is("(garbage)", MTO_CRED_MALFORMED, "garbage is malformed");

    big = repeat('a', 1 << 20);
    hdr_found(apr_pstrcat(pool, "Bearer ", big, NULL), big, "a 1 MB header token is found whole");
    hdr_is(apr_pstrcat(pool, "Bearer ", big, "!", NULL), MTO_CRED_MALFORMED,
           "a bad character after 1 MB is still seen");
    hdr_is(apr_pstrcat(pool, big, " abc", NULL), MTO_CRED_ABSENT,
           "a 1 MB scheme is another scheme");
    hdr_is(apr_pstrcat(pool, "Bearer", repeat(' ', 1 << 20), NULL), MTO_CRED_MALFORMED,
           "Bearer and 1 MB of spaces is malformed");

    ok(mto_bearer_from_header(pool, "Bearer abc  ", &t) == MTO_CRED_FOUND && t && strlen(t) == 3,
       "the token is a NUL-terminated copy without the trailing spaces");
}

static void test_query(void)
{
    char *big;

    qry_found("access_token=abc", "abc", "access_token=abc gives abc");
    qry_found("a=1&access_token=abc&b=2", "abc", "the token among other parameters is found");
    qry_found("&&access_token=abc&&", "abc", "empty pairs '&&' around it are skipped");
    qry_found("access_token=abc=", "abc=", "padding at the end is part of the query token");
    qry_found("access_token=abc%3D%3D", "abc==", "percent-encoded padding decodes");
    qry_found("access_token=a%2Bb", "a+b", "%2B decodes to '+'");
    qry_found("access_token=a%2bb", "a+b", "%2b (lowercase hex) decodes to '+'");
    qry_found("access_token=a%2Fb", "a/b", "%2F decodes to '/'");
    qry_found("access%5Ftoken=abc", "abc", "a percent-encoded name access%5Ftoken counts");
    qry_found("access%5ftoken=abc", "abc", "access%5ftoken (lowercase hex) counts");
    qry_found("%61%63%63%65%73%73%5F%74%6F%6B%65%6E=abc", "abc",
              "a name with every character percent-encoded counts");
    qry_found("access_token=abc&ACCESS_TOKEN=def", "abc",
              "ACCESS_TOKEN is another name (case-sensitive)");
    qry_found("a=%zz&access_token=abc&b=%00", "abc",
              "bad escapes in other parameters are not ours");
    qry_found("access_token=abc&access_token%00=x", "abc",
              "a name with %00 after it is another name");

    qry_is(NULL, MTO_CRED_ABSENT, "no query is absent");
    qry_is("", MTO_CRED_ABSENT, "an empty query is absent");
    qry_is("&&", MTO_CRED_ABSENT, "a query of empty pairs is absent");
    qry_is("a=1&b=2", MTO_CRED_ABSENT, "other parameters only: absent");
    qry_is("ACCESS_TOKEN=abc", MTO_CRED_ABSENT, "ACCESS_TOKEN is not access_token");
    qry_is("access_tokens=abc", MTO_CRED_ABSENT, "access_tokens is not access_token");
    qry_is("xaccess_token=abc", MTO_CRED_ABSENT, "xaccess_token is not access_token");
    qry_is("access+token=abc", MTO_CRED_ABSENT, "access+token decodes to 'access token'");
    qry_is("access_token =abc", MTO_CRED_ABSENT, "a name with a trailing space is another name");
    qry_is("a=1;access_token=abc", MTO_CRED_ABSENT, "';' does not separate pairs");
    qry_is("a=access_token=abc", MTO_CRED_ABSENT, "access_token inside a value is not a parameter");

    qry_is("access_token=abc&access_token=abc", MTO_CRED_MALFORMED,
           "the parameter given twice is malformed");
    qry_is("access_token=abc&access_token=def", MTO_CRED_MALFORMED,
           "two different tokens are malformed");
    qry_is("access_token=abc&access%5Ftoken=abc", MTO_CRED_MALFORMED,
           "the parameter given twice, once encoded, is malformed");
    qry_is("access_token=", MTO_CRED_MALFORMED, "an empty value is malformed");
    qry_is("access_token", MTO_CRED_MALFORMED, "the name without '=' is malformed");
    qry_is("a=1&access_token&b=2", MTO_CRED_MALFORMED,
           "the name without '=' among others is malformed");
    qry_is("access_token=%zz", MTO_CRED_MALFORMED, "an undecodable %zz is malformed");
    qry_is("access_token=abc%", MTO_CRED_MALFORMED, "a truncated escape is malformed");
    qry_is("access_token=abc%4", MTO_CRED_MALFORMED, "a one-digit escape is malformed");
    qry_is("access_token=abc%00", MTO_CRED_MALFORMED, "%00 is malformed");
    qry_is("access_token=%C3%28", MTO_CRED_MALFORMED, "escaped invalid UTF-8 is malformed");
    qry_is("access_token=\xff", MTO_CRED_MALFORMED, "raw non-UTF-8 is malformed");
    qry_is("access_token=%C3%A9", MTO_CRED_MALFORMED,
           "valid UTF-8 that is not a b64token is malformed");
    qry_is("access_token=a+b", MTO_CRED_MALFORMED, "'+' in a query is a space: malformed");
    qry_is("access_token=a%20b", MTO_CRED_MALFORMED, "an encoded space is malformed");
    qry_is("access_token=a=b", MTO_CRED_MALFORMED, "'=' before the end is malformed");
    qry_is("access_token==", MTO_CRED_MALFORMED, "access_token= and padding alone is malformed");
    qry_is("access_token=abc;x=1", MTO_CRED_MALFORMED, "';' is part of the value, so malformed");
    qry_is("access_token=%zz&access_token=abc", MTO_CRED_MALFORMED,
           "a bad value then a good one is malformed");
    qry_is("access_token=abc&access_token=%zz", MTO_CRED_MALFORMED,
           "a good value then a bad one is malformed");

    big = repeat('a', 1 << 20);
    qry_found(apr_pstrcat(pool, "access_token=", big, NULL), big,
              "a 1 MB query token is found whole");
    qry_is(apr_pstrcat(pool, "access_token=", big, "%zz", NULL), MTO_CRED_MALFORMED,
           "a bad escape after 1 MB is still seen");
    qry_found(apr_pstrcat(pool, repeat('&', 1 << 20), "access_token=abc", NULL), "abc",
              "the token after 1 MB of empty pairs is found");
    qry_is(apr_pstrcat(pool, big, "=1", NULL), MTO_CRED_ABSENT, "a 1 MB name is another name");
    qry_is(apr_pstrcat(pool, "access_token=abc&", repeat('&', 1 << 20), "access_token=def", NULL),
           MTO_CRED_MALFORMED, "a second copy after 1 MB is still seen");
}

static void test_without_token(void)
{
    char *big;

    is_str(mto_query_without_token(pool, "a=1&access_token=abc&b=2"), "a=1&b=2",
           "the token pair is dropped, the others kept in order");
    is_str(mto_query_without_token(pool, "access_token=abc&b=2"), "b=2",
           "a leading token pair is dropped");
    is_str(mto_query_without_token(pool, "a=1&access_token=abc"), "a=1",
           "a trailing token pair is dropped");
    is_str(mto_query_without_token(pool, "access_token=abc"), NULL, "nothing left gives NULL");
    is_str(mto_query_without_token(pool, "access_token=abc&&"), NULL,
           "only empty pairs left gives NULL");
    is_str(mto_query_without_token(pool, "a=1&b=2"), "a=1&b=2",
           "the backend gets a query without a token unchanged");
    is_str(mto_query_without_token(pool, "a=1&&b"), "a=1&&b",
           "an unchanged query keeps its empty pairs");
    is_str(mto_query_without_token(pool, ""), "", "the backend gets an empty query as it was");
    is_str(mto_query_without_token(pool, NULL), NULL, "no query for the backend: NULL");
    is_str(mto_query_without_token(pool, "a=1&access_token=x&access_token=y&b=2"), "a=1&b=2",
           "every copy of a repeated token is dropped");
    is_str(mto_query_without_token(pool, "access_token=%zz&a=1"), "a=1",
           "a malformed token is dropped too");
    is_str(mto_query_without_token(pool, "access_token&a=1"), "a=1",
           "the name without '=' is dropped");
    is_str(mto_query_without_token(pool, "access_token=&a=1"), "a=1", "an empty token is dropped");
    is_str(mto_query_without_token(pool, "access%5Ftoken=abc&a=1"), "a=1",
           "an encoded name is dropped");
    is_str(mto_query_without_token(pool, "a=x+y&access_token=abc&b=%2B&c=%zz"), "a=x+y&b=%2B&c=%zz",
           "other pairs are copied byte for byte, not decoded");
    is_str(mto_query_without_token(pool, "a=1;access_token=abc"), "a=1;access_token=abc",
           "';' does not separate pairs, so nothing is dropped");
    is_str(mto_query_without_token(pool, "ACCESS_TOKEN=abc&access_tokens=x"),
           "ACCESS_TOKEN=abc&access_tokens=x", "names that only look alike are kept");

    big = repeat('b', 1 << 20);
    is_str(mto_query_without_token(pool, apr_pstrcat(pool, "a=", big, "&access_token=abc", NULL)),
           apr_pstrcat(pool, "a=", big, NULL), "a 1 MB parameter is kept whole");
}

static void test_redact(void)
{
    const char *r;
    char *big, *many;
    int i;

    is_str(mto_query_redact(pool, "access_token=abc"), "access_token=REDACTED",
           "the value becomes REDACTED");
    is_str(mto_query_redact(pool, "a=1&access_token=abc&b=2"), "a=1&access_token=REDACTED&b=2",
           "the other pairs stay where they were");
    is_str(mto_query_redact(pool, "access_token=abc&access_token=def"),
           "access_token=REDACTED&access_token=REDACTED",
           "every copy of a repeated token is redacted");
    is_str(mto_query_redact(pool, "access_token=%zz"), "access_token=REDACTED",
           "a malformed value is redacted");
    is_str(mto_query_redact(pool, "access_token=a+b%00"), "access_token=REDACTED",
           "an undecodable value is redacted");
    is_str(mto_query_redact(pool, "access_token"), "access_token=REDACTED",
           "the name without '=' is redacted");
    is_str(mto_query_redact(pool, "access_token="), "access_token=REDACTED",
           "an empty value is redacted");
    is_str(mto_query_redact(pool, "access%5Ftoken=abc"), "access%5Ftoken=REDACTED",
           "an encoded name is redacted and kept as it was");
    is_str(mto_query_redact(pool, "a=1&b=2"), "a=1&b=2",
           "the log gets a query without a token unchanged");
    is_str(mto_query_redact(pool, ""), "", "the log gets an empty query as it was");
    is_str(mto_query_redact(pool, NULL), NULL, "no query for the log: NULL");
    is_str(mto_query_redact(pool, "a=1;access_token=abc"), "a=1;access_token=abc",
           "';' does not separate pairs, so the pair is a=… and not redacted");
    r = mto_query_redact(pool, "&&access_token=abc&&b=2&");
    ok(r && strstr(r, "abc") == NULL && strstr(r, "access_token=REDACTED") && strstr(r, "b=2"),
       "empty pairs around the token do not stop the redaction");

    big = repeat('z', 1 << 20);
    r = mto_query_redact(pool, apr_pstrcat(pool, "access_token=", big, "&a=1", NULL));
    is_str(r, "access_token=REDACTED&a=1", "a 1 MB token is redacted whole");

    /* The shortest token pairs grow the most: the output buffer must hold it. */
    many = apr_pstrdup(pool, "");
    for (i = 0; i < 2000; i++) {
        many = apr_pstrcat(pool, many, i ? "&" : "", "access_token", NULL);
    }
    r = mto_query_redact(pool, many);
    ok(r && strlen(r) == 2000 * strlen("access_token=REDACTED") + 1999
           && strstr(r, "access_token&") == NULL,
       "2000 bare access_token names are all redacted");
}

static void test_request_line(void)
{
    is_str(mto_request_line_redact(pool, "GET /api?access_token=abc HTTP/1.1"),
           "GET /api?access_token=REDACTED HTTP/1.1", "the token in a request line is redacted");
    is_str(mto_request_line_redact(pool, "POST /a/b?x=1&access_token=abc&y=2 HTTP/1.0"),
           "POST /a/b?x=1&access_token=REDACTED&y=2 HTTP/1.0",
           "method, path, other pairs and version are kept");
    is_str(mto_request_line_redact(pool, "GET /api?access_token=a&access_token=b HTTP/1.1"),
           "GET /api?access_token=REDACTED&access_token=REDACTED HTTP/1.1",
           "repeated tokens are all redacted");
    is_str(mto_request_line_redact(pool, "GET /api?access%5Ftoken=abc HTTP/1.1"),
           "GET /api?access%5Ftoken=REDACTED HTTP/1.1", "an encoded name is redacted");
    is_str(mto_request_line_redact(pool, "GET /api?access_token=%zz HTTP/1.1"),
           "GET /api?access_token=REDACTED HTTP/1.1", "a malformed token is redacted");
    is_str(mto_request_line_redact(pool, "GET /api?access_token=abc"),
           "GET /api?access_token=REDACTED", "a line without a version (HTTP/0.9) is redacted");
    is_str(mto_request_line_redact(pool, "/api?access_token=abc"), "/api?access_token=REDACTED",
           "a bare target is redacted");
    is_str(mto_request_line_redact(pool, "GET /api HTTP/1.1"), "GET /api HTTP/1.1",
           "no query: unchanged");
    is_str(mto_request_line_redact(pool, "GET /api?a=1 HTTP/1.1"), "GET /api?a=1 HTTP/1.1",
           "a query without a token: unchanged");
    is_str(mto_request_line_redact(pool, "GET /api? HTTP/1.1"), "GET /api? HTTP/1.1",
           "an empty query: unchanged");
    is_str(mto_request_line_redact(pool, "GET /a?b=?&access_token=abc HTTP/1.1"),
           "GET /a?b=?&access_token=REDACTED HTTP/1.1",
           "a '?' inside the query does not start it again");
    is_str(mto_request_line_redact(pool, "GET  /api?access_token=abc  HTTP/1.1"),
           "GET  /api?access_token=REDACTED  HTTP/1.1", "extra spaces are kept");
    is_str(mto_request_line_redact(pool, "GET /api?q=hello world&access_token=abc HTTP/1.1"),
           "GET /api?q=hello world&access_token=REDACTED HTTP/1.1",
           "a raw space in the query does not end it before the version");
    is_str(mto_request_line_redact(pool, "GET /api?q=hello world&access_token=abc"),
           "GET /api?q=hello world&access_token=REDACTED",
           "a raw space in the query of a line without a version (as httpd logs its 400)");
    is_str(mto_request_line_redact(pool, "GET /api?access_token=abc HTTP/1.1 HTTP/1.1"),
           "GET /api?access_token=REDACTED HTTP/1.1", "only the last ' HTTP/' is the version");
    is_str(mto_request_line_redact(pool, "GET /api?access_token=abc http/1.1"),
           "GET /api?access_token=REDACTED", "a word that is not an HTTP-version counts as query");
    is_str(mto_request_line_redact(pool, "GET /api?access_token=abc\tHTTP/1.1"),
           "GET /api?access_token=REDACTED", "a tab does not start the version");
    is_str(mto_request_line_redact(pool, ""), "", "an empty line stays empty");
    is_str(mto_request_line_redact(pool, NULL), NULL, "no request line: NULL");
    is_str(mto_request_line_redact(pool, apr_pstrcat(pool, "GET /x?access_token=",
                                                     repeat('q', 1 << 20), " HTTP/1.1", NULL)),
           "GET /x?access_token=REDACTED HTTP/1.1", "a 1 MB token in a request line is redacted");
}

static void test_quoted_string(void)
{
    is_str(mto_quoted_string(pool, "MyTimetable"), "\"MyTimetable\"", "a plain string is quoted");
    is_str(mto_quoted_string(pool, ""), "\"\"", "an empty string gives \"\"");
    is_str(mto_quoted_string(pool, NULL), "\"\"", "NULL gives \"\"");
    is_str(mto_quoted_string(pool, "a\"b"), "\"a\\\"b\"", "a '\"' is escaped");
    is_str(mto_quoted_string(pool, "a\\b"), "\"a\\\\b\"", "a backslash is escaped");
    is_str(mto_quoted_string(pool, "\\"), "\"\\\\\"",
           "a trailing backslash cannot escape the closing quote");
    is_str(mto_quoted_string(pool, "\"\""), "\"\\\"\\\"\"", "only quotes: each is escaped");
    is_str(mto_quoted_string(pool, "a\r\nWWW-Authenticate: x"), "\"aWWW-Authenticate: x\"",
           "CR and LF are dropped (no header injection)");
    is_str(mto_quoted_string(pool, "a\tb\x7f"
                                   "c\x01"),
           "\"abc\"", "tab, DEL and other controls are dropped");
    is_str(mto_quoted_string(pool, "caf\xc3\xa9"), "\"caf\xc3\xa9\"", "bytes above 0x7f are kept");
    is_str(mto_quoted_string(pool, "scope a b"), "\"scope a b\"", "spaces are kept");
    {
        const char *q = mto_quoted_string(pool, repeat('"', 1 << 16));
        apr_size_t i, n = strlen(q), bad = 0;

        for (i = 1; i + 1 < n; i += 2) {
            bad += q[i] != '\\' || q[i + 1] != '"';
        }
        ok(n == 2 * (1 << 16) + 2 && q[0] == '"' && q[n - 1] == '"' && bad == 0,
           "64 K quotes become 64 K escaped quotes between two quotes");
    }
}

/* A proxy URL made from the raw request (ProxyPass nocanon, [P] rules). */
static void test_url(void)
{
    is_str(mto_url_without_token(pool, "proxy:http://b:8080/x?a=1&access_token=abc&b=2"),
           "proxy:http://b:8080/x?a=1&b=2", "a proxy URL loses its access_token pair only");
    is_str(mto_url_without_token(pool, "proxy:http://b/x?access_token=abc"), "proxy:http://b/x",
           "a proxy URL with the token alone loses its '?'");
    is_str(mto_url_without_token(pool, "proxy:http://b/x?%61ccess_token=abc"), "proxy:http://b/x",
           "an encoded name is taken away too");
    is_str(mto_url_without_token(pool, "proxy:http://b/x"), "proxy:http://b/x",
           "a proxy URL without a query stays as it is");
    is_str(mto_url_without_token(pool, NULL), NULL, "no URL: NULL");
    ok(!mto_query_may_hold_token(NULL), "may hold a token: not NULL");
    ok(!mto_query_may_hold_token("GET /x?a=1 HTTP/1.1"), "may hold a token: not a plain query");
    ok(mto_query_may_hold_token("a=1&access_token=x"), "may hold a token: the name");
    ok(mto_query_may_hold_token("a=1&%61ccess_token=x"), "may hold a token: a percent sign");
}

int main(void)
{
    apr_initialize();
    apr_pool_create(&pool, NULL);
    test_b64token();
    test_header();
    test_query();
    test_without_token();
    test_redact();
    test_request_line();
    test_quoted_string();
    test_url();
    apr_pool_destroy(pool);
    apr_terminate();
    return done_testing();
}
