/*
 * store.c - every SQL statement of the module and its row mapping; nothing
 * else touches apr_dbd.
 *
 * Statements are registered once per configuration cycle with mod_dbd
 * (ap_dbd_prepare, from post_config before mod_dbd's) and looked up by label
 * per request.  Every call tells "no such row" (MTO_STORE_NOTFOUND) from "the
 * database failed" (MTO_STORE_ERROR, logged): a dead connection must give a
 * 503, never an "unknown client".
 */
#include <apr_dbd.h>
#include <mod_dbd.h>

#include "log.h"
#include "store/store.h"

#include <apr_optional.h>

static APR_OPTIONAL_FN_TYPE(ap_dbd_acquire) *mto_dbd_acquire;
static APR_OPTIONAL_FN_TYPE(ap_dbd_prepare) *mto_dbd_prepare;

typedef struct {
    const char *label;
    const char *sql;
} mto_statement_t;

/* Labels carry the module's prefix: mod_dbd shares one namespace. */
#define S_CLIENT_GET        "mto_client_get"
#define S_APPROVAL_GET      "mto_approval_get"
#define S_APPROVAL_PUT      "mto_approval_put"
#define S_CODE_INSERT       "mto_code_insert"
#define S_CODE_GET          "mto_code_get"
#define S_CODE_USE          "mto_code_use"
#define S_TOKEN_INSERT      "mto_token_insert"
#define S_TOKEN_GET         "mto_token_get"
#define S_TOKEN_REVOKE_CODE "mto_token_revoke_code"
#define S_TOKEN_OF_CODE     "mto_token_of_code"
/* Refresh tokens. */
#define S_REFRESH_GET           "mto_refresh_get"
#define S_REFRESH_INSERT        "mto_refresh_insert"
#define S_REFRESH_ROTATE        "mto_refresh_rotate"
#define S_REFRESH_GRANT_OF_CODE "mto_refresh_grant_of_code"
#define S_REFRESH_GRANT_CLOSE   "mto_refresh_grant_close"
#define S_REFRESH_GRANT_ACCESS  "mto_refresh_grant_access"
#define S_REFRESH_GRANT_TOKENS  "mto_refresh_grant_tokens"
#define S_REFRESH_GRANT_DELETE  "mto_refresh_grant_delete"
#define S_API_TOKEN_GET     "mto_api_token_get"
#define S_TOKEN_DELETE      "mto_token_delete"
#define S_PURGE_CODES       "mto_purge_codes"
#define S_PURGE_ACCESS      "mto_purge_access"
#define S_PURGE_REFRESH     "mto_purge_refresh"
#define S_PURGE_APPROVALS   "mto_purge_approvals"

#define MTO_STR_(x) #x
#define MTO_STR(x)  MTO_STR_(x)

/* The oldest MTO_PURGE_BATCH rows that the shared rule (mto.h) lets go.
 * The key subquery keeps the statement portable: neither SQLite (without
 * a compile-time option) nor PostgreSQL has DELETE … LIMIT. */
#define MTO_PURGE_SQL(table, key, rule) \
    "DELETE FROM " table " WHERE (" key ") IN (SELECT " key " FROM " table " WHERE " rule \
    " ORDER BY expires_at LIMIT " MTO_STR(MTO_PURGE_BATCH) ")"

static const mto_statement_t mto_statements[] = {
    { S_CLIENT_GET,
      "SELECT client_id, client_secret, scope, authorized_grant_types, web_server_redirect_uri, "
      "access_token_validity, refresh_token_validity, autoapprove "
      "FROM oauth_client_details WHERE client_id = %s" },
    { S_APPROVAL_GET,
      "SELECT scope FROM mto_approval WHERE user_name = %s AND client_id = %s AND expires_at > %lld" },
    { S_APPROVAL_PUT,
      "INSERT INTO mto_approval (user_name, client_id, scope, expires_at) VALUES (%s, %s, %s, %lld) "
      "ON CONFLICT (user_name, client_id, scope) DO UPDATE SET expires_at = excluded.expires_at" },
    { S_CODE_INSERT,
      "INSERT INTO mto_code (code_hash, client_id, user_name, scope, redirect_uri, challenge, "
      "challenge_method, expires_at, used_at) VALUES (%s, %s, %s, %s, %s, %s, %s, %lld, 0)" },
    { S_CODE_GET,
      "SELECT client_id, user_name, scope, redirect_uri, challenge, challenge_method, expires_at, used_at "
      "FROM mto_code WHERE code_hash = %s" },
    { S_CODE_USE,
      "UPDATE mto_code SET used_at = %lld WHERE code_hash = %s AND used_at = 0" },
    { S_TOKEN_INSERT,
      "INSERT INTO mto_access_token (token_hash, client_id, user_name, scope, issued_at, expires_at, "
      "code_hash, refresh_hash) VALUES (%s, %s, %s, %s, %lld, %lld, %s, %s)" },
    { S_TOKEN_GET,
      "SELECT client_id, user_name, scope, issued_at, expires_at FROM mto_access_token "
      "WHERE token_hash = %s" },
    { S_TOKEN_REVOKE_CODE,
      "DELETE FROM mto_access_token WHERE code_hash = %s" },
    /* What a revocation is about to delete, for the cache to forget. */
    { S_TOKEN_OF_CODE,
      "SELECT token_hash FROM mto_access_token WHERE code_hash = %s" },
    /* Refresh tokens: one grant = one family of rows sharing grant_id. */
    { S_REFRESH_GET,
      "SELECT grant_id, client_id, user_name, scope, code_hash, issued_at, expires_at, rotated_at "
      "FROM mto_refresh_token WHERE token_hash = %s" },
    { S_REFRESH_INSERT,
      "INSERT INTO mto_refresh_token (token_hash, grant_id, client_id, user_name, scope, code_hash, "
      "issued_at, expires_at, rotated_at) VALUES (%s, %s, %s, %s, %s, %s, %lld, %lld, 0)" },
    { S_REFRESH_ROTATE,
      "UPDATE mto_refresh_token SET rotated_at = %lld WHERE token_hash = %s AND rotated_at = 0" },
    { S_REFRESH_GRANT_OF_CODE,
      "SELECT grant_id FROM mto_refresh_token WHERE code_hash = %s LIMIT 1" },
    { S_REFRESH_GRANT_CLOSE,
      "UPDATE mto_refresh_token SET rotated_at = %lld WHERE grant_id = %s AND rotated_at = 0" },
    { S_REFRESH_GRANT_ACCESS,
      "DELETE FROM mto_access_token WHERE refresh_hash IN "
      "(SELECT token_hash FROM mto_refresh_token WHERE grant_id = %s)" },
    { S_REFRESH_GRANT_TOKENS,
      "SELECT token_hash FROM mto_access_token WHERE refresh_hash IN "
      "(SELECT token_hash FROM mto_refresh_token WHERE grant_id = %s)" },
    { S_REFRESH_GRANT_DELETE,
      "DELETE FROM mto_refresh_token WHERE grant_id = %s" },
    /* The token in clear (as MyTimetable writes it) or {SHA-256}hex in
     * either case (as the admin tool writes it): one indexed look-up. */
    { S_API_TOKEN_GET,
      "SELECT name, token, is_elevated, authentication_required FROM api_tokens "
      "WHERE token IN (%s, %s, %s)" },
    { S_TOKEN_DELETE,
      "DELETE FROM mto_access_token WHERE token_hash = %s" },
    { S_PURGE_CODES,
      MTO_PURGE_SQL("mto_code", "code_hash", MTO_PURGE_CODE_EXPIRED) },
    { S_PURGE_ACCESS,
      MTO_PURGE_SQL("mto_access_token", "token_hash", MTO_PURGE_ACCESS_EXPIRED) },
    { S_PURGE_REFRESH,
      MTO_PURGE_SQL("mto_refresh_token", "token_hash", MTO_PURGE_REFRESH_EXPIRED) },
    { S_PURGE_APPROVALS,
      MTO_PURGE_SQL("mto_approval", "user_name, client_id, scope", MTO_PURGE_APPROVAL_EXPIRED) },
};
#define MTO_NSTATEMENTS (sizeof(mto_statements) / sizeof(mto_statements[0]))

int mto_store_available(void)
{
    mto_dbd_acquire = APR_RETRIEVE_OPTIONAL_FN(ap_dbd_acquire);
    mto_dbd_prepare = APR_RETRIEVE_OPTIONAL_FN(ap_dbd_prepare);
    return mto_dbd_acquire && mto_dbd_prepare;
}

void mto_store_register(apr_pool_t *pconf, server_rec *s)
{
    server_rec *sp;
    apr_size_t i;

    /* On every server, not only the main one: mod_dbd merged the virtual
     * hosts' configurations before this hook, so statements registered on the
     * main server alone reach only the virtual hosts that share its pool.  One
     * with its own DBDriver/DBDParams/pool settings, or DBDPersist Off, would
     * have none and answer every request with a 503. */
    module *dbd = ap_find_linked_module("mod_dbd.c");
    apr_hash_t *done = apr_hash_make(pconf);

    for (sp = s; sp; sp = sp->next) {
        /* Once per mod_dbd configuration: virtual hosts without DBD
         * directives share the main server's, and a second registration
         * there makes mod_dbd warn "conflicting SQL statements". */
        void *dbd_conf = dbd ? ap_get_module_config(sp->module_config, dbd) : NULL;

        if (dbd_conf && apr_hash_get(done, &dbd_conf, sizeof(dbd_conf))) {
            continue;
        }
        if (dbd_conf) {
            apr_hash_set(done, apr_pmemdup(pconf, &dbd_conf, sizeof(dbd_conf)), sizeof(dbd_conf), "");
        }
        for (i = 0; i < MTO_NSTATEMENTS; i++) {
            mto_dbd_prepare(sp, mto_statements[i].sql, mto_statements[i].label);
        }
    }
}

/* ------------------------------------------------------------ plumbing */

static const char *mto_i64(apr_pool_t *p, apr_int64_t v)
{
    return apr_psprintf(p, "%" APR_INT64_T_FMT, v);
}

static apr_int64_t mto_entry_i64(const char *s, apr_int64_t dflt)
{
    return s && *s ? apr_atoi64(s) : dflt;
}

static const char *mto_entry_str(apr_pool_t *p, const char *s)
{
    return s ? apr_pstrdup(p, s) : "";
}

/* mod_dbd opens a connection and prepares every statement in one go.  With
 * SQLite the prepares fail with "database is locked" while another
 * connection holds the file exclusively for a moment: the last one to close
 * checkpoints the WAL (on every request with DBDPersist Off, and whenever a
 * pool shrinks to nothing).  No busy timeout can be set before mod_dbd's
 * prepares, so an open that failed fast is tried again, with doubling waits,
 * while the retry budget lasts; one that failed slowly (a connect timeout)
 * is not repeated. */
#define MTO_CONN_RETRY_BUDGET apr_time_from_msec(500)
#define MTO_CONN_FIRST_WAIT   apr_time_from_msec(25)

static ap_dbd_t *mto_conn(request_rec *r)
{
    apr_time_t give_up = apr_time_now() + MTO_CONN_RETRY_BUDGET;
    apr_interval_time_t wait = MTO_CONN_FIRST_WAIT;
    ap_dbd_t *dbd;

    /* A failed ap_dbd_acquire is not remembered: each call opens anew. */
    while (!(dbd = mto_dbd_acquire(r)) && apr_time_now() + wait < give_up) {
        apr_sleep(wait);
        wait *= 2;
    }
    if (!dbd) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r,
                      MTO_LOGNO(0018) "no database connection (DBDriver/DBDParams; "
                      "see mod_dbd's messages above)");
    }
    return dbd;
}

static apr_dbd_prepared_t *mto_stmt(request_rec *r, ap_dbd_t *dbd, const char *label)
{
    apr_dbd_prepared_t *st = apr_hash_get(dbd->prepared, label, APR_HASH_KEY_STRING);

    if (!st) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, MTO_LOGNO(0019) "statement %s "
                      "is not prepared (does the schema match? run mytimetable-oauth init)", label);
    }
    return st;
}

static const char *mto_db_message(request_rec *r, ap_dbd_t *dbd, int rv)
{
    const char *msg = apr_dbd_error(dbd->driver, dbd->handle, rv);

    return msg ? apr_pstrdup(r->pool, msg) : "(no message)";
}

static void mto_log_db_failure(request_rec *r, const char *label, const char *why)
{
    ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, MTO_LOGNO(0020) "%s failed: %s", label, why);
}

static void mto_log_db_error(request_rec *r, ap_dbd_t *dbd, int rv, const char *label)
{
    mto_log_db_failure(r, label, mto_db_message(r, dbd, rv));
}

/* After PostgreSQL restarts, apr_dbd_pgsql reconnects pooled connections
 * silently but their prepared statements are gone.  Prepare
 * ours again on this connection; the caller retries once. */
static int mto_reprepare(request_rec *r, ap_dbd_t *dbd)
{
    apr_size_t i;
    int ok = 0;

    if (strcmp(apr_dbd_name(dbd->driver), "pgsql") != 0
        || apr_dbd_check_conn(dbd->driver, r->pool, dbd->handle) != APR_SUCCESS) {
        return 0;
    }
    for (i = 0; i < MTO_NSTATEMENTS; i++) {
        apr_dbd_prepared_t *st = NULL;
        if (apr_dbd_prepare(dbd->driver, dbd->pool, dbd->handle, mto_statements[i].sql,
                            mto_statements[i].label, &st) == 0 && st) {
            apr_hash_set(dbd->prepared, mto_statements[i].label, APR_HASH_KEY_STRING, st);
            ok = 1;
        }
    }
    if (ok) {
        ap_log_rerror(APLOG_MARK, APLOG_WARNING, 0, r, MTO_LOGNO(0021) "prepared "
                      "statements were lost (database restarted?); prepared them again");
    }
    return ok;
}

/* Runs a SELECT; *res is ready for mto_next_row.  Returns 0 or logs and
 * returns non-zero.  args are the statement's parameters, as strings. */
static int mto_select(request_rec *r, ap_dbd_t *dbd, const char *label, apr_dbd_results_t **res,
                      int nargs, const char **args)
{
    apr_dbd_prepared_t *st = mto_stmt(r, dbd, label);
    int rv;

    if (!st) {
        return -1;
    }
    /* One line per statement at trace2: the tests count them. */
    ap_log_rerror(APLOG_MARK, APLOG_TRACE2, 0, r, "db: %s", label);
    *res = NULL;
    rv = apr_dbd_pselect(dbd->driver, r->pool, dbd->handle, res, st, 1, nargs, args);
    if (rv != 0) {
        /* The first failure's message: re-preparing overwrites it. */
        const char *why = mto_db_message(r, dbd, rv);

        if (mto_reprepare(r, dbd) && (st = mto_stmt(r, dbd, label))) {
            *res = NULL;
            rv = apr_dbd_pselect(dbd->driver, r->pool, dbd->handle, res, st, 1, nargs, args);
            why = rv ? mto_db_message(r, dbd, rv) : why;
        }
        if (rv != 0) {
            mto_log_db_failure(r, label, why);
        }
    }
    return rv;
}

/* Runs an INSERT/UPDATE/DELETE; *nrows gets the affected rows.  Inside a
 * transaction no retry is possible (the transaction is already broken). */
static int mto_query(request_rec *r, ap_dbd_t *dbd, const char *label, int *nrows,
                     int nargs, const char **args, int in_transaction)
{
    apr_dbd_prepared_t *st = mto_stmt(r, dbd, label);
    int rv;

    if (!st) {
        return -1;
    }
    ap_log_rerror(APLOG_MARK, APLOG_TRACE2, 0, r, "db: %s", label);
    *nrows = 0;
    rv = apr_dbd_pquery(dbd->driver, r->pool, dbd->handle, nrows, st, nargs, args);
    if (rv != 0) {
        const char *why = mto_db_message(r, dbd, rv);

        if (!in_transaction && mto_reprepare(r, dbd) && (st = mto_stmt(r, dbd, label))) {
            rv = apr_dbd_pquery(dbd->driver, r->pool, dbd->handle, nrows, st, nargs, args);
            why = rv ? mto_db_message(r, dbd, rv) : why;
        }
        if (rv != 0) {
            mto_log_db_failure(r, label, why);
        }
    }
    return rv;
}

/* Next row: 1 row, 0 no more rows (results drained), -1 error (logged). */
static int mto_next_row(request_rec *r, ap_dbd_t *dbd, apr_dbd_results_t *res,
                        apr_dbd_row_t **row, const char *label)
{
    int rv;

    /* *row must stay as it was: the drivers reuse a non-NULL row. */
    rv = apr_dbd_get_row(dbd->driver, r->pool, res, row, -1);
    if (rv == -1) {
        return 0;
    }
    if (rv != 0) {
        mto_log_db_error(r, dbd, rv, label);
        return -1;
    }
    return 1;
}

/* Reads the first row of a SELECT by primary key.  Results are fetched
 * whole (random access), so nothing is left to drain; reading past the end
 * of pgsql results would block. */
static mto_store_rc mto_select_one(request_rec *r, ap_dbd_t *dbd, const char *label,
                                   int nargs, const char **args, apr_dbd_row_t **row)
{
    apr_dbd_results_t *res;
    int got;

    if (mto_select(r, dbd, label, &res, nargs, args) != 0) {
        return MTO_STORE_ERROR;
    }
    *row = NULL;
    got = mto_next_row(r, dbd, res, row, label);
    if (got < 0) {
        return MTO_STORE_ERROR;
    }
    return got == 1 ? MTO_STORE_OK : MTO_STORE_NOTFOUND;
}

/* Transactions: begin, then end with the outcome so far (rolled back
 * unless MTO_STORE_OK); returns the final outcome. */
static mto_store_rc mto_txn_begin(request_rec *r, ap_dbd_t *dbd, apr_dbd_transaction_t **txn)
{
    int rv;

    *txn = NULL;
    rv = apr_dbd_transaction_start(dbd->driver, r->pool, dbd->handle, txn);
    if (rv != 0) {
        mto_log_db_error(r, dbd, rv, "transaction start");
        return MTO_STORE_ERROR;
    }
    return MTO_STORE_OK;
}

static mto_store_rc mto_txn_end(request_rec *r, ap_dbd_t *dbd, apr_dbd_transaction_t *txn,
                                mto_store_rc rc)
{
    int rv;

    if (rc != MTO_STORE_OK) {
        apr_dbd_transaction_mode_set(dbd->driver, txn, APR_DBD_TRANSACTION_ROLLBACK);
    }
    rv = apr_dbd_transaction_end(dbd->driver, r->pool, txn);
    if (rv != 0 && rc == MTO_STORE_OK) {
        mto_log_db_error(r, dbd, rv, "transaction commit");
        rc = MTO_STORE_ERROR;
    }
    return rc;
}

/* Inside a transaction: an "UPDATE … WHERE <not used yet>" that must change
 * exactly one row.  As the transaction's first write it takes SQLite's write
 * lock (BEGIN IMMEDIATE has it already) or PostgreSQL's row lock, so a
 * parallel claim waits and then finds the row taken: the affected row count
 * decides who won. */
static mto_store_rc mto_claim(request_rec *r, ap_dbd_t *dbd, const char *label,
                              int nargs, const char **args)
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
    return mto_query(r, dbd, S_TOKEN_INSERT, &nrows, 8, args, 1) ? MTO_STORE_ERROR : MTO_STORE_OK;
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
    return mto_query(r, dbd, S_REFRESH_INSERT, &nrows, 8, args, 1) ? MTO_STORE_ERROR : MTO_STORE_OK;
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
    apr_dbd_transaction_t *txn;
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
    return mto_txn_end(r, dbd, txn, rc);
}

#define MTO_COL(n) apr_dbd_get_entry(dbd->driver, row, (n))

/* ------------------------------------------------------------ clients */

mto_store_rc mto_store_client_get(request_rec *r, const char *client_id, mto_client_t **out)
{
    ap_dbd_t *dbd = mto_conn(r);
    const char *args[1] = { client_id };
    apr_dbd_row_t *row;
    mto_client_t *c;
    const char *autoapprove;
    mto_store_rc rc;

    if (!dbd) {
        return MTO_STORE_ERROR;
    }
    rc = mto_select_one(r, dbd, S_CLIENT_GET, 1, args, &row);
    if (rc != MTO_STORE_OK) {
        return rc;
    }
    c = apr_pcalloc(r->pool, sizeof(*c));
    c->client_id = mto_entry_str(r->pool, MTO_COL(0));
    c->secret_hash = MTO_COL(1) ? apr_pstrdup(r->pool, MTO_COL(1)) : NULL;
    c->scopes = mto_list_split(r->pool, MTO_COL(2));
    c->grant_types = mto_list_split(r->pool, MTO_COL(3));
    c->redirect_uris = mto_list_split(r->pool, MTO_COL(4));
    c->access_validity = mto_entry_i64(MTO_COL(5), -1);
    c->refresh_validity = mto_entry_i64(MTO_COL(6), -1);
    autoapprove = MTO_COL(7);
    c->autoapprove_all = autoapprove && !strcasecmp(autoapprove, "true");
    c->autoapprove = mto_list_split(r->pool, c->autoapprove_all ? NULL : autoapprove);
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
    apr_dbd_row_t *row = NULL;
    apr_array_header_t *approved;
    int got;

    if (!dbd) {
        return MTO_STORE_ERROR;
    }
    args[0] = user;
    args[1] = client_id;
    args[2] = mto_i64(r->pool, apr_time_sec(apr_time_now()));
    if (mto_select(r, dbd, S_APPROVAL_GET, &res, 3, args) != 0) {
        return MTO_STORE_ERROR;
    }
    approved = apr_array_make(r->pool, 8, sizeof(const char *));
    while ((got = mto_next_row(r, dbd, res, &row, S_APPROVAL_GET)) == 1) {
        APR_ARRAY_PUSH(approved, const char *) = mto_entry_str(r->pool, MTO_COL(0));
    }
    if (got < 0) {
        return MTO_STORE_ERROR;
    }
    return mto_list_subset(scopes, approved) ? MTO_STORE_OK : MTO_STORE_NOTFOUND;
}

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
        if (mto_query(r, dbd, S_APPROVAL_PUT, &nrows, 4, args, 0) != 0) {
            return MTO_STORE_ERROR;
        }
    }
    return MTO_STORE_OK;
}

/* ------------------------------------------------------------ codes */

mto_store_rc mto_store_code_insert(request_rec *r, const char *code_hash, const mto_code_t *code)
{
    ap_dbd_t *dbd = mto_conn(r);
    const char *args[8];
    int nrows;

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
    return mto_query(r, dbd, S_CODE_INSERT, &nrows, 8, args, 0) ? MTO_STORE_ERROR : MTO_STORE_OK;
}

mto_store_rc mto_store_code_get(request_rec *r, const char *code_hash, mto_code_t **out)
{
    ap_dbd_t *dbd = mto_conn(r);
    const char *args[1] = { code_hash };
    apr_dbd_row_t *row;
    mto_code_t *c;
    mto_store_rc rc;

    if (!dbd) {
        return MTO_STORE_ERROR;
    }
    rc = mto_select_one(r, dbd, S_CODE_GET, 1, args, &row);
    if (rc != MTO_STORE_OK) {
        return rc;
    }
    c = apr_pcalloc(r->pool, sizeof(*c));
    c->client_id = mto_entry_str(r->pool, MTO_COL(0));
    c->user = mto_entry_str(r->pool, MTO_COL(1));
    c->scope = mto_entry_str(r->pool, MTO_COL(2));
    c->redirect_uri = mto_entry_str(r->pool, MTO_COL(3));
    c->challenge = mto_entry_str(r->pool, MTO_COL(4));
    c->challenge_method = mto_entry_str(r->pool, MTO_COL(5));
    c->expires = mto_entry_i64(MTO_COL(6), 0);
    c->used = mto_entry_i64(MTO_COL(7), 0) != 0;
    *out = c;
    return MTO_STORE_OK;
}

mto_store_rc mto_store_code_exchange(request_rec *r, const char *code_hash,
                                     const char *token_hash, const mto_token_t *token,
                                     const char *refresh_hash, const mto_refresh_t *refresh)
{
    return mto_claim_and_issue(r, S_CODE_USE, code_hash, code_hash, refresh_hash, refresh,
                               token_hash, token);
}

/* ------------------------------------------------------------ tokens */

/* Appends the first column of every row of a SELECT (one parameter) to
 * list, unless list is NULL. */
static mto_store_rc mto_collect(request_rec *r, ap_dbd_t *dbd, const char *label, const char *arg,
                                apr_array_header_t *list)
{
    const char *args[1] = { arg };
    apr_dbd_results_t *res;
    apr_dbd_row_t *row = NULL;
    int got;

    if (!list) {
        return MTO_STORE_OK;
    }
    if (mto_select(r, dbd, label, &res, 1, args) != 0) {
        return MTO_STORE_ERROR;
    }
    while ((got = mto_next_row(r, dbd, res, &row, label)) == 1) {
        APR_ARRAY_PUSH(list, const char *) = mto_entry_str(r->pool, MTO_COL(0));
    }
    return got < 0 ? MTO_STORE_ERROR : MTO_STORE_OK;
}

/* A code has one access token, inserted with the code's use: nothing can
 * add another between the SELECT and the DELETE. */
mto_store_rc mto_store_tokens_revoke_by_code(request_rec *r, const char *code_hash,
                                             apr_array_header_t *revoked)
{
    ap_dbd_t *dbd = mto_conn(r);
    const char *args[1] = { code_hash };
    int nrows;

    if (!dbd || mto_collect(r, dbd, S_TOKEN_OF_CODE, code_hash, revoked) != MTO_STORE_OK) {
        return MTO_STORE_ERROR;
    }
    if (mto_query(r, dbd, S_TOKEN_REVOKE_CODE, &nrows, 1, args, 0) != 0) {
        return MTO_STORE_ERROR;
    }
    return nrows > 0 ? MTO_STORE_OK : MTO_STORE_NOTFOUND;
}

/* Both token tables start with client_id, user_name, scope, issued_at,
 * expires_at; *extra gets the next column's number (0 when there is none). */
static mto_store_rc mto_token_row_get(request_rec *r, const char *label, const char *token_hash,
                                      mto_token_t **out, apr_int64_t *extra)
{
    ap_dbd_t *dbd = mto_conn(r);
    const char *args[1] = { token_hash };
    apr_dbd_row_t *row;
    mto_token_t *t;
    mto_store_rc rc;

    if (!dbd) {
        return MTO_STORE_ERROR;
    }
    rc = mto_select_one(r, dbd, label, 1, args, &row);
    if (rc != MTO_STORE_OK) {
        return rc;
    }
    t = apr_pcalloc(r->pool, sizeof(*t));
    t->client_id = mto_entry_str(r->pool, MTO_COL(0));
    t->user = mto_entry_str(r->pool, MTO_COL(1));
    t->scope = mto_entry_str(r->pool, MTO_COL(2));
    t->issued = mto_entry_i64(MTO_COL(3), 0);
    t->expires = mto_entry_i64(MTO_COL(4), 0);
    if (extra) {
        *extra = mto_entry_i64(MTO_COL(5), 0);
    }
    *out = t;
    return MTO_STORE_OK;
}

mto_store_rc mto_store_token_get(request_rec *r, const char *token_hash, mto_token_t **out)
{
    return mto_token_row_get(r, S_TOKEN_GET, token_hash, out, NULL);
}

/* The refresh token's row seen as a token (for the revocation and
 * introspection endpoints). */
mto_store_rc mto_store_refresh_token_get(request_rec *r, const char *token_hash,
                                         mto_token_t **out, int *rotated)
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

/* MTO_STORE_NOTFOUND when nothing was deleted (revoked already). */
mto_store_rc mto_store_access_token_revoke(request_rec *r, const char *token_hash)
{
    ap_dbd_t *dbd = mto_conn(r);
    const char *args[1] = { token_hash };
    int nrows;

    if (!dbd || mto_query(r, dbd, S_TOKEN_DELETE, &nrows, 1, args, 0) != 0) {
        return MTO_STORE_ERROR;
    }
    return nrows > 0 ? MTO_STORE_OK : MTO_STORE_NOTFOUND;
}

/* ------------------------------------------------------------ purge */

/* One statement per table, each committed on its own: no lock is held
 * across tables, and what one deleted stays deleted if the next fails. */
mto_store_rc mto_store_purge(request_rec *r, apr_int64_t now, mto_purge_counts_t *removed)
{
    static const char *const labels[] = {
        S_PURGE_CODES, S_PURGE_ACCESS, S_PURGE_REFRESH, S_PURGE_APPROVALS
    };
    int *counts[] = { &removed->codes, &removed->access, &removed->refresh, &removed->approvals };
    ap_dbd_t *dbd = mto_conn(r);
    const char *args[1];
    apr_size_t i;

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

/* ------------------------------------------------------------ API tokens */

mto_store_rc mto_store_api_token_get(request_rec *r, const char *token, mto_api_token_t **out)
{
    ap_dbd_t *dbd = mto_conn(r);
    const char *hex = mto_sha256_hex(r->pool, token, strlen(token));
    const char *args[3];
    apr_dbd_results_t *res;
    apr_dbd_row_t *row = NULL;
    mto_api_token_t *t;
    int got;

    if (!dbd) {
        return MTO_STORE_ERROR;
    }
    args[0] = token;
    args[1] = apr_pstrcat(r->pool, "{SHA-256}", hex, NULL);
    args[2] = apr_pstrcat(r->pool, "{SHA-256}", hex, NULL);
    ap_str_toupper((char *)args[2] + 9);
    if (mto_select(r, dbd, S_API_TOKEN_GET, &res, 3, args) != 0) {
        return MTO_STORE_ERROR;
    }
    /* The match is checked again in constant time: the database compares
     * as it likes (a case-insensitive collation would otherwise let a token
     * in the wrong case pass). */
    while ((got = mto_next_row(r, dbd, res, &row, S_API_TOKEN_GET)) == 1) {
        if (mto_api_token_matches(r->pool, MTO_COL(1), token)) {
            t = apr_pcalloc(r->pool, sizeof(*t));
            t->name = mto_entry_str(r->pool, MTO_COL(0));
            t->is_elevated = mto_db_bool(MTO_COL(2));
            t->authentication_required = mto_db_bool(MTO_COL(3));
            *out = t;
            return MTO_STORE_OK;
        }
    }
    return got < 0 ? MTO_STORE_ERROR : MTO_STORE_NOTFOUND;
}

/* ================================================== refresh tokens
 * RFC 6749 §6 with rotation and reuse detection (RFC 9700 §4.14.2).  A grant
 * is the family of rows sharing grant_id; a used token stays, marked rotated,
 * until the grant ends, so that presenting it again is recognised. */

mto_store_rc mto_store_refresh_get(request_rec *r, const char *token_hash, mto_refresh_t **out)
{
    ap_dbd_t *dbd = mto_conn(r);
    const char *args[1] = { token_hash };
    apr_dbd_row_t *row;
    mto_refresh_t *rt;
    mto_store_rc rc;

    if (!dbd) {
        return MTO_STORE_ERROR;
    }
    rc = mto_select_one(r, dbd, S_REFRESH_GET, 1, args, &row);
    if (rc != MTO_STORE_OK) {
        return rc;
    }
    rt = apr_pcalloc(r->pool, sizeof(*rt));
    rt->grant_id = mto_entry_str(r->pool, MTO_COL(0));
    rt->client_id = mto_entry_str(r->pool, MTO_COL(1));
    rt->user = mto_entry_str(r->pool, MTO_COL(2));
    rt->scope = mto_entry_str(r->pool, MTO_COL(3));
    rt->code_hash = mto_entry_str(r->pool, MTO_COL(4));
    rt->issued = mto_entry_i64(MTO_COL(5), 0);
    rt->expires = mto_entry_i64(MTO_COL(6), 0);
    rt->rotated = mto_entry_i64(MTO_COL(7), 0) != 0;
    *out = rt;
    return MTO_STORE_OK;
}

/* Like a code redemption: marking the used token rotated decides, and only
 * the winner stores the successor and the access token. */
mto_store_rc mto_store_refresh_rotate(request_rec *r, const char *used_hash,
                                      const char *next_hash, const mto_refresh_t *next,
                                      const char *token_hash, const mto_token_t *token)
{
    return mto_claim_and_issue(r, S_REFRESH_ROTATE, used_hash, NULL, next_hash, next,
                               token_hash, token);
}

/* First the grant's live token is marked rotated: that write locks it (the
 * row in PostgreSQL, the file in SQLite), so a rotation in flight either
 * commits first, and its new tokens are seen by the deletes that follow, or
 * waits and then loses its claim.  No access token of the grant survives. */
mto_store_rc mto_store_refresh_revoke_grant(request_rec *r, const char *grant_id, apr_int64_t now,
                                            apr_array_header_t *revoked)
{
    ap_dbd_t *dbd = mto_conn(r);
    apr_dbd_transaction_t *txn;
    const char *close_args[2], *grant_args[1] = { grant_id };
    int nrows = 0, n_access = 0, n_refresh = 0;
    mto_store_rc rc = MTO_STORE_ERROR;

    if (!dbd || mto_txn_begin(r, dbd, &txn) != MTO_STORE_OK) {
        return MTO_STORE_ERROR;
    }
    close_args[0] = mto_i64(r->pool, now);
    close_args[1] = grant_id;
    if (mto_query(r, dbd, S_REFRESH_GRANT_CLOSE, &nrows, 2, close_args, 1) == 0
        && mto_collect(r, dbd, S_REFRESH_GRANT_TOKENS, grant_id, revoked) == MTO_STORE_OK
        && mto_query(r, dbd, S_REFRESH_GRANT_ACCESS, &n_access, 1, grant_args, 1) == 0
        && mto_query(r, dbd, S_REFRESH_GRANT_DELETE, &n_refresh, 1, grant_args, 1) == 0) {
        rc = MTO_STORE_OK;
    }
    rc = mto_txn_end(r, dbd, txn, rc);
    return rc == MTO_STORE_OK && n_access + n_refresh == 0 ? MTO_STORE_NOTFOUND : rc;
}

mto_store_rc mto_store_refresh_revoke_by_code(request_rec *r, const char *code_hash,
                                              apr_int64_t now, apr_array_header_t *revoked)
{
    ap_dbd_t *dbd = mto_conn(r);
    const char *args[1] = { code_hash };
    apr_dbd_row_t *row;
    mto_store_rc rc;

    if (!dbd) {
        return MTO_STORE_ERROR;
    }
    rc = mto_select_one(r, dbd, S_REFRESH_GRANT_OF_CODE, 1, args, &row);
    if (rc != MTO_STORE_OK) {
        return rc;
    }
    return mto_store_refresh_revoke_grant(r, mto_entry_str(r->pool, MTO_COL(0)), now, revoked);
}
