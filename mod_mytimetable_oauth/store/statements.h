/*
 * statements.h - every SQL statement of the module and of the admin tool,
 * by label: the one place SQL text lives (the schema files apart).
 *
 * Plain C strings with apr_dbd's placeholders (%s, %lld); no httpd and no
 * apr_dbd here, so that the admin tool links statements.c too.  A statement
 * that must differ per SQL dialect has a variant for that dialect in
 * statements.c; callers ask by label and dialect (store/dialect.h).
 */
#ifndef MTO_STATEMENTS_H
#define MTO_STATEMENTS_H

#include <stddef.h>

/* Labels carry the module's prefix: mod_dbd shares one namespace. */

/* The module's (store/read.c, store/write.c). */
#define MTO_SQL_CLIENT_GET            "mto_client_get"
#define MTO_SQL_APPROVAL_GET          "mto_approval_get"
#define MTO_SQL_APPROVAL_PUT          "mto_approval_put"
#define MTO_SQL_CODE_INSERT           "mto_code_insert"
#define MTO_SQL_SYNC_GET              "mto_sync_get"     /* sqlite3 only */
#define MTO_SQL_SYNC_NORMAL           "mto_sync_normal"  /* sqlite3 only */
#define MTO_SQL_SYNC_FULL             "mto_sync_full"    /* sqlite3 only */
#define MTO_SQL_CODE_GET              "mto_code_get"
#define MTO_SQL_CODE_USE              "mto_code_use"
#define MTO_SQL_CODE_EXCHANGE         "mto_code_exchange"          /* pgsql only */
#define MTO_SQL_CODE_EXCHANGE_REFRESH "mto_code_exchange_refresh"  /* pgsql only */
#define MTO_SQL_TOKEN_INSERT          "mto_token_insert"
#define MTO_SQL_TOKEN_GET             "mto_token_get"
#define MTO_SQL_TOKEN_REVOKE_CODE     "mto_token_revoke_code"
#define MTO_SQL_TOKEN_OF_CODE         "mto_token_of_code"
#define MTO_SQL_API_TOKEN_GET         "mto_api_token_get"
/* Refresh tokens: one grant = one family of rows sharing grant_id. */
#define MTO_SQL_REFRESH_INSERT        "mto_refresh_insert"
#define MTO_SQL_REFRESH_ROTATE        "mto_refresh_rotate"
#define MTO_SQL_REFRESH_GRANT_OF_CODE "mto_refresh_grant_of_code"
#define MTO_SQL_REFRESH_GRANT_CLOSE   "mto_refresh_grant_close"
#define MTO_SQL_REFRESH_GRANT_TOKENS  "mto_refresh_grant_tokens"

/* The module's, run by the admin tool too: both revoke and purge alike. */
#define MTO_SQL_REFRESH_GET             "mto_refresh_get" /* grant_id first */
#define MTO_SQL_TOKEN_DELETE            "mto_token_delete"
/* The account page (store/account.c). */
#define MTO_SQL_ACCOUNT_APPROVALS       "mto_account_approvals"
#define MTO_SQL_ACCOUNT_TOKENS          "mto_account_tokens"
#define MTO_SQL_ACCOUNT_REFRESH_CLOSE   "mto_account_refresh_close"
#define MTO_SQL_ACCOUNT_ACCESS_OF       "mto_account_access_of"
#define MTO_SQL_ACCOUNT_ACCESS_DELETE   "mto_account_access_delete"
#define MTO_SQL_ACCOUNT_REFRESH_DELETE  "mto_account_refresh_delete"
#define MTO_SQL_ACCOUNT_CODES_DELETE    "mto_account_codes_delete"
#define MTO_SQL_ACCOUNT_APPROVAL_DELETE "mto_account_approval_delete"
#define MTO_SQL_REFRESH_GRANT_ACCESS    "mto_refresh_grant_access"
#define MTO_SQL_REFRESH_GRANT_DELETE    "mto_refresh_grant_delete"
#define MTO_SQL_PURGE_CODES             "mto_purge_codes"
#define MTO_SQL_PURGE_ACCESS            "mto_purge_access"
#define MTO_SQL_PURGE_REFRESH           "mto_purge_refresh"
#define MTO_SQL_PURGE_APPROVALS         "mto_purge_approvals"
/* The cache generation (store/generation.c): run by the module without
 * preparing it with mod_dbd (MTO_SQL_PLAIN), since a table missing there
 * would fail every connection and an old schema has none; the tool reads it
 * to tell whether the table exists. */
#define MTO_SQL_GENERATION_GET          "mto_generation_get"

/* The admin tool's own (store/tool_rows.c, store/tool_db.c). */
#define MTO_SQL_TOOL_BUSY_TIMEOUT     "mto_tool_busy_timeout"  /* sqlite3 only */
#define MTO_SQL_TOOL_QUIET_NOTICES    "mto_tool_quiet_notices" /* pgsql only */
#define MTO_SQL_TOOL_JOURNAL_MODE     "mto_tool_journal_mode"  /* sqlite3 only */
#define MTO_SQL_TOOL_CLIENT_GET       "mto_tool_client_get"
#define MTO_SQL_TOOL_CLIENT_LIST      "mto_tool_client_list"
#define MTO_SQL_TOOL_CLIENT_INSERT    "mto_tool_client_insert"
#define MTO_SQL_TOOL_CLIENT_SECRET    "mto_tool_client_secret"
#define MTO_SQL_TOOL_CLIENT_INFO      "mto_tool_client_info"
#define MTO_SQL_TOOL_CLIENT_CODES     "mto_tool_client_codes"
#define MTO_SQL_TOOL_CLIENT_ACCESS    "mto_tool_client_access"
#define MTO_SQL_TOOL_CLIENT_REFRESH   "mto_tool_client_refresh"
#define MTO_SQL_TOOL_CLIENT_APPROVALS "mto_tool_client_approvals"
#define MTO_SQL_TOOL_CLIENT_DELETE    "mto_tool_client_delete"
#define MTO_SQL_TOOL_API_COUNT_NAME   "mto_tool_api_count_name"
#define MTO_SQL_TOOL_API_COUNT_TOKEN  "mto_tool_api_count_token"
#define MTO_SQL_TOOL_API_INSERT       "mto_tool_api_insert"
#define MTO_SQL_TOOL_API_LIST         "mto_tool_api_list"
#define MTO_SQL_TOOL_API_DELETE       "mto_tool_api_delete"
#define MTO_SQL_TOOL_ACCESS_LIST      "mto_tool_access_list"
#define MTO_SQL_TOOL_REFRESH_LIST     "mto_tool_refresh_list"
#define MTO_SQL_TOOL_ACCESS_REVOKE    "mto_tool_access_revoke"
#define MTO_SQL_TOOL_REFRESH_REVOKE   "mto_tool_refresh_revoke"
#define MTO_SQL_TOOL_CODES_REVOKE     "mto_tool_codes_revoke"
/* In the transaction of every change the tool makes (README "Caching"). */
#define MTO_SQL_TOOL_GENERATION_BUMP  "mto_tool_generation_bump"

/* Rows one purge statement removes at most: a module run stays short
 * whatever has piled up (endpoints/purge.c runs again soon when a table hit
 * the bound); the admin tool repeats it until a table is done. */
#define MTO_PURGE_BATCH 500

/* Who runs a statement. */
#define MTO_SQL_BY_MODULE 1u /* registered with mod_dbd */
#define MTO_SQL_BY_TOOL   2u
#define MTO_SQL_PLAIN     4u /* the module's, but never registered with mod_dbd */

/* The SQL of label for an SQL dialect ("sqlite3", "pgsql", "mysql",
 * "tsql": store/dialect.h; NULL: the text common to every dialect): the
 * dialect's own variant if it has one, else the common text.  NULL for an
 * unknown label, or one that this dialect has no statement for (a SQLite
 * PRAGMA on PostgreSQL). */
const char *mto_statement_sql(const char *label, const char *dialect);

/* True when label has a variant for some dialect: it cannot be prepared
 * before the connection's dialect is known. */
int mto_statement_varies(const char *label);

/* The labels of the statements that users (MTO_SQL_*) run, one per call:
 * *pos starts at 0; NULL after the last. */
const char *mto_statement_next(size_t *pos, unsigned users);

#endif /* MTO_STATEMENTS_H */
