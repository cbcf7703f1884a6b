/*
 * bearer.h - bearer credentials in headers, queries and request
 * lines, RFC 6750 (bearer.c).
 */
#ifndef MTO_CORE_BEARER_H
#define MTO_CORE_BEARER_H

#include <apr_pools.h>

/* What a credential source held. */
#define MTO_CRED_ABSENT    0    /* nothing for us (or another auth-scheme) */
#define MTO_CRED_FOUND     1    /* *token set */
#define MTO_CRED_MALFORMED (-1) /* RFC 6750 invalid_request */

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

/* Whether s (a query, URL or request line) may hold an access_token pair:
 * it names one, or has a '%' that could spell it.  Cheap; 0 for NULL. */
int mto_query_may_hold_token(const char *s);

/* A URL ("proxy:http://host/path?query") without its access_token pairs
 * (and without its "?" when nothing is left): the query runs from the first
 * "?" to the end. */
char *mto_url_without_token(apr_pool_t *p, const char *url);

/* s as an RFC 9110 quoted-string (for WWW-Authenticate auth-params);
 * control characters are dropped. */
const char *mto_quoted_string(apr_pool_t *p, const char *s);

#endif /* MTO_CORE_BEARER_H */
