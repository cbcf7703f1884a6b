/*
 * statements.c - the SQL text of every statement (statements.h).
 *
 * One row per label and SQL dialect.  A label's rows stand together, a
 * dialect's own variant before the row common to every dialect (dialect
 * NULL); a label without a common row exists only for the dialects it names.
 * A dialect that needs other SQL (MySQL has no ON CONFLICT, SQL Server no
 * LIMIT) gets a row of its own above the common one.  The dialects are
 * "sqlite3", "pgsql", "mysql" (MariaDB and MySQL) and "tsql" (SQL Server,
 * through ODBC): store/dialect.c tells a connection's.
 */
#include <string.h>

#include "store/statements.h"

typedef struct {
    const char *label;
    unsigned users;     /* MTO_SQL_BY_MODULE | MTO_SQL_BY_TOOL */
    const char *dialect; /* NULL: every dialect without a row of its own */
    const char *sql;
} mto_statement_t;

#define MTO_STR_(x) #x
#define MTO_STR(x)  MTO_STR_(x)

#define M  MTO_SQL_BY_MODULE
#define T  MTO_SQL_BY_TOOL
#define MT (MTO_SQL_BY_MODULE | MTO_SQL_BY_TOOL)
#define PT (MTO_SQL_PLAIN | MTO_SQL_BY_TOOL)

/* What has expired and may be deleted (README "Admin tool reference"
 * purge), as conditions whose one parameter is the current time.  The
 * module's purge and the admin tool's run the same statements, so that the
 * two always remove the same rows.  expires_at = 0 never expires.  A used
 * code stays until it expires (a replay must still revoke what it gave),
 * and so does a rotated refresh token (its reuse must still be detected). */
#define MTO_PURGE_CODE_EXPIRED     "expires_at < %lld"
#define MTO_PURGE_ACCESS_EXPIRED   "expires_at <> 0 AND expires_at < %lld"
#define MTO_PURGE_REFRESH_EXPIRED  "expires_at <> 0 AND expires_at < %lld"
#define MTO_PURGE_APPROVAL_EXPIRED "expires_at < %lld"

/* The oldest MTO_PURGE_BATCH rows that a rule lets go.  The key subquery
 * keeps the statement portable: neither SQLite (without a compile-time
 * option) nor PostgreSQL has DELETE … LIMIT.  MariaDB refuses LIMIT in an
 * IN subquery but has DELETE … ORDER BY … LIMIT; SQL Server deletes through
 * a common table expression with TOP. */
#define MTO_PURGE_SQL(table, key, rule)                                                            \
    "DELETE FROM " table " WHERE (" key ") IN (SELECT " key " FROM " table " WHERE " rule          \
    " ORDER BY expires_at LIMIT " MTO_STR(MTO_PURGE_BATCH) ")"
#define MTO_PURGE_SQL_MYSQL(table, rule)                                                           \
    "DELETE FROM " table " WHERE " rule " ORDER BY expires_at LIMIT " MTO_STR(MTO_PURGE_BATCH)
#define MTO_PURGE_SQL_TSQL(table, rule)                                                            \
    "WITH batch AS (SELECT TOP (" MTO_STR(MTO_PURGE_BATCH) ") * FROM " table " WHERE " rule       \
    " ORDER BY expires_at) DELETE FROM batch"

/* One purge: the common statement and the dialects' own. */
#define MTO_PURGE_ROWS(label, table, key, rule)                                                    \
    { label, MT, "mysql", MTO_PURGE_SQL_MYSQL(table, rule) },                                      \
    { label, MT, "tsql", MTO_PURGE_SQL_TSQL(table, rule) },                                        \
    { label, MT, NULL, MTO_PURGE_SQL(table, key, rule) }

/* The approval's upsert as every dialect but MySQL's and SQL Server's. */
#define MTO_APPROVAL_INSERT                                                                        \
    "INSERT INTO mto_approval (user_name, client_id, scope, expires_at) VALUES (%s, %s, %s, %lld) "

/* The admin tool shows and writes every column of a client. */
#define MTO_TOOL_CLIENT_COLUMNS                                                                    \
    "client_id, resource_ids, client_secret, scope, authorized_grant_types, "                      \
    "web_server_redirect_uri, authorities, access_token_validity, "                                \
    "refresh_token_validity, additional_information, autoapprove"

#define MTO_TOOL_API_INSERT                                                                        \
    "INSERT INTO api_tokens (name, token, is_elevated, authentication_required) "

/* "client_id = COALESCE(%s, client_id)": a NULL filter matches every row
 * (both columns are NOT NULL), and PostgreSQL infers the parameter's type. */
#define MTO_TOOL_TOKEN_FILTER                                                                      \
    "client_id = COALESCE(%s, client_id) AND user_name = COALESCE(%s, user_name)"

static const mto_statement_t mto_statements[] = {
    /* ------------------------------------------------------- the module */
    { MTO_SQL_CLIENT_GET, M, NULL,
      "SELECT client_id, client_secret, scope, authorized_grant_types, web_server_redirect_uri, "
      "access_token_validity, refresh_token_validity, autoapprove, authorities, "
      "additional_information "
      "FROM oauth_client_details WHERE client_id = %s" },
    { MTO_SQL_APPROVAL_GET, M, NULL,
      "SELECT scope FROM mto_approval WHERE user_name = %s AND client_id = %s AND expires_at > %lld" },
    { MTO_SQL_APPROVAL_PUT, M, "mysql",
      MTO_APPROVAL_INSERT "ON DUPLICATE KEY UPDATE expires_at = VALUES(expires_at)" },
    /* HOLDLOCK: two MERGEs of the same new row must not both insert. */
    { MTO_SQL_APPROVAL_PUT, M, "tsql",
      "MERGE INTO mto_approval WITH (HOLDLOCK) AS t USING (SELECT %s AS user_name, %s AS client_id, "
      "%s AS scope, %lld AS expires_at) AS s ON t.user_name = s.user_name AND t.client_id = "
      "s.client_id AND t.scope = s.scope WHEN MATCHED THEN UPDATE SET expires_at = s.expires_at "
      "WHEN NOT MATCHED THEN INSERT (user_name, client_id, scope, expires_at) VALUES (s.user_name, "
      "s.client_id, s.scope, s.expires_at);" },
    { MTO_SQL_APPROVAL_PUT, M, NULL,
      MTO_APPROVAL_INSERT
      "ON CONFLICT (user_name, client_id, scope) DO UPDATE SET expires_at = excluded.expires_at" },
    { MTO_SQL_CODE_INSERT, M, NULL,
      "INSERT INTO mto_code (code_hash, client_id, user_name, scope, redirect_uri, challenge, "
      "challenge_method, expires_at, used_at) VALUES (%s, %s, %s, %s, %s, %s, %s, %lld, 0)" },
    /* A code's INSERT without waiting for the disk (store/write.c). */
    { MTO_SQL_SYNC_GET, M, "sqlite3", "SELECT synchronous FROM pragma_synchronous" },
    { MTO_SQL_SYNC_NORMAL, M, "sqlite3", "PRAGMA synchronous = NORMAL" },
    { MTO_SQL_SYNC_FULL, M, "sqlite3", "PRAGMA synchronous = FULL" },
    { MTO_SQL_CODE_GET, M, NULL,
      "SELECT client_id, user_name, scope, redirect_uri, challenge, challenge_method, expires_at, used_at "
      "FROM mto_code WHERE code_hash = %s" },
    { MTO_SQL_CODE_USE, M, NULL,
      "UPDATE mto_code SET used_at = %lld WHERE code_hash = %s AND used_at = 0" },
    /* A code's redemption as one statement where data-modifying CTEs exist
     * (store/write.c): the claim, then the inserts only from the claimed
     * row, so that nothing is inserted unless the claim won. */
    { MTO_SQL_CODE_EXCHANGE, M, "pgsql",
      "WITH claimed AS (UPDATE mto_code SET used_at = %lld WHERE code_hash = %s AND used_at = 0 "
      "RETURNING code_hash) "
      "INSERT INTO mto_access_token (token_hash, client_id, user_name, scope, issued_at, "
      "expires_at, code_hash, refresh_hash) "
      "SELECT CAST(%s AS TEXT), CAST(%s AS TEXT), CAST(%s AS TEXT), CAST(%s AS TEXT), "
      "CAST(%lld AS BIGINT), CAST(%lld AS BIGINT), code_hash, NULL FROM claimed" },
    { MTO_SQL_CODE_EXCHANGE_REFRESH, M, "pgsql",
      "WITH claimed AS (UPDATE mto_code SET used_at = %lld WHERE code_hash = %s AND used_at = 0 "
      "RETURNING code_hash), "
      "refresh AS (INSERT INTO mto_refresh_token (token_hash, grant_id, client_id, user_name, "
      "scope, code_hash, issued_at, expires_at, rotated_at) "
      "SELECT CAST(%s AS TEXT), CAST(%s AS TEXT), CAST(%s AS TEXT), CAST(%s AS TEXT), "
      "CAST(%s AS TEXT), code_hash, CAST(%lld AS BIGINT), CAST(%lld AS BIGINT), 0 FROM claimed) "
      "INSERT INTO mto_access_token (token_hash, client_id, user_name, scope, issued_at, "
      "expires_at, code_hash, refresh_hash) "
      "SELECT CAST(%s AS TEXT), CAST(%s AS TEXT), CAST(%s AS TEXT), CAST(%s AS TEXT), "
      "CAST(%lld AS BIGINT), CAST(%lld AS BIGINT), code_hash, CAST(%s AS TEXT) FROM claimed" },
    { MTO_SQL_TOKEN_INSERT, M, NULL,
      "INSERT INTO mto_access_token (token_hash, client_id, user_name, scope, issued_at, expires_at, "
      "code_hash, refresh_hash) VALUES (%s, %s, %s, %s, %lld, %lld, %s, %s)" },
    { MTO_SQL_TOKEN_GET, M, NULL,
      "SELECT client_id, user_name, scope, issued_at, expires_at FROM mto_access_token "
      "WHERE token_hash = %s" },
    { MTO_SQL_TOKEN_REVOKE_CODE, M, NULL, "DELETE FROM mto_access_token WHERE code_hash = %s" },
    /* What a revocation is about to delete, for the cache to forget. */
    { MTO_SQL_TOKEN_OF_CODE, M, NULL,
      "SELECT token_hash FROM mto_access_token WHERE code_hash = %s" },
    { MTO_SQL_REFRESH_GET, MT, NULL,
      "SELECT grant_id, client_id, user_name, scope, code_hash, issued_at, expires_at, rotated_at "
      "FROM mto_refresh_token WHERE token_hash = %s" },
    { MTO_SQL_REFRESH_INSERT, M, NULL,
      "INSERT INTO mto_refresh_token (token_hash, grant_id, client_id, user_name, scope, code_hash, "
      "issued_at, expires_at, rotated_at) VALUES (%s, %s, %s, %s, %s, %s, %lld, %lld, 0)" },
    { MTO_SQL_REFRESH_ROTATE, M, NULL,
      "UPDATE mto_refresh_token SET rotated_at = %lld WHERE token_hash = %s AND rotated_at = 0" },
    { MTO_SQL_REFRESH_GRANT_OF_CODE, M, "tsql",
      "SELECT TOP (1) grant_id FROM mto_refresh_token WHERE code_hash = %s" },
    { MTO_SQL_REFRESH_GRANT_OF_CODE, M, NULL,
      "SELECT grant_id FROM mto_refresh_token WHERE code_hash = %s LIMIT 1" },
    { MTO_SQL_REFRESH_GRANT_CLOSE, M, NULL,
      "UPDATE mto_refresh_token SET rotated_at = %lld WHERE grant_id = %s AND rotated_at = 0" },
    { MTO_SQL_REFRESH_GRANT_ACCESS, MT, NULL,
      "DELETE FROM mto_access_token WHERE refresh_hash IN "
      "(SELECT token_hash FROM mto_refresh_token WHERE grant_id = %s)" },
    { MTO_SQL_REFRESH_GRANT_TOKENS, M, NULL,
      "SELECT token_hash FROM mto_access_token WHERE refresh_hash IN "
      "(SELECT token_hash FROM mto_refresh_token WHERE grant_id = %s)" },
    { MTO_SQL_REFRESH_GRANT_DELETE, MT, NULL, "DELETE FROM mto_refresh_token WHERE grant_id = %s" },
    /* The token in clear (as MyTimetable writes it) or {SHA-256}hex in
     * either case (as the admin tool writes it): one indexed look-up. */
    { MTO_SQL_API_TOKEN_GET, M, NULL,
      "SELECT name, token, is_elevated, authentication_required FROM api_tokens "
      "WHERE token IN (%s, %s, %s)" },
    { MTO_SQL_TOKEN_DELETE, MT, NULL, "DELETE FROM mto_access_token WHERE token_hash = %s" },
    /* The account page: one user's applications, and revoking one. */
    { MTO_SQL_ACCOUNT_APPROVALS, M, NULL,
      "SELECT client_id, scope, expires_at FROM mto_approval WHERE user_name = %s "
      "AND expires_at > %lld" },
    { MTO_SQL_ACCOUNT_TOKENS, M, NULL,
      "SELECT client_id, scope, issued_at FROM mto_access_token WHERE user_name = %s "
      "AND (expires_at = 0 OR expires_at > %lld) "
      "UNION ALL SELECT client_id, scope, issued_at FROM mto_refresh_token WHERE user_name = %s "
      "AND rotated_at = 0 AND (expires_at = 0 OR expires_at > %lld)" },
    { MTO_SQL_ACCOUNT_REFRESH_CLOSE, M, NULL,
      "UPDATE mto_refresh_token SET rotated_at = %lld WHERE user_name = %s AND client_id = %s "
      "AND rotated_at = 0" },
    { MTO_SQL_ACCOUNT_ACCESS_OF, M, NULL,
      "SELECT token_hash FROM mto_access_token WHERE user_name = %s AND client_id = %s" },
    { MTO_SQL_ACCOUNT_ACCESS_DELETE, M, NULL,
      "DELETE FROM mto_access_token WHERE user_name = %s AND client_id = %s" },
    { MTO_SQL_ACCOUNT_REFRESH_DELETE, M, NULL,
      "DELETE FROM mto_refresh_token WHERE user_name = %s AND client_id = %s" },
    { MTO_SQL_ACCOUNT_CODES_DELETE, M, NULL,
      "DELETE FROM mto_code WHERE user_name = %s AND client_id = %s AND used_at = 0" },
    { MTO_SQL_ACCOUNT_APPROVAL_DELETE, M, NULL,
      "DELETE FROM mto_approval WHERE user_name = %s AND client_id = %s" },
    MTO_PURGE_ROWS(MTO_SQL_PURGE_CODES, "mto_code", "code_hash", MTO_PURGE_CODE_EXPIRED),
    MTO_PURGE_ROWS(MTO_SQL_PURGE_ACCESS, "mto_access_token", "token_hash",
                   MTO_PURGE_ACCESS_EXPIRED),
    MTO_PURGE_ROWS(MTO_SQL_PURGE_REFRESH, "mto_refresh_token", "token_hash",
                   MTO_PURGE_REFRESH_EXPIRED),
    MTO_PURGE_ROWS(MTO_SQL_PURGE_APPROVALS, "mto_approval", "user_name, client_id, scope",
                   MTO_PURGE_APPROVAL_EXPIRED),
    /* No parameter: run as it is (apr_dbd_select), once a second at most. */
    { MTO_SQL_GENERATION_GET, PT, NULL, "SELECT generation FROM mto_generation WHERE id = 1" },

    /* --------------------------------------------------- the admin tool */
    /* httpd's children may be writing: wait for them, not fail. */
    { MTO_SQL_TOOL_BUSY_TIMEOUT, T, "sqlite3", "PRAGMA busy_timeout = 10000" },
    /* Quiet the NOTICEs of CREATE … IF NOT EXISTS on a second init. */
    { MTO_SQL_TOOL_QUIET_NOTICES, T, "pgsql", "SET client_min_messages = warning" },
    { MTO_SQL_TOOL_JOURNAL_MODE, T, "sqlite3", "PRAGMA journal_mode" },
    { MTO_SQL_TOOL_CLIENT_GET, T, NULL,
      "SELECT " MTO_TOOL_CLIENT_COLUMNS " FROM oauth_client_details WHERE client_id = %s" },
    { MTO_SQL_TOOL_CLIENT_LIST, T, NULL,
      "SELECT " MTO_TOOL_CLIENT_COLUMNS " FROM oauth_client_details ORDER BY client_id" },
    { MTO_SQL_TOOL_CLIENT_INSERT, T, NULL,
      "INSERT INTO oauth_client_details (" MTO_TOOL_CLIENT_COLUMNS ") "
      "VALUES (%s, %s, %s, %s, %s, %s, %s, %lld, %lld, %s, %s)" },
    { MTO_SQL_TOOL_CLIENT_SECRET, T, NULL,
      "UPDATE oauth_client_details SET client_secret = %s WHERE client_id = %s" },
    { MTO_SQL_TOOL_CLIENT_INFO, T, NULL,
      "UPDATE oauth_client_details SET additional_information = %s WHERE client_id = %s" },
    { MTO_SQL_TOOL_CLIENT_CODES, T, NULL, "DELETE FROM mto_code WHERE client_id = %s" },
    { MTO_SQL_TOOL_CLIENT_ACCESS, T, NULL, "DELETE FROM mto_access_token WHERE client_id = %s" },
    { MTO_SQL_TOOL_CLIENT_REFRESH, T, NULL, "DELETE FROM mto_refresh_token WHERE client_id = %s" },
    { MTO_SQL_TOOL_CLIENT_APPROVALS, T, NULL, "DELETE FROM mto_approval WHERE client_id = %s" },
    { MTO_SQL_TOOL_CLIENT_DELETE, T, NULL,
      "DELETE FROM oauth_client_details WHERE client_id = %s" },
    { MTO_SQL_TOOL_API_COUNT_NAME, T, NULL, "SELECT COUNT(*) FROM api_tokens WHERE name = %s" },
    /* The module takes {SHA-256} hex in either case: the second parameter
     * is the lowercase form. */
    { MTO_SQL_TOOL_API_COUNT_TOKEN, T, NULL,
      "SELECT COUNT(*) FROM api_tokens WHERE token = %s OR lower(token) = %s" },
    /* '1'/'0' cast to BOOLEAN: PostgreSQL's boolean reads them, and
     * SQLite's BOOLEAN (numeric affinity) stores 1/0 as MyTimetable does.
     * MariaDB's BOOLEAN is a TINYINT that takes them as they are (it has no
     * CAST AS BOOLEAN); SQL Server's is a BIT. */
    { MTO_SQL_TOOL_API_INSERT, T, "mysql", MTO_TOOL_API_INSERT "VALUES (%s, %s, %s, %s)" },
    { MTO_SQL_TOOL_API_INSERT, T, "tsql",
      MTO_TOOL_API_INSERT "VALUES (%s, %s, CAST(%s AS BIT), CAST(%s AS BIT))" },
    { MTO_SQL_TOOL_API_INSERT, T, NULL,
      MTO_TOOL_API_INSERT "VALUES (%s, %s, CAST(%s AS BOOLEAN), CAST(%s AS BOOLEAN))" },
    { MTO_SQL_TOOL_API_LIST, T, NULL,
      "SELECT name, token, is_elevated, authentication_required FROM api_tokens ORDER BY name" },
    { MTO_SQL_TOOL_API_DELETE, T, NULL, "DELETE FROM api_tokens WHERE name = %s" },
    { MTO_SQL_TOOL_ACCESS_LIST, T, NULL,
      "SELECT token_hash, client_id, user_name, scope, issued_at, expires_at "
      "FROM mto_access_token WHERE " MTO_TOOL_TOKEN_FILTER " ORDER BY issued_at, token_hash" },
    { MTO_SQL_TOOL_REFRESH_LIST, T, NULL,
      "SELECT token_hash, client_id, user_name, scope, issued_at, expires_at, rotated_at "
      "FROM mto_refresh_token WHERE " MTO_TOOL_TOKEN_FILTER " ORDER BY issued_at, token_hash" },
    { MTO_SQL_TOOL_ACCESS_REVOKE, T, NULL,
      "DELETE FROM mto_access_token WHERE " MTO_TOOL_TOKEN_FILTER },
    { MTO_SQL_TOOL_REFRESH_REVOKE, T, NULL,
      "DELETE FROM mto_refresh_token WHERE " MTO_TOOL_TOKEN_FILTER },
    { MTO_SQL_TOOL_CODES_REVOKE, T, NULL,
      "DELETE FROM mto_code WHERE used_at = 0 AND " MTO_TOOL_TOKEN_FILTER },
    /* One row, made by the first bump if init's is gone. */
    { MTO_SQL_TOOL_GENERATION_BUMP, T, "mysql",
      "INSERT INTO mto_generation (id, generation) VALUES (1, 1) "
      "ON DUPLICATE KEY UPDATE generation = generation + 1" },
    { MTO_SQL_TOOL_GENERATION_BUMP, T, "tsql",
      "MERGE INTO mto_generation WITH (HOLDLOCK) AS t USING (SELECT 1 AS id) AS s ON t.id = s.id "
      "WHEN MATCHED THEN UPDATE SET generation = t.generation + 1 "
      "WHEN NOT MATCHED THEN INSERT (id, generation) VALUES (1, 1);" },
    { MTO_SQL_TOOL_GENERATION_BUMP, T, NULL,
      "INSERT INTO mto_generation (id, generation) VALUES (1, 1) "
      "ON CONFLICT (id) DO UPDATE SET generation = mto_generation.generation + 1" },
};
#define MTO_NSTATEMENTS (sizeof(mto_statements) / sizeof(mto_statements[0]))

const char *mto_statement_sql(const char *label, const char *dialect)
{
    size_t i;

    for (i = 0; i < MTO_NSTATEMENTS; i++) {
        const mto_statement_t *st = &mto_statements[i];

        if (strcmp(st->label, label) != 0) {
            continue;
        }
        if (!st->dialect || (dialect && !strcmp(st->dialect, dialect))) {
            return st->sql;
        }
    }
    return NULL;
}

int mto_statement_varies(const char *label)
{
    size_t i;

    for (i = 0; i < MTO_NSTATEMENTS; i++) {
        if (mto_statements[i].dialect && !strcmp(mto_statements[i].label, label)) {
            return 1;
        }
    }
    return 0;
}

const char *mto_statement_next(size_t *pos, unsigned users)
{
    while (*pos < MTO_NSTATEMENTS) {
        size_t i = (*pos)++;

        /* A label's rows stand together: its first one stands for it. */
        if ((mto_statements[i].users & users)
            && (i == 0 || strcmp(mto_statements[i - 1].label, mto_statements[i].label) != 0)) {
            return mto_statements[i].label;
        }
    }
    return NULL;
}
