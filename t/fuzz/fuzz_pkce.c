/*
 * fuzz_pkce.c - libFuzzer target for PKCE (RFC 7636, core/proto.c):
 * mto_pkce_verifier_ok, mto_pkce_challenge_ok, mto_pkce_matches, and the
 * S256 transform it relies on (crypto.c mto_sha256_b64url).
 *
 * The input is "method\nchallenge\nverifier".  Each answer is compared with a
 * model from RFC 7636 §4.1-4.6, with S256 computed here by OpenSSL's
 * SHA256() and a base64url of our own.  The input is also made into a
 * valid verifier (bytes mapped into the unreserved alphabet, length brought
 * into 43..128): its S256 and plain challenges must be well-formed and
 * match it, and not another verifier.
 */
#include "fuzz.h"

#define pool mto_fuzz_pool /* cleared after each input */

static const char unreserved[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~";

/* RFC 7636 §4.1: 43*128unreserved. */
static int model_verifier_ok(const char *v)
{
    size_t n = strlen(v);

    return n >= 43 && n <= 128 && strspn(v, unreserved) == n;
}

/* §4.2: S256 is BASE64URL(SHA256(verifier)), 43 characters; as a string of
 * that shape, one whose last character carries bits past the 256 is none. */
static int model_challenge_ok(const char *method, const char *c)
{
    static const char b64url[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    const char *last;

    if (strcmp(method, "plain") == 0) {
        return model_verifier_ok(c);
    }
    if (strcmp(method, "S256") != 0 || strlen(c) != 43 || strspn(c, b64url) != 43) {
        return 0;
    }
    last = strchr(b64url, c[42]);
    return ((last - b64url) & 3) == 0;
}

static int model_matches(const char *method, const char *c, const char *v)
{
    if (!model_verifier_ok(v)) {
        return 0;
    }
    if (strcmp(method, "S256") == 0) {
        return strcmp(mto_fuzz_sha256_b64url(v), c) == 0;
    }
    return strcmp(method, "plain") == 0 && strcmp(v, c) == 0;
}

static void check_rules(const char *method, const char *c, const char *v)
{
    check(mto_pkce_verifier_ok(v) == model_verifier_ok(v), "verifier_ok: not 43..128 unreserved");
    check(mto_pkce_challenge_ok(method, c) == model_challenge_ok(method, c),
          "challenge_ok: differs from RFC 7636 for the method");
    check(mto_pkce_matches(pool, method, c, v) == model_matches(method, c, v),
          "matches: differs from the transform of the verifier");
}

/* The input as a valid verifier. */
static char *verifier_of(const uint8_t *data, size_t size)
{
    size_t n = 43 + size % 86, i;
    char *v = mto_fuzz_palloc(NULL, n + 1);

    for (i = 0; i < n; i++) {
        v[i] = unreserved[(size ? data[i % size] : 0) % (sizeof(unreserved) - 1)];
    }
    v[n] = '\0';
    return v;
}

static void check_round_trip(const char *v)
{
    const char *s256 = mto_sha256_b64url(pool, v, strlen(v));
    char *other = mto_fuzz_pstrdup(NULL, v);

    check(same(s256, mto_fuzz_sha256_b64url(v)), "S256: not BASE64URL(SHA256(verifier))");
    check(mto_pkce_verifier_ok(v), "round trip: a valid verifier is refused");
    check(mto_pkce_challenge_ok("S256", s256), "round trip: an S256 challenge is refused");
    check(mto_pkce_challenge_ok("plain", v), "round trip: a plain challenge is refused");
    check(mto_pkce_matches(pool, "S256", s256, v),
          "round trip: S256 of a verifier does not match it");
    check(mto_pkce_matches(pool, "plain", v, v),
          "round trip: a plain verifier does not match itself");
    check(!mto_pkce_matches(pool, "S256", v, v) || strcmp(v, s256) == 0,
          "round trip: the verifier matches itself as an S256 challenge");
    check(!mto_pkce_matches(pool, "s256", s256, v) && !mto_pkce_matches(pool, "PLAIN", v, v),
          "round trip: a method name matches in another case");
    other[0] = other[0] == 'a' ? 'b' : 'a';
    check(!mto_pkce_matches(pool, "S256", s256, other),
          "round trip: another verifier matches S256");
    check(!mto_pkce_matches(pool, "plain", v, other), "round trip: another verifier matches plain");
    check(!mto_pkce_matches(pool, "plain", v, cat(v, "a")),
          "round trip: a longer verifier matches plain");
}

void mto_fuzz_one(const uint8_t *data, size_t size)
{
    const char *part[3], *method, *c, *v;

    mto_fuzz_parts(data, size, part, 3);
    method = part[0];
    c = part[1] ? part[1] : part[0];
    v = part[2] ? part[2] : c;

    check_rules(method, c, v);
    check_rules("S256", c, v);
    check_rules("plain", c, v);
    check_rules("S256", mto_fuzz_sha256_b64url(v), v);
    check_round_trip(verifier_of(data, size));
    check(!mto_pkce_verifier_ok(NULL) && !mto_pkce_challenge_ok(NULL, c)
              && !mto_pkce_challenge_ok("S256", NULL) && !mto_pkce_matches(pool, NULL, c, v)
              && !mto_pkce_matches(pool, "plain", NULL, v)
              && !mto_pkce_matches(pool, "plain", c, NULL),
          "pkce: NULL is never valid");
}
