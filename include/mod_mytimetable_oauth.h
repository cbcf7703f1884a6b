/*
 * mod_mytimetable_oauth.h - the httpd side of the module: configuration,
 * storage through mod_dbd, HTTP helpers and the handlers.
 *
 * The protocol core (parsing, hashes, PKCE, scope sets) is in mto.h and
 * knows nothing of httpd.
 */
#ifndef MOD_MYTIMETABLE_OAUTH_H
#define MOD_MYTIMETABLE_OAUTH_H

#include <apr_dbd.h>            /* before mod_dbd.h (TOOLCHAIN.md) */
#include <httpd.h>
#include <http_config.h>
#include <http_log.h>
#include <http_request.h>
#include <mod_dbd.h>
#include <jansson.h>

#include "mto.h"

/* Every file's log lines carry the module's name and obey
 * "LogLevel mytimetable_oauth:LEVEL" (without it they would be logged as
 * no module's, at the server's level).  It declares the module record too,
 * which mod_mytimetable_oauth.c defines. */
APLOG_USE_MODULE(mytimetable_oauth);

/* ------------------------------------------------------------ config.c */

#define MTO_UNSET -1

/* A scope the server knows, with the text the consent page shows. */
typedef struct {
    const char *name;
    const char *description;
} mto_scope_def_t;

typedef struct {
    const char *issuer;                 /* NULL: scheme://host:port of the request */
    apr_int64_t token_lifetime;         /* when access_token_validity is NULL */
    apr_int64_t code_lifetime;
    apr_int64_t approval_lifetime;      /* 0 = ask every time */
    int require_pkce;
    const char *cache_spec;             /* "shmcb", "none", "memcache:…"; NULL: shmcb */
    apr_int64_t cache_ttl;
    struct mto_cache *cache;            /* its instance (cache.c, post_config); NULL: none */
    apr_array_header_t *scopes;         /* mto_scope_def_t; NULL: the built-in six */
    const char *consent_template;       /* contents of the file; NULL: built-in page */
    apr_int64_t purge_interval;         /* seconds between purges per child; 0 = never */
    /* Runtime state, not configuration: each child's copy says when this
     * server's next purge is due (epoch seconds; purge.c, apr_atomic). */
    volatile apr_uint32_t purge_due;
} mto_server_conf_t;

/* Where the gate looks for an access token. */
#define MTO_TOKEN_IN_HEADER 1
#define MTO_TOKEN_IN_QUERY  2

typedef struct {
    int accept_in;                      /* MTO_TOKEN_IN_* bits */
    int require_api_token;
    int pass_token;
} mto_dir_conf_t;

extern const command_rec mto_directives[];
void *mto_create_server_conf(apr_pool_t *p, server_rec *s);
void *mto_merge_server_conf(apr_pool_t *p, void *base, void *add);
void *mto_create_dir_conf(apr_pool_t *p, char *dir);
void *mto_merge_dir_conf(apr_pool_t *p, void *base, void *add);

/* Effective values: the configured ones, or the defaults of SPEC §3. */
mto_server_conf_t *mto_server_conf(server_rec *s);
apr_int64_t mto_conf_token_lifetime(const mto_server_conf_t *c);
apr_int64_t mto_conf_code_lifetime(const mto_server_conf_t *c);
apr_int64_t mto_conf_approval_lifetime(const mto_server_conf_t *c);
int mto_conf_require_pkce(const mto_server_conf_t *c);
apr_int64_t mto_conf_purge_interval(const mto_server_conf_t *c);
apr_int64_t mto_conf_cache_ttl(const mto_server_conf_t *c);
const apr_array_header_t *mto_conf_scopes(const mto_server_conf_t *c);
/* The names of the scopes the server knows, in order (const char *). */
apr_array_header_t *mto_conf_scope_names(apr_pool_t *p, const mto_server_conf_t *c);
const char *mto_conf_scope_description(const mto_server_conf_t *c, const char *scope);

/* What a directive handler cannot check because it depends on modules that
 * may be loaded later (the socache provider): NULL, or a message naming the
 * directive.  From check_config, so `apachectl -t` fails too. */
const char *mto_conf_check(apr_pool_t *p, server_rec *s);

/* The issuer (RFC 8414 / RFC 9207): configured, or derived from the request. */
const char *mto_issuer(request_rec *r);

/* ------------------------------------------------------------- store.c */

typedef enum {
    MTO_STORE_OK = 0,
    MTO_STORE_NOTFOUND,                 /* no such row: the client's problem */
    MTO_STORE_CONFLICT,                 /* lost a race: e.g. the code was redeemed already */
    MTO_STORE_ERROR                     /* the database failed: 503 and a log line */
} mto_store_rc;

/* Registers every prepared statement with mod_dbd (post_config, before mod_dbd's). */
void mto_store_register(apr_pool_t *pconf, server_rec *s);
/* True when mod_dbd is loaded (checked at check_config). */
int mto_store_available(void);

mto_store_rc mto_store_client_get(request_rec *r, const char *client_id, mto_client_t **out);

/* MTO_STORE_OK when the user approved every scope for the client and no
 * approval has expired; MTO_STORE_NOTFOUND otherwise. */
mto_store_rc mto_store_approval_covers(request_rec *r, const char *user, const char *client_id,
                                       const apr_array_header_t *scopes);
mto_store_rc mto_store_approval_save(request_rec *r, const char *user, const char *client_id,
                                     const apr_array_header_t *scopes, apr_int64_t expires);

mto_store_rc mto_store_code_insert(request_rec *r, const char *code_hash, const mto_code_t *code);
mto_store_rc mto_store_code_get(request_rec *r, const char *code_hash, mto_code_t **out);

/* Atomically marks the code used and stores the token issued from it (and
 * the first refresh token of a new grant, unless refresh is NULL), in one
 * transaction.  MTO_STORE_CONFLICT: the code had been used already (a replay,
 * or a parallel redemption that won). */
mto_store_rc mto_store_code_exchange(request_rec *r, const char *code_hash,
                                     const char *token_hash, const mto_token_t *token,
                                     const char *refresh_hash, const mto_refresh_t *refresh);

/* The revoking functions below append the SHA-256 hex of every access token
 * they delete to revoked (an array of const char *; NULL: not wanted), so
 * that the cache can forget them (mto_cached_* in cached_store.c). */

/* Revokes every access token issued from a code (replay, RFC 6749 §4.1.2). */
mto_store_rc mto_store_tokens_revoke_by_code(request_rec *r, const char *code_hash,
                                             apr_array_header_t *revoked);

mto_store_rc mto_store_token_get(request_rec *r, const char *token_hash, mto_token_t **out);

/* Refresh tokens (RFC 6749 §6, RFC 9700 §4.14). */
mto_store_rc mto_store_refresh_get(request_rec *r, const char *token_hash, mto_refresh_t **out);

/* Atomically marks the presented refresh token rotated and stores its
 * successor (next, same grant) and the access token issued with it, in one
 * transaction.  MTO_STORE_CONFLICT: the presented token had been rotated
 * already (a reuse, or a parallel use that won). */
mto_store_rc mto_store_refresh_rotate(request_rec *r, const char *used_hash,
                                      const char *next_hash, const mto_refresh_t *next,
                                      const char *token_hash, const mto_token_t *token);

/* Revokes a whole grant: all its refresh tokens and every access token issued
 * with any of them, in one transaction.  MTO_STORE_NOTFOUND: nothing left. */
mto_store_rc mto_store_refresh_revoke_grant(request_rec *r, const char *grant_id, apr_int64_t now,
                                            apr_array_header_t *revoked);

/* Revokes the grant that began with this authorization code, if any (replay). */
mto_store_rc mto_store_refresh_revoke_by_code(request_rec *r, const char *code_hash,
                                              apr_int64_t now, apr_array_header_t *revoked);

/* A refresh token's row (mto_refresh_token).  *rotated: it was exchanged
 * for a newer one and is kept only so that its reuse can be detected. */
mto_store_rc mto_store_refresh_token_get(request_rec *r, const char *token_hash,
                                         mto_token_t **out, int *rotated);

/* Revocation (RFC 7009 §2.1) of an access token: its row goes. */
mto_store_rc mto_store_access_token_revoke(request_rec *r, const char *token_hash);

/* A MyTimetable API token (api_tokens), stored in clear or as {SHA-256}hex. */
mto_store_rc mto_store_api_token_get(request_rec *r, const char *token, mto_api_token_t **out);

/* Rows one purge removes at most per table: a run stays short whatever
 * has piled up (purge.c runs again soon when a table hit the bound). */
#define MTO_PURGE_BATCH 500

typedef struct {
    int codes;
    int access;
    int refresh;
    int approvals;
} mto_purge_counts_t;

/* Deletes what expired before now (the rules of mto.h, MTO_PURGE_*),
 * oldest first, at most MTO_PURGE_BATCH rows per table. */
mto_store_rc mto_store_purge(request_rec *r, apr_int64_t now, mto_purge_counts_t *removed);

/* ------------------------------------------------------------- cache.c */

/* The socache of MyTimetableOAuthCache: one instance per server that sets
 * the directive, shared by the virtual hosts that inherit it.  Keys are
 * short text (a kind and a digest, never a secret); values are entries of
 * cache_entry.c or MTO_CACHE_NEGATIVE, "no such row".  Every failure (no
 * cache, a busy lock, a dead memcached) reads as a miss or skips the write,
 * with a warning at most once a minute per process. */
typedef struct mto_cache mto_cache_t;
#define MTO_CACHE_NEGATIVE "-"

void mto_cache_register_hooks(apr_pool_t *p);

/* 1 and the value (NUL-terminated, *len bytes) on a hit; 0 otherwise.
 * Never waits for the lock. */
int mto_cache_get(request_rec *r, const char *key, const char **value, apr_size_t *len);

/* Stores a value until expiry; never waits for the lock.  A row never
 * replaces a negative entry (see mto_cache_forget). */
void mto_cache_put(request_rec *r, const char *key, const char *value, apr_size_t len,
                   apr_time_t expiry);

/* Replaces whatever the cache holds for key by a negative entry until
 * expiry, waiting for the lock: after a revocation, a look-up that read the
 * row just before cannot put it back.  0 when the cache failed. */
int mto_cache_forget(request_rec *r, const char *key, apr_time_t expiry);

/* -------------------------------------------------------- cached_store.c */

/* The store as the gate and the handlers use it: look-ups answered from
 * the cache when they can be (rows and "no such row" alike, never a
 * database failure), revocations that clear the cache of what they
 * revoked.  Same results as the mto_store_* functions they wrap. */
mto_store_rc mto_cached_client_get(request_rec *r, const char *client_id, mto_client_t **out);
mto_store_rc mto_cached_token_get(request_rec *r, const char *token_hash, mto_token_t **out);
mto_store_rc mto_cached_api_token_get(request_rec *r, const char *token, mto_api_token_t **out);

/* An access token (by its SHA-256 hex) was revoked: its cache entry is
 * replaced by a negative one, on this server and, with a shared cache, on
 * every server.  Call it after the database change is committed. */
void mto_cache_token_forget(request_rec *r, const char *token_hash);

mto_store_rc mto_cached_tokens_revoke_by_code(request_rec *r, const char *code_hash);
mto_store_rc mto_cached_refresh_revoke_grant(request_rec *r, const char *grant_id,
                                             apr_int64_t now);
mto_store_rc mto_cached_refresh_revoke_by_code(request_rec *r, const char *code_hash,
                                               apr_int64_t now);

/* The revocation endpoint's (RFC 7009 §2.1): an access token's row, or a
 * refresh token's whole grant (every refresh token of the family and the
 * access tokens issued from them); their cache entries go too. */
mto_store_rc mto_cached_access_token_revoke(request_rec *r, const char *token_hash);
mto_store_rc mto_cached_refresh_grant_revoke(request_rec *r, const char *refresh_hash);

/* ------------------------------------------------------------ http.c */

/* Largest request body the endpoints read: a few 64 KB parameters fit. */
#define MTO_MAX_BODY   (256 * 1024)
#define MTO_MAX_PARAMS 64

/* Reads an application/x-www-form-urlencoded body.  Returns OK, or an HTTP
 * status with *err describing the problem (never the content). */
int mto_read_form(request_rec *r, apr_table_t **params, const char **err);

/* Parses the query string (empty table when there is none). */
int mto_read_query(request_rec *r, apr_table_t **params, const char **err);

/* The name of a parameter that was given more than once, or NULL. */
const char *mto_duplicate_param(const apr_table_t *params);

/* Cache-Control: no-store and Pragma: no-cache (RFC 6749 §5.1). */
void mto_no_store(request_rec *r);

/* Sends a JSON body with the status and no-store; takes ownership of body.
 * The answer carries its Content-Length, so it is complete once flushed. */
int mto_send_json(request_rec *r, int status, json_t *body);

/* The same for a public document that caches may keep for max_age seconds. */
int mto_send_json_cacheable(request_rec *r, json_t *body, int max_age);

/* 200 with an empty body and no-store (RFC 7009 §2.2). */
int mto_send_empty(request_rec *r);

/* RFC 6749 §5.2 error: {"error":…,"error_description":…}. */
int mto_send_oauth_error(request_rec *r, int status, const char *error, const char *description);

/* Headers of every HTML page: no-store, never framed, no referrer. */
void mto_page_headers(request_rec *r);

/* 503 {"error":"temporarily_unavailable"}: the database failed (logged already). */
int mto_send_unavailable(request_rec *r);

/* A client-supplied value made fit for the error log: escaped and cut short. */
const char *mto_log_safe(request_rec *r, const char *value);

/* A small HTML page for errors that must not redirect (unknown client…). */
int mto_send_html_error(request_rec *r, int status, const char *title, const char *message);

/* A redirect (302 or 303) to url, with no-store. */
int mto_send_redirect(request_rec *r, int status, const char *url);

/* ------------------------------------------------------------ client_auth.c */

typedef enum {
    MTO_CLIENT_OK = 0,
    MTO_CLIENT_INVALID_REQUEST,         /* both Basic and client_secret, … */
    MTO_CLIENT_INVALID,                 /* unknown client, wrong or no secret: 401 */
    MTO_CLIENT_UNAVAILABLE              /* the database failed */
} mto_client_auth_rc;

/* Authenticates the client of a token/revoke/introspect request by
 * client_secret_basic or client_secret_post (SPEC §4). */
mto_client_auth_rc mto_client_authenticate(request_rec *r, const apr_table_t *params,
                                           mto_client_t **client, int *tried_basic);

/* Per-child memory of successful slow ({bcrypt}) checks. */
void mto_client_auth_child_init(apr_pool_t *pchild, server_rec *s);

/* Sends the RFC 6749 §5.2 answer for a failed authentication. */
int mto_client_auth_fail(request_rec *r, mto_client_auth_rc rc, int tried_basic);

/* The start every client endpoint shares: POST only, a form body, each
 * parameter once, client authentication.  On success *client is set and
 * *params holds the form; otherwise *client is NULL, the error answer has
 * been sent, and the return value is the handler's. */
int mto_client_request(request_rec *r, const char *endpoint, apr_table_t **params,
                       mto_client_t **client);

/* ------------------------------------------------------------ token_lookup.c */

/* A token presented to the revocation or introspection endpoint. */
typedef struct {
    const char *hash;                   /* the token's SHA-256 hex: its key */
    int refresh;                        /* 0: an access token; 1: a refresh token */
    const mto_token_t *row;
    int live;                           /* not expired, and (refresh) not rotated */
} mto_found_token_t;

/* The start the revocation and introspection endpoints share: the client
 * request (mto_client_request), its `token` parameter, and the token looked
 * up by its hash in both token tables, the one token_type_hint names first
 * (RFC 7009 §2.1, RFC 7662 §2.1: a hint is only a hint; an unknown one is
 * ignored).  On success *client is set and found->row is the token's row,
 * or NULL when the token is unknown; otherwise *client is NULL, the error
 * answer has been sent, and the return value is the handler's. */
int mto_token_request(request_rec *r, const char *endpoint, apr_int64_t now,
                      mto_client_t **client, mto_found_token_t *found);

/* ------------------------------------------------------------ purge.c */

/* After a client endpoint answered: flushes the answer and purges what
 * has expired, when this child's purge for r's server is due. */
void mto_purge_after_answer(request_rec *r);

/* ------------------------------------------------------------ consent.c */

/* The HMAC key behind consent CSRF tokens: random per server start. */
void mto_consent_init_key(void);
const char *mto_consent_csrf_token(request_rec *r, const char *user, apr_int64_t now);
int mto_consent_csrf_ok(request_rec *r, const char *user, const char *token, apr_int64_t now);

/* Sends the consent page for the client and scopes. */
int mto_consent_page(request_rec *r, const mto_client_t *client, const apr_array_header_t *scopes,
                     const char *csrf_token);

/* ------------------------------------------------------------ the gate */

#define MTO_AUTH_TYPE "mytimetable-oauth"

/* What the gate learnt of a request's credentials (SPEC §5).  Worked out
 * once, on first need, and shared with the request's sub-requests and
 * internal redirects. */
typedef struct {
    /* The credentials as sent. */
    int token_in;                       /* MTO_TOKEN_IN_HEADER, _QUERY or 0: none */
    const char *token;                  /* the access token (never logged) */
    int query_has_token;                /* access_token in the query: redact logs */
    /* What they are worth. */
    const mto_token_t *oauth;           /* a valid access token's row */
    const mto_api_token_t *api;         /* a valid API token */
    const char *user;                   /* who the request acts as; NULL: nobody */
    const apr_array_header_t *scopes;   /* const char *; what it may do */
    /* A failure the gate decided (status != OK): how to answer. */
    int status;                         /* OK, 400, 401, 403, 503 */
    const char *error;                  /* RFC 6750 / JSON error code; NULL: none */
    const char *description;
    int json;                           /* the answer has a JSON body */
    /* Set by the authz providers when a Require line denied. */
    apr_array_header_t *missing_scopes; /* const char *; for scope="…" */
    int api_token_denied;
    int granted;                        /* access granted: later errors are not ours */
} mto_gate_t;

/* The gate's state for r (computing it on first call), or NULL when r is
 * not behind the gate (AuthType mytimetable-oauth or RequireApiToken). */
mto_gate_t *mto_gate_get(request_rec *r);

/* Already-computed state of r or of the request it derives from. */
mto_gate_t *mto_gate_find(request_rec *r);

/* Records a failure on g; returns the status, for returning from a hook. */
int mto_gate_fail(mto_gate_t *g, int status, const char *error, const char *description, int json);

void mto_gate_register_hooks(apr_pool_t *p);      /* gate.c */
void mto_gate_response_hooks(apr_pool_t *p);      /* gate_response.c */
void mto_authz_register(apr_pool_t *p);           /* authz.c */

/* ------------------------------------------------------------ handlers */

/* The names SetHandler maps (SPEC §4). */
#define MTO_HANDLER_AUTHORIZE  "mytimetable-oauth-authorize"
#define MTO_HANDLER_TOKEN      "mytimetable-oauth-token"
#define MTO_HANDLER_REVOKE     "mytimetable-oauth-revoke"
#define MTO_HANDLER_INTROSPECT "mytimetable-oauth-introspect"
#define MTO_HANDLER_METADATA   "mytimetable-oauth-metadata"

int mto_handle_authorize(request_rec *r);
int mto_handle_token(request_rec *r);
int mto_handle_revoke(request_rec *r);
int mto_handle_introspect(request_rec *r);
int mto_handle_metadata(request_rec *r);

#endif /* MOD_MYTIMETABLE_OAUTH_H */
