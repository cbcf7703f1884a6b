/*
 * store.h - the database, through mod_dbd: dbd.c (connection, running
 * statements), read.c (look-ups), write.c (writes, revocations, purge); the
 * SQL itself is in statements.c, shared with the admin tool.
 *
 * Each call tells "no such row" (MTO_STORE_NOTFOUND) from "the database
 * failed" (MTO_STORE_ERROR, logged).
 */
#ifndef MTO_STORE_H
#define MTO_STORE_H

#include <httpd.h>
#include <http_config.h>

#include "core/core.h"
#include "store/statements.h" /* MTO_PURGE_BATCH */

/* ------------------------------------------------------------ dbd.c */

typedef enum {
    MTO_STORE_OK = 0,
    MTO_STORE_NOTFOUND, /* no such row: the client's problem */
    MTO_STORE_CONFLICT, /* lost a race: e.g. the code was redeemed already */
    MTO_STORE_ERROR     /* the database failed: 503 and a log line */
} mto_store_rc;

/* Registers every prepared statement with mod_dbd (post_config, before mod_dbd's). */
void mto_store_register(apr_pool_t *pconf, server_rec *s);
/* True when mod_dbd is loaded (checked at check_config). */
int mto_store_available(void);
/* write_lock.c: the SQLite write lock's Mutex name (pre_config), the lock
 * (post_config), each child's attachment to it (child_init). */
int mto_store_pre_config(apr_pool_t *pconf, apr_pool_t *plog, apr_pool_t *ptemp);
int mto_store_write_lock_create(apr_pool_t *pconf, server_rec *s);
void mto_store_child_init(apr_pool_t *pchild, server_rec *s);

/* database.c: DBDriver and DBDParams, noted for their server and declined
 * to mod_dbd (an entry of config/config.c's command table). */
const char *mto_store_note_dbd(cmd_parms *cmd, void *dc, const char *arg);
/* The fingerprint of the database s uses (DBDriver and DBDParams, as mod_dbd
 * merges them): the cache keys carry it.  From post_config on. */
const char *mto_store_database_id(server_rec *s);

/* generation.c: the cache generation of r's database, which every change by
 * the admin tool bumps, as this process knows it: read at most a second ago
 * (0 without the table, an old schema, or while the database has never
 * been read).  Cached rows read under an earlier one are misses.  1 and
 * *gen; 0 when another thread is reading it just now: the look-up then
 * goes without the cache. */
int mto_store_generation(request_rec *r, apr_uint64_t *gen);

/* ------------------------------------------------- read.c, write.c */

mto_store_rc mto_store_client_get(request_rec *r, const char *client_id, mto_client_t **out);

/* MTO_STORE_OK when the user approved every scope for the client and no
 * approval has expired; MTO_STORE_NOTFOUND otherwise. */
mto_store_rc mto_store_approval_covers(request_rec *r, const char *user, const char *client_id,
                                       const apr_array_header_t *scopes);
mto_store_rc mto_store_approval_save(request_rec *r, const char *user, const char *client_id,
                                     const apr_array_header_t *scopes, apr_int64_t expires);

mto_store_rc mto_store_code_insert(request_rec *r, const char *code_hash, const mto_code_t *code);
mto_store_rc mto_store_code_get(request_rec *r, const char *code_hash, mto_code_t **out);

/* Atomically marks the code used and stores the token issued from it (and
 * the first refresh token of a new grant, unless refresh is NULL), in one
 * transaction.  MTO_STORE_CONFLICT: the code had been used already (a replay,
 * or a parallel redemption that won). */
mto_store_rc mto_store_code_exchange(request_rec *r, const char *code_hash, const char *token_hash,
                                     const mto_token_t *token, const char *refresh_hash,
                                     const mto_refresh_t *refresh);

/* The revoking functions below append the SHA-256 hex of every access token
 * they delete to revoked (an array of const char *; NULL: not wanted), so
 * that the cache can forget them (mto_cached_* in cache/cached_store.c). */

/* Revokes every access token issued from a code (replay, RFC 6749 §4.1.2). */
mto_store_rc mto_store_tokens_revoke_by_code(request_rec *r, const char *code_hash,
                                             apr_array_header_t *revoked);

mto_store_rc mto_store_token_get(request_rec *r, const char *token_hash, mto_token_t **out);

/* Refresh tokens (RFC 6749 §6, RFC 9700 §4.14). */
mto_store_rc mto_store_refresh_get(request_rec *r, const char *token_hash, mto_refresh_t **out);

/* Atomically marks the presented refresh token rotated and stores its
 * successor (next, same grant) and the access token issued with it, in one
 * transaction.  MTO_STORE_CONFLICT: the presented token had been rotated
 * already (a reuse, or a parallel use that won). */
mto_store_rc mto_store_refresh_rotate(request_rec *r, const char *used_hash, const char *next_hash,
                                      const mto_refresh_t *next, const char *token_hash,
                                      const mto_token_t *token);

/* Revokes a whole grant: all its refresh tokens and every access token issued
 * with any of them, in one transaction.  MTO_STORE_NOTFOUND: nothing left. */
mto_store_rc mto_store_refresh_revoke_grant(request_rec *r, const char *grant_id, apr_int64_t now,
                                            apr_array_header_t *revoked);

/* Revokes the grant that began with this authorization code, if any (replay). */
mto_store_rc mto_store_refresh_revoke_by_code(request_rec *r, const char *code_hash,
                                              apr_int64_t now, apr_array_header_t *revoked);

/* A refresh token's row (mto_refresh_token).  *rotated: it was exchanged
 * for a newer one and is kept only so that its reuse can be detected. */
mto_store_rc mto_store_refresh_token_get(request_rec *r, const char *token_hash, mto_token_t **out,
                                         int *rotated);

/* Revocation (RFC 7009 §2.1) of an access token: its row goes. */
mto_store_rc mto_store_access_token_revoke(request_rec *r, const char *token_hash);

/* ------------------------------------------------------------ account.c */

/* One application on a user's account page. */
typedef struct {
    const char *client_id;
    apr_array_header_t *scopes; /* const char *, each once, sorted */
    apr_int64_t since;          /* approved or first token issued (epoch seconds) */
} mto_account_app_t;

/* The applications user approved (approvals live at now) or holds live
 * access or refresh tokens for, by client_id; approval_lifetime turns an
 * approval's expiry into the time it was given. */
mto_store_rc mto_store_account_apps(request_rec *r, const char *user, apr_int64_t now,
                                    apr_int64_t approval_lifetime, apr_array_header_t **apps);

/* Revokes at once, in one transaction, everything user gave client_id:
 * approvals, unused codes, refresh tokens and access tokens (their hashes
 * appended to revoked, for the cache to forget). */
mto_store_rc mto_store_account_revoke(request_rec *r, const char *user, const char *client_id,
                                      apr_int64_t now, apr_array_header_t *revoked);

/* A MyTimetable API token (api_tokens), stored in clear or as {SHA-256}hex. */
mto_store_rc mto_store_api_token_get(request_rec *r, const char *token, mto_api_token_t **out);

typedef struct {
    int codes;
    int access;
    int refresh;
    int approvals;
} mto_purge_counts_t;

/* Deletes what expired before now (the rules in statements.c, which the
 * admin tool's purge runs too), oldest first, at most MTO_PURGE_BATCH rows
 * per table. */
mto_store_rc mto_store_purge(request_rec *r, apr_int64_t now, mto_purge_counts_t *removed);

#endif /* MTO_STORE_H */
