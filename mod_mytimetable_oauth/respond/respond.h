/*
 * respond.h - every answer the module sends: JSON, error JSON, HTML pages,
 * redirects, and their headers.  Handlers decide; these functions speak.
 *
 * How a handler says what happened: each function here that sends an
 * answer returns the HTTP status it sent (never OK), or MTO_NOT_SENT when
 * the answer could not be built (out of memory; httpd then sends its own
 * 500).  A step of a handler returns OK when it sent nothing and the
 * handler goes on, else that value, which the handler returns as it is;
 * the handler's caller (mod_mytimetable_oauth.c) turns it into httpd's.
 */
#ifndef MTO_RESPOND_H
#define MTO_RESPOND_H

#include <httpd.h>

#include "core/core.h"

/* No answer was sent: out of memory.  Neither OK nor an HTTP status. */
#define MTO_NOT_SENT (-500)

/* ------------------------------------------------------------ respond.c */

/* Cache-Control: no-store and Pragma: no-cache (RFC 6749 §5.1). */
void mto_no_store(request_rec *r);

/* 200 with an empty body and no-store (RFC 7009 §2.2). */
int mto_send_empty(request_rec *r);

/* 200: an HTML page (the consent page), with the headers of every page:
 * no-store, never framed, no referrer. */
int mto_send_page(request_rec *r, const char *html);

/* A small HTML page for errors that must not redirect (unknown client…). */
int mto_send_html_error(request_rec *r, int status, const char *title, const char *message);

/* A redirect (302 or 303) to url, with no-store. */
int mto_send_redirect(request_rec *r, int status, const char *url);

/* ------------------------------------------------------------ json.c */

/* RFC 6749 §5.2 / RFC 6750 §3 error object, compact JSON:
 * {"error":…,"error_description":…,"scope":…}, description and scope only
 * when given (and UTF-8).  NULL when it cannot be built.  The gate's
 * bodies, which go out through httpd's error response. */
const char *mto_error_json(apr_pool_t *p, const char *error, const char *description,
                           const char *scope);

/* RFC 6749 §5.2 error answer, with no-store. */
int mto_send_oauth_error(request_rec *r, int status, const char *error, const char *description);

/* 503 {"error":"temporarily_unavailable"}: the database failed (logged already). */
int mto_send_unavailable(request_rec *r);

/* RFC 6749 §5.1 success: the access token of t (bearer, t's scope,
 * expires_in unless it never expires), and the refresh token when one was
 * issued (else NULL). */
int mto_send_token(request_rec *r, const char *access_token, const mto_token_t *t,
                   const char *refresh);

/* RFC 7662 §2.2: t NULL: {"active":false}; else t's members, sub (the
 * user, as resource servers take it), token_type ("bearer" or
 * "refresh_token"), exp only for a token that expires, and iss (issuer). */
int mto_send_introspection(request_rec *r, const mto_token_t *t, const char *token_type,
                           const char *issuer);

/* RFC 8414 §3.2 metadata: the issuer, the endpoints (member name → URL, in
 * table order), what the module supports (scopes; S256 only when
 * require_pkce), cacheable for max_age seconds. */
int mto_send_metadata(request_rec *r, const char *issuer, const apr_table_t *endpoints,
                      const apr_array_header_t *scopes, int require_pkce, int max_age);

#endif /* MTO_RESPOND_H */
