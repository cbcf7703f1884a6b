/*
 * client_auth.c - authenticating the client at the token, revocation and
 * introspection endpoints: client_secret_basic or client_secret_post
 * (RFC 6749 §2.3.1), never both, against the Spring hash in
 * oauth_client_details.client_secret; a public client (RFC 8252) by its
 * client_id alone at the token and revocation endpoints.  The CORS
 * decision of those two endpoints is made here too, once the client is
 * known.
 *
 * A {bcrypt} check costs ~50 ms at cost 10, so a success is remembered
 * per child for a while, keyed by a digest of (stored hash, presented secret):
 * neither the secret nor anything that reveals it is kept.
 */
#include "log.h"
#include "config/config.h"
#include "store/store.h"
#include "cache/cache.h"
#include "respond/respond.h"
#include "endpoints/endpoints.h"
#include "stats/stats.h"

#include <apr_hash.h>
#include <apr_thread_mutex.h>
#include <http_protocol.h>

#define MTO_VERIFIED_MAX 1024
#define MTO_VERIFIED_TTL 300

static apr_pool_t *mto_verified_pool;
static apr_hash_t *mto_verified;
#if APR_HAS_THREADS
static apr_thread_mutex_t *mto_verified_lock;
#endif

void mto_client_auth_child_init(apr_pool_t *pchild, server_rec *s)
{
    if (apr_pool_create(&mto_verified_pool, pchild) != APR_SUCCESS) {
        mto_verified_pool = NULL;
        return;
    }
    mto_verified = apr_hash_make(mto_verified_pool);
#if APR_HAS_THREADS
    if (apr_thread_mutex_create(&mto_verified_lock, APR_THREAD_MUTEX_DEFAULT, pchild)
        != APR_SUCCESS) {
        mto_verified_pool = NULL; /* no memory, only slower checks */
    }
#endif
}

static void mto_verified_lock_do(int lock)
{
#if APR_HAS_THREADS
    if (lock) {
        apr_thread_mutex_lock(mto_verified_lock);
    }
    else {
        apr_thread_mutex_unlock(mto_verified_lock);
    }
#endif
}

static const char *mto_verified_key(apr_pool_t *p, const char *stored, const char *secret)
{
    const char *both = apr_pstrcat(p, stored, "\n", secret, NULL);
    return mto_sha256_hex(p, both, strlen(both));
}

static int mto_verified_recall(apr_pool_t *p, const char *key)
{
    apr_time_t *until;
    int hit = 0;

    if (!mto_verified_pool) {
        return 0;
    }
    mto_verified_lock_do(1);
    until = apr_hash_get(mto_verified, key, APR_HASH_KEY_STRING);
    hit = until && *until > apr_time_now();
    mto_verified_lock_do(0);
    return hit;
}

static void mto_verified_remember(const char *key)
{
    apr_time_t *until;

    if (!mto_verified_pool) {
        return;
    }
    mto_verified_lock_do(1);
    if (apr_hash_count(mto_verified) >= MTO_VERIFIED_MAX) {
        /* Bounded memory: start afresh rather than track ages. */
        apr_pool_clear(mto_verified_pool);
        mto_verified = apr_hash_make(mto_verified_pool);
    }
    until = apr_palloc(mto_verified_pool, sizeof(*until));
    *until = apr_time_now() + apr_time_from_sec(MTO_VERIFIED_TTL);
    apr_hash_set(mto_verified, apr_pstrdup(mto_verified_pool, key), APR_HASH_KEY_STRING, until);
    mto_verified_lock_do(0);
}

/* Checks the secret: NULL when it matches, else why not.  A stored value
 * that cannot be used is the admin's to fix, so it is also a warning
 * (MTO0009, MTO0010); never the secret or the hash. */
static const char *mto_secret_refused(request_rec *r, const mto_client_t *client,
                                      const char *secret)
{
    const char *why = NULL, *key = NULL;
    mto_secret_result_t res;

    if (!client->secret_hash) {
        ap_log_rerror(APLOG_MARK, APLOG_WARNING, 0, r,
                      "MTO0009: client %s has no client_secret and cannot authenticate: "
                      "give it one (mytimetable-oauth client secret ID), or make it a public "
                      "client (client update ID --public)",
                      mto_log_safe(r, client->client_id));
        return "it has no client_secret (MTO0009)";
    }
    if (mto_secret_is_slow(client->secret_hash)) {
        key = mto_verified_key(r->pool, client->secret_hash, secret);
        if (mto_verified_recall(r->pool, key)) {
            return NULL;
        }
    }
    res = mto_secret_verify(r->pool, client->secret_hash, secret, &why);
    if (res == MTO_SECRET_UNSUPPORTED) {
        ap_log_rerror(APLOG_MARK, APLOG_WARNING, 0, r,
                      "MTO0010: client %s cannot "
                      "authenticate: its client_secret is not a supported Spring hash (%s); store "
                      "a {SHA-256}, {bcrypt} or {noop} value (mytimetable-oauth client secret ID)",
                      mto_log_safe(r, client->client_id), why ? why : "unknown format");
        return "its stored client_secret is no supported Spring hash (MTO0010)";
    }
    if (res == MTO_SECRET_MATCH && key) {
        mto_verified_remember(key);
    }
    return res == MTO_SECRET_MATCH ? NULL : "wrong client secret";
}

/* What the admin can do about each reason a client was refused. */
static const char *mto_client_auth_fix(const char *why)
{
    if (!strcmp(why, "wrong client secret")) {
        return "the client must send its current secret (mytimetable-oauth client secret ID "
               "sets a new one)";
    }
    if (!strcmp(why, "unknown client_id")) {
        return "no such client in oauth_client_details: correct the client's client_id, or "
               "register it (mytimetable-oauth client add)";
    }
    if (strstr(why, "(MTO00")) {
        return "store a usable secret: mytimetable-oauth client secret ID";
    }
    if (!strcmp(why, "a public client sent a client secret")) {
        return "a public client sends its client_id alone";
    }
    if (!strcmp(why, "a confidential client sent no client secret")) {
        return "a client with a secret must send it (it is never treated as public)";
    }
    return "the client must authenticate as RFC 6749 section 2.3.1 says: HTTP Basic with its id and "
           "secret form-urlencoded, or client_id and client_secret in the body, not both";
}

/* A refused client authentication, logged at info with the client, the
 * method, the reason and the fix, never the secret: info, because any
 * client may fail as often as it likes (MyTimetableOAuthClientAuthLimit
 * warns once a window, MTO0050, when one keeps failing). */
static mto_client_auth_rc mto_client_refused(request_rec *r, const char *id, const char *method,
                                             const char *why, mto_client_auth_rc rc)
{
    ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r,
                  "client authentication failed at %s: client %s (%s): %s; %s",
                  mto_log_safe(r, r->uri), id ? mto_log_safe(r, id) : "(none)", method, why,
                  mto_client_auth_fix(why));
    return rc;
}

/* Checks the client found for id against the secret presented (NULL:
 * none, client_id alone): a public client must present none, a
 * confidential one its own (never downgraded). */
static mto_client_auth_rc mto_client_verify(request_rec *r, const char *id, const char *method,
                                            mto_client_t **client, const char *secret)
{
    int public = mto_client_public(*client);
    const char *why = NULL;

    if (public || !secret) {
        why = public && secret     ? "a public client sent a client secret"
              : !public && !secret ? "a confidential client sent no client secret"
                                   : NULL;
    }
    else {
        why = mto_secret_refused(r, *client, secret);
    }
    if (!why) {
        ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, r, "client %s authenticated at %s (%s)",
                      mto_log_safe(r, id), mto_log_safe(r, r->uri), method);
        return MTO_CLIENT_OK;
    }
    mto_throttle_failed(r, id);
    *client = NULL;
    return mto_client_refused(r, id, method, why, MTO_CLIENT_INVALID);
}

/* How the client authenticates (RFC 6749 §2.3.1), as the error log says it. */
static const char *mto_client_auth_method(const char *auth, const char *secret)
{
    return auth ? "client_secret_basic" : secret ? "client_secret_post" : "client_id alone";
}

mto_client_auth_rc mto_client_authenticate(request_rec *r, const apr_table_t *params,
                                           int allow_public, mto_client_t **client,
                                           int *tried_basic, apr_uint32_t *retry_after)
{
    const char *auth = apr_table_get(r->headers_in, "Authorization");
    const char *id = NULL, *secret = NULL, *body_id = NULL, *body_secret = NULL, *method;
    int n_id = mto_param(params, "client_id", &body_id);
    int n_secret = mto_param(params, "client_secret", &body_secret);
    mto_store_rc rc;

    *client = NULL;
    *tried_basic = auth != NULL;
    *retry_after = 0;
    if (n_id < 0 || n_secret < 0) {
        return MTO_CLIENT_INVALID_REQUEST;
    }
    if (auth) {
        if (mto_basic_credentials(r->pool, auth, &id, &secret) != 0) {
            return mto_client_refused(r, n_id == 1 ? body_id : NULL, "Authorization header",
                                      "not HTTP Basic, or malformed", MTO_CLIENT_INVALID);
        }
        if (n_secret == 1 || (n_id == 1 && strcmp(body_id, id) != 0)) {
            return mto_client_refused(r, id, "client_secret_basic",
                                      n_secret == 1 ? "a client_secret in the body as well"
                                                    : "a body client_id other than Basic's",
                                      MTO_CLIENT_INVALID_REQUEST);
        }
    }
    else if (n_id == 1 && (n_secret == 1 || allow_public)) {
        id = body_id;
        secret = n_secret == 1 ? body_secret : NULL; /* NULL: a public client's client_id alone */
    }
    else {
        return mto_client_refused(r, n_id == 1 ? body_id : NULL, "none",
                                  n_id == 1 ? "client_id without client_secret (no public "
                                              "clients here)"
                                            : "no client credentials",
                                  MTO_CLIENT_INVALID);
    }
    method = mto_client_auth_method(auth, secret);

    /* Over the limit: refused before the client is looked up or its
     * secret checked (README "Directive reference"). */
    if ((*retry_after = mto_throttle_retry_after(r, id)) > 0) {
        ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, r,
                      "client %s refused unchecked for %u s (MyTimetableOAuthClientAuthLimit)",
                      mto_log_safe(r, id), *retry_after);
        return MTO_CLIENT_THROTTLED;
    }
    rc = mto_cached_client_get(r, id, client);
    if (rc == MTO_STORE_ERROR) {
        return MTO_CLIENT_UNAVAILABLE;
    }
    if (rc != MTO_STORE_OK) {
        mto_throttle_failed(r, id); /* probing for client_ids is limited too */
        return mto_client_refused(r, id, method, "unknown client_id", MTO_CLIENT_INVALID);
    }
    return mto_client_verify(r, id, method, client, secret);
}

int mto_client_auth_fail(request_rec *r, mto_client_auth_rc rc, int tried_basic,
                         apr_uint32_t retry_after)
{
    switch (rc) {
    case MTO_CLIENT_THROTTLED:
        mto_stat_inc(MTO_STAT_CLIENT_AUTH_THROTTLED);
        /* RFC 6585 §4; the body as any RFC 6749 §5.2 client error. */
        apr_table_setn(r->headers_out, "Retry-After", apr_psprintf(r->pool, "%u", retry_after));
        return mto_send_oauth_error(r, HTTP_TOO_MANY_REQUESTS, "invalid_client",
                                    "too many failed client authentications from this address; "
                                    "retry later");
    case MTO_CLIENT_INVALID_REQUEST:
        return mto_send_oauth_error(r, HTTP_BAD_REQUEST, "invalid_request",
                                    "use exactly one client authentication method, "
                                    "each parameter once");
    case MTO_CLIENT_UNAVAILABLE:
        return mto_send_unavailable(r);
    default:
        if (tried_basic) {
            apr_table_setn(r->headers_out, "WWW-Authenticate", "Basic realm=\"oauth\"");
        }
        return mto_send_oauth_error(r, HTTP_UNAUTHORIZED, "invalid_client",
                                    "client authentication failed");
    }
}

/* The endpoints browser apps call (docs/endpoints.md, "CORS"): token and revocation,
 * where a public client authenticates with its client_id alone; never
 * introspection, which is for resource servers and their credentials. */
static int mto_browser_endpoint(const char *endpoint)
{
    return strcmp(endpoint, "introspection") != 0;
}

static int mto_cors_preflight(request_rec *r)
{
    return r->method_number == M_OPTIONS && apr_table_get(r->headers_in, "Origin")
           && apr_table_get(r->headers_in, "Access-Control-Request-Method");
}

int mto_client_request(request_rec *r, const char *endpoint, apr_table_t **params,
                       mto_client_t **client)
{
    mto_client_auth_rc auth;
    const char *err, *dup, *origin = apr_table_get(r->headers_in, "Origin");
    int rv, tried_basic, browser = mto_browser_endpoint(endpoint);
    apr_uint32_t retry_after;

    if (browser && mto_cors_preflight(r)) {
        return mto_send_cors_preflight(r);
    }
    if (r->method_number != M_POST) {
        apr_table_setn(r->headers_out, "Allow", "POST");
        return mto_send_oauth_error(r, HTTP_METHOD_NOT_ALLOWED, "invalid_request",
                                    apr_pstrcat(r->pool, "the ", endpoint,
                                                " endpoint accepts POST only", NULL));
    }
    rv = mto_read_form(r, params, &err);
    if (rv != OK) {
        return mto_send_oauth_error(r, rv == HTTP_REQUEST_ENTITY_TOO_LARGE ? rv : HTTP_BAD_REQUEST,
                                    "invalid_request", err);
    }
    if ((dup = mto_duplicate_param(*params))) {
        return mto_send_oauth_error(r, HTTP_BAD_REQUEST, "invalid_request",
                                    apr_pstrcat(r->pool, "parameter given more than once: ", dup,
                                                NULL));
    }
    auth = mto_client_authenticate(r, *params, browser, client, &tried_basic, &retry_after);
    if (auth != MTO_CLIENT_OK) {
        return mto_client_auth_fail(r, auth, tried_basic, retry_after);
    }
    /* Every answer from here on may be read by the client's own origins. */
    if (browser && mto_client_origin_allowed(r->pool, *client, origin)) {
        mto_cors_allow(r, origin);
    }
    return OK;
}
