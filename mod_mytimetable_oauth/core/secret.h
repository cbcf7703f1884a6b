/*
 * secret.h - Spring Security secret hashes (secret.c).
 */
#ifndef MTO_CORE_SECRET_H
#define MTO_CORE_SECRET_H

#include <apr_pools.h>

typedef enum {
    MTO_SECRET_MATCH = 0,
    MTO_SECRET_MISMATCH,
    MTO_SECRET_UNSUPPORTED /* stored value is no format we know, or malformed */
} mto_secret_result_t;

/* Checks a presented client secret against a stored Spring Security hash
 * ({SHA-256}hex, {SHA-256}{salt}hex, {bcrypt}$2a|b|y$…, {noop}clear).
 * On MTO_SECRET_UNSUPPORTED *why says what is wrong with the stored value,
 * fit for the error log (it never contains the secret or the hash). */
mto_secret_result_t mto_secret_verify(apr_pool_t *p, const char *stored, const char *presented,
                                      const char **why);

/* The stored value in a form fit for a cache: the same presented secrets
 * verify against it, and it holds no secret in clear ({noop} becomes
 * {SHA-256}).  NULL for a value that is no supported hash (such a row is not
 * cached, so that the error log keeps saying what is wrong with it). */
const char *mto_secret_for_cache(apr_pool_t *p, const char *stored);

/* True for a {bcrypt} value: worth remembering a successful check. */
int mto_secret_is_slow(const char *stored);

/* Spring-format hashes of a secret, as the admin tool writes them. */
const char *mto_secret_hash_sha256(apr_pool_t *p, const char *secret);
const char *mto_secret_hash_bcrypt(apr_pool_t *p, const char *secret, int cost);

/* An api_tokens.token value matches a presented API token: clear text
 * (as MyTimetable stores it) or {SHA-256}hex.  Constant time. */
int mto_api_token_matches(apr_pool_t *p, const char *stored, const char *presented);

#endif /* MTO_CORE_SECRET_H */
