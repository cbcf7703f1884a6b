/*
 * fuzz_bearer.c - libFuzzer target for bearer.c: where the gate finds an
 * access token, the query the backend sees, the request line the log sees.
 *
 * The input is read three ways: whole, as "header\nquery\nline" (missing
 * parts are the whole input again), and wrapped in "Bearer …",
 * "access_token=…" and "GET /x?… HTTP/1.1" to reach past the first checks.
 * Each result is compared with a model written here from RFC 6750 and the
 * contract in core/bearer.h, so a wrong answer aborts like a crash does; with
 * fuzz_alloc every buffer is its own heap block, so ASan sees overflows.
 * Built and run by build/fuzz (harness: fuzz.h).
 */
#include <strings.h>

#include "fuzz.h"

#define TOKEN_NAME "access_token"
#define REDACTED   "REDACTED"

#define pool mto_fuzz_pool /* cleared after each input */

/* RFC 6750 §2.1, in plain ASCII ranges (no locale-dependent ctype). */
static int b64char(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'
           || c == '.' || c == '_' || c == '~' || c == '+' || c == '/';
}

static int b64token(const char *s, size_t len)
{
    size_t i = 0;

    while (i < len && b64char((unsigned char)s[i])) {
        i++;
    }
    if (i == 0) {
        return 0;
    }
    while (i < len && s[i] == '=') {
        i++;
    }
    return i == len;
}

/* RFC 9110 tchar. */
static int tchar(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
           || (c && strchr("!#$%&'*+-.^_`|~", c));
}

static void check_b64token(const uint8_t *data, size_t size)
{
    check(mto_b64token_ok((const char *)data, size) == b64token((const char *)data, size),
          "mto_b64token_ok disagrees with RFC 6750 b64token");
}

/* "Bearer" (any case) 1*SP b64token *SP → FOUND; another well-formed scheme
 * → ABSENT; anything else → MALFORMED. */
static void check_header(const char *v)
{
    const char *tok = "unset", *rest;
    int rv = mto_bearer_from_header(pool, v, &tok);
    size_t scheme = 0, lead, len;

    check(rv == MTO_CRED_FOUND || rv == MTO_CRED_ABSENT || rv == MTO_CRED_MALFORMED,
          "header: unknown status");
    check((rv == MTO_CRED_FOUND) == (tok != NULL), "header: a token exactly when FOUND");
    if (!v) {
        check(rv == MTO_CRED_ABSENT, "header: NULL is ABSENT");
        return;
    }
    while (tchar((unsigned char)v[scheme])) {
        scheme++;
    }
    if (scheme == 0 || (v[scheme] != ' ' && v[scheme] != '\0')) {
        check(rv == MTO_CRED_MALFORMED, "header: no well-formed scheme is MALFORMED");
        return;
    }
    if (scheme != 6 || strncasecmp(v, "Bearer", 6) != 0) {
        check(rv == MTO_CRED_ABSENT, "header: another scheme is ABSENT");
        return;
    }
    rest = v + 6;
    lead = strspn(rest, " ");
    len = strlen(rest + lead);
    while (len && rest[lead + len - 1] == ' ') {
        len--;
    }
    if (!b64token(rest + lead, len)) {
        check(rv == MTO_CRED_MALFORMED, "header: Bearer without a b64token is MALFORMED");
        return;
    }
    check(rv == MTO_CRED_FOUND, "header: Bearer with a b64token is FOUND");
    check(strlen(tok) == len && memcmp(tok, rest + lead, len) == 0,
          "header: the token is the b64token, spaces around it left out");
}

/* One '&'-separated piece of a query, as the model reads it. */
typedef struct {
    const char *s;
    size_t len;   /* up to the '&' or the end */
    size_t nlen;  /* up to the first '=' (or len) */
    int is_token; /* the name decodes to access_token */
} pair_t;

/* The pairs of q, empty ones included; *n gets their count. */
static pair_t *pairs_of(const char *q, size_t *n)
{
    size_t cap = 1, i = 0;
    const char *c;
    pair_t *v;

    for (c = q; *c; c++) {
        cap += *c == '&';
    }
    v = mto_fuzz_palloc(NULL, cap * sizeof(*v));
    for (c = q;; c++) {
        const char *name;

        v[i].s = c;
        v[i].len = strcspn(c, "&");
        v[i].nlen = strcspn(c, "=&");
        name = mto_form_unescape(pool, c, v[i].nlen);
        v[i].is_token = name && strcmp(name, TOKEN_NAME) == 0;
        c += v[i++].len;
        if (!*c) {
            break;
        }
    }
    *n = i;
    return v;
}

/* What the backend (redact 0) or the log (redact 1) must get for q: the
 * non-empty pairs joined by '&', token pairs dropped or as name=REDACTED;
 * NULL for nothing left. */
static char *model_rewrite(const pair_t *v, size_t n, size_t qlen, int redact)
{
    char *out = mto_fuzz_palloc(NULL, qlen + n * (sizeof(REDACTED) + 2) + 1), *o = out;
    size_t i;

    for (i = 0; i < n; i++) {
        size_t keep = v[i].is_token ? v[i].nlen : v[i].len;

        if (!v[i].len || (v[i].is_token && !redact)) {
            continue;
        }
        if (o != out) {
            *o++ = '&';
        }
        memcpy(o, v[i].s, keep);
        o += keep;
        if (v[i].is_token) {
            memcpy(o, "=" REDACTED, sizeof(REDACTED));
            o += sizeof(REDACTED);
        }
    }
    *o = '\0';
    return (o == out && !redact) ? NULL : out;
}

/* model_rewrite for any query: one without a token comes back as it was. */
static const char *model_redact(const char *q)
{
    size_t n, i;
    pair_t *v = pairs_of(q, &n);

    for (i = 0; i < n; i++) {
        if (v[i].is_token) {
            return model_rewrite(v, n, strlen(q), 1);
        }
    }
    return q;
}

static void check_query(const char *q)
{
    const char *tok = "unset", *val = NULL, *raw = NULL;
    size_t rawlen = 0;
    int rv = mto_bearer_from_query(pool, q, &tok), want;
    size_t n, i, ntok = 0;
    pair_t *v;
    char *without, *redacted, *w, *r;

    check((rv == MTO_CRED_FOUND) == (tok != NULL), "query: a token exactly when FOUND");
    if (!q) {
        check(rv == MTO_CRED_ABSENT, "query: NULL is ABSENT");
        check(!mto_query_without_token(pool, q) && !mto_query_redact(pool, q),
              "query: NULL stays NULL");
        return;
    }
    v = pairs_of(q, &n);
    for (i = 0; i < n; i++) {
        if (!v[i].is_token) {
            continue;
        }
        if (++ntok == 1 && v[i].nlen < v[i].len) {
            raw = v[i].s + v[i].nlen + 1;
            rawlen = v[i].len - v[i].nlen - 1;
            val = mto_form_unescape(pool, raw, rawlen);
        }
    }
    want = ntok == 0                                        ? MTO_CRED_ABSENT
           : ntok == 1 && val && b64token(val, strlen(val)) ? MTO_CRED_FOUND
                                                            : MTO_CRED_MALFORMED;
    check(rv == want, "query: status differs from RFC 6750 §2.3");
    check(rv != MTO_CRED_FOUND || strcmp(tok, val) == 0, "query: the token is the decoded value");

    w = mto_query_without_token(pool, q);
    r = mto_query_redact(pool, q);
    if (ntok == 0) {
        check(same(w, q), "without: a query without a token is unchanged");
        check(same(r, q), "redact: a query without a token is unchanged");
        return;
    }
    without = model_rewrite(v, n, strlen(q), 0);
    redacted = model_rewrite(v, n, strlen(q), 1);
    check(same(w, without), "without: not the other pairs as they were");
    check(!w || mto_bearer_from_query(pool, w, &tok) == MTO_CRED_ABSENT,
          "without: an access_token is still there");
    check(same(r, redacted), "redact: not the query with every token value REDACTED");
    check(mto_bearer_from_query(pool, r, &tok) == (ntok == 1 ? MTO_CRED_FOUND : MTO_CRED_MALFORMED)
              && (ntok > 1 || strcmp(tok, REDACTED) == 0),
          "redact: the log would see another token");
    check(same(mto_query_without_token(pool, r), w),
          "redact: differs from the query beyond the tokens");
    /* Longer than any "name=REDACTED" and not elsewhere in the query: the
     * value as it came may appear nowhere in the log. */
    if (rv == MTO_CRED_FOUND && rawlen > 3 * sizeof(TOKEN_NAME) + sizeof(REDACTED)
        && !(w && memmem(w, strlen(w), raw, rawlen))) {
        check(!memmem(r, strlen(r), raw, rawlen), "redact: the token is still in the log");
    }
}

/* The request line keeps everything but the query's token values. */
static void check_line(const char *line)
{
    const char *sp, *target, *qm, *end;
    char *out = mto_request_line_redact(pool, line), *query, *want;
    size_t pre;

    if (!line) {
        check(!out, "line: NULL stays NULL");
        return;
    }
    sp = strchr(line, ' ');
    target = sp ? sp + 1 : line;
    qm = strchr(target, '?');
    if (!qm) {
        check(same(out, line), "line: no query, unchanged");
        return;
    }
    pre = (size_t)(qm + 1 - line);
    /* The query runs to the spaces before " HTTP/…", or to the end. */
    end = strrchr(qm, ' ');
    if (end && strncmp(end + 1, "HTTP/", 5) != 0) {
        end = NULL;
    }
    while (end && end > qm && end[-1] == ' ') {
        end--;
    }
    query = mto_fuzz_pstrmemdup(NULL, qm + 1, end ? (size_t)(end - qm - 1) : strlen(qm + 1));
    check(out && strncmp(out, line, pre) == 0, "line: the method and the path are not kept");
    want = cat(mto_fuzz_pstrmemdup(NULL, line, pre), model_redact(query), end ? end : "");
    check(same(out, want), "line: the query's token values are not REDACTED, or the rest changed");
}

/* A quoted-string: '"', qdtext or '\' + the escaped character, '"'. */
static void check_quoted(const char *s)
{
    const char *out = mto_quoted_string(pool, s);
    size_t n = strlen(out), i, k = 0;
    char *plain = mto_fuzz_palloc(NULL, n), *want = mto_fuzz_palloc(NULL, (s ? strlen(s) : 0) + 1);

    check(n >= 2 && out[0] == '"' && out[n - 1] == '"', "quoted: not between two quotes");
    for (i = 1; i < n - 1; i++) {
        unsigned char c = (unsigned char)out[i];

        check(c >= 0x20 && c != 0x7f, "quoted: a control character");
        if (c == '\\') {
            check(i + 1 < n - 1 && (out[i + 1] == '"' || out[i + 1] == '\\'),
                  "quoted: a backslash escapes the closing quote or a plain character");
            c = (unsigned char)out[++i];
        }
        else {
            check(c != '"', "quoted: an unescaped '\"' inside");
        }
        plain[k++] = (char)c;
    }
    plain[k] = '\0';
    for (i = k = 0; s && s[i]; i++) {
        if ((unsigned char)s[i] >= 0x20 && s[i] != 0x7f) {
            want[k++] = s[i];
        }
    }
    want[k] = '\0';
    check(strcmp(plain, want) == 0,
          "quoted: unquoted it is not the input without control characters");
}

void mto_fuzz_one(const uint8_t *data, size_t size)
{
    const char *whole = memdup(data, size), *part[3];

    /* "header\nquery\nline"; a missing part is the whole input. */
    mto_fuzz_parts(data, size, part, 3);
    part[1] = part[1] ? part[1] : whole;
    part[2] = part[2] ? part[2] : whole;

    check_b64token(data, size);
    check_header(whole);
    check_header(part[0]);
    check_header(cat("Bearer ", part[0]));
    check_query(whole);
    check_query(part[1]);
    check_query(cat("access_token=", part[1]));
    check_query(cat("a=1&access_token=", part[0], "&", part[1]));
    check_line(whole);
    check_line(part[2]);
    check_line(cat("GET /x?", part[1], " HTTP/1.1"));
    check_quoted(whole);
    check_quoted(part[0]);

    if (size == 0) {
        check_header(NULL);
        check_query(NULL);
        check_line(NULL);
        check_quoted(NULL);
    }
}
