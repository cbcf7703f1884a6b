/*
 * client_info.c - oauth_client_details.additional_information, the JSON
 * object Spring writes there, read for the members the module knows (RFC
 * 7591 names; docs/endpoints.md, "For app developers").  Here rather than in core/
 * because jansson stays in respond/; a pure function all the same: text in,
 * plain values out, nothing sent and nothing logged.
 */
#include "core/core.h"
#include "respond/respond.h"

#include <jansson.h>

/* Longest client_name shown; a longer one is ignored (it would be a page). */
#define MTO_CLIENT_NAME_MAX 200

/* The member key of obj when it is a non-empty string, copied into p. */
static const char *mto_info_string(apr_pool_t *p, json_t *obj, const char *key)
{
    const char *s = json_string_value(json_object_get(obj, key));

    return s && *s ? apr_pstrdup(p, s) : NULL;
}

/* The member as an https URI fit to show (core/client.c), else NULL. */
static const char *mto_info_https(apr_pool_t *p, json_t *obj, const char *key)
{
    const char *s = mto_info_string(p, obj, key);

    return s && mto_https_uri_ok(s) ? s : NULL;
}

/* allowed_origins: the array's origins, canonical; other items ignored. */
static apr_array_header_t *mto_info_origins(apr_pool_t *p, json_t *obj)
{
    json_t *list = json_object_get(obj, "allowed_origins");
    apr_array_header_t *out = apr_array_make(p, 2, sizeof(const char *));
    size_t i;

    for (i = 0; json_is_array(list) && i < json_array_size(list); i++) {
        const char *o = json_string_value(json_array_get(list, i));

        if (o && (o = mto_origin_canon(p, o)) && !mto_list_contains(out, o)) {
            APR_ARRAY_PUSH(out, const char *) = o;
        }
    }
    return out;
}

int mto_client_info_parse(apr_pool_t *p, const char *text, mto_client_info_t *info,
                          const char **why)
{
    json_error_t err;
    json_t *obj;
    const char *method;

    memset(info, 0, sizeof(*info));
    info->allowed_origins = apr_array_make(p, 1, sizeof(const char *));
    *why = NULL;
    if (!text) {
        return 0;
    }
    obj = json_loads(text, 0, &err);
    if (!json_is_object(obj)) {
        *why = obj ? "not a JSON object" : apr_pstrdup(p, err.text);
        json_decref(obj);
        return -1;
    }
    info->name = mto_info_string(p, obj, "client_name");
    if (info->name && strlen(info->name) > MTO_CLIENT_NAME_MAX) {
        info->name = NULL;
    }
    info->logo_uri = mto_info_https(p, obj, "logo_uri");
    info->client_uri = mto_info_https(p, obj, "client_uri");
    info->policy_uri = mto_info_https(p, obj, "policy_uri");
    info->tos_uri = mto_info_https(p, obj, "tos_uri");
    method = json_string_value(json_object_get(obj, "token_endpoint_auth_method"));
    info->auth_none = method && !strcmp(method, "none");
    info->allowed_origins = mto_info_origins(p, obj);
    json_decref(obj);
    return 0;
}
