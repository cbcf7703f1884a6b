/*
 * handle_introspect.c - the introspection endpoint (RFC 7662, README "Endpoints").
 *
 * POST only → form → each parameter once → client authentication (as the
 * token endpoint) → token → answer.  A client learns about its own live
 * tokens only: anything unknown, expired, revoked, rotated or issued to
 * another client is {"active":false} and nothing else (RFC 7662 §2.2).
 *
 * token_type (RFC 7662 §2.2 points to RFC 6749 §7.1's access token types):
 * "bearer" for an access token, as the token endpoint says.  A refresh
 * token has no such type; it is "refresh_token" (its token_type_hint name,
 * RFC 7009 §2.1), so that a resource server that checks token_type never
 * takes it for an access token.
 */
#include "log.h"
#include "config/config.h"
#include "store/store.h"
#include "cache/cache.h"
#include "respond/respond.h"
#include "endpoints/endpoints.h"

static int mto_inactive(request_rec *r)
{
    return mto_send_introspection(r, NULL, NULL);
}

int mto_handle_introspect(request_rec *r)
{
    mto_client_t *client;
    mto_found_token_t found;
    int rv;

    rv = mto_token_request(r, "introspection", apr_time_sec(apr_time_now()), &client, &found);
    if (rv != OK) {
        return rv;
    }
    if (!found.row) {
        return mto_inactive(r);
    }
    if (strcmp(found.row->client_id, client->client_id) != 0) {
        ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r,
                      "client %s "
                      "introspected a token of client %s; answered inactive",
                      mto_log_safe(r, client->client_id), mto_log_safe(r, found.row->client_id));
        return mto_inactive(r);
    }
    if (!found.live) {
        return mto_inactive(r);
    }
    return mto_send_introspection(r, found.row, found.refresh ? "refresh_token" : "bearer");
}
