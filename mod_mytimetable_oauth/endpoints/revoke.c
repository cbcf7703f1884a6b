/*
 * handle_revoke.c - the revocation endpoint (RFC 7009, docs/endpoints.md).
 *
 * POST only → form → each parameter once → client authentication (as the
 * token endpoint) → token → revoke.  RFC 7009 §2.2: an unknown, expired or
 * already revoked token is answered 200 like a revoked one (the client could
 * do nothing with an error).  §2.1: the server verifies that the token was
 * issued to the requesting client and otherwise refuses the request; the
 * RFC 6749 §5.2 code for "the authenticated client is not authorized" is
 * unauthorized_client, and the token stays as it is.
 */
#include "log.h"
#include "config/config.h"
#include "store/store.h"
#include "cache/cache.h"
#include "respond/respond.h"
#include "endpoints/endpoints.h"

/* What revoking the token takes: its own row, or its whole grant. */
static mto_store_rc mto_revoke(request_rec *r, const mto_found_token_t *found)
{
    return found->refresh ? mto_cached_refresh_grant_revoke(r, found->hash)
                          : mto_cached_access_token_revoke(r, found->hash);
}

int mto_handle_revoke(request_rec *r)
{
    mto_client_t *client;
    mto_found_token_t found;
    int rv;

    rv = mto_token_request(r, "revocation", apr_time_sec(apr_time_now()), &client, &found);
    if (rv != OK) {
        return rv;
    }
    if (!found.row) {
        ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r,
                      "client %s asked to "
                      "revoke a token that is unknown (or revoked already)",
                      mto_log_safe(r, client->client_id));
        return mto_send_empty(r);
    }
    if (strcmp(found.row->client_id, client->client_id) != 0) {
        if (!found.live) {
            return mto_send_empty(r); /* invalid anyway: nothing to refuse */
        }
        ap_log_rerror(APLOG_MARK, APLOG_WARNING, 0, r,
                      "MTO0012: client %s asked "
                      "to revoke a token of client %s (user %s); refused: a misconfigured "
                      "or misbehaving client, check which client_id it uses",
                      mto_log_safe(r, client->client_id), mto_log_safe(r, found.row->client_id),
                      mto_log_safe(r, found.row->user));
        return mto_send_oauth_error(r, HTTP_BAD_REQUEST, "unauthorized_client",
                                    "the token was issued to another client");
    }
    if (mto_revoke(r, &found) == MTO_STORE_ERROR) {
        return mto_send_unavailable(r);
    }
    ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r,
                  "client %s revoked %s "
                  "of user %s",
                  mto_log_safe(r, client->client_id),
                  found.refresh ? "a refresh token and its grant" : "an access token",
                  mto_log_safe(r, found.row->user));
    return mto_send_empty(r);
}
