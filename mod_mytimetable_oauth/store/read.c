/*
 * read.c - the store's look-ups and their row mapping: clients, approvals,
 * codes, access and refresh tokens, API tokens.
 */
#include "store/dbd.h"

/* ------------------------------------------------------------ clients */

mto_store_rc mto_store_client_get(request_rec *r, const char *client_id, mto_client_t **out)
{
    mto_row_t row;
    mto_client_t *c;
    const char *autoapprove;
    mto_store_rc rc = mto_row_by_key(r, MTO_SQL_CLIENT_GET, client_id, &row);

    if (rc != MTO_STORE_OK) {
        return rc;
    }
    c = apr_pcalloc(r->pool, sizeof(*c));
    c->client_id = mto_col_str(&row, 0);
    c->secret_hash = mto_col_opt(&row, 1);
    c->scopes = mto_list_split(r->pool, mto_col_raw(&row, 2));
    c->grant_types = mto_list_split(r->pool, mto_col_raw(&row, 3));
    c->redirect_uris = mto_list_split(r->pool, mto_col_raw(&row, 4));
    c->access_validity = mto_col_i64(&row, 5, -1);
    c->refresh_validity = mto_col_i64(&row, 6, -1);
    autoapprove = mto_col_raw(&row, 7);
    c->autoapprove_all = autoapprove && !strcasecmp(autoapprove, "true");
    c->autoapprove = mto_list_split(r->pool, c->autoapprove_all ? NULL : autoapprove);
    c->authorities = mto_list_split(r->pool, mto_col_raw(&row, 8));
    c->additional_info = mto_col_opt(&row, 9); /* parsed by the cache */
    *out = c;
    return MTO_STORE_OK;
}

/* ------------------------------------------------------------ approvals */

mto_store_rc mto_store_approval_covers(request_rec *r, const char *user, const char *client_id,
                                       const apr_array_header_t *scopes)
{
    ap_dbd_t *dbd = mto_conn(r);
    const char *args[3];
    apr_dbd_results_t *res;
    mto_row_t row = { r, dbd, NULL, NULL, 0 };
    apr_array_header_t *approved;
    int got;

    if (!dbd) {
        return MTO_STORE_ERROR;
    }
    args[0] = user;
    args[1] = client_id;
    args[2] = mto_i64(r->pool, apr_time_sec(apr_time_now()));
    if (mto_select(r, dbd, MTO_SQL_APPROVAL_GET, &res, 3, args) != 0) {
        return MTO_STORE_ERROR;
    }
    approved = apr_array_make(r->pool, 8, sizeof(const char *));
    while ((got = mto_next_row(&row, res, MTO_SQL_APPROVAL_GET)) == 1) {
        APR_ARRAY_PUSH(approved, const char *) = mto_col_str(&row, 0);
    }
    if (got < 0) {
        return MTO_STORE_ERROR;
    }
    return mto_list_subset(scopes, approved) ? MTO_STORE_OK : MTO_STORE_NOTFOUND;
}

/* ------------------------------------------------------------ codes */

mto_store_rc mto_store_code_get(request_rec *r, const char *code_hash, mto_code_t **out)
{
    mto_row_t row;
    mto_code_t *c;
    mto_store_rc rc = mto_row_by_key(r, MTO_SQL_CODE_GET, code_hash, &row);

    if (rc != MTO_STORE_OK) {
        return rc;
    }
    c = apr_pcalloc(r->pool, sizeof(*c));
    c->client_id = mto_col_str(&row, 0);
    c->user = mto_col_str(&row, 1);
    c->scope = mto_col_str(&row, 2);
    c->redirect_uri = mto_col_str(&row, 3);
    c->challenge = mto_col_str(&row, 4);
    c->challenge_method = mto_col_str(&row, 5);
    c->expires = mto_col_i64(&row, 6, 0);
    c->used = mto_col_i64(&row, 7, 0) != 0;
    *out = c;
    return MTO_STORE_OK;
}

/* ------------------------------------------------------------ tokens */

mto_store_rc mto_store_token_get(request_rec *r, const char *token_hash, mto_token_t **out)
{
    mto_row_t row;
    mto_token_t *t;
    mto_store_rc rc = mto_row_by_key(r, MTO_SQL_TOKEN_GET, token_hash, &row);

    if (rc != MTO_STORE_OK) {
        return rc;
    }
    t = apr_pcalloc(r->pool, sizeof(*t));
    t->client_id = mto_col_str(&row, 0);
    t->user = mto_col_str(&row, 1);
    t->scope = mto_col_str(&row, 2);
    t->issued = mto_col_i64(&row, 3, 0);
    t->expires = mto_col_i64(&row, 4, 0);
    *out = t;
    return MTO_STORE_OK;
}

/* ================================================== refresh tokens
 * RFC 6749 §6 with rotation and reuse detection (RFC 9700 §4.14.2).  A grant
 * is the family of rows sharing grant_id; a used token stays, marked rotated,
 * until the grant ends, so that presenting it again is recognised. */

mto_store_rc mto_store_refresh_get(request_rec *r, const char *token_hash, mto_refresh_t **out)
{
    mto_row_t row;
    mto_refresh_t *rt;
    mto_store_rc rc = mto_row_by_key(r, MTO_SQL_REFRESH_GET, token_hash, &row);

    if (rc != MTO_STORE_OK) {
        return rc;
    }
    rt = apr_pcalloc(r->pool, sizeof(*rt));
    rt->grant_id = mto_col_str(&row, 0);
    rt->client_id = mto_col_str(&row, 1);
    rt->user = mto_col_str(&row, 2);
    rt->scope = mto_col_str(&row, 3);
    rt->code_hash = mto_col_str(&row, 4);
    rt->issued = mto_col_i64(&row, 5, 0);
    rt->expires = mto_col_i64(&row, 6, 0);
    rt->rotated = mto_col_i64(&row, 7, 0) != 0;
    *out = rt;
    return MTO_STORE_OK;
}

/* The refresh token's row seen as a token (for the revocation and
 * introspection endpoints). */
mto_store_rc mto_store_refresh_token_get(request_rec *r, const char *token_hash, mto_token_t **out,
                                         int *rotated)
{
    mto_refresh_t *rt = NULL;
    mto_token_t *t;
    mto_store_rc rc = mto_store_refresh_get(r, token_hash, &rt);

    *rotated = 0;
    if (rc != MTO_STORE_OK) {
        return rc;
    }
    t = apr_pcalloc(r->pool, sizeof(*t));
    t->client_id = rt->client_id;
    t->user = rt->user;
    t->scope = rt->scope;
    t->issued = rt->issued;
    t->expires = rt->expires;
    *rotated = rt->rotated;
    *out = t;
    return MTO_STORE_OK;
}

/* ------------------------------------------------------------ API tokens */

mto_store_rc mto_store_api_token_get(request_rec *r, const char *token, mto_api_token_t **out)
{
    ap_dbd_t *dbd = mto_conn(r);
    const char *hex = mto_sha256_hex(r->pool, token, strlen(token));
    const char *args[3];
    apr_dbd_results_t *res;
    mto_row_t row = { r, dbd, NULL, NULL, 0 };
    mto_api_token_t *t = NULL;
    int got;

    if (!dbd) {
        return MTO_STORE_ERROR;
    }
    args[0] = token;
    args[1] = apr_pstrcat(r->pool, "{SHA-256}", hex, NULL);
    args[2] = apr_pstrcat(r->pool, "{SHA-256}", hex, NULL);
    ap_str_toupper((char *)args[2] + 9);
    if (mto_select(r, dbd, MTO_SQL_API_TOKEN_GET, &res, 3, args) != 0) {
        return MTO_STORE_ERROR;
    }
    /* The match is checked again in constant time: the database compares
     * as it likes (a case-insensitive collation would otherwise let a token
     * in the wrong case pass). */
    /* Read to the end even after a match: an ODBC cursor stays open until then. */
    while ((got = mto_next_row(&row, res, MTO_SQL_API_TOKEN_GET)) == 1) {
        if (!t && mto_api_token_matches(r->pool, mto_col_raw(&row, 1), token)) {
            t = apr_pcalloc(r->pool, sizeof(*t));
            t->name = mto_col_str(&row, 0);
            t->is_elevated = mto_db_bool(mto_col_raw(&row, 2));
            t->authentication_required = mto_db_bool(mto_col_raw(&row, 3));
        }
    }
    if (got < 0) {
        return MTO_STORE_ERROR;
    }
    if (!t) {
        return MTO_STORE_NOTFOUND;
    }
    *out = t;
    return MTO_STORE_OK;
}
