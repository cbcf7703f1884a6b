/*
 * client.h - rules about a client that are not about one grant (client.c):
 * public clients, matching redirect URIs, the origins that may read a
 * client's answers (CORS), and the URIs its metadata may show.
 */
#ifndef MTO_CORE_CLIENT_H
#define MTO_CORE_CLIENT_H

#include <apr_pools.h>

#include "core/types.h"

/* A public client (RFC 6749 §2.1, RFC 8252): no secret stored, and
 * token_endpoint_auth_method "none".  A client with a secret is
 * confidential whatever its metadata says: it is never downgraded. */
int mto_client_public(const mto_client_t *c);

/* requested matches registered: exact string equality (RFC 6749 §3.1.2.3,
 * RFC 9700 §2.1), private-use schemes included.  With loopback_any_port, a
 * registered http://127.0.0.1[:port]/PATH or http://[::1][:port]/PATH
 * also matches the same URI with any port or none (RFC 8252 §7.3). */
int mto_redirect_uri_matches(const char *registered, const char *requested, int loopback_any_port);

/* requested matches one of c's redirect URIs (any loopback port for a
 * public client only). */
int mto_client_redirect_ok(const mto_client_t *c, const char *requested);

/* The origin scheme://host[:port] as a browser serializes it (RFC 6454
 * §6.2: scheme and host in lower case, the default port of http and https
 * left out), of s, which must be an origin (a trailing "/" aside); NULL
 * when it is not one. */
const char *mto_origin_canon(apr_pool_t *p, const char *s);

/* The origin of an http or https URI; NULL for any other. */
const char *mto_uri_origin(apr_pool_t *p, const char *uri);

/* origin (an Origin header as sent) may read c's answers (CORS): it is the
 * origin of one of c's redirect URIs or one of its allowed_origins. */
int mto_client_origin_allowed(apr_pool_t *p, const mto_client_t *c, const char *origin);

/* Where uri sends the user, to show on the consent page: host[:port] in
 * lower case (user-info left out), or the scheme of a URI without an
 * authority (an app's private-use scheme); NULL when it has neither. */
const char *mto_uri_host(apr_pool_t *p, const char *uri);

/* An https URI fit to show as a link or an image: https://host[:port]…, no
 * user-info, at most 2048 printable ASCII characters without quotes,
 * angle brackets, backslash or back-quote. */
int mto_https_uri_ok(const char *uri);

#endif /* MTO_CORE_CLIENT_H */
