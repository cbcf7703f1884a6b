/*
 * test_crypto.c - unit tests for crypto.c: random values, SHA-256 (hex and
 * base64url, i.e. PKCE S256), HMAC-SHA256 and constant-time equality.
 * Prints TAP; t/unit/crypto.t runs it.
 */
#include <string.h>

#include <apr_general.h>

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
    test_ct_streq();
    apr_pool_destroy(p);
    apr_terminate();
    return done_testing();
}
