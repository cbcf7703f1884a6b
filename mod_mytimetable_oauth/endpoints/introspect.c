/*
 * introspect.c - the introspection endpoint (RFC 7662, docs/endpoints.md).
 *
 * POST only → form → each parameter once → client authentication (as the
 * token endpoint) → token → answer.  A client learns about its own live
 * tokens, and a resource server (RFC 7662 §4; mto_client_is_resource_server)
 * about every client's live access tokens: anything else, unknown, expired,
 * revoked or rotated is {"active":false} and nothing else (RFC 7662 §2.2).
 * sub is the user (RFC 7662 §2.2, what other resource servers take for the
 * remote user) and iss the issuer exactly as the metadata states it.
 *
 * token_type (RFC 7662 §2.2 points to RFC 6749 §7.1's access token types):
 * "bearer" for an access token, as the token endpoint says.  A refresh
 * token has no such type; it is "refresh_token" (its token_type_hint name,
 * RFC 7009 §2.1), so that a resource server that checks token_type never
 * takes it for an access token.
 */
#include "log.h"
#include "core/grant.h"
#include "config/config.h"
#include "store/store.h"
#include "cache/cache.h"
#include "respond/respond.h"
#include "endpoints/endpoints.h"

static int mto_inactive(request_rec *r)
{
    return mto_send_introspection(r, NULL, NULL, NULL);
}

/* Whether client may learn about the token: its own, or (RFC 7662 §4) a
 * resource server's look at another client's access token.  Refresh tokens
 * are only ever the issuing client's business: a resource server is never
 * shown one, so that one that ignores token_type cannot take it for an
 * access token (Spring's /oauth/check_token knows access tokens only). */
static int mto_may_see(request_rec *r, const mto_client_t *client, const mto_found_token_t *found)
{
    if (!strcmp(found->row->client_id, client->client_id)) {
        return 1;
    }
    if (mto_client_is_resource_server(client) && !found->refresh) {
        return 1;
    }
    ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r,
                  "client %s introspected %s of client %s; answered inactive",
                  mto_log_safe(r, client->client_id),
                  found->refresh ? "a refresh token" : "a token",
                  mto_log_safe(r, found->row->client_id));
    return 0;
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
    if (!found.row || !mto_may_see(r, client, &found) || !found.live) {
        return mto_inactive(r);
    }
    return mto_send_introspection(r, found.row, found.refresh ? "refresh_token" : "bearer",
                                  mto_issuer(r));
}
