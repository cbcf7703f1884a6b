/*
 * gate.h - the resource-server gate: AuthType mytimetable-oauth, its Require
 * providers, and how it says no (docs/gate.md).
 */
#ifndef MTO_GATE_H
#define MTO_GATE_H

#include <httpd.h>

#include "core/core.h"

#define MTO_AUTH_TYPE "mytimetable-oauth"

/* What the client sent, worked out once per top-level request (the first
 * request of its chain of internal redirects and sub-requests) and kept in
 * that request's pool, which outlives every request of the chain.  Every
 * request of the chain reads it; only the look-ups are filled in later, on
 * first need (gate/creds.c). */
typedef struct {
    /* The bearer token in each source (MTO_CRED_*), whatever a Location accepts. */
    int header, query;
    const char *header_token, *query_token;
    /* apiToken: MTO_STORE_OK (api set), _NOTFOUND, _ERROR; -1: none sent. */
    int api_rc;
    const mto_api_token_t *api;
    const char *requested_as; /* the requestedAuth header; NULL: none */
    int requested_logged;     /* its use was logged (once per request) */
    /* Look-ups of header_token [0] and query_token [1], made on first need. */
    struct {
        int done;
        int status; /* OK, HTTP_UNAUTHORIZED (unknown, revoked, expired), 503 */
        const char *description;
        const mto_token_t *row;
        const apr_array_header_t *scopes;
    } looked[2];
} mto_gate_creds_t;

/* The gate's decision for one request: its own, in its own request_config
 * and pool.  A sub-request or internal redirect decides for itself; one
 * with the same configuration as the request it came from, for which httpd
 * skips the access checks, reads that request's decision (mto_gate_decision). */
typedef struct {
    /* Which credential counts here. */
    int token_in;      /* MTO_TOKEN_IN_HEADER, _QUERY or 0: none */
    const char *token; /* the access token (never logged) */
    /* What they are worth here. */
    const mto_token_t *oauth;         /* a valid access token's row */
    const mto_api_token_t *api;       /* a valid API token */
    const char *user;                 /* who the request acts as; NULL: nobody */
    const apr_array_header_t *scopes; /* const char *; what it may do */
    /* A failure the gate decided (status != OK): how to answer. */
    int status;        /* OK, 400, 401, 403, 503 */
    const char *error; /* RFC 6750 / JSON error code; NULL: a bare challenge */
    const char *description;
    int json; /* the answer has a JSON body */
    /* Set by the authz providers when a Require line denied. */
    apr_array_header_t *missing_scopes; /* const char *; for scope="…" */
    int api_token_denied;
    int granted; /* access granted: later errors are not ours */
} mto_gate_t;

/* r's decision (making it on first call), or NULL when r is not behind the
 * gate (AuthType mytimetable-oauth or RequireApiToken). */
mto_gate_t *mto_gate_get(request_rec *r);

/* The decision already made for r, or for the request whose access checks
 * httpd let r share (same configuration); NULL: none. */
mto_gate_t *mto_gate_decision(request_rec *r);

/* Records a failure on g; returns the status, for returning from a hook. */
int mto_gate_fail(mto_gate_t *g, int status, const char *error, const char *description, int json);

/* r's user was authenticated by this module's AuthType (an access token or
 * an elevated API token): the endpoints that need a person refuse it. */
int mto_gate_authenticated(const request_rec *r);

/* gate/creds.c: the credentials of r's top-level request (made on first call). */
mto_gate_creds_t *mto_gate_creds(request_rec *r);
/* The access token of source i (0 header, 1 query) looked up, once. */
void mto_gate_creds_lookup(request_rec *r, mto_gate_creds_t *c, int i);
/* PassToken Off: the token taken from r wherever a backend, an error
 * document or an internal redirect could find it. */
void mto_gate_take_token(request_rec *r, const mto_gate_creds_t *c);

/* Hooks, registered by mod_mytimetable_oauth.c.  gate/gate.c: */
int mto_gate_scrub(request_rec *r);        /* header_parser: identity headers */
int mto_gate_check_access(request_rec *r); /* check_access: API token */
int mto_gate_check_authn(request_rec *r);  /* check_authn: access token */
int mto_gate_note_failure(request_rec *r, const char *auth_type);
int mto_gate_fixups(request_rec *r); /* identity for the backend */
/* gate/creds.c: */
int mto_gate_log_redact(request_rec *r); /* log_transaction, every request */
/* gate/challenge.c: */
void mto_gate_insert_error_filter(request_rec *r); /* the gate's error answers */
void mto_gate_error_document(request_rec *r);      /* the same under an ErrorDocument */
void mto_gate_register_filter(apr_pool_t *p);      /* the JSON error body filter */
/* gate/require.c: the Require providers oauth-scope and api-token. */
void mto_require_register(apr_pool_t *p);

#endif /* MTO_GATE_H */
