/*
 * account.c - the store's part of the account page (README "For your
 * users"): one user's applications, and revoking everything the user gave
 * one of them.
 */
#include "store/dbd.h"

#include <stdlib.h>

/* The entry of client_id in apps, added when it is new. */
static mto_account_app_t *mto_app_of(request_rec *r, apr_array_header_t *apps,
                                     const char *client_id)
{
    mto_account_app_t *a;
    int i;

    for (i = 0; i < apps->nelts; i++) {
        a = &APR_ARRAY_IDX(apps, i, mto_account_app_t);
        if (!strcmp(a->client_id, client_id)) {
            return a;
        }
    }
    a = apr_array_push(apps);
    a->client_id = client_id;
    a->scopes = apr_array_make(r->pool, 4, sizeof(const char *));
    a->since = 0;
    return a;
}

static void mto_app_add(request_rec *r, apr_array_header_t *apps, const char *client_id,
                        const char *scope, apr_int64_t since)
{
    mto_account_app_t *a = mto_app_of(r, apps, client_id);
    const apr_array_header_t *names = mto_scope_split(r->pool, scope);
    int i;

    for (i = 0; i < names->nelts; i++) {
        const char *s = APR_ARRAY_IDX(names, i, const char *);
        if (!mto_list_contains(a->scopes, s)) {
            APR_ARRAY_PUSH(a->scopes, const char *) = s;
        }
    }
    if (since > 0 && (a->since == 0 || since < a->since)) {
        a->since = since;
    }
}

/* Rows of (client_id, scope, time) into apps; time_offset turns the
 * third column into the time the row was made. */
static mto_store_rc mto_apps_from(request_rec *r, ap_dbd_t *dbd, const char *label, int nargs,
                                  const char **args, apr_int64_t time_offset,
                                  apr_array_header_t *apps)
{
    apr_dbd_results_t *res;
    mto_row_t row = { r, dbd, NULL, NULL, 0 };
    int got;

    if (mto_select(r, dbd, label, &res, nargs, args) != 0) {
        return MTO_STORE_ERROR;
    }
    while ((got = mto_next_row(&row, res, label)) == 1) {
        mto_app_add(r, apps, mto_col_str(&row, 0), mto_col_str(&row, 1),
                    mto_col_i64(&row, 2, 0) - time_offset);
    }
    return got < 0 ? MTO_STORE_ERROR : MTO_STORE_OK;
}

static int mto_cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int mto_cmp_app(const void *a, const void *b)
{
    return strcmp(((const mto_account_app_t *)a)->client_id,
                  ((const mto_account_app_t *)b)->client_id);
}

mto_store_rc mto_store_account_apps(request_rec *r, const char *user, apr_int64_t now,
                                    apr_int64_t approval_lifetime, apr_array_header_t **apps)
{
    ap_dbd_t *dbd = mto_conn(r);
    const char *n = mto_i64(r->pool, now);
    const char *approval_args[2] = { user, n }, *token_args[4] = { user, n, user, n };
    int i;

    *apps = apr_array_make(r->pool, 4, sizeof(mto_account_app_t));
    if (!dbd
        || mto_apps_from(r, dbd, MTO_SQL_ACCOUNT_APPROVALS, 2, approval_args, approval_lifetime,
                         *apps)
               != MTO_STORE_OK
        || mto_apps_from(r, dbd, MTO_SQL_ACCOUNT_TOKENS, 4, token_args, 0, *apps) != MTO_STORE_OK) {
        return MTO_STORE_ERROR;
    }
    qsort((*apps)->elts, (size_t)(*apps)->nelts, sizeof(mto_account_app_t), mto_cmp_app);
    for (i = 0; i < (*apps)->nelts; i++) {
        mto_account_app_t *a = &APR_ARRAY_IDX(*apps, i, mto_account_app_t);
        qsort(a->scopes->elts, (size_t)a->scopes->nelts, sizeof(const char *), mto_cmp_str);
        if (a->since > now) {
            a->since = now; /* approved under a longer MyTimetableOAuthApprovalLifetime */
        }
    }
    return MTO_STORE_OK;
}

/* As in mto_store_refresh_revoke_grant, the live refresh tokens are marked
 * rotated first: that write takes the lock, so a rotation in flight either
 * commits first, and the deletes that follow see its new tokens, or waits
 * and then loses its claim. */
mto_store_rc mto_store_account_revoke(request_rec *r, const char *user, const char *client_id,
                                      apr_int64_t now, apr_array_header_t *revoked)
{
    static const char *const deletes[] = { MTO_SQL_ACCOUNT_ACCESS_DELETE,
                                           MTO_SQL_ACCOUNT_REFRESH_DELETE,
                                           MTO_SQL_ACCOUNT_CODES_DELETE,
                                           MTO_SQL_ACCOUNT_APPROVAL_DELETE };
    ap_dbd_t *dbd = mto_conn(r);
    mto_txn_t txn;
    const char *close_args[3], *args[2] = { user, client_id };
    apr_dbd_results_t *res;
    mto_row_t row = { r, dbd, NULL, NULL, 0 };
    mto_store_rc rc = MTO_STORE_ERROR;
    int nrows, got = -1;
    size_t i;

    if (!dbd || mto_txn_begin(r, dbd, &txn) != MTO_STORE_OK) {
        return MTO_STORE_ERROR;
    }
    close_args[0] = mto_i64(r->pool, now);
    close_args[1] = user;
    close_args[2] = client_id;
    if (mto_query(r, dbd, MTO_SQL_ACCOUNT_REFRESH_CLOSE, &nrows, 3, close_args, 1) == 0
        && mto_select(r, dbd, MTO_SQL_ACCOUNT_ACCESS_OF, &res, 2, args) == 0) {
        while ((got = mto_next_row(&row, res, MTO_SQL_ACCOUNT_ACCESS_OF)) == 1) {
            APR_ARRAY_PUSH(revoked, const char *) = mto_col_str(&row, 0);
        }
    }
    for (i = 0; got == 0 && i < sizeof(deletes) / sizeof(deletes[0]); i++) {
        if (mto_query(r, dbd, deletes[i], &nrows, 2, args, 1) != 0) {
            break;
        }
    }
    if (got == 0 && i == sizeof(deletes) / sizeof(deletes[0])) {
        rc = MTO_STORE_OK;
    }
    return mto_txn_end(r, dbd, &txn, rc);
}
