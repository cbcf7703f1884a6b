/*
 * grant.h - the rules of the two grants (docs/endpoints.md): whether an
 * authorization request may have a code, whether a code or refresh token
 * may be exchanged by this request, and how long what is issued lives.
 * Pure: plain values in, a verdict out; no request, no configuration.
 */
#ifndef MTO_GRANT_H
#define MTO_GRANT_H

#include <apr_pools.h>
#include <apr_tables.h>

#include "core/core.h"

/* What an authorization request may be granted (RFC 6749 §4.1.1, RFC 7636
 * §4.3): the scopes, and the PKCE challenge ("" and "" when none). */
typedef struct {
    const apr_array_header_t *scopes; /* const char * */
    const char *challenge;
    const char *challenge_method;
} mto_authz_grant_t;

/* The scope and PKCE parameters of an authorization request by a client
 * allowed client_scopes.  NULL when good (*grant filled in), else the
 * RFC 6749 §4.1.2.1 error code with *description. */
const char *mto_authz_grant_check(apr_pool_t *p, const apr_table_t *params,
                                  const apr_array_header_t *client_scopes, int require_pkce,
                                  mto_authz_grant_t *grant, const char **description);

/* Why the code may not be redeemed by this token request of the client at
 * now; NULL when it may (RFC 6749 §4.1.3, RFC 7636 §4.6, RFC 9700 §2.1.1;
 * a public client's code needs an S256 challenge). */
const char *mto_code_mismatch(apr_pool_t *p, const apr_table_t *params, const mto_client_t *client,
                              const mto_code_t *code, apr_int64_t now);

/* Why the refresh token may not be used by client_id at now; NULL when it
 * may. */
const char *mto_refresh_mismatch(const char *client_id, const mto_refresh_t *rt, apr_int64_t now);

/* The scope of a refresh (RFC 6749 §6): the one asked for, within the
 * grant's (granted, space separated); none asked: the grant's.  Either way
 * within client_scopes, what the client may have now.  NULL when good
 * (*scope set), else the description of what is wrong. */
const char *mto_refresh_scope(apr_pool_t *p, const apr_table_t *params,
                              const apr_array_header_t *client_scopes, const char *granted,
                              const char **scope);

/* A resource server (RFC 7662 §4): authorities name ROLE_RESOURCE_SERVER,
 * or Spring's ROLE_TRUSTED_CLIENT of /oauth/check_token.  It may
 * introspect every client's access tokens, and gets no code or token. */
int mto_client_is_resource_server(const mto_client_t *c);

/* An expiry from a client's *_token_validity: seconds, 0 = never (expiry
 * 0), negative (NULL in the database) = dflt. */
apr_int64_t mto_expiry(apr_int64_t validity, apr_int64_t dflt, apr_int64_t now);

#endif /* MTO_GRANT_H */
