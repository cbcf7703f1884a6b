/*
 * mto.h - the protocol core of mod_mytimetable_oauth.
 *
 * Everything declared here takes plain values and an apr_pool_t and knows
 * nothing of httpd: the module, the admin tool, the unit tests and the
 * fuzzers all call it directly.  httpd glue lives in mod_mytimetable_oauth.h.
 */
#ifndef MTO_H
#define MTO_H

#include <apr_pools.h>
#include <apr_tables.h>
#include <apr_strings.h>

/* ---------------------------------------------------------------- vocabulary */

/* A row of oauth_client_details, parsed. */
typedef struct {
    const char *client_id;
    const char *secret_hash;            /* Spring format: {SHA-256}…, {bcrypt}…, {noop}… */
    apr_array_header_t *scopes;         /* const char *; allowed scopes */
    apr_array_header_t *grant_types;    /* const char * */
    apr_array_header_t *redirect_uris;  /* const char *; exact-match list */
    int autoapprove_all;                /* autoapprove = "true" */
    apr_array_header_t *autoapprove;    /* const char *; scopes approved without asking */
    apr_int64_t access_validity;        /* seconds; 0 = never; -1 = NULL (server default) */
    apr_int64_t refresh_validity;       /* seconds; 0 = never; -1 = NULL */
} mto_client_t;

/* An authorization code as stored (the code itself is only ever a hash). */
typedef struct {
    const char *client_id;
    const char *user;
    const char *scope;                  /* space separated */
    const char *redirect_uri;           /* as sent on the authorize request, "" if none */
    const char *challenge;              /* PKCE code_challenge, "" if none */
    const char *challenge_method;       /* "S256", "plain" or "" */
    apr_int64_t expires;                /* epoch seconds */
    int used;                           /* redeemed already */
} mto_code_t;

/* An issued access token as stored. */
typedef struct {
    const char *client_id;
    const char *user;
    const char *scope;                  /* space separated */
    apr_int64_t issued;                 /* epoch seconds */
    apr_int64_t expires;                /* epoch seconds; 0 = never */
} mto_token_t;

/* A refresh token as stored.  Every refresh token of one grant (the
 * authorization the user gave once) shares grant_id, scope and expires: each
 * use replaces the token by a new one of the same grant (rotation) and
 * marks the old one rotated, so that its reuse shows (RFC 9700 §4.14.2). */
typedef struct {
    const char *grant_id;               /* 64 hex digits, random per grant */
    const char *client_id;
    const char *user;
    const char *scope;                  /* the grant's scope, space separated */
    const char *code_hash;              /* the code the grant began with, "" if unknown */
    apr_int64_t issued;                 /* epoch seconds */
    apr_int64_t expires;                /* the grant's end, epoch seconds; 0 = never */
    int rotated;                        /* replaced by a newer refresh token already */
} mto_refresh_t;

/* A row of api_tokens. */
typedef struct {
    const char *name;
    int is_elevated;
    int authentication_required;
} mto_api_token_t;

/* ------------------------------------------------------------ crypto (crypto.c) */

/* Bits of randomness: codes get >= 128, tokens >= 256 (README "Endpoints"). */
#define MTO_CODE_BYTES  24
#define MTO_TOKEN_BYTES 32

/* A fresh random value from OpenSSL's RAND_bytes, base64url without padding.
 * Returns NULL when the generator fails (never falls back to anything weaker). */
const char *mto_random_b64url(apr_pool_t *p, apr_size_t nbytes);

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

/* -------------------------------------------------- Spring secrets (secret.c) */

typedef enum {
    MTO_SECRET_MATCH = 0,
    MTO_SECRET_MISMATCH,
    MTO_SECRET_UNSUPPORTED              /* stored value is no format we know, or malformed */
} mto_secret_result_t;

/* Checks a presented client secret against a stored Spring Security hash
 * ({SHA-256}hex, {SHA-256}{salt}hex, {bcrypt}$2a|b|y$…, {noop}clear).
 * On MTO_SECRET_UNSUPPORTED *why says what is wrong with the stored value,
 * fit for the error log (it never contains the secret or the hash). */
mto_secret_result_t mto_secret_verify(apr_pool_t *p, const char *stored,
                                      const char *presented, const char **why);

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

/* ------------------------------------------------------ protocol rules (proto.c) */

/* application/x-www-form-urlencoded (a request body or a query string).
 * Keeps repeated names (so duplicates are visible) in order.  Fails
 * (returns non-zero, *err says why) on a bad %-escape, an encoded NUL, a name
 * or value that is not valid UTF-8, or more than max_params pairs. */
int mto_form_parse(apr_pool_t *p, const char *data, apr_size_t len, int max_params,
                   apr_table_t **out, const char **err);

/* Decodes one form-urlencoded component ('+' is a space).  NULL on a bad
 * escape, an encoded NUL or invalid UTF-8. */
char *mto_form_unescape(apr_pool_t *p, const char *in, apr_size_t len);

/* Looks a parameter up: 0 absent, 1 present once (*val set), -1 given twice. */
int mto_param(const apr_table_t *params, const char *name, const char **val);

/* RFC 6749 §2.3.1 Basic client credentials: the value of an Authorization
 * header whose scheme is Basic; base64 of urlencode(id) ":" urlencode(secret).
 * 0 on success; non-zero if it is not Basic (returns 1) or malformed (2). */
int mto_basic_credentials(apr_pool_t *p, const char *header,
                          const char **client_id, const char **secret);

/* Splits a list on commas and/or white space, trims, drops empty items and
 * duplicates.  NULL or "" gives an empty array. */
apr_array_header_t *mto_list_split(apr_pool_t *p, const char *s);

/* Item is in list (exact, case-sensitive). */
int mto_list_contains(const apr_array_header_t *list, const char *item);

/* Every item of sub is in super. */
int mto_list_subset(const apr_array_header_t *sub, const apr_array_header_t *super);

/* Items joined with one space. */
const char *mto_list_join(apr_pool_t *p, const apr_array_header_t *list);

/* RFC 6749 §3.3: scope = scope-token *( SP scope-token ), NQCHAR only. */
int mto_scope_syntax_ok(const char *scope);

/* The scope tokens of a requested scope, split on SP only (a comma is part
 * of a token), duplicates dropped.  Not for the database's comma lists. */
apr_array_header_t *mto_scope_split(apr_pool_t *p, const char *scope);

/* RFC 7636 §4.1: 43..128 unreserved characters (same rule for a plain challenge;
 * an S256 challenge is exactly 43 base64url characters). */
int mto_pkce_verifier_ok(const char *verifier);
int mto_pkce_challenge_ok(const char *method, const char *challenge);

/* The verifier answers the challenge ("S256" or "plain"); constant time. */
int mto_pkce_matches(apr_pool_t *p, const char *method, const char *challenge,
                     const char *verifier);

/* A BOOLEAN column as databases return or others wrote it (README "Using an existing MyTimetable database":
 * true/false, 1/0, t/f; also y/yes), case-insensitive.  NULL is false.
 * The gate and the admin tool read api_tokens through it alike. */
int mto_db_bool(const char *s);

/* Strict UTF-8 (no overlongs, no surrogates, no NUL). */
int mto_utf8_ok(const char *s, apr_size_t len);

/* Appends name=value to a URL's query (keeping an existing '?' query and
 * dropping nothing), values urlencoded: for redirects back to the client. */
const char *mto_url_add_params(apr_pool_t *p, const char *url, const apr_table_t *params);

/* ------------------------------------------ bearer credentials (bearer.c) */

/* What a credential source held. */
#define MTO_CRED_ABSENT     0           /* nothing for us (or another auth-scheme) */
#define MTO_CRED_FOUND      1           /* *token set */
#define MTO_CRED_MALFORMED  (-1)        /* RFC 6750 invalid_request */

/* RFC 6750 §2.1 b64token syntax, exactly len bytes. */
int mto_b64token_ok(const char *s, apr_size_t len);

/* An Authorization header value: "Bearer" (any case) 1*SP b64token.
 * ABSENT for NULL or a well-formed other scheme (Basic…); MALFORMED for an
 * empty value, no scheme, or Bearer without a valid token. */
int mto_bearer_from_header(apr_pool_t *p, const char *value, const char **token);

/* The access_token parameter of a query string (RFC 6750 §2.3), decoded.
 * MALFORMED when given twice, empty, undecodable or not a b64token. */
int mto_bearer_from_query(apr_pool_t *p, const char *query, const char **token);

/* The query without its access_token pairs: what the backend may see.
 * NULL when nothing is left. */
char *mto_query_without_token(apr_pool_t *p, const char *query);

/* The query with every access_token value replaced by REDACTED: what a log
 * may see.  NULL for NULL. */
char *mto_query_redact(apr_pool_t *p, const char *query);

/* A request line ("GET /x?access_token=… HTTP/1.1") redacted the same way;
 * the query runs to " HTTP/" or to the end, raw spaces and all. */
char *mto_request_line_redact(apr_pool_t *p, const char *line);

/* A request line or request-target without its access_token pairs (and
 * without its "?" when nothing is left): what a backend may see. */
char *mto_request_line_without_token(apr_pool_t *p, const char *line);

/* s as an RFC 9110 quoted-string (for WWW-Authenticate auth-params);
 * control characters are dropped. */
const char *mto_quoted_string(apr_pool_t *p, const char *s);

/* ------------------------------------------- cache entries (cache_entry.c) */

/* Rows as the cache keeps them: a kind and version, then each field ended
 * by a NUL.  The encoders return the entry and its length in *len (NULL if
 * a field is NULL); the decoders accept exactly what the encoders write and
 * return NULL for anything else, which the cache treats as a miss. */
const char *mto_token_to_entry(apr_pool_t *p, const mto_token_t *t, apr_size_t *len);
mto_token_t *mto_token_from_entry(apr_pool_t *p, const char *entry, apr_size_t len);
const char *mto_api_token_to_entry(apr_pool_t *p, const mto_api_token_t *t, apr_size_t *len);
mto_api_token_t *mto_api_token_from_entry(apr_pool_t *p, const char *entry, apr_size_t len);
const char *mto_client_to_entry(apr_pool_t *p, const mto_client_t *c, apr_size_t *len);
mto_client_t *mto_client_from_entry(apr_pool_t *p, const char *entry, apr_size_t len);

/* ---------------------------------------------- consent template (template.c) */

/* Replaces {{name}} in tpl by vars[name] (already escaped by the caller);
 * an unknown name becomes "". */
const char *mto_template_render(apr_pool_t *p, const char *tpl, const apr_table_t *vars);

/* HTML-escapes &<>"' for text and attribute values. */
const char *mto_html_escape(apr_pool_t *p, const char *s);

#endif /* MTO_H */
