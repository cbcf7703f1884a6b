/*
 * secret.c - client secrets as Spring Security stores them in
 * oauth_client_details.client_secret (README "Using an existing MyTimetable database"), and api_tokens.token values:
 * checking a presented secret, and writing new hashes for the admin tool.
 *
 *   {SHA-256}<hex>          MessageDigestPasswordEncoder, unsalted
 *   {SHA-256}{salt}<hex>    the same, salted: hex of SHA-256(secret + "{salt}")
 *   {bcrypt}$2a|2b|2y$...   BCryptPasswordEncoder
 *   {noop}<clear>           NoOpPasswordEncoder
 *
 * Every comparison runs in constant time, and no message built here ever
 * quotes a secret or a stored hash: they go to the error log.
 */
#include <string.h>

#include <apr_lib.h>
#include <apr_md5.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "core/core.h"

#define MTO_PFX_SHA256 "{SHA-256}"
#define MTO_PFX_BCRYPT "{bcrypt}"
#define MTO_PFX_NOOP   "{noop}"

#define MTO_SHA256_HEX_LEN 64
#define MTO_BCRYPT_LEN     60 /* "$2a$10$" + 22 salt + 31 hash characters */
#define MTO_BCRYPT_SALT    16

static int mto_has_prefix(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

static int mto_empty(const char *s)
{
    return !s || !*s;
}

/* The stored hex, lowercased so that it compares with mto_sha256_hex();
 * NULL unless it is exactly 64 hex digits. */
static const char *mto_hex_lower(apr_pool_t *p, const char *hex)
{
    char *out;
    apr_size_t i;

    if (strlen(hex) != MTO_SHA256_HEX_LEN) {
        return NULL;
    }
    out = apr_pstrdup(p, hex);
    for (i = 0; i < MTO_SHA256_HEX_LEN; i++) {
        if (!apr_isxdigit(out[i])) {
            return NULL;
        }
        out[i] = apr_tolower(out[i]);
    }
    return out;
}

/* Compares digests rather than the strings themselves, so the time taken
 * does not even tell the length of the stored clear text. */
static int mto_clear_matches(apr_pool_t *p, const char *stored, const char *presented)
{
    return mto_ct_streq(mto_sha256_hex(p, stored, strlen(stored)),
                        mto_sha256_hex(p, presented, strlen(presented)));
}

/* ------------------------------------------------------------- {SHA-256} */

/* body is what follows "{SHA-256}": <hex> or {salt}<hex>.  Spring digests
 * secret + "{salt}", braces included, and writes "{salt}" before the hex. */
static mto_secret_result_t mto_verify_sha256(apr_pool_t *p, const char *body, const char *presented,
                                             const char **why)
{
    const char *salt = "", *hex = body, *want, *got;

    if (*body == '{') {
        const char *close = strchr(body, '}');
        if (!close) {
            *why = "SHA-256 salt has no closing brace";
            return MTO_SECRET_UNSUPPORTED;
        }
        if (close == body + 1) {
            *why = "SHA-256 salt is empty";
            return MTO_SECRET_UNSUPPORTED;
        }
        salt = apr_pstrmemdup(p, body, close - body + 1);
        hex = close + 1;
    }
    want = mto_hex_lower(p, hex);
    if (!want) {
        *why = "SHA-256 hash is not 64 hex digits";
        return MTO_SECRET_UNSUPPORTED;
    }
    if (mto_empty(presented)) {
        return MTO_SECRET_MISMATCH;
    }
    got = apr_pstrcat(p, presented, salt, NULL);
    got = mto_sha256_hex(p, got, strlen(got));
    return mto_ct_streq(got, want) ? MTO_SECRET_MATCH : MTO_SECRET_MISMATCH;
}

/* -------------------------------------------------------------- {bcrypt} */

static int mto_is_bcrypt_char(char c)
{
    return apr_isalnum(c) || c == '.' || c == '/';
}

/* Checks the shape ourselves: apr_password_validate() hands anything it does
 * not recognise to crypt(3), which may accept what is not bcrypt at all. */
static const char *mto_bcrypt_malformed(const char *h)
{
    int cost, i;

    if (strlen(h) != MTO_BCRYPT_LEN) {
        return "bcrypt hash is not 60 characters";
    }
    if (h[0] != '$' || h[1] != '2' || !strchr("aby", h[2]) || h[3] != '$') {
        return "bcrypt hash is not $2a$, $2b$ or $2y$";
    }
    if (!apr_isdigit(h[4]) || !apr_isdigit(h[5]) || h[6] != '$') {
        return "bcrypt cost is not two digits";
    }
    cost = (h[4] - '0') * 10 + (h[5] - '0');
    if (cost < 4 || cost > 31) {
        return "bcrypt cost is not between 04 and 31";
    }
    for (i = 7; i < MTO_BCRYPT_LEN; i++) {
        if (!mto_is_bcrypt_char(h[i])) {
            return "bcrypt hash has characters outside its alphabet";
        }
    }
    return NULL;
}

/* $2b$ (OpenBSD, Spring) is the correct algorithm, which APR's crypt_blowfish
 * calls $2y$.  Not $2a$: for its $2a$ crypt_blowfish deliberately deviates on
 * some secrets with 8-bit bytes (e.g. "\xff\xff\xff"), which then fail.
 * bcrypt reads only the first 72 bytes of a secret, as Spring's did. */
static mto_secret_result_t mto_verify_bcrypt(const char *hash, const char *presented,
                                             const char **why)
{
    char buf[MTO_BCRYPT_LEN + 1];

    if ((*why = mto_bcrypt_malformed(hash)) != NULL) {
        return MTO_SECRET_UNSUPPORTED;
    }
    if (mto_empty(presented)) {
        return MTO_SECRET_MISMATCH;
    }
    memcpy(buf, hash, sizeof(buf));
    if (buf[2] == 'b') {
        buf[2] = 'y';
    }
    return apr_password_validate(presented, buf) == APR_SUCCESS ? MTO_SECRET_MATCH
                                                                : MTO_SECRET_MISMATCH;
}

/* ---------------------------------------------------------------- {noop} */

static mto_secret_result_t mto_verify_noop(apr_pool_t *p, const char *clear, const char *presented,
                                           const char **why)
{
    /* An empty secret would match nothing (empty ones are refused): say so. */
    if (!*clear) {
        *why = "{noop} secret is empty";
        return MTO_SECRET_UNSUPPORTED;
    }
    if (mto_empty(presented)) {
        return MTO_SECRET_MISMATCH;
    }
    return mto_clear_matches(p, clear, presented) ? MTO_SECRET_MATCH : MTO_SECRET_MISMATCH;
}

/* ---------------------------------------------------------------- public */

mto_secret_result_t mto_secret_verify(apr_pool_t *p, const char *stored, const char *presented,
                                      const char **why)
{
    const char *ignored;

    if (!why) {
        why = &ignored;
    }
    *why = NULL;
    if (mto_empty(stored)) {
        *why = "no secret stored";
        return MTO_SECRET_UNSUPPORTED;
    }
    if (mto_has_prefix(stored, MTO_PFX_SHA256)) {
        return mto_verify_sha256(p, stored + strlen(MTO_PFX_SHA256), presented, why);
    }
    if (mto_has_prefix(stored, MTO_PFX_BCRYPT)) {
        return mto_verify_bcrypt(stored + strlen(MTO_PFX_BCRYPT), presented, why);
    }
    if (mto_has_prefix(stored, MTO_PFX_NOOP)) {
        return mto_verify_noop(p, stored + strlen(MTO_PFX_NOOP), presented, why);
    }
    /* Spring's ids are case-sensitive: {sha-256} or {MD5} are not ours. */
    *why = *stored == '{' ? "unknown hash prefix (not {SHA-256}, {bcrypt} or {noop})"
                          : "no {id} hash prefix";
    return MTO_SECRET_UNSUPPORTED;
}

const char *mto_secret_for_cache(apr_pool_t *p, const char *stored)
{
    const char *why;

    /* An empty presented secret never matches, so this costs no bcrypt run;
     * it only tells a well-formed hash from anything else. */
    if (mto_secret_verify(p, stored, "", &why) == MTO_SECRET_UNSUPPORTED) {
        return NULL;
    }
    if (mto_has_prefix(stored, MTO_PFX_NOOP)) {
        return mto_secret_hash_sha256(p, stored + strlen(MTO_PFX_NOOP));
    }
    return stored;
}

int mto_secret_is_slow(const char *stored)
{
    return stored && mto_has_prefix(stored, MTO_PFX_BCRYPT);
}

const char *mto_secret_hash_sha256(apr_pool_t *p, const char *secret)
{
    const char *hex;

    if (!secret) {
        return NULL;
    }
    hex = mto_sha256_hex(p, secret, strlen(secret));
    return hex ? apr_pstrcat(p, MTO_PFX_SHA256, hex, NULL) : NULL;
}

/* APR writes $2y$, the same algorithm as Spring's $2a$/$2b$ for any secret
 * Java can send (its secrets are UTF-8); Spring reads $2y$ since 5.2. */
const char *mto_secret_hash_bcrypt(apr_pool_t *p, const char *secret, int cost)
{
    unsigned char salt[MTO_BCRYPT_SALT];
    char out[MTO_BCRYPT_LEN + 4];
    apr_status_t rv;

    if (!secret || cost < 4 || cost > 31) {
        return NULL;
    }
    if (RAND_bytes(salt, sizeof(salt)) != 1) {
        return NULL;
    }
    rv = apr_bcrypt_encode(secret, (unsigned int)cost, salt, sizeof(salt), out, sizeof(out));
    OPENSSL_cleanse(salt, sizeof(salt));
    if (rv != APR_SUCCESS) {
        return NULL;
    }
    return apr_pstrcat(p, MTO_PFX_BCRYPT, out, NULL);
}

int mto_api_token_matches(apr_pool_t *p, const char *stored, const char *presented)
{
    const char *want;

    if (mto_empty(stored) || mto_empty(presented)) {
        return 0;
    }
    if (!mto_has_prefix(stored, MTO_PFX_SHA256)) {
        return mto_clear_matches(p, stored, presented);
    }
    want = mto_hex_lower(p, stored + strlen(MTO_PFX_SHA256));
    return want && mto_ct_streq(mto_sha256_hex(p, presented, strlen(presented)), want);
}
