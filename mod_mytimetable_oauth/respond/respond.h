/*
 * respond.h - every answer the module sends: JSON, error JSON, HTML pages,
 * redirects, and their headers.  Handlers decide; these functions speak.
 */
#ifndef MTO_RESPOND_H
#define MTO_RESPOND_H

#include <httpd.h>
#include <jansson.h>

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

/* 503 {"error":"temporarily_unavailable"}: the database failed (logged already). */


/* A small HTML page for errors that must not redirect (unknown client…). */
int mto_send_html_error(request_rec *r, int status, const char *title, const char *message);

/* A redirect (302 or 303) to url, with no-store. */
int mto_send_redirect(request_rec *r, int status, const char *url);

#endif /* MTO_RESPOND_H */
