/*
 * crypto.h - randomness, digests and constant-time comparison
 * (crypto.c, OpenSSL).
 */
#ifndef MTO_CORE_CRYPTO_H
#define MTO_CORE_CRYPTO_H

#include <apr_pools.h>

/* Bits of randomness: codes get >= 128, tokens >= 256 (docs/endpoints.md). */
#define MTO_CODE_BYTES  24
#define MTO_TOKEN_BYTES 32

/* A fresh random value from OpenSSL's RAND_bytes, base64url without padding.
 * Returns NULL when the generator fails (never falls back to anything weaker). */
const char *mto_random_b64url(apr_pool_t *p, apr_size_t nbytes);

/* The same as lowercase hex (the key files of README "Several servers"). */
const char *mto_random_hex(apr_pool_t *p, apr_size_t nbytes);

/* A secret key file's text (MyTimetableOAuthSecretKeyFile): MTO_KEY_MIN_HEX
 * to MTO_KEY_MAX_HEX hex digits, either case, then nothing but white space.
 * Returns NULL and the key's bytes in *key, *keylen; else why it is no key. */
#define MTO_KEY_BYTES   32 /* what `key generate` writes */
#define MTO_KEY_MIN_HEX 64 /* 256 bits */
#define MTO_KEY_MAX_HEX 1024
const char *mto_key_from_hex(apr_pool_t *p, const char *text, apr_size_t len,
                             const unsigned char **key, apr_size_t *keylen);

/* Lowercase hex of SHA-256 of data: how codes and tokens are stored and keyed. */
const char *mto_sha256_hex(apr_pool_t *p, const void *data, apr_size_t len);

/* base64url (no padding) of SHA-256 of data: PKCE S256. */
const char *mto_sha256_b64url(apr_pool_t *p, const void *data, apr_size_t len);

/* Hex of HMAC-SHA256(key, data). */
const char *mto_hmac_sha256_hex(apr_pool_t *p, const unsigned char *key, apr_size_t keylen,
                                const void *data, apr_size_t len);

/* Constant-time equality of two NUL-terminated strings (time depends only on
 * the lengths).  NULL equals nothing. */
int mto_ct_streq(const char *a, const char *b);

#endif /* MTO_CORE_CRYPTO_H */
