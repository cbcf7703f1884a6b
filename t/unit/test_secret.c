/*
 * test_secret.c - unit tests for secret.c: Spring Security client secrets
 * ({SHA-256} plain and salted, {bcrypt} $2a$/$2b$/$2y$, {noop}), the hashes
 * the admin tool writes, and api_tokens values.  Prints TAP; t/unit/secret.t
 * runs it.
 */
#include <string.h>

#include <apr_general.h>
#include <apr_md5.h>

#include "core/core.h"
#include "tap.h"

#define SECRET "s3cret-xyz"
/* A salt as Spring writes it: 32 random bytes in base64, inside braces. */
#define SALT   "{3ldr9rGJu8f7VvpnMANEC2mCRyTlaaV3iptWYsQrdoY=}"

/* tap.h's is_str() shadows its own result inside ok() and reads it
 * uninitialised; this does the same job through ok() alone. */
static void check_str(const char *got, const char *want, const char *name)
{
    int same = got && want ? strcmp(got, want) == 0 : got == want;

    ok(same, "%s", name);
    if (!same) {
        printf("#   got: '%s'\n#   expected: '%s'\n", got ? got : "(null)", want ? want : "(null)");
    }
}

static mto_secret_result_t verify(apr_pool_t *p, const char *stored, const char *presented)
{
    return mto_secret_verify(p, stored, presented, NULL);
}

/* The stored value is refused, and the reason quotes neither the presented
 * secret nor what follows the {id} prefix. */
static void refused(apr_pool_t *p, const char *stored, const char *name)
{
    const char *why = NULL;
    const char *body = strchr(stored, '}') ? strchr(stored, '}') + 1 : stored;
    mto_secret_result_t r = mto_secret_verify(p, stored, SECRET, &why);

    ok(r == MTO_SECRET_UNSUPPORTED && why && *why, "%s: refused, with a reason", name);
    ok(why && !strstr(why, SECRET) && (!*body || !strstr(why, body)),
       "%s: the reason quotes neither secret nor hash", name);
}

/* A bcrypt hash of secret at cost 4 as APR writes it ($2y$), with its
 * third character replaced by variant. */
static const char *bcrypt_as(apr_pool_t *p, const char *secret, char variant)
{
    unsigned char salt[16] = "0123456789abcdef";
    char out[64], *h;

    if (apr_bcrypt_encode(secret, 4, salt, sizeof(salt), out, sizeof(out)) != APR_SUCCESS) {
        return "{bcrypt}apr_bcrypt_encode failed";
    }
    h = apr_pstrcat(p, "{bcrypt}", out, NULL);
    h[strlen("{bcrypt}") + 2] = variant;
    return h;
}

static void test_sha256(apr_pool_t *p)
{
    const char *plain = "{SHA-256}9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
    const char *upper = "{SHA-256}9F86D081884C7D659A2FEAA0C55AD015A3BF4F1B2B0B822CD15D6C15B0F00A08";
    const char *known =
        "{SHA-256}" SALT "79faf26c217e54e5aa6abbf72059b7a665113dd5b655008467239c76af71fbea";
    const char *salted = apr_pstrcat(p, "{SHA-256}", SALT,
                                     mto_sha256_hex(p, SECRET SALT, strlen(SECRET SALT)), NULL);
    const char *why = "unset";

    ok(mto_secret_verify(p, plain, "test", &why) == MTO_SECRET_MATCH && why == NULL,
       "Spring SHA-256 matches the right secret and gives no reason");
    ok(verify(p, plain, "Test") == MTO_SECRET_MISMATCH, "Spring SHA-256 refuses a wrong secret");
    ok(verify(p, upper, "test") == MTO_SECRET_MATCH, "Spring SHA-256 in uppercase hex matches");
    ok(verify(p, plain, plain) == MTO_SECRET_MISMATCH,
       "presenting the stored SHA-256 hash itself does not match");
    ok(verify(p, salted, SECRET) == MTO_SECRET_MATCH,
       "salted Spring SHA-256 matches the right secret");
    ok(verify(p, salted, SECRET "x") == MTO_SECRET_MISMATCH,
       "salted Spring SHA-256 refuses a wrong secret");
    ok(verify(p, known, SECRET) == MTO_SECRET_MATCH,
       "salted Spring SHA-256 digests secret + \"{salt}\" with the braces (known vector)");
    ok(verify(p,
              apr_pstrcat(p, "{SHA-256}", mto_sha256_hex(p, SECRET SALT, strlen(SECRET SALT)),
                          NULL),
              SECRET)
           == MTO_SECRET_MISMATCH,
       "a salted digest without its {salt} does not match");
    refused(p, "{SHA-256}" SECRET, "SHA-256 that is not 64 hex digits");
    refused(p, "{SHA-256}9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a0",
            "SHA-256 of 63 hex digits");
    refused(p, "{SHA-256}9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a0g",
            "SHA-256 with a non-hex digit");
    refused(p, "{SHA-256}{}9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
            "salted SHA-256 with an empty salt");
    refused(p, "{SHA-256}{" SECRET, "salted SHA-256 whose salt never closes");
    refused(p, "{SHA-256}", "SHA-256 with nothing after the prefix");
}

static void test_bcrypt(apr_pool_t *p)
{
    const char *spring = "{bcrypt}$2a$10$dXJ3SW6G7P50lGmMkkmwe.20cQQubK3.HZWzG3YB1tlRy.fqvM/BG";
    const char *y = bcrypt_as(p, SECRET, 'y');
    const char *valid = y + strlen("{bcrypt}");
    const char *why = "unset";

    ok(mto_secret_verify(p, y, SECRET, &why) == MTO_SECRET_MATCH && why == NULL,
       "bcrypt $2y$ matches the right secret and gives no reason");
    ok(verify(p, y, SECRET "x") == MTO_SECRET_MISMATCH, "bcrypt $2y$ refuses a wrong secret");
    ok(verify(p, bcrypt_as(p, SECRET, 'a'), SECRET) == MTO_SECRET_MATCH,
       "bcrypt $2a$ matches the right secret");
    ok(verify(p, bcrypt_as(p, SECRET, 'a'), "wrong") == MTO_SECRET_MISMATCH,
       "bcrypt $2a$ refuses a wrong secret");
    ok(verify(p, bcrypt_as(p, SECRET, 'b'), SECRET) == MTO_SECRET_MATCH,
       "bcrypt $2b$ matches the right secret");
    ok(verify(p, bcrypt_as(p, SECRET, 'b'), "wrong") == MTO_SECRET_MISMATCH,
       "bcrypt $2b$ refuses a wrong secret");
    ok(verify(p, bcrypt_as(p, "\xff\xff\xff", 'b'), "\xff\xff\xff") == MTO_SECRET_MATCH,
       "bcrypt $2b$ matches a secret on which crypt_blowfish's $2a$ deviates");
    ok(verify(p, spring, "password") == MTO_SECRET_MATCH,
       "the bcrypt example of Spring's documentation matches \"password\"");
    ok(verify(p, spring, "Password") == MTO_SECRET_MISMATCH,
       "the bcrypt example of Spring's documentation refuses \"Password\"");
    ok(verify(p, y, valid) == MTO_SECRET_MISMATCH,
       "presenting the stored bcrypt hash itself does not match");
    refused(p, apr_pstrndup(p, y, strlen(y) - 1), "bcrypt one character short");
    refused(p, apr_pstrcat(p, y, "A", NULL), "bcrypt one character long");
    refused(p, apr_pstrcat(p, "{bcrypt}$2x$04$", valid + 7, NULL), "bcrypt $2x$");
    refused(p, apr_pstrcat(p, "{bcrypt}$2a$03$", valid + 7, NULL), "bcrypt cost 03");
    refused(p, apr_pstrcat(p, "{bcrypt}$2a$32$", valid + 7, NULL), "bcrypt cost 32");
    refused(p, apr_pstrcat(p, "{bcrypt}$2a$1a$", valid + 7, NULL), "bcrypt cost not digits");
    refused(p, apr_pstrcat(p, "{bcrypt}$2a$04$", "!", valid + 8, NULL),
            "bcrypt with a character outside its alphabet");
    refused(p, "{bcrypt}$1$abcdefgh$7.vq19w/w3Vm.hk1FOA7Q/",
            "an MD5-crypt hash of the secret under {bcrypt} (never handed to crypt(3))");
    refused(p, "{bcrypt}" SECRET, "bcrypt holding clear text");
    refused(p, "{bcrypt}", "bcrypt with nothing after the prefix");
}

static void test_noop_and_prefixes(apr_pool_t *p)
{
    ok(verify(p, "{noop}" SECRET, SECRET) == MTO_SECRET_MATCH, "{noop} matches the right secret");
    ok(verify(p, "{noop}" SECRET, SECRET "x") == MTO_SECRET_MISMATCH,
       "{noop} refuses a longer secret");
    ok(verify(p, "{noop}" SECRET, "s3cret-xyZ") == MTO_SECRET_MISMATCH,
       "{noop} refuses a secret differing in case");
    refused(p, "{noop}", "an empty {noop} secret");
    refused(p, "{MD5}" SECRET, "an unknown hash prefix");
    refused(p, "{sha-256}9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
            "a prefix in the wrong case");
    refused(p, "{SHA-256" SECRET, "a prefix that never closes");
    refused(p, SECRET, "a secret with no prefix");
    refused(p, "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
            "bare hex with no prefix");
    refused(p, "", "an empty stored secret");
    ok(mto_secret_verify(p, NULL, SECRET, NULL) == MTO_SECRET_UNSUPPORTED,
       "a NULL stored secret is refused (why may be NULL)");
}

static void test_empty_presented(apr_pool_t *p)
{
    const char *stored[] = {
        "{SHA-256}e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        "{SHA-256}" SALT "79faf26c217e54e5aa6abbf72059b7a665113dd5b655008467239c76af71fbea",
        bcrypt_as(p, "", 'y'),
        "{noop}" SECRET,
    };
    const char *names[] = { "SHA-256 of the empty string", "salted SHA-256",
                            "bcrypt of the empty string", "{noop}" };
    unsigned i;

    for (i = 0; i < sizeof(stored) / sizeof(*stored); i++) {
        ok(verify(p, stored[i], "") == MTO_SECRET_MISMATCH,
           "an empty presented secret does not match %s", names[i]);
        ok(verify(p, stored[i], NULL) == MTO_SECRET_MISMATCH,
           "a NULL presented secret does not match %s", names[i]);
    }
}

static void test_hashing(apr_pool_t *p)
{
    const char *sha = mto_secret_hash_sha256(p, SECRET);
    const char *bc = mto_secret_hash_bcrypt(p, SECRET, 4);

    check_str(mto_secret_hash_sha256(p, "test"),
              "{SHA-256}9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
              "hash_sha256 writes {SHA-256} and lowercase hex");
    ok(verify(p, sha, SECRET) == MTO_SECRET_MATCH, "a written SHA-256 hash verifies");
    ok(verify(p, sha, "wrong") == MTO_SECRET_MISMATCH,
       "a written SHA-256 hash refuses a wrong secret");
    ok(mto_secret_hash_sha256(p, NULL) == NULL, "hash_sha256 of NULL is NULL");
    ok(bc && strncmp(bc, "{bcrypt}$2y$04$", 15) == 0 && strlen(bc) == 68,
       "hash_bcrypt writes {bcrypt} and a 60-character $2y$ hash of the given cost");
    ok(verify(p, bc, SECRET) == MTO_SECRET_MATCH, "a written bcrypt hash verifies");
    ok(verify(p, bc, "wrong") == MTO_SECRET_MISMATCH,
       "a written bcrypt hash refuses a wrong secret");
    ok(bc && strcmp(bc, mto_secret_hash_bcrypt(p, SECRET, 4)) != 0,
       "two bcrypt hashes of one secret differ (random salt)");
    ok(mto_secret_hash_bcrypt(p, SECRET, 3) == NULL, "hash_bcrypt refuses cost 3");
    ok(mto_secret_hash_bcrypt(p, SECRET, 32) == NULL, "hash_bcrypt refuses cost 32");
    ok(mto_secret_hash_bcrypt(p, NULL, 4) == NULL, "hash_bcrypt of NULL is NULL");
    ok(mto_secret_is_slow(bc), "a bcrypt secret is slow");
    ok(!mto_secret_is_slow(sha), "a SHA-256 secret is not slow");
    ok(!mto_secret_is_slow("{noop}x") && !mto_secret_is_slow(NULL),
       "{noop} and NULL secrets are not slow");
}

static void test_api_tokens(apr_pool_t *p)
{
    const char *hashed =
        "{SHA-256}9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
    const char *upper = "{SHA-256}9F86D081884C7D659A2FEAA0C55AD015A3BF4F1B2B0B822CD15D6C15B0F00A08";

    ok(mto_api_token_matches(p, "tok-123", "tok-123"), "a clear api token matches itself");
    ok(!mto_api_token_matches(p, "tok-123", "tok-124"), "a clear api token refuses another");
    ok(!mto_api_token_matches(p, "tok-123", "tok-1234"), "a clear api token refuses a longer one");
    ok(!mto_api_token_matches(p, "tok-123", "tok-12"), "a clear api token refuses its prefix");
    ok(mto_api_token_matches(p, hashed, "test"), "a {SHA-256} api token matches its token");
    ok(mto_api_token_matches(p, upper, "test"), "a {SHA-256} api token in uppercase hex matches");
    ok(!mto_api_token_matches(p, hashed, "Test"), "a {SHA-256} api token refuses another token");
    ok(!mto_api_token_matches(p, hashed, hashed),
       "presenting the stored {SHA-256} value itself does not match");
    ok(!mto_api_token_matches(p, "{SHA-256}abc", "test"),
       "a malformed {SHA-256} api token matches nothing");
    ok(!mto_api_token_matches(p, "tok-123", "") && !mto_api_token_matches(p, "tok-123", NULL),
       "an empty or NULL presented api token matches nothing");
    ok(!mto_api_token_matches(p, "", "") && !mto_api_token_matches(p, NULL, "x"),
       "an empty or NULL stored api token matches nothing");
    ok(mto_api_token_matches(p, mto_secret_hash_sha256(p, "tok-123"), "tok-123"),
       "an api token hashed by hash_sha256 matches");
}

int main(void)
{
    apr_pool_t *p;

    apr_initialize();
    apr_pool_create(&p, NULL);
    test_sha256(p);
    test_bcrypt(p);
    test_noop_and_prefixes(p);
    test_empty_presented(p);
    test_hashing(p);
    test_api_tokens(p);
    apr_pool_destroy(p);
    apr_terminate();
    return done_testing();
}
