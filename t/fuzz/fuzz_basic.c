/*
 * fuzz_basic.c - libFuzzer target for HTTP Basic client credentials
 * (RFC 6749 §2.3.1, core/proto.c mto_basic_credentials): an Authorization value
 * "Basic" 1*SP base64(urlencode(id) ":" urlencode(secret)).
 *
 * The input is tried three ways: as the header value itself; as the bytes
 * under the base64 ("Basic " + base64(input)), so the fuzzer reaches the
 * form-urlencoded credentials; and as "id\nsecret", encoded the way a
 * client must, which has to give id and secret back.  Each answer is
 * compared with a model: strict base64 is whatever re-encodes to itself.
 */
#include <strings.h>

#include "fuzz.h"

#define pool mto_fuzz_pool /* cleared after each input */

#define NOT_BASIC 1
#define MALFORMED 2

/* The canonical base64 of what s decodes to is s itself: whole quanta,
 * '=' only as padding, no stray bits.  NULL when it is not. */
static const char *strict_base64(const char *s, size_t *len)
{
    size_t n = strlen(s), i, pad = 0;
    unsigned char *out;
    int v;

    if (n == 0 || n % 4 != 0) {
        return NULL;
    }
    while (pad < 2 && s[n - 1 - pad] == '=') {
        pad++;
    }
    out = mto_fuzz_palloc(NULL, n / 4 * 3);
    for (i = 0; i < n - pad; i++) {
        const char *abc = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        const char *at = s[i] ? strchr(abc, s[i]) : NULL;

        if (!at) {
            return NULL;
        }
        v = (int)(at - abc);
        /* 6 bits at bit offset 6 * i. */
        if (i % 4 == 0) {
            out[i / 4 * 3] = (unsigned char)(v << 2);
        }
        if (i % 4 == 1) {
            out[i / 4 * 3] |= (unsigned char)(v >> 4);
            out[i / 4 * 3 + 1] = (unsigned char)(v << 4);
        }
        if (i % 4 == 2) {
            out[i / 4 * 3 + 1] |= (unsigned char)(v >> 2);
            out[i / 4 * 3 + 2] = (unsigned char)(v << 6);
        }
        if (i % 4 == 3) {
            out[i / 4 * 3 + 2] |= (unsigned char)v;
        }
    }
    *len = n / 4 * 3 - pad;
    return strcmp(mto_fuzz_base64(out, *len, 0), s) == 0 ? (const char *)out : NULL;
}

/* The model of mto_basic_credentials. */
static int model_basic(const char *h, const char **id, const char **secret)
{
    const char *dec, *colon;
    size_t len;

    if (strncasecmp(h, "Basic", 5) != 0 || (h[5] && h[5] != ' ' && h[5] != '\t')) {
        return NOT_BASIC;
    }
    if (h[5] != ' ' || !(dec = strict_base64(h + 5 + strspn(h + 5, " "), &len))) {
        return MALFORMED;
    }
    if (!(colon = memchr(dec, ':', len))) {
        return MALFORMED;
    }
    *id = mto_fuzz_unescape(dec, (size_t)(colon - dec));
    *secret = mto_fuzz_unescape(colon + 1, len - (size_t)(colon + 1 - dec));
    return *id && **id && *secret ? 0 : MALFORMED;
}

/* Returns what mto_basic_credentials returned, having checked it. */
static int check_header(const char *h)
{
    const char *id = NULL, *secret = NULL, *want_id = NULL, *want_secret = NULL;
    int rv = mto_basic_credentials(pool, h, &id, &secret);
    int want = model_basic(h, &want_id, &want_secret);

    check(rv == want, "header: not Basic, malformed or good, unlike the model");
    if (rv == 0) {
        check(strcmp(id, want_id) == 0, "header: the client id is not the decoded one");
        check(strcmp(secret, want_secret) == 0, "header: the secret is not the decoded one");
    }
    return rv;
}

/* "id\nsecret" sent as a client must: each urlencoded, then base64. */
static void check_round_trip(const char *id, const char *secret)
{
    const char *plain = cat(mto_fuzz_escape(id), ":", mto_fuzz_escape(secret));
    const char *b64 = mto_fuzz_base64(plain, strlen(plain), 0);
    const char *got_id = NULL, *got_secret = NULL;
    int good = *id && mto_fuzz_utf8(id, strlen(id)) && mto_fuzz_utf8(secret, strlen(secret));

    check(check_header(cat("Basic ", b64)) == (good ? 0 : MALFORMED),
          "round trip: a well-encoded header is refused, or a bad id or secret accepted");
    check(mto_basic_credentials(pool, cat("bAsIc   ", b64), &got_id, &got_secret)
              == (good ? 0 : MALFORMED),
          "round trip: the scheme is case-insensitive, any number of spaces follows it");
    check(!good || (strcmp(got_id, id) == 0 && strcmp(got_secret, secret) == 0),
          "round trip: not the id and secret that were sent");
    check(mto_basic_credentials(pool, cat("Basic\t", b64), &got_id, &got_secret) == MALFORMED,
          "round trip: a tab after Basic is malformed");
    check(mto_basic_credentials(pool, cat("Basic ", b64, " "), &got_id, &got_secret) == MALFORMED,
          "round trip: a trailing space is malformed");
}

/* base64 whose last character before the padding has one of its unused
 * low bits set: the same bytes for a lenient decoder, malformed here. */
static void check_stray_bits(const uint8_t *data, size_t size)
{
    static const char abc[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    char *b64 = mto_fuzz_base64(data, size, 0);
    size_t n = strlen(b64), pad = size % 3 ? 3 - size % 3 : 0;
    int unused = pad == 1 ? 0x03 : 0x0F, v, bits = size ? data[size - 1] % unused + 1 : 1;

    if (pad == 0) {
        return;
    }
    v = (int)(strchr(abc, b64[n - pad - 1]) - abc);
    b64[n - pad - 1] = abc[v | bits];
    check(check_header(cat("Basic ", b64)) == MALFORMED,
          "header: base64 with stray bits is accepted");
}

void mto_fuzz_one(const uint8_t *data, size_t size)
{
    const char *whole = memdup(data, size), *part[2];

    mto_fuzz_parts(data, size, part, 2);
    check_header(whole);
    check_header(cat("Basic ", whole));
    check_header(cat("Basic ", mto_fuzz_base64(data, size, 0)));
    check_round_trip(part[0], part[1] ? part[1] : "");
    check_stray_bits(data, size);
    check(mto_basic_credentials(pool, NULL, &part[0], &part[1]) == NOT_BASIC,
          "header: NULL is not Basic");
}
