/*
 * tool_rows.c - what the admin tool reads and writes (tool.h, "tool_db.c"
 * section): clients, API tokens, tokens, purge.  It runs statements by label
 * (store/statements.c) and maps their rows; revoking a grant and purging
 * run the module's own statements, so that both do exactly the same.
 */
#include <string.h>

#include <apr_lib.h>
#include <apr_strings.h>

#include "store/tool_db.h"

/* Maps one row of a SELECT to a row of tool.h. */
typedef void *db_row_fn(tool_db_t *db, apr_dbd_row_t *row);

/* Appends every row of the SELECT label, mapped, to *rows (a new array
 * unless *rows is given). */
static int db_rows(tool_db_t *db, const char *what, const char *label, int nargs,
                   const char *const *args, db_row_fn *map, apr_array_header_t **rows)
{
    apr_dbd_results_t *res;
    apr_dbd_row_t *row = NULL;
    int rc;

    if (!*rows) {
        *rows = apr_array_make(db->pool, 16, sizeof(void *));
    }
    if ((rc = tool_sql_select(db, what, &res, label, nargs, args)) != TOOL_OK) {
        return rc;
    }
    while (tool_sql_next(db, res, &row)) {
        APR_ARRAY_PUSH(*rows, void *) = map(db, row);
    }
    return TOOL_OK;
}

/* --------------------------------------------------------------- clients */

static void *db_client_row(tool_db_t *db, apr_dbd_row_t *row)
{
    tool_client_row_t *c = apr_pcalloc(db->pool, sizeof(*c));

    c->client_id = tool_sql_col(db, row, 0);
    c->resource_ids = tool_sql_col(db, row, 1);
    c->client_secret = tool_sql_col(db, row, 2);
    c->scope = tool_sql_col(db, row, 3);
    c->authorized_grant_types = tool_sql_col(db, row, 4);
    c->web_server_redirect_uri = tool_sql_col(db, row, 5);
    c->authorities = tool_sql_col(db, row, 6);
    c->access_token_validity = tool_sql_col(db, row, 7);
    c->refresh_token_validity = tool_sql_col(db, row, 8);
    c->additional_information = tool_sql_col(db, row, 9);
    c->autoapprove = tool_sql_col(db, row, 10);
    return c;
}

int tool_db_client_get(tool_db_t *db, const char *client_id, tool_client_row_t **out)
{
    const char *args[] = { client_id };
    apr_array_header_t *rows = NULL;
    int rc;

    *out = NULL;
    if ((rc = db_rows(db, "looking the client up", MTO_SQL_TOOL_CLIENT_GET, 1, args, db_client_row,
                      &rows))
        != TOOL_OK) {
        return rc;
    }
    if (rows->nelts > 0) {
        *out = APR_ARRAY_IDX(rows, 0, tool_client_row_t *);
    }
    return TOOL_OK;
}

int tool_db_client_insert(tool_db_t *db, const tool_client_row_t *c)
{
    const char *args[] = { c->client_id,
                           c->resource_ids,
                           c->client_secret,
                           c->scope,
                           c->authorized_grant_types,
                           c->web_server_redirect_uri,
                           c->authorities,
                           c->access_token_validity,
                           c->refresh_token_validity,
                           c->additional_information,
                           c->autoapprove };

    return tool_sql_change(db, "adding the client", NULL, MTO_SQL_TOOL_CLIENT_INSERT, 11, args);
}

int tool_db_client_list(tool_db_t *db, apr_array_header_t **rows)
{
    *rows = NULL;
    return db_rows(db, "listing the clients", MTO_SQL_TOOL_CLIENT_LIST, 0, NULL, db_client_row,
                   rows);
}

int tool_db_client_set_secret(tool_db_t *db, const char *client_id, const char *hash, int *found)
{
    const char *args[] = { hash, client_id };
    int rc, n = 0;

    rc = tool_sql_change(db, "setting the client's secret", &n, MTO_SQL_TOOL_CLIENT_SECRET, 2, args);
    *found = n > 0;
    return rc;
}

int tool_db_client_set_info(tool_db_t *db, const char *client_id, const char *info, int *found)
{
    const char *args[] = { info, client_id };
    int rc, n = 0;

    rc = tool_sql_change(db, "setting the client's additional_information", &n,
                        MTO_SQL_TOOL_CLIENT_INFO, 2, args);
    *found = n > 0;
    return rc;
}

int tool_db_client_remove(tool_db_t *db, const char *client_id, int *found, tool_counts_t *removed)
{
    int n = 0;
    const struct {
        const char *label;
        const char *what;
        int *count;
    } steps[] = {
        { MTO_SQL_TOOL_CLIENT_CODES, "deleting the client's codes", &removed->codes },
        { MTO_SQL_TOOL_CLIENT_ACCESS, "deleting the client's access tokens", &removed->access },
        { MTO_SQL_TOOL_CLIENT_REFRESH, "deleting the client's refresh tokens", &removed->refresh },
        { MTO_SQL_TOOL_CLIENT_APPROVALS, "deleting the client's approvals", &removed->approvals },
        { MTO_SQL_TOOL_CLIENT_DELETE, "deleting the client", &n },
    };
    const char *args[] = { client_id };
    apr_dbd_transaction_t *tx;
    size_t i;
    int rc;

    memset(removed, 0, sizeof(*removed));
    *found = 0;
    if ((rc = tool_sql_change_begin(db, &tx)) != TOOL_OK) {
        return rc;
    }
    for (i = 0; i < sizeof(steps) / sizeof(steps[0]) && rc == TOOL_OK; i++) {
        rc = tool_sql_query(db, steps[i].what, steps[i].count, steps[i].label, 1, args);
    }
    if (rc == TOOL_OK) {
        *found = n > 0;
        if (!*found) {
            /* Nothing to remove: leave even stray rows as they were. */
            memset(removed, 0, sizeof(*removed));
            tool_sql_end(db, tx, TOOL_FAIL);
            return TOOL_OK;
        }
    }
    return tool_sql_end(db, tx, rc);
}

/* ------------------------------------------------------------ API tokens */

int tool_db_api_token_count_name(tool_db_t *db, const char *name, int *count)
{
    const char *args[] = { name };

    return tool_sql_count(db, "looking the API token up", MTO_SQL_TOOL_API_COUNT_NAME, 1, args,
                          count);
}

int tool_db_api_token_count_token(tool_db_t *db, const char *clear, const char *hashed, int *count)
{
    /* The module takes {SHA-256} hex in either case. */
    const char *args[] = { clear, apr_pstrdup(db->pool, hashed) };
    char *c;

    for (c = (char *)args[1]; *c; c++) {
        *c = apr_tolower(*c);
    }
    return tool_sql_count(db, "looking the API token up", MTO_SQL_TOOL_API_COUNT_TOKEN, 2, args,
                          count);
}

int tool_db_api_token_insert(tool_db_t *db, const tool_api_token_row_t *t)
{
    const char *args[] = { t->name, t->token, t->is_elevated ? "1" : "0",
                           t->authentication_required ? "1" : "0" };

    return tool_sql_change(db, "adding the API token", NULL, MTO_SQL_TOOL_API_INSERT, 4, args);
}

static void *db_api_token_row(tool_db_t *db, apr_dbd_row_t *row)
{
    tool_api_token_row_t *t = apr_pcalloc(db->pool, sizeof(*t));
    const char *name = tool_sql_col(db, row, 0);
    const char *token = tool_sql_col(db, row, 1);

    t->name = name ? name : "";
    t->token = token ? token : "";
    t->is_elevated = mto_db_bool(tool_sql_col(db, row, 2));
    t->authentication_required = mto_db_bool(tool_sql_col(db, row, 3));
    return t;
}

int tool_db_api_token_list(tool_db_t *db, apr_array_header_t **rows)
{
    *rows = NULL;
    return db_rows(db, "listing the API tokens", MTO_SQL_TOOL_API_LIST, 0, NULL, db_api_token_row,
                   rows);
}

int tool_db_api_token_remove(tool_db_t *db, const char *name, int *removed)
{
    const char *args[] = { name };

    *removed = 0;
    return tool_sql_change(db, "removing the API token", removed, MTO_SQL_TOOL_API_DELETE, 1,
                           args);
}

/* ---------------------------------------------------------------- tokens */

/* Both token lists start token_hash, client_id, user_name, scope,
 * issued_at, expires_at; the refresh tokens' goes on with rotated_at. */
static tool_token_row_t *db_token_row(tool_db_t *db, apr_dbd_row_t *row, const char *kind)
{
    tool_token_row_t *t = apr_pcalloc(db->pool, sizeof(*t));

    t->kind = kind;
    t->hash = tool_sql_col(db, row, 0);
    t->client_id = tool_sql_col(db, row, 1);
    t->user = tool_sql_col(db, row, 2);
    t->scope = tool_sql_col(db, row, 3);
    t->issued = tool_sql_col_int(db, row, 4);
    t->expires = tool_sql_col_int(db, row, 5);
    return t;
}

static void *db_access_row(tool_db_t *db, apr_dbd_row_t *row)
{
    return db_token_row(db, row, "access");
}

static void *db_refresh_row(tool_db_t *db, apr_dbd_row_t *row)
{
    tool_token_row_t *t = db_token_row(db, row, "refresh");

    t->rotated = tool_sql_col_int(db, row, 6) != 0;
    return t;
}

int tool_db_token_list(tool_db_t *db, const char *client_id, const char *user,
                       apr_array_header_t **rows)
{
    const char *args[] = { client_id, user };
    int rc;

    *rows = NULL;
    if ((rc = db_rows(db, "listing the access tokens", MTO_SQL_TOOL_ACCESS_LIST, 2, args,
                      db_access_row, rows))
        != TOOL_OK) {
        return rc;
    }
    return db_rows(db, "listing the refresh tokens", MTO_SQL_TOOL_REFRESH_LIST, 2, args,
                   db_refresh_row, rows);
}

int tool_db_token_revoke(tool_db_t *db, const char *client_id, const char *user,
                         tool_counts_t *revoked)
{
    const char *args[] = { client_id, user };
    apr_dbd_transaction_t *tx;
    int rc;

    memset(revoked, 0, sizeof(*revoked));
    if (!client_id && !user) { /* never "revoke everything" by accident */
        return tool_fail("revoke: neither a client nor a user given");
    }
    if ((rc = tool_sql_change_begin(db, &tx)) != TOOL_OK) {
        return rc;
    }
    if ((rc = tool_sql_query(db, "revoking access tokens", &revoked->access,
                             MTO_SQL_TOOL_ACCESS_REVOKE, 2, args))
            == TOOL_OK
        && (rc = tool_sql_query(db, "revoking refresh tokens", &revoked->refresh,
                                MTO_SQL_TOOL_REFRESH_REVOKE, 2, args))
               == TOOL_OK) {
        rc = tool_sql_query(db, "deleting unredeemed codes", &revoked->codes,
                            MTO_SQL_TOOL_CODES_REVOKE, 2, args);
    }
    return tool_sql_end(db, tx, rc);
}

/* The access token with this hash goes; when the hash is a refresh
 * token's, its grant goes as the module revokes one: the access tokens
 * issued with any of the grant's refresh tokens, then those. */
int tool_db_token_revoke_hash(tool_db_t *db, const char *hash, tool_counts_t *revoked)
{
    const char *args[] = { hash };
    const char *grant[] = { NULL };
    apr_dbd_transaction_t *tx;
    apr_dbd_results_t *res;
    apr_dbd_row_t *row = NULL;
    int rc, n = 0;

    memset(revoked, 0, sizeof(*revoked));
    if ((rc = tool_sql_change_begin(db, &tx)) != TOOL_OK) {
        return rc;
    }
    /* mto_refresh_get's first column is the grant. */
    if ((rc = tool_sql_select(db, "revoking the access token", &res, MTO_SQL_REFRESH_GET, 1, args))
        == TOOL_OK) {
        while (tool_sql_next(db, res, &row)) {
            if (!grant[0]) {
                grant[0] = tool_sql_col(db, row, 0);
            }
        }
        rc = tool_sql_query(db, "revoking the access token", &revoked->access, MTO_SQL_TOKEN_DELETE,
                            1, args);
    }
    if (rc == TOOL_OK && grant[0]
        && (rc = tool_sql_query(db, "revoking the access token", &n, MTO_SQL_REFRESH_GRANT_ACCESS,
                                1, grant))
               == TOOL_OK) {
        revoked->access += n;
        rc = tool_sql_query(db, "revoking the refresh token", &revoked->refresh,
                            MTO_SQL_REFRESH_GRANT_DELETE, 1, grant);
    }
    return tool_sql_end(db, tx, rc);
}

/* ----------------------------------------------------------------- purge */

/* The module's purge statements, in one transaction; each removes at most
 * MTO_PURGE_BATCH rows, so it runs again until a table is done. */
int tool_db_purge(tool_db_t *db, apr_int64_t now, tool_counts_t *purged)
{
    const struct {
        const char *label;
        const char *what;
        int *count;
    } steps[] = {
        { MTO_SQL_PURGE_CODES, "purging expired codes", &purged->codes },
        { MTO_SQL_PURGE_ACCESS, "purging expired access tokens", &purged->access },
        { MTO_SQL_PURGE_REFRESH, "purging expired refresh tokens", &purged->refresh },
        { MTO_SQL_PURGE_APPROVALS, "purging expired approvals", &purged->approvals },
    };
    const char *args[] = { apr_psprintf(db->pool, "%" APR_INT64_T_FMT, now) };
    apr_dbd_transaction_t *tx;
    size_t i;
    int rc, n;

    memset(purged, 0, sizeof(*purged));
    if ((rc = tool_sql_begin(db, &tx)) != TOOL_OK) {
        return rc;
    }
    for (i = 0; i < sizeof(steps) / sizeof(steps[0]) && rc == TOOL_OK; i++) {
        do {
            n = 0;
            rc = tool_sql_query(db, steps[i].what, &n, steps[i].label, 1, args);
            *steps[i].count += n;
        } while (rc == TOOL_OK && n >= MTO_PURGE_BATCH);
    }
    return tool_sql_end(db, tx, rc);
}
