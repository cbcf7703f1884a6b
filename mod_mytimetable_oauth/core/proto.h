/*
 * proto.h - protocol rules (proto.c): Basic client credentials, scope
 * syntax, PKCE, redirect URLs, database booleans.
 */
#ifndef MTO_CORE_PROTO_H
#define MTO_CORE_PROTO_H

#include <apr_pools.h>
#include <apr_tables.h>

/* RFC 6749 §2.3.1 Basic client credentials: the value of an Authorization
 * header whose scheme is Basic; base64 of urlencode(id) ":" urlencode(secret).
 * 0 on success; non-zero if it is not Basic (returns 1) or malformed (2). */
int mto_basic_credentials(apr_pool_t *p, const char *header, const char **client_id,
                          const char **secret);

/* RFC 6749 §3.3: scope = scope-token *( SP scope-token ), NQCHAR only. */
int mto_scope_syntax_ok(const char *scope);

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

/* Appends name=value to a URL's query (keeping an existing '?' query and
 * dropping nothing), values urlencoded: for redirects back to the client. */
const char *mto_url_add_params(apr_pool_t *p, const char *url, const apr_table_t *params);

#endif /* MTO_CORE_PROTO_H */
