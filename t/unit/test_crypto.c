/*
 * test_crypto.c - unit tests for crypto.c: random values, SHA-256 (hex and
 * base64url, i.e. PKCE S256), HMAC-SHA256 and constant-time equality.
 * Prints TAP; t/unit/crypto.t runs it.
 */
#include <string.h>

#include <apr_general.h>
#include <apr_strings.h>

#include "core/core.h"
#include "tap.h"

/* tap.h's check_str() shadows its own result inside ok() and reads it
 * uninitialised; this does the same job through ok() alone. */
static void check_str(const char *got, const char *want, const char *name)
{
    int same = got && want ? strcmp(got, want) == 0 : got == want;

    ok(same, "%s", name);
    if (!same) {
        printf("#   got: '%s'\n#   expected: '%s'\n", got ? got : "(null)", want ? want : "(null)");
    }
}

static int b64url_only(const char *s)
{
    return s
           && strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                        "0123456789-_")
                  == strlen(s);
}

static void test_sha256(apr_pool_t *p)
{
    check_str(mto_sha256_hex(p, "test", 4),
              "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
              "SHA-256 of \"test\" is the known lowercase hex");
    check_str(mto_sha256_hex(p, "abc", 3),
              "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
              "SHA-256 of \"abc\" is the FIPS 180-2 vector");
    check_str(mto_sha256_hex(p, "", 0),
              "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
              "SHA-256 of nothing is the known empty-input digest");
    check_str(mto_sha256_hex(p, NULL, 0),
              "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
              "SHA-256 of a NULL pointer with length 0 is the empty-input digest");
    ok(strcmp(mto_sha256_hex(p, "a\0b", 3), mto_sha256_hex(p, "a", 1)) != 0,
       "SHA-256 does not stop at an embedded NUL");
}

static void test_pkce_s256(apr_pool_t *p)
{
    const char *verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";

    check_str(mto_sha256_b64url(p, verifier, strlen(verifier)),
              "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
              "S256 of the RFC 7636 appendix B verifier is its code_challenge");
    check_str(mto_sha256_b64url(p, "", 0), "47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU",
              "base64url SHA-256 has no padding and uses - and _");
}

static void test_hmac(apr_pool_t *p)
{
    const char *data = "what do ya want for nothing?";

    check_str(mto_hmac_sha256_hex(p, (const unsigned char *)"Jefe", 4, data, strlen(data)),
              "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
              "HMAC-SHA256 matches RFC 4231 test case 2");
    check_str(mto_hmac_sha256_hex(p, (const unsigned char *)"", 0, "", 0),
              "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad",
              "HMAC-SHA256 with an empty key and no data is the known value");
    check_str(mto_hmac_sha256_hex(p, NULL, 0, "", 0),
              "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad",
              "HMAC-SHA256 with a NULL key of length 0 uses an empty key");
}

static void test_random(apr_pool_t *p)
{
    const char *a = mto_random_b64url(p, MTO_TOKEN_BYTES);
    const char *b = mto_random_b64url(p, MTO_TOKEN_BYTES);
    const char *c = mto_random_b64url(p, MTO_CODE_BYTES);
    const char *one = mto_random_b64url(p, 1);
    int i, distinct = 1;

    ok(a && strlen(a) == 43, "a 32-byte random token is 43 base64url characters");
    ok(c && strlen(c) == 32, "a 24-byte random code is 32 base64url characters");
    ok(one && strlen(one) == 2, "a 1-byte random value is 2 characters, unpadded");
    ok(b64url_only(a) && b64url_only(b) && b64url_only(c) && b64url_only(one),
       "random values use only the base64url alphabet, without padding");
    ok(a && b && strcmp(a, b) != 0, "two random tokens differ");
    for (i = 0; i < 50 && distinct; i++) {
        const char *x = mto_random_b64url(p, MTO_CODE_BYTES);
        distinct = x && strcmp(x, c) != 0 && strcmp(x, a) != 0;
    }
    ok(distinct, "fifty more random codes repeat none seen before");
    ok(mto_random_b64url(p, 0) == NULL, "a random value of no bytes is refused");
    ok(mto_random_b64url(p, (apr_size_t)1 << 20) == NULL,
       "an absurdly large random value is refused, not truncated");
}

/* MyTimetableOAuthSecretKeyFile's format. */
static void test_key_from_hex(apr_pool_t *p)
{
    const char *hex = mto_random_hex(p, MTO_KEY_BYTES), *text;
    const unsigned char *key = NULL;
    apr_size_t len = 0;
    char upper[80];
    int i;

    ok(hex && strlen(hex) == 64 && strspn(hex, "0123456789abcdef") == 64,
       "a random key is 64 lowercase hex digits");
    ok(hex && strcmp(hex, mto_random_hex(p, MTO_KEY_BYTES)) != 0, "two random keys differ");
    text = apr_pstrcat(p, hex, "\n", NULL);
    ok(mto_key_from_hex(p, text, strlen(text), &key, &len) == NULL && len == 32,
       "64 hex digits and a line end: a 32-byte key");
    ok(key
           && strcmp(mto_hmac_sha256_hex(p, key, len, "x", 1),
                     mto_hmac_sha256_hex(p, key, len, "x", 1))
                  == 0,
       "(the key is usable)");
    strcpy(upper, "0123456789ABCDEFabcdef0123456789ABCDEFabcdef0123456789ABCDEFabcd\r\n");
    ok(mto_key_from_hex(p, upper, strlen(upper), &key, &len) == NULL && len == 32 && key[0] == 0x01
           && key[5] == 0xab && key[6] == 0xcd && key[8] == 0xab,
       "either case, CRLF: decoded byte by byte");
    ok(mto_key_from_hex(p, hex, 62, &key, &len) != NULL, "62 hex digits (248 bits): too short");
    ok(mto_key_from_hex(p, text, 63, &key, &len) != NULL, "an odd number of digits is refused");
    ok(mto_key_from_hex(p, "", 0, &key, &len) != NULL, "an empty file is refused");
    text = apr_pstrcat(p, hex, "\n", hex, NULL);
    ok(mto_key_from_hex(p, text, strlen(text), &key, &len) != NULL,
       "two lines of hex are refused (a key has one)");
    text = apr_pstrcat(p, hex, "\0", NULL);
    ok(mto_key_from_hex(p, text, 65, &key, &len) != NULL, "a NUL after the digits is refused");
    text = apr_pstrcat(p, "key=", hex, NULL);
    ok(mto_key_from_hex(p, text, strlen(text), &key, &len) != NULL,
       "anything before the digits is refused");
    text = "";
    for (i = 0; i < 17; i++) {
        text = apr_pstrcat(p, text, hex, NULL);
    }
    ok(mto_key_from_hex(p, text, 1024, &key, &len) == NULL && len == 512,
       "1024 hex digits: the longest key");
    ok(mto_key_from_hex(p, text, 1026, &key, &len) != NULL, "1026 hex digits: too long");
}

static void test_ct_streq(void)
{
    ok(mto_ct_streq("secret", "secret"), "equal strings are equal");
    ok(mto_ct_streq("", ""), "two empty strings are equal");
    ok(!mto_ct_streq("secret", "secreT"), "strings differing in the last byte differ");
    ok(!mto_ct_streq("secret", "Secret"), "strings differing in the first byte differ");
    ok(!mto_ct_streq("secret", "secret2"), "a string is not equal to a longer one");
    ok(!mto_ct_streq("secret2", "secret"), "a string is not equal to its prefix");
    ok(!mto_ct_streq("", "x"), "the empty string equals no other");
    ok(!mto_ct_streq(NULL, "x"), "NULL equals nothing (first argument)");
    ok(!mto_ct_streq("x", NULL), "NULL equals nothing (second argument)");
    ok(!mto_ct_streq(NULL, NULL), "NULL does not even equal NULL");
    ok(!mto_ct_streq(NULL, ""), "NULL does not equal the empty string");
}

int main(void)
{
    apr_pool_t *p;

    apr_initialize();
    apr_pool_create(&p, NULL);
    test_sha256(p);
    test_pkce_s256(p);
    test_hmac(p);
    test_random(p);
    test_key_from_hex(p);
    test_ct_streq();
    apr_pool_destroy(p);
    apr_terminate();
    return done_testing();
}
