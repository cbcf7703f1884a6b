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

/* mto_send_page for a page that shows one image (a client's logo): the
 * CSP lets images from img_origin in (NULL: none, as mto_send_page). */
int mto_send_page_img(request_rec *r, const char *html, const char *img_origin);

/* CORS (docs/endpoints.md, "CORS"), every header of it set here.  The metadata: any
 * origin may read it (Access-Control-Allow-Origin: *). */
void mto_cors_any(request_rec *r);

/* 204 to a preflight (OPTIONS with Origin and
 * Access-Control-Request-Method) of the token or revocation endpoint:
 * POST with Authorization and Content-Type, no credentials, from anywhere
 * (the real answer decides who may read it). */
int mto_send_cors_preflight(request_rec *r);

/* The answer may be read by origin (allowed for the client): its
 * Access-Control-Allow-Origin, and Vary: Origin. */
void mto_cors_allow(request_rec *r, const char *origin);

/* A small HTML page for errors that must not redirect (unknown client…),
 * in language lang (its lang attribute). */
int mto_send_html_error(request_rec *r, int status, const char *lang, const char *title,
                        const char *message);

/* A text answer of status (the status page's metrics, or its errors):
 * content_type, no-store, nosniff. */
int mto_send_text(request_rec *r, int status, const char *content_type, const char *text);

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

/* The error code of the RFC 6749 §5.2 answer sent for r, or NULL: what
 * the handler counts (the status page, docs/status.md). */
const char *mto_sent_error(const request_rec *r);

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

/* ------------------------------------------------------------ client_info.c */

/* oauth_client_details.additional_information (text; NULL when the column
 * is) read into *info: the members of mto_client_info_t, other members
 * ignored, URIs that are not https left out, allowed_origins canonical
 * (mto_origin_canon).  0 when text is NULL or a JSON object; -1 when it is
 * neither: *info is then as for NULL and *why says what is wrong. */
int mto_client_info_parse(apr_pool_t *p, const char *text, mto_client_info_t *info,
                          const char **why);

#endif /* MTO_RESPOND_H */
