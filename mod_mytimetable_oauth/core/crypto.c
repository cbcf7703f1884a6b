/*
 * crypto.c - the few cryptographic primitives of mod_mytimetable_oauth:
 * random values for codes and tokens, SHA-256 (how codes and tokens are
 * stored, and PKCE S256), HMAC-SHA256 and constant-time string equality.
 *
 * Everything is OpenSSL's; this file only adapts it to APR pools and to the
 * encodings the protocol wants (lowercase hex, base64url without padding).
 */
#include <limits.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include "core/core.h"

#define MTO_SHA256_LEN 32

/* Far more than any code or token needs; keeps every length inside the
 * int that OpenSSL's one-shot functions take. */
#define MTO_RANDOM_MAX 4096

/* ------------------------------------------------------------- encodings */

static const char *mto_hex(apr_pool_t *p, const unsigned char *bin, apr_size_t len)
{
    static const char digits[] = "0123456789abcdef";
    char *out = apr_palloc(p, len * 2 + 1);
    apr_size_t i;

    for (i = 0; i < len; i++) {
        out[2 * i] = digits[bin[i] >> 4];
        out[2 * i + 1] = digits[bin[i] & 0x0f];
    }
    out[len * 2] = '\0';
    return out;
}

/* RFC 4648 §5: URL- and form-safe without escaping, so codes and tokens
 * travel in query strings and headers as they are. */
static const char *mto_b64url(apr_pool_t *p, const unsigned char *bin, apr_size_t len)
{
    char *out = apr_palloc(p, (len + 2) / 3 * 4 + 1);
    int n = EVP_EncodeBlock((unsigned char *)out, bin, (int)len);

    while (n > 0 && out[n - 1] == '=') {
        n--;
    }
    out[n] = '\0';
    for (; n > 0; n--) {
        if (out[n - 1] == '+') {
            out[n - 1] = '-';
        }
        else if (out[n - 1] == '/') {
            out[n - 1] = '_';
        }
    }
    return out;
}

/* ---------------------------------------------------------------- random */

const char *mto_random_b64url(apr_pool_t *p, apr_size_t nbytes)
{
    unsigned char buf[MTO_RANDOM_MAX];
    const char *out;

    /* A size no code or token has is a caller's bug: no value either. */
    if (nbytes == 0 || nbytes > sizeof(buf)) {
        return NULL;
    }
    /* No fallback: a code or token from a failed generator is guessable. */
    if (RAND_bytes(buf, (int)nbytes) != 1) {
        return NULL;
    }
    out = mto_b64url(p, buf, nbytes);
    OPENSSL_cleanse(buf, nbytes);
    return out;
}

const char *mto_random_hex(apr_pool_t *p, apr_size_t nbytes)
{
    unsigned char buf[MTO_RANDOM_MAX];
    const char *out;

    if (nbytes == 0 || nbytes > sizeof(buf) || RAND_bytes(buf, (int)nbytes) != 1) {
        return NULL;
    }
    out = mto_hex(p, buf, nbytes);
    OPENSSL_cleanse(buf, nbytes);
    return out;
}

/* ------------------------------------------------------------------- keys */

static int mto_hex_value(char c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;
}

/* One format only, text: what `key generate` writes can be checked, copied
 * and compared by eye across servers. */
const char *mto_key_from_hex(apr_pool_t *p, const char *text, apr_size_t len,
                             const unsigned char **key, apr_size_t *keylen)
{
    apr_size_t n = 0, i;
    unsigned char *out;

    while (n < len && mto_hex_value(text[n]) >= 0) {
        n++;
    }
    for (i = n; i < len; i++) {
        if (!strchr(" \t\r\n", text[i]) || !text[i]) {
            return "it holds something other than hex digits (and a final line end)";
        }
    }
    if (n < MTO_KEY_MIN_HEX) {
        return "it is too short: at least 64 hex digits (256 bits) are needed";
    }
    if (n > MTO_KEY_MAX_HEX || n % 2) {
        return n % 2 ? "it has an odd number of hex digits" : "it is longer than 1024 hex digits";
    }
    out = apr_palloc(p, n / 2);
    for (i = 0; i < n / 2; i++) {
        out[i] = (unsigned char)(mto_hex_value(text[2 * i]) << 4 | mto_hex_value(text[2 * i + 1]));
    }
    *key = out;
    *keylen = n / 2;
    return NULL;
}

/* ---------------------------------------------------------------- digests */

/* data may be NULL only when len is 0. */
static int mto_sha256(const void *data, apr_size_t len, unsigned char md[MTO_SHA256_LEN])
{
    static const unsigned char none[1];
    unsigned int mdlen = 0;

    if (EVP_Digest(data ? data : none, len, md, &mdlen, EVP_sha256(), NULL) != 1) {
        return 0;
    }
    return mdlen == MTO_SHA256_LEN;
}

const char *mto_sha256_hex(apr_pool_t *p, const void *data, apr_size_t len)
{
    unsigned char md[MTO_SHA256_LEN];

    if (!mto_sha256(data, len, md)) {
        return NULL;
    }
    return mto_hex(p, md, sizeof(md));
}

const char *mto_sha256_b64url(apr_pool_t *p, const void *data, apr_size_t len)
{
    unsigned char md[MTO_SHA256_LEN];

    if (!mto_sha256(data, len, md)) {
        return NULL;
    }
    return mto_b64url(p, md, sizeof(md));
}

const char *mto_hmac_sha256_hex(apr_pool_t *p, const unsigned char *key, apr_size_t keylen,
                                const void *data, apr_size_t len)
{
    /* OpenSSL reads a NULL key as "reuse the previous one"; an empty key
     * must be an empty key. */
    static const unsigned char none[1];
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0;

    if (keylen > INT_MAX) {
        return NULL;
    }
    if (!HMAC(EVP_sha256(), key ? key : none, (int)keylen, data ? data : none, len, md, &mdlen)
        || mdlen != MTO_SHA256_LEN) {
        return NULL;
    }
    return mto_hex(p, md, mdlen);
}

/* ----------------------------------------------------------------- equality */

int mto_ct_streq(const char *a, const char *b)
{
    apr_size_t la, lb;

    if (!a || !b) {
        return 0;
    }
    la = strlen(a);
    lb = strlen(b);
    if (la != lb) {
        /* Same work as a comparison of b, so the time says nothing about
         * where a and b would have differed. */
        (void)CRYPTO_memcmp(b, b, lb);
        return 0;
    }
    return CRYPTO_memcmp(a, b, la) == 0;
}
