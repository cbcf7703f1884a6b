/*
 * cmd_client_info.c - a client's metadata in
 * oauth_client_details.additional_information (README "For app
 * developers"): the options client add and client update share, the JSON
 * object they write (as Spring does, other members kept), and client update.
 */
#include <stdio.h>
#include <string.h>

#include <apr_strings.h>
#include <jansson.h>

#include "tool.h"

/* The column's size (the schema files), the name's as the module shows it. */
#define TOOL_INFO_MAX 4096
#define TOOL_NAME_MAX 200

void tool_client_info_init(apr_pool_t *p, tool_client_info_t *i)
{
    memset(i, 0, sizeof(*i));
    i->origins = apr_array_make(p, 2, sizeof(const char *));
}

static int tool_https_option(tool_opts_t *o, const char *opt, const char *arg, const char **out)
{
    if (!mto_https_uri_ok(arg)) {
        return tool_usage_error(o->cmd,
                                "%s wants an https:// URI without user-info, spaces or quotes, "
                                "not '%s'",
                                opt, arg);
    }
    *out = arg;
    return TOOL_OK;
}

int tool_client_info_option(tool_opts_t *o, int ch, const char *arg, tool_client_info_t *i, int *rc)
{
    apr_pool_t *p = i->origins->pool;
    const char *origin;

    *rc = TOOL_OK;
    switch (ch) {
    case TOOL_OPT_NAME:
        if (!*arg || strlen(arg) > TOOL_NAME_MAX || !mto_utf8_ok(arg, strlen(arg))) {
            *rc = tool_usage_error(o->cmd, "--name wants 1 to %d bytes of UTF-8", TOOL_NAME_MAX);
        }
        i->name = arg;
        return 1;
    case TOOL_OPT_LOGO_URI:
        *rc = tool_https_option(o, "--logo-uri", arg, &i->logo_uri);
        return 1;
    case TOOL_OPT_CLIENT_URI:
        *rc = tool_https_option(o, "--client-uri", arg, &i->client_uri);
        return 1;
    case TOOL_OPT_POLICY_URI:
        *rc = tool_https_option(o, "--policy-uri", arg, &i->policy_uri);
        return 1;
    case TOOL_OPT_TOS_URI:
        *rc = tool_https_option(o, "--tos-uri", arg, &i->tos_uri);
        return 1;
    case TOOL_OPT_ALLOWED_ORIGIN:
        if (!(origin = mto_origin_canon(p, arg))) {
            *rc = tool_usage_error(o->cmd,
                                   "--allowed-origin wants scheme://host[:port] and nothing "
                                   "else, not '%s'",
                                   arg);
        }
        else if (!mto_list_contains(i->origins, origin)) {
            APR_ARRAY_PUSH(i->origins, const char *) = origin;
        }
        return 1;
    case TOOL_OPT_PUBLIC:
        i->public = 1;
        return 1;
    }
    return 0;
}

static void tool_json_set(json_t *obj, const char *key, const char *value)
{
    if (value) {
        json_object_set_new(obj, key, json_string(value));
    }
}

static int tool_info_given(const tool_client_info_t *i)
{
    return i->name || i->logo_uri || i->client_uri || i->policy_uri || i->tos_uri
           || i->origins->nelts || i->public;
}

int tool_client_info_json(apr_pool_t *p, const char *cmd, const tool_client_info_t *i,
                          const char *existing, const char **out)
{
    json_error_t err;
    json_t *obj, *origins;
    char *text;
    int k;

    *out = existing;
    if (!tool_info_given(i)) {
        return TOOL_OK;
    }
    obj = existing ? json_loads(existing, 0, &err) : json_object();
    if (!json_is_object(obj)) {
        json_decref(obj);
        return tool_fail("%s: the stored additional_information is not a JSON object; "
                         "correct or clear it first",
                         cmd);
    }
    tool_json_set(obj, "client_name", i->name);
    tool_json_set(obj, "logo_uri", i->logo_uri);
    tool_json_set(obj, "client_uri", i->client_uri);
    tool_json_set(obj, "policy_uri", i->policy_uri);
    tool_json_set(obj, "tos_uri", i->tos_uri);
    tool_json_set(obj, "token_endpoint_auth_method", i->public ? "none" : NULL);
    if (i->origins->nelts) {
        origins = json_array();
        for (k = 0; k < i->origins->nelts; k++) {
            json_array_append_new(origins, json_string(APR_ARRAY_IDX(i->origins, k, const char *)));
        }
        json_object_set_new(obj, "allowed_origins", origins);
    }
    text = json_dumps(obj, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(obj);
    if (!text) {
        return tool_fail("%s: out of memory", cmd);
    }
    *out = apr_pstrdup(p, text);
    free(text);
    if (strlen(*out) > TOOL_INFO_MAX) {
        return tool_usage_error(cmd,
                                "the metadata takes more than the %d characters "
                                "additional_information holds",
                                TOOL_INFO_MAX);
    }
    return TOOL_OK;
}

/* ------------------------------------------------------------ client update */

static int tool_client_update_option(tool_opts_t *o, int ch, const char *arg, void *baton)
{
    int rc = TOOL_OK;

    tool_client_info_option(o, ch, arg, baton, &rc);
    return rc;
}

/* --public on an existing client: its secret goes (docs/endpoints.md, "For app developers"). */
static int tool_client_make_public(tool_ctx_t *ctx, const char *id)
{
    int rc, found;

    if ((rc = tool_db_client_set_secret(ctx->db, id, NULL, &found)) != TOOL_OK) {
        return rc;
    }
    tool_note("client '%s' is public now: its secret is removed, and it must use PKCE; "
              "tokens issued already stay valid (token revoke --client %s ends them)",
              id, id);
    return TOOL_OK;
}

int tool_client_update(tool_ctx_t *ctx, int argc, const char *const *argv)
{
    static const apr_getopt_option_t opts[] = { TOOL_COMMON_OPTIONS,
                                                TOOL_INFO_OPTIONS,
                                                { NULL, 0, 0, NULL } };
    tool_client_info_t info;
    tool_client_row_t *c;
    tool_opts_t o;
    const char *id, *json;
    int rc, found;

    tool_client_info_init(ctx->pool, &info);
    tool_opts_init(ctx, &o, "client update", tool_usage_client, argc, argv);
    if (tool_opts_parse(ctx, &o, opts, tool_client_update_option, &info) < 0) {
        return o.status;
    }
    if ((rc = tool_client_id_arg(&o, &id)) != TOOL_OK) {
        return rc;
    }
    if (!tool_info_given(&info)) {
        return tool_usage_error(o.cmd, "nothing to update: give --name, --logo-uri, … or --public");
    }
    if ((rc = tool_db_open(ctx, 0)) != TOOL_OK
        || (rc = tool_db_client_get(ctx->db, id, &c)) != TOOL_OK) {
        return rc;
    }
    if (!c) {
        return tool_fail("no client '%s'", id);
    }
    if ((rc = tool_client_info_json(ctx->pool, o.cmd, &info, c->additional_information, &json))
            != TOOL_OK
        || (rc = tool_db_client_set_info(ctx->db, id, json, &found)) != TOOL_OK
        || (info.public && (rc = tool_client_make_public(ctx, id)) != TOOL_OK)) {
        return rc;
    }
    tool_note("client '%s' updated; httpd sees it within about a second", id);
    return TOOL_OK;
}
