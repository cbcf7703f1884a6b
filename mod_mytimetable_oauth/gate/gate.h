/*
 * gate.h - the resource-server gate: AuthType mytimetable-oauth, its Require
 * providers, and how it says no (README, "The gate").
 */
#ifndef MTO_GATE_H
#define MTO_GATE_H

#include <httpd.h>

#include "core/core.h"

#define MTO_AUTH_TYPE "mytimetable-oauth"

/* What the gate learnt of a request's credentials (README "The gate").  Worked out
 * once, on first need, and shared with the request's sub-requests and
 * internal redirects. */
typedef struct {
    /* The credentials as sent. */
    int token_in;        /* MTO_TOKEN_IN_HEADER, _QUERY or 0: none */
    const char *token;   /* the access token (never logged) */
    int query_has_token; /* access_token in the query: redact logs */
    /* What they are worth. */
    const mto_token_t *oauth;         /* a valid access token's row */
    const mto_api_token_t *api;       /* a valid API token */
    const char *user;                 /* who the request acts as; NULL: nobody */
    const apr_array_header_t *scopes; /* const char *; what it may do */
    /* A failure the gate decided (status != OK): how to answer. */
    int status;        /* OK, 400, 401, 403, 503 */
    const char *error; /* RFC 6750 / JSON error code; NULL: none */
    const char *description;
    int json; /* the answer has a JSON body */
    /* Set by the authz providers when a Require line denied. */
    apr_array_header_t *missing_scopes; /* const char *; for scope="…" */
    int api_token_denied;
    int granted; /* access granted: later errors are not ours */
} mto_gate_t;

/* The gate's state for r (computing it on first call), or NULL when r is
 * not behind the gate (AuthType mytimetable-oauth or RequireApiToken). */
mto_gate_t *mto_gate_get(request_rec *r);

/* Already-computed state of r or of the request it derives from. */
mto_gate_t *mto_gate_find(request_rec *r);

/* Records a failure on g; returns the status, for returning from a hook. */
int mto_gate_fail(mto_gate_t *g, int status, const char *error, const char *description, int json);

/* Hooks, registered by mod_mytimetable_oauth.c.  gate/gate.c: */
int mto_gate_scrub(request_rec *r);        /* header_parser: identity headers */
int mto_gate_check_access(request_rec *r); /* check_access: API token */
int mto_gate_check_authn(request_rec *r);  /* check_authn: access token */
int mto_gate_note_failure(request_rec *r, const char *auth_type);
int mto_gate_fixups(request_rec *r);     /* identity for the backend */
int mto_gate_log_redact(request_rec *r); /* log_transaction */
/* gate/challenge.c: */
void mto_gate_insert_error_filter(request_rec *r); /* the gate's error answers */
void mto_gate_error_document(request_rec *r);      /* the same under an ErrorDocument */
void mto_gate_register_filter(apr_pool_t *p);      /* the JSON error body filter */
/* gate/require.c: the Require providers oauth-scope and api-token. */
void mto_require_register(apr_pool_t *p);

#endif /* MTO_GATE_H */
