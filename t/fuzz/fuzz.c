/*
 * fuzz.c - the harness and the shared models of the fuzz targets: see
 * fuzz.h.  Not thread-safe: libFuzzer runs one input at a time.
 */
#include <openssl/sha.h>

#include "fuzz.h"

apr_pool_t *mto_fuzz_pool;

void mto_fuzz_fail(const char *what, const char *file, int line)
{
    fprintf(stderr, "broken invariant: %s (%s:%d)\n", what, file, line);
    abort();
}

size_t mto_fuzz_parts(const uint8_t *data, size_t size, const char **part, size_t n)
{
    const char *s = (const char *)data, *end = s + size;
    size_t i, have = 0;

    for (i = 0; i < n; i++) {
        part[i] = NULL;
    }
    while (have < n) {
        const char *nl = (have + 1 < n) ? memchr(s, '\n', (size_t)(end - s)) : NULL;

        part[have++] = memdup(s, nl ? (size_t)(nl - s) : (size_t)(end - s));
        if (!nl) {
            break;
        }
        s = nl + 1;
    }
    return have;
}

/* ------------------------------------------------------------- models */

int mto_fuzz_utf8(const char *s, size_t len)
{
    static const uint32_t least[5] = { 0, 0, 0x80, 0x800, 0x10000 };
    const unsigned char *u = (const unsigned char *)s;
    size_t i = 0, n, k;

    while (i < len) {
        uint32_t cp;

        if (u[i] == 0) {
            return 0;
        }
        if (u[i] < 0x80) {
            i++;
            continue;
        }
        if ((u[i] & 0xE0) == 0xC0) {
            n = 2;
            cp = u[i] & 0x1F;
        }
        else if ((u[i] & 0xF0) == 0xE0) {
            n = 3;
            cp = u[i] & 0x0F;
        }
        else if ((u[i] & 0xF8) == 0xF0) {
            n = 4;
            cp = u[i] & 0x07;
        }
        else {
            return 0;
        }
        if (len - i < n) {
            return 0;
        }
        for (k = 1; k < n; k++) {
            if ((u[i + k] & 0xC0) != 0x80) {
                return 0;
            }
            cp = cp << 6 | (u[i + k] & 0x3F);
        }
        if (cp < least[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
            return 0;
        }
        i += n;
    }
    return 1;
}

static int hex_digit(char c)
{
    static const char digits[] = "0123456789abcdef0123456789ABCDEF";
    const char *d = c ? strchr(digits, c) : NULL;

    return d ? (int)((d - digits) % 16) : -1;
}

char *mto_fuzz_unescape(const char *s, size_t len)
{
    char *out = mto_fuzz_palloc(NULL, len + 1);
    size_t i, o = 0;

    for (i = 0; i < len; i++) {
        if (s[i] == '+') {
            out[o++] = ' ';
        }
        else if (s[i] != '%') {
            out[o++] = s[i];
        }
        else {
            int hi = i + 2 < len ? hex_digit(s[i + 1]) : -1;
            int lo = i + 2 < len ? hex_digit(s[i + 2]) : -1;

            if (hi < 0 || lo < 0 || hi + lo == 0) {
                return NULL;
            }
            out[o++] = (char)(hi << 4 | lo);
            i += 2;
        }
    }
    out[o] = '\0';
    return mto_fuzz_utf8(out, o) ? out : NULL;
}

static int unreserved(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'
           || c == '.' || c == '_' || c == '~';
}

char *mto_fuzz_escape(const char *s)
{
    char *out = mto_fuzz_palloc(NULL, 3 * strlen(s) + 1), *o = out;

    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;

        if (unreserved(c)) {
            *o++ = (char)c;
        }
        else if (c == ' ') {
            *o++ = '+';
        }
        else {
            o += sprintf(o, "%%%02X", c);
        }
    }
    *o = '\0';
    return out;
}

char *mto_fuzz_base64(const void *data, size_t len, int url)
{
    const char *abc = url ? "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
                          : "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    const unsigned char *b = data;
    char *out = mto_fuzz_palloc(NULL, (len + 2) / 3 * 4 + 1), *o = out;
    size_t i;

    for (i = 0; i < len; i += 3) {
        uint32_t v = (uint32_t)b[i] << 16 | (i + 1 < len ? (uint32_t)b[i + 1] << 8 : 0)
                     | (i + 2 < len ? b[i + 2] : 0);
        size_t have = len - i < 3 ? len - i : 3, k;

        for (k = 0; k < 4; k++) {
            if (k <= have) {
                *o++ = abc[v >> (18 - 6 * k) & 0x3F];
            }
            else if (!url) {
                *o++ = '=';
            }
        }
    }
    *o = '\0';
    return out;
}

char *mto_fuzz_sha256_hex(const char *s)
{
    unsigned char md[SHA256_DIGEST_LENGTH];
    char *out = mto_fuzz_palloc(NULL, 2 * sizeof(md) + 1);
    size_t i;

    SHA256((const unsigned char *)s, strlen(s), md);
    for (i = 0; i < sizeof(md); i++) {
        sprintf(out + 2 * i, "%02x", md[i]);
    }
    return out;
}

char *mto_fuzz_sha256_b64url(const char *s)
{
    unsigned char md[SHA256_DIGEST_LENGTH];

    SHA256((const unsigned char *)s, strlen(s), md);
    return mto_fuzz_base64(md, sizeof(md), 1);
}

/* ------------------------------------------------------------ libFuzzer */

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    apr_initialize();
    apr_pool_create(&mto_fuzz_pool, NULL);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    mto_fuzz_one(data, size);
    apr_pool_clear(mto_fuzz_pool);
    mto_fuzz_release();
    return 0;
}
