/*
 * types.h - the rows the core works on: clients, codes, tokens,
 * refresh tokens, API tokens.
 */
#ifndef MTO_CORE_TYPES_H
#define MTO_CORE_TYPES_H

#include <apr_pools.h>
#include <apr_tables.h>
#include <apr_strings.h>

/* The members of oauth_client_details.additional_information the module
 * reads (RFC 7591 names; docs/endpoints.md, "For app developers"), as
 * respond/client_info.c parses them: NULL or empty where absent or unfit
 * (the URIs https only). */
typedef struct {
    const char *name;                    /* client_name */
    const char *logo_uri;                /* https */
    const char *client_uri;              /* https */
    const char *policy_uri;              /* https */
    const char *tos_uri;                 /* https */
    int auth_none;                       /* token_endpoint_auth_method "none" */
    apr_array_header_t *allowed_origins; /* const char *; scheme://host[:port], canonical */
} mto_client_info_t;

/* A row of oauth_client_details, parsed. */
typedef struct {
    const char *client_id;
    const char *secret_hash;           /* Spring format: {SHA-256}…, {bcrypt}…, {noop}… */
    apr_array_header_t *scopes;        /* const char *; allowed scopes */
    apr_array_header_t *grant_types;   /* const char * */
    apr_array_header_t *redirect_uris; /* const char *; exact-match list */
    int autoapprove_all;               /* autoapprove = "true" */
    apr_array_header_t *autoapprove;   /* const char *; scopes approved without asking */
    apr_int64_t access_validity;       /* seconds; 0 = never; -1 = NULL (server default) */
    apr_int64_t refresh_validity;      /* seconds; 0 = never; -1 = NULL */
    apr_array_header_t *authorities;   /* const char *; Spring roles (grant.h) */
    const char *additional_info;       /* the column as read (NULL); never cached */
    mto_client_info_t info;            /* additional_information parsed (cached) */
} mto_client_t;

/* An authorization code as stored (the code itself is only ever a hash). */
typedef struct {
    const char *client_id;
    const char *user;
    const char *scope;            /* space separated */
    const char *redirect_uri;     /* as sent on the authorize request, "" if none */
    const char *challenge;        /* PKCE code_challenge, "" if none */
    const char *challenge_method; /* "S256", "plain" or "" */
    apr_int64_t expires;          /* epoch seconds */
    int used;                     /* redeemed already */
} mto_code_t;

/* An issued access token as stored. */
typedef struct {
    const char *client_id;
    const char *user;
    const char *scope;   /* space separated */
    apr_int64_t issued;  /* epoch seconds */
    apr_int64_t expires; /* epoch seconds; 0 = never */
} mto_token_t;

/* A refresh token as stored.  Every refresh token of one grant (the
 * authorization the user gave once) shares grant_id, scope and expires: each
 * use replaces the token by a new one of the same grant (rotation) and
 * marks the old one rotated, so that its reuse shows (RFC 9700 §4.14.2). */
typedef struct {
    const char *grant_id; /* 64 hex digits, random per grant */
    const char *client_id;
    const char *user;
    const char *scope;     /* the grant's scope, space separated */
    const char *code_hash; /* the code the grant began with, "" if unknown */
    apr_int64_t issued;    /* epoch seconds */
    apr_int64_t expires;   /* the grant's end, epoch seconds; 0 = never */
    int rotated;           /* replaced by a newer refresh token already */
} mto_refresh_t;

/* A row of api_tokens. */
typedef struct {
    const char *name;
    int is_elevated;
    int authentication_required;
} mto_api_token_t;

#endif /* MTO_CORE_TYPES_H */
