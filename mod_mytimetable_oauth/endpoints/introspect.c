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
    json_t *body = json_pack("{s:b}", "active", 0);

    return body ? mto_send_json(r, HTTP_OK, body) : HTTP_INTERNAL_SERVER_ERROR;
}

/* Text from the database that is not UTF-8 (say a user name that a Basic
 * login brought in as Latin-1) cannot be a JSON string: the member, which
 * RFC 7662 makes optional, is left out rather than the answer failing. */
static void mto_json_set_text(json_t *obj, const char *key, const char *value)
{
    json_t *s = json_string(value);

    if (s) {
        json_object_set_new(obj, key, s);
    }
}

/* RFC 7662 §2.2 for a live token; exp only for a token that expires. */
static int mto_active(request_rec *r, const mto_found_token_t *found)
{
    const mto_token_t *t = found->row;
    json_t *body = json_pack("{s:b}", "active", 1);

    if (!body) {
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    mto_json_set_text(body, "scope", t->scope);
    mto_json_set_text(body, "client_id", t->client_id);
    mto_json_set_text(body, "username", t->user);
    json_object_set_new(body, "token_type", json_string(found->refresh ? "refresh_token" : "bearer"));
    if (t->expires) {
        json_object_set_new(body, "exp", json_integer(t->expires));
    }
    json_object_set_new(body, "iat", json_integer(t->issued));
    return mto_send_json(r, HTTP_OK, body);
}

int mto_handle_introspect(request_rec *r)
{
    mto_client_t *client;
    mto_found_token_t found;
    int rv;

    rv = mto_token_request(r, "introspection", apr_time_sec(apr_time_now()), &client, &found);
    if (!client) {
        return rv;
    }
    if (!found.row) {
        return mto_inactive(r);
    }
    if (strcmp(found.row->client_id, client->client_id) != 0) {
        ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, "client %s "
                      "introspected a token of client %s; answered inactive",
                      mto_log_safe(r, client->client_id), mto_log_safe(r, found.row->client_id));
        return mto_inactive(r);
    }
    return found.live ? mto_active(r, &found) : mto_inactive(r);
}
