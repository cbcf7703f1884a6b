/*
 * endpoints.h - the handlers of the authorization server (docs/endpoints.md)
 * and what they share: reading requests, client
 * authentication, token look-ups, consent, purge.
 */
#ifndef MTO_ENDPOINTS_H
#define MTO_ENDPOINTS_H

#include <httpd.h>
#include <http_config.h>

#include "core/core.h"

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

/* The issuer (RFC 8414 / RFC 9207): configured, or derived from the request. */
const char *mto_issuer(request_rec *r);

/* ------------------------------------------------------------ client_auth.c */

typedef enum {
    MTO_CLIENT_OK = 0,
    MTO_CLIENT_INVALID_REQUEST, /* both Basic and client_secret, … */
    MTO_CLIENT_INVALID,         /* unknown client, wrong or no secret: 401 */
    MTO_CLIENT_UNAVAILABLE,     /* the database failed */
    MTO_CLIENT_THROTTLED        /* too many failures of this client_id and address: 429 */
} mto_client_auth_rc;

/* Authenticates the client of a token/revoke/introspect request by
 * client_secret_basic or client_secret_post (docs/endpoints.md), or, with
 * allow_public, a public client by its client_id alone, unless its
 * client_id and address are over MyTimetableOAuthClientAuthLimit: then
 * *retry_after is the seconds until they may try again. */
mto_client_auth_rc mto_client_authenticate(request_rec *r, const apr_table_t *params,
                                           int allow_public, mto_client_t **client,
                                           int *tried_basic, apr_uint32_t *retry_after);

/* Per-child memory of successful slow ({bcrypt}) checks. */
void mto_client_auth_child_init(apr_pool_t *pchild, server_rec *s);

/* Sends the RFC 6749 §5.2 answer for a failed authentication (429 with
 * Retry-After: retry_after for MTO_CLIENT_THROTTLED); its status. */
int mto_client_auth_fail(request_rec *r, mto_client_auth_rc rc, int tried_basic,
                         apr_uint32_t retry_after);

/* ------------------------------------------------------------ throttle.c */

/* post_config: the shared table of MyTimetableOAuthClientAuthLimit's
 * counts (none when every server has it off), before children fork. */
int mto_throttle_post_config(apr_pool_t *pconf, apr_pool_t *plog, apr_pool_t *ptemp, server_rec *s);

/* Seconds until client_id may try again from r's address, or 0. */
apr_uint32_t mto_throttle_retry_after(request_rec *r, const char *client_id);

/* Counts a failed authentication of client_id from r's address (logs
 * MTO0050 when it reaches the limit). */
void mto_throttle_failed(request_rec *r, const char *client_id);

/* The start every client endpoint shares: POST only (the token and
 * revocation endpoints also answer a CORS preflight), a form body, each
 * parameter once, client authentication, CORS headers for the client's
 * origins (not at introspection).  OK: *client is set and *params
 * holds the form; else the error answer was sent and this is its status
 * (respond.h), for the handler to return. */
int mto_client_request(request_rec *r, const char *endpoint, apr_table_t **params,
                       mto_client_t **client);

/* ------------------------------------------------------------ token_lookup.c */

/* A token presented to the revocation or introspection endpoint. */
typedef struct {
    const char *hash; /* the token's SHA-256 hex: its key */
    int refresh;      /* 0: an access token; 1: a refresh token */
    const mto_token_t *row;
    int live; /* not expired, and (refresh) not rotated */
} mto_found_token_t;

/* The start the revocation and introspection endpoints share: the client
 * request (mto_client_request), its `token` parameter, and the token looked
 * up by its hash in both token tables, the one token_type_hint names first
 * (RFC 7009 §2.1, RFC 7662 §2.1: a hint is only a hint; an unknown one is
 * ignored).  OK: *client is set and found->row is the token's row, or
 * NULL when the token is unknown; else the error answer was sent and this
 * is its status (respond.h), for the handler to return. */
int mto_token_request(request_rec *r, const char *endpoint, apr_int64_t now, mto_client_t **client,
                      mto_found_token_t *found);

/* ----------------------------------------------------------- metadata.c */

/* Notes a SetHandler line of a <Location> or <LocationMatch> section, for
 * the endpoints the metadata lists, and declines it: the core handles it. */
const char *mto_metadata_note_handler(cmd_parms *cmd, void *dc, const char *args);

/* ------------------------------------------------------------ purge.c */

/* After a client endpoint answered with status: flushes the answer and
 * purges what has expired, when this child's purge for r's server is due. */
void mto_purge_after_answer(request_rec *r, int status);

/* child_init: this child's purge times, one per server, all due at once. */
void mto_purge_child_init(apr_pool_t *pchild, server_rec *s);

/* ------------------------------------------------------------ consent.c */

/* CSRF tokens of the module's forms: "time.HMAC" with the server's secret
 * key (config.h) over purpose, user, bound (what the form acts on) and
 * time; valid for 15 minutes. */
const char *mto_csrf_token(request_rec *r, const char *purpose, const char *user, const char *bound,
                           apr_int64_t now);
int mto_csrf_ok(request_rec *r, const char *purpose, const char *user, const char *bound,
                const char *token, apr_int64_t now);

/* Consent CSRF tokens: bound to the authorization request (r->args). */
const char *mto_consent_csrf_token(request_rec *r, const char *user, apr_int64_t now);
int mto_consent_csrf_ok(request_rec *r, const char *user, const char *token, apr_int64_t now);

/* The language of r's page (Accept-Language among mto_conf_langs; "en"
 * when none fits), chosen once per request; adds Vary: Accept-Language. */
const char *mto_page_lang(request_rec *r);

/* An HTML error page (mto_send_html_error) in r's language: title and
 * message are the texts of mto_texts(mto_page_lang(r)). */
int mto_html_error(request_rec *r, int status, const char *title, const char *message);

/* Sends the consent page for the client, the redirect URI the user will
 * be sent to, and the scopes; its status. */
int mto_consent_page(request_rec *r, const mto_client_t *client, const char *redirect_uri,
                     const apr_array_header_t *scopes, const char *csrf_token);

/* ------------------------------------------------------------ handlers */

/* The names SetHandler maps (docs/endpoints.md). */
#define MTO_HANDLER_AUTHORIZE  "mytimetable-oauth-authorize"
#define MTO_HANDLER_TOKEN      "mytimetable-oauth-token"
#define MTO_HANDLER_REVOKE     "mytimetable-oauth-revoke"
#define MTO_HANDLER_INTROSPECT "mytimetable-oauth-introspect"
#define MTO_HANDLER_METADATA   "mytimetable-oauth-metadata"
#define MTO_HANDLER_ACCOUNT    "mytimetable-oauth-account"
#define MTO_HANDLER_STATUS     "mytimetable-oauth-status"

/* Each sends its answer and returns its status, or MTO_NOT_SENT (respond.h). */
int mto_handle_authorize(request_rec *r);
int mto_handle_token(request_rec *r);
int mto_handle_revoke(request_rec *r);
int mto_handle_introspect(request_rec *r);
int mto_handle_metadata(request_rec *r);
int mto_handle_account(request_rec *r);
int mto_handle_status(request_rec *r); /* status.c: the counters (docs/status.md) */

#endif /* MTO_ENDPOINTS_H */
