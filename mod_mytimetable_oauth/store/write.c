/*
 * write.c - the store's writes: approvals, codes, issuing tokens (a code
 * redeemed, a refresh token rotated: each a claim and its inserts in one
 * transaction), revocations and the purge.
 */
#include "log.h"
#include "store/dbd.h"

/* ------------------------------------------------------------ approvals */

mto_store_rc mto_store_approval_save(request_rec *r, const char *user, const char *client_id,
                                     const apr_array_header_t *scopes, apr_int64_t expires)
{
    ap_dbd_t *dbd = mto_conn(r);
    const char *args[4];
    int i, nrows;

    if (!dbd) {
        return MTO_STORE_ERROR;
    }
    args[0] = user;
    args[1] = client_id;
    args[3] = mto_i64(r->pool, expires);
    for (i = 0; i < scopes->nelts; i++) {
        args[2] = APR_ARRAY_IDX(scopes, i, const char *);
        if (mto_query(r, dbd, MTO_SQL_APPROVAL_PUT, &nrows, 4, args, 0) != 0) {
            return MTO_STORE_ERROR;
        }
    }
    return MTO_STORE_OK;
}

/* ------------------------------------------------------------ codes */

/* SQLite's synchronous level on this connection (0 OFF .. 3 EXTRA), or -1. */
static int mto_sync_level(request_rec *r, ap_dbd_t *dbd)
{
    apr_dbd_results_t *res;
    mto_row_t row = { r, dbd, NULL };

    if (strcmp(apr_dbd_name(dbd->driver), "sqlite3") != 0
        || mto_select(r, dbd, MTO_SQL_SYNC_GET, &res, 0, NULL) != 0
        || mto_next_row(&row, res, MTO_SQL_SYNC_GET) != 1) {
        return -1;
    }
    return (int)mto_col_i64(&row, 0, -1);
}

/* Sets synchronous on this connection (no write lock: a connection's own
 * setting).  Returns 0 or non-zero (logged). */
static int mto_sync_set(request_rec *r, ap_dbd_t *dbd, const char *label)
{
    return mto_run_unprepared(r, dbd, label);
}

/* Issuing on SQLite at synchronous=FULL (the default) does not wait for the
 * disk: the connection is at NORMAL for the INSERT of a code and for a
 * code's exchange, and FULL again right after.  In WAL mode the next durable
 * commit (a revocation, a refresh rotation) or a checkpoint writes them with
 * everything before it.  What a power cut in between can lose is only what
 * was issued: a code (its exchange gets invalid_grant), or a code's
 * exchange together with the token it issued (the token gets 401, the code
 * is expired or redeems once more into a new token, the lost one never
 * having been stored).  Every revocation, the rotation of a refresh token and
 * the replay detection stay durable.  This saves a flow's two fsyncs
 * (docs/benchmarks.md, "Durability").  Returns 1 when relaxed. */
static int mto_relax(request_rec *r, ap_dbd_t *dbd)
{
    return mto_sync_level(r, dbd) == 2 && mto_sync_set(r, dbd, MTO_SQL_SYNC_NORMAL) == 0;
}

static void mto_unrelax(request_rec *r, ap_dbd_t *dbd, int relaxed)
{
    if (relaxed && mto_sync_set(r, dbd, MTO_SQL_SYNC_FULL) != 0) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r,
                      "MTO0144: a SQLite connection could not be set back to "
                      "synchronous=FULL after a code was stored or exchanged; its later commits "
                      "may not wait for the disk");
    }
}

mto_store_rc mto_store_code_insert(request_rec *r, const char *code_hash, const mto_code_t *code)
{
    ap_dbd_t *dbd = mto_conn(r);
    const char *args[8];
    int nrows, relaxed, rv;

    if (!dbd) {
        return MTO_STORE_ERROR;
    }
    args[0] = code_hash;
    args[1] = code->client_id;
    args[2] = code->user;
    args[3] = code->scope;
    args[4] = code->redirect_uri;
    args[5] = code->challenge;
    args[6] = code->challenge_method;
    args[7] = mto_i64(r->pool, code->expires);
    relaxed = mto_relax(r, dbd);
    rv = mto_query(r, dbd, MTO_SQL_CODE_INSERT, &nrows, 8, args, 0);
    mto_unrelax(r, dbd, relaxed);
    return rv ? MTO_STORE_ERROR : MTO_STORE_OK;
}

/* ------------------------------------------------------------ issuing */

/* Inside a transaction: an "UPDATE … WHERE <not used yet>" that must change
 * exactly one row.  As the transaction's first write it takes SQLite's write
 * lock (BEGIN IMMEDIATE has it already) or PostgreSQL's row lock, so a
 * parallel claim waits and then finds the row taken: the affected row count
 * decides who won. */
static mto_store_rc mto_claim(request_rec *r, ap_dbd_t *dbd, const char *label, int nargs,
                              const char **args)
{
    int nrows = 0;

    if (mto_query(r, dbd, label, &nrows, nargs, args, 1) != 0) {
        return MTO_STORE_ERROR;
    }
    return nrows == 1 ? MTO_STORE_OK : MTO_STORE_CONFLICT;
}

/* A NULL column for "" (no code, no refresh token). */
static const char *mto_or_null(const char *s)
{
    return s && *s ? s : NULL;
}

static mto_store_rc mto_token_insert(request_rec *r, ap_dbd_t *dbd, const char *token_hash,
                                     const mto_token_t *token, const char *code_hash,
                                     const char *refresh_hash)
{
    const char *args[8];
    int nrows;

    args[0] = token_hash;
    args[1] = token->client_id;
    args[2] = token->user;
    args[3] = token->scope;
    args[4] = mto_i64(r->pool, token->issued);
    args[5] = mto_i64(r->pool, token->expires);
    args[6] = mto_or_null(code_hash);
    args[7] = mto_or_null(refresh_hash);
    return mto_query(r, dbd, MTO_SQL_TOKEN_INSERT, &nrows, 8, args, 1) ? MTO_STORE_ERROR
                                                                       : MTO_STORE_OK;
}

static mto_store_rc mto_refresh_insert(request_rec *r, ap_dbd_t *dbd, const char *refresh_hash,
                                       const mto_refresh_t *rt)
{
    const char *args[8];
    int nrows;

    args[0] = refresh_hash;
    args[1] = rt->grant_id;
    args[2] = rt->client_id;
    args[3] = rt->user;
    args[4] = rt->scope;
    args[5] = mto_or_null(rt->code_hash);
    args[6] = mto_i64(r->pool, rt->issued);
    args[7] = mto_i64(r->pool, rt->expires);
    return mto_query(r, dbd, MTO_SQL_REFRESH_INSERT, &nrows, 8, args, 1) ? MTO_STORE_ERROR
                                                                         : MTO_STORE_OK;
}

/* The one way tokens are issued: claim the single-use credential they are
 * issued from (a code, or a refresh token being rotated) with claim_label,
 * "UPDATE … SET used = now WHERE hash = claimed_hash AND not used yet"; only
 * if that wins, store the refresh token (unless refresh is NULL) and the
 * access token, all in one transaction. */
static mto_store_rc mto_claim_and_issue(request_rec *r, const char *claim_label,
                                        const char *claimed_hash, const char *code_hash,
                                        const char *refresh_hash, const mto_refresh_t *refresh,
                                        const char *token_hash, const mto_token_t *token)
{
    ap_dbd_t *dbd = mto_conn(r);
    mto_txn_t txn;
    const char *claim_args[2];
    mto_store_rc rc;

    if (!dbd || mto_txn_begin(r, dbd, &txn) != MTO_STORE_OK) {
        return MTO_STORE_ERROR;
    }
    claim_args[0] = mto_i64(r->pool, token->issued);
    claim_args[1] = claimed_hash;
    rc = mto_claim(r, dbd, claim_label, 2, claim_args);
    if (rc == MTO_STORE_OK && refresh) {
        rc = mto_refresh_insert(r, dbd, refresh_hash, refresh);
    }
    if (rc == MTO_STORE_OK) {
        rc = mto_token_insert(r, dbd, token_hash, token, code_hash, refresh ? refresh_hash : NULL);
    }
    return mto_txn_end(r, dbd, &txn, rc);
}

/* On a driver with a one-statement redemption (PostgreSQL): the claim and
 * the inserts in one round trip instead of four (BEGIN, claim, insert,
 * COMMIT), as atomic as the transaction; a parallel claim waits for the
 * row's lock and then finds it used, so it inserts nothing.  Returns -1
 * when the driver has no such statement. */
static int mto_exchange_at_once(request_rec *r, ap_dbd_t *dbd, const char *code_hash,
                                const char *token_hash, const mto_token_t *token,
                                const char *refresh_hash, const mto_refresh_t *refresh,
                                mto_store_rc *rc)
{
    const char *label = refresh ? MTO_SQL_CODE_EXCHANGE_REFRESH : MTO_SQL_CODE_EXCHANGE;
    const char *args[16], **a = args;
    int nrows = 0;

    if (!mto_statement_sql(label, apr_dbd_name(dbd->driver))) {
        return -1;
    }
    *a++ = mto_i64(r->pool, token->issued);
    *a++ = code_hash;
    if (refresh) {
        *a++ = refresh_hash;
        *a++ = refresh->grant_id;
        *a++ = refresh->client_id;
        *a++ = refresh->user;
        *a++ = refresh->scope;
        *a++ = mto_i64(r->pool, refresh->issued);
        *a++ = mto_i64(r->pool, refresh->expires);
    }
    *a++ = token_hash;
    *a++ = token->client_id;
    *a++ = token->user;
    *a++ = token->scope;
    *a++ = mto_i64(r->pool, token->issued);
    *a++ = mto_i64(r->pool, token->expires);
    if (refresh) {
        *a++ = refresh_hash;
    }
    if (mto_query(r, dbd, label, &nrows, (int)(a - args), args, 0) != 0) {
        *rc = MTO_STORE_ERROR;
    }
    else {
        *rc = nrows == 1 ? MTO_STORE_OK : MTO_STORE_CONFLICT;
    }
    return 0;
}

mto_store_rc mto_store_code_exchange(request_rec *r, const char *code_hash, const char *token_hash,
                                     const mto_token_t *token, const char *refresh_hash,
                                     const mto_refresh_t *refresh)
{
    ap_dbd_t *dbd = mto_conn(r);
    mto_store_rc rc;
    int relaxed;

    if (!dbd) {
        return MTO_STORE_ERROR;
    }
    if (mto_exchange_at_once(r, dbd, code_hash, token_hash, token, refresh_hash, refresh, &rc) == 0) {
        return rc;
    }
    relaxed = mto_relax(r, dbd); /* SQLite: see mto_relax */
    rc = mto_claim_and_issue(r, MTO_SQL_CODE_USE, code_hash, code_hash, refresh_hash, refresh,
                             token_hash, token);
    mto_unrelax(r, dbd, relaxed);
    return rc;
}

/* Like a code redemption: marking the used token rotated decides, and only
 * the winner stores the successor and the access token. */
mto_store_rc mto_store_refresh_rotate(request_rec *r, const char *used_hash, const char *next_hash,
                                      const mto_refresh_t *next, const char *token_hash,
                                      const mto_token_t *token)
{
    return mto_claim_and_issue(r, MTO_SQL_REFRESH_ROTATE, used_hash, NULL, next_hash, next,
                               token_hash, token);
}

/* ------------------------------------------------------------ revoking */

/* A code has one access token, inserted with the code's use: nothing can
 * add another between the SELECT and the DELETE. */
mto_store_rc mto_store_tokens_revoke_by_code(request_rec *r, const char *code_hash,
                                             apr_array_header_t *revoked)
{
    ap_dbd_t *dbd = mto_conn(r);
    const char *args[1] = { code_hash };
    int nrows;

    if (!dbd || mto_collect(r, dbd, MTO_SQL_TOKEN_OF_CODE, code_hash, revoked) != MTO_STORE_OK) {
        return MTO_STORE_ERROR;
    }
    if (mto_query(r, dbd, MTO_SQL_TOKEN_REVOKE_CODE, &nrows, 1, args, 0) != 0) {
        return MTO_STORE_ERROR;
    }
    return nrows > 0 ? MTO_STORE_OK : MTO_STORE_NOTFOUND;
}

/* MTO_STORE_NOTFOUND when nothing was deleted (revoked already). */
mto_store_rc mto_store_access_token_revoke(request_rec *r, const char *token_hash)
{
    ap_dbd_t *dbd = mto_conn(r);
    const char *args[1] = { token_hash };
    int nrows;

    if (!dbd || mto_query(r, dbd, MTO_SQL_TOKEN_DELETE, &nrows, 1, args, 0) != 0) {
        return MTO_STORE_ERROR;
    }
    return nrows > 0 ? MTO_STORE_OK : MTO_STORE_NOTFOUND;
}

/* First the grant's live token is marked rotated: that write locks it (the
 * row in PostgreSQL, the file in SQLite), so a rotation in flight either
 * commits first, and its new tokens are seen by the deletes that follow, or
 * waits and then loses its claim.  No access token of the grant survives. */
mto_store_rc mto_store_refresh_revoke_grant(request_rec *r, const char *grant_id, apr_int64_t now,
                                            apr_array_header_t *revoked)
{
    ap_dbd_t *dbd = mto_conn(r);
    mto_txn_t txn;
    const char *close_args[2], *grant_args[1] = { grant_id };
    int nrows = 0, n_access = 0, n_refresh = 0;
    mto_store_rc rc = MTO_STORE_ERROR;

    if (!dbd || mto_txn_begin(r, dbd, &txn) != MTO_STORE_OK) {
        return MTO_STORE_ERROR;
    }
    close_args[0] = mto_i64(r->pool, now);
    close_args[1] = grant_id;
    if (mto_query(r, dbd, MTO_SQL_REFRESH_GRANT_CLOSE, &nrows, 2, close_args, 1) == 0
        && mto_collect(r, dbd, MTO_SQL_REFRESH_GRANT_TOKENS, grant_id, revoked) == MTO_STORE_OK
        && mto_query(r, dbd, MTO_SQL_REFRESH_GRANT_ACCESS, &n_access, 1, grant_args, 1) == 0
        && mto_query(r, dbd, MTO_SQL_REFRESH_GRANT_DELETE, &n_refresh, 1, grant_args, 1) == 0) {
        rc = MTO_STORE_OK;
    }
    rc = mto_txn_end(r, dbd, &txn, rc);
    return rc == MTO_STORE_OK && n_access + n_refresh == 0 ? MTO_STORE_NOTFOUND : rc;
}

/* Revokes the grant that began with this authorization code, if any. */
mto_store_rc mto_store_refresh_revoke_by_code(request_rec *r, const char *code_hash,
                                              apr_int64_t now, apr_array_header_t *revoked)
{
    mto_row_t row;
    mto_store_rc rc = mto_row_by_key(r, MTO_SQL_REFRESH_GRANT_OF_CODE, code_hash, &row);

    if (rc != MTO_STORE_OK) {
        return rc;
    }
    return mto_store_refresh_revoke_grant(r, mto_col_str(&row, 0), now, revoked);
}

/* ------------------------------------------------------------ purge */

/* One statement per table, each committed on its own: no lock is held
 * across tables, and what one deleted stays deleted if the next fails. */
mto_store_rc mto_store_purge(request_rec *r, apr_int64_t now, mto_purge_counts_t *removed)
{
    static const char *const labels[] = { MTO_SQL_PURGE_CODES, MTO_SQL_PURGE_ACCESS,
                                          MTO_SQL_PURGE_REFRESH, MTO_SQL_PURGE_APPROVALS };
    int *counts[] = { &removed->codes, &removed->access, &removed->refresh, &removed->approvals };
    ap_dbd_t *dbd = mto_conn(r);
    const char *args[1];
    size_t i;

    memset(removed, 0, sizeof(*removed));
    if (!dbd) {
        return MTO_STORE_ERROR;
    }
    args[0] = mto_i64(r->pool, now);
    for (i = 0; i < sizeof(labels) / sizeof(labels[0]); i++) {
        if (mto_query(r, dbd, labels[i], counts[i], 1, args, 0) != 0) {
            return MTO_STORE_ERROR;
        }
    }
    return MTO_STORE_OK;
}
