/*
 * fuzz_secret.c - libFuzzer target for the Spring Security hash strings
 * (secret.c): mto_secret_verify, mto_secret_is_slow, mto_api_token_matches,
 * and the hashes the admin tool writes.
 *
 * The input is "stored\npresented\nsalt".  The stored value is checked
 * against the presented secret and compared with a model written from the
 * formats in secret.c's header, with OpenSSL's SHA256() and libxcrypt's
 * crypt_r() (another bcrypt than APR's) as the reference.  Then hashes made
 * from the presented secret must match it, and only it.
 *
 * bcrypt is slow on purpose: a well-formed {bcrypt} value from the fuzzer is
 * checked at cost 04 whatever its cost says, and the bcrypt round trip runs
 * for one input in 64 only, so that the fuzzer keeps its pace.
 */
#include <crypt.h>

#include "fuzz.h"

#define pool mto_fuzz_pool /* cleared after each input */

#define SHA256_PFX "{SHA-256}"
#define BCRYPT_PFX "{bcrypt}"
#define NOOP_PFX   "{noop}"

static int prefixed(const char *s, const char *pfx)
{
    return strncmp(s, pfx, strlen(pfx)) == 0;
}

/* Exactly 64 hex digits, lowercased; NULL otherwise. */
static const char *hex64(const char *s)
{
    char *out;
    size_t i;

    if (strlen(s) != 64 || strspn(s, "0123456789abcdefABCDEF") != 64) {
        return NULL;
    }
    out = mto_fuzz_pstrdup(NULL, s);
    for (i = 0; i < 64; i++) {
        if (out[i] >= 'A' && out[i] <= 'F') {
            out[i] = (char)(out[i] - 'A' + 'a');
        }
    }
    return out;
}

/* $2a$, $2b$ or $2y$, a two-digit cost 04..31, 53 characters of ./A-Za-z0-9. */
static int bcrypt_shape(const char *h)
{
    static const char abc[] = "./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    int cost;

    if (strlen(h) != 60 || strncmp(h, "$2", 2) != 0 || !h[2] || !strchr("aby", h[2]) || h[3] != '$'
        || strspn(h + 4, "0123456789") < 2 || h[6] != '$' || strspn(h + 7, abc) != 53) {
        return 0;
    }
    cost = (h[4] - '0') * 10 + (h[5] - '0');
    return cost >= 4 && cost <= 31;
}

static mto_secret_result_t model_sha256(const char *body, const char *presented)
{
    const char *salt = "", *hex = body, *close;

    if (*body == '{') {
        close = strchr(body, '}');
        if (!close || close == body + 1) {
            return MTO_SECRET_UNSUPPORTED;
        }
        salt = memdup(body, (size_t)(close + 1 - body));
        hex = close + 1;
    }
    if (!(hex = hex64(hex))) {
        return MTO_SECRET_UNSUPPORTED;
    }
    if (!*presented) {
        return MTO_SECRET_MISMATCH;
    }
    return strcmp(mto_fuzz_sha256_hex(cat(presented, salt)), hex) == 0 ? MTO_SECRET_MATCH
                                                                       : MTO_SECRET_MISMATCH;
}

/* libxcrypt's bcrypt, which reads $2b$ and $2y$ the same. */
static mto_secret_result_t model_bcrypt(const char *h, const char *presented)
{
    struct crypt_data *cd;
    const char *got;
    mto_secret_result_t rv;

    if (!bcrypt_shape(h)) {
        return MTO_SECRET_UNSUPPORTED;
    }
    if (!*presented) {
        return MTO_SECRET_MISMATCH;
    }
    cd = calloc(1, sizeof(*cd));
    got = crypt_r(presented, h, cd);
    rv = got && strcmp(got, h) == 0 ? MTO_SECRET_MATCH : MTO_SECRET_MISMATCH;
    free(cd);
    return rv;
}

static mto_secret_result_t model_verify(const char *stored, const char *presented)
{
    if (prefixed(stored, SHA256_PFX)) {
        return model_sha256(stored + strlen(SHA256_PFX), presented);
    }
    if (prefixed(stored, BCRYPT_PFX)) {
        return model_bcrypt(stored + strlen(BCRYPT_PFX), presented);
    }
    if (prefixed(stored, NOOP_PFX) && stored[strlen(NOOP_PFX)]) {
        return !*presented                                         ? MTO_SECRET_MISMATCH
               : strcmp(stored + strlen(NOOP_PFX), presented) == 0 ? MTO_SECRET_MATCH
                                                                   : MTO_SECRET_MISMATCH;
    }
    return MTO_SECRET_UNSUPPORTED;
}

/* A well-formed {bcrypt} value costs 2^cost rounds: checked at cost 04. */
static const char *cheap(const char *stored)
{
    char *s;

    if (!prefixed(stored, BCRYPT_PFX) || !bcrypt_shape(stored + strlen(BCRYPT_PFX))) {
        return stored;
    }
    s = mto_fuzz_pstrdup(NULL, stored);
    memcpy(s + strlen(BCRYPT_PFX) + 4, "04", 2);
    return s;
}

static mto_secret_result_t check_verify(const char *stored, const char *presented)
{
    const char *why = "unset";
    mto_secret_result_t rv = mto_secret_verify(pool, stored, presented, &why);

    check(rv == model_verify(stored, presented), "verify: not the model's answer");
    check((rv == MTO_SECRET_UNSUPPORTED) == (why != NULL),
          "verify: a reason exactly when unsupported");
    check(!why
              || strspn(why, " !\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ"
                             "[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~")
                     == strlen(why),
          "verify: the reason is not printable ASCII");
    check(mto_secret_verify(pool, stored, presented, NULL) == rv,
          "verify: differs without a reason");
    check(mto_secret_is_slow(stored) == prefixed(stored, BCRYPT_PFX),
          "is_slow: not exactly {bcrypt}");
    return rv;
}

static void check_api_token(const char *stored, const char *presented)
{
    int want;

    if (!*stored || !*presented) {
        want = 0;
    }
    else if (!prefixed(stored, SHA256_PFX)) {
        want = strcmp(stored, presented) == 0;
    }
    else {
        want = same(hex64(stored + strlen(SHA256_PFX)), mto_fuzz_sha256_hex(presented));
    }
    check(mto_api_token_matches(pool, stored, presented) == want,
          "api token: not the model's answer");
}

static const char *upper(const char *s)
{
    char *u = mto_fuzz_pstrdup(NULL, s), *c;

    for (c = u; *c; c++) {
        if (*c >= 'a' && *c <= 'z') {
            *c = (char)(*c - 'a' + 'A');
        }
    }
    return u;
}

/* Hashes made from the presented secret p match p, and only p. */
static void check_sha256_round_trip(const char *p, const char *salt)
{
    mto_secret_result_t want = *p ? MTO_SECRET_MATCH : MTO_SECRET_MISMATCH;
    const char *hash = mto_secret_hash_sha256(pool, p), *salted;

    check(same(hash, cat(SHA256_PFX, mto_fuzz_sha256_hex(p))),
          "hash_sha256: not {SHA-256} and the hex");
    check(check_verify(hash, p) == want, "sha256: its own hash does not match a secret");
    check(check_verify(cat(SHA256_PFX, upper(hash + strlen(SHA256_PFX))), p) == want,
          "sha256: uppercase hex does not match");
    check(check_verify(hash, cat(p, "x")) == MTO_SECRET_MISMATCH, "sha256: another secret matches");
    salted = cat(SHA256_PFX, "{", salt, "}", mto_fuzz_sha256_hex(cat(p, "{", salt, "}")));
    check(check_verify(salted, p) == want, "sha256: a salted hash does not match its secret");
    check(check_verify(salted, cat(p, "{", salt, "}")) == MTO_SECRET_MISMATCH,
          "sha256: the secret with the salt appended matches");
    check(check_verify(cat(NOOP_PFX, p), p) == (*p ? want : MTO_SECRET_UNSUPPORTED),
          "noop: the clear secret does not match itself");
    check(mto_api_token_matches(pool, hash, p) == !!*p, "api token: its {SHA-256} does not match");
    check_api_token(hash, p);
    check_api_token(p, p);
}

/* A bcrypt hash of p, at cost 04, read as $2b$, $2y$ and (ASCII only) $2a$. */
static void check_bcrypt_round_trip(const char *p)
{
    mto_secret_result_t want = *p ? MTO_SECRET_MATCH : MTO_SECRET_MISMATCH;
    const char *hash = mto_secret_hash_bcrypt(pool, p, 4), *c;
    char *b;
    int ascii = 1;

    check(hash && prefixed(hash, BCRYPT_PFX "$2y$04$"), "hash_bcrypt: not {bcrypt}$2y$04$");
    check(check_verify(hash, p) == want, "bcrypt: its own hash does not match a secret");
    b = mto_fuzz_pstrdup(NULL, hash);
    b[strlen(BCRYPT_PFX) + 2] = 'b';
    check(check_verify(b, p) == want, "bcrypt: $2b$ is not the same as $2y$");
    for (c = p; *c; c++) {
        ascii &= (unsigned char)*c < 0x80;
    }
    b[strlen(BCRYPT_PFX) + 2] = 'a';
    check(!ascii || check_verify(b, p) == want, "bcrypt: $2a$ differs from $2y$ on ASCII");
    /* bcrypt reads 72 bytes: past them, another secret is the same one. */
    check(check_verify(hash, cat(p, "x")) == (strlen(p) >= 72 ? want : MTO_SECRET_MISMATCH),
          "bcrypt: not the first 72 bytes that count");
}

void mto_fuzz_one(const uint8_t *data, size_t size)
{
    const char *part[3], *stored, *presented, *salt;
    unsigned sum = 0;
    size_t i;

    mto_fuzz_parts(data, size, part, 3);
    stored = part[0];
    presented = part[1] ? part[1] : "";
    /* Spring's salt is what stands between the braces. */
    salt = part[2] && *part[2] && !strchr(part[2], '}') ? part[2] : "salt";

    check_verify(cheap(stored), presented);
    if (!mto_secret_is_slow(stored)) {
        check_verify(stored, stored);
    }
    check_api_token(stored, presented);
    check_sha256_round_trip(presented, salt);
    check_sha256_round_trip(stored, salt);
    for (i = 0; i < size; i++) {
        sum += data[i];
    }
    if (sum % 64 == 0) {
        check_bcrypt_round_trip(presented);
    }
    check(mto_secret_verify(pool, NULL, presented, NULL) == MTO_SECRET_UNSUPPORTED,
          "verify: no stored value is unsupported");
    check(!mto_api_token_matches(pool, NULL, presented), "api token: nothing stored matches");
}
