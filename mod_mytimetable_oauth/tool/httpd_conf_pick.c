/*
 * httpd_conf_pick.c - which DBDriver and DBDParams a server of a
 * configuration read by httpd_conf.c uses: the main server's, or a virtual
 * host's merged over them directive by directive, as mod_dbd merges.
 */
#include <string.h>
#include <strings.h>

#include <apr_file_info.h>
#include <apr_fnmatch.h>
#include <apr_lib.h>
#include <apr_strings.h>

#include "tool/httpd_conf.h"

/* The default ServerRoot: the file's directory (Debian: /etc/apache2 for
 * /etc/apache2/apache2.conf), or its parent when that is named "conf" (a
 * source install: PREFIX/conf/httpd.conf under ServerRoot PREFIX). */
static const char *pick_default_root(apr_pool_t *p, const char *file)
{
    const char *slash = strrchr(file, '/');
    const char *dir, *base;

    if (!slash) {
        return ".";
    }
    dir = slash == file ? "/" : apr_pstrmemdup(p, file, (apr_size_t)(slash - file));
    base = strrchr(dir, '/');
    if (base && !strcmp(base + 1, "conf")) {
        return base == dir ? "/" : apr_pstrmemdup(p, dir, (apr_size_t)(base - dir));
    }
    return dir;
}

/* "NAME" or "NAME:PORT" of --vhost. */
static void pick_split(apr_pool_t *p, const char *spec, const char **name, const char **port)
{
    const char *colon = strrchr(spec, ':');
    const char *d;

    *name = spec;
    *port = NULL;
    if (!colon || !colon[1] || spec[0] == '[') {
        return;
    }
    for (d = colon + 1; *d; d++) {
        if (!apr_isdigit(*d)) {
            return;
        }
    }
    *name = apr_pstrmemdup(p, spec, (apr_size_t)(colon - spec));
    *port = colon + 1;
}

static int pick_matches(const tool_conf_vhost_t *v, const char *name, const char *port)
{
    int i, named = 0, ported = !port;

    for (i = 0; i < v->names->nelts && !named; i++) {
        named = apr_fnmatch(APR_ARRAY_IDX(v->names, i, const char *), name, APR_FNM_CASE_BLIND)
                == APR_SUCCESS;
    }
    for (i = 0; i < v->ports->nelts && !ported; i++) {
        const char *vp = APR_ARRAY_IDX(v->ports, i, const char *);

        ported = !*vp || !strcmp(vp, "*") || !strcmp(vp, port);
    }
    return named && ported;
}

/* A virtual host's values over the main server's. */
static tool_conf_dbd_t pick_merge(const tool_conf_t *c, const tool_conf_vhost_t *v)
{
    tool_conf_dbd_t d = c->main;

    if (v && v->dbd.driver) {
        d.driver = v->dbd.driver;
        d.driver_at = v->dbd.driver_at;
    }
    if (v && v->dbd.params) {
        d.params = v->dbd.params;
        d.params_at = v->dbd.params_at;
    }
    return d;
}

static int pick_same(const char *a, const char *b)
{
    return (!a && !b) || (a && b && !strcmp(a, b));
}

/* Names of the virtual hosts that set a DBDriver, for a hint. */
static const char *pick_vhosts_with_driver(const tool_conf_t *c)
{
    const char *list = NULL;
    int i;

    for (i = 0; i < c->vhosts->nelts; i++) {
        const tool_conf_vhost_t *v = APR_ARRAY_IDX(c->vhosts, i, const tool_conf_vhost_t *);

        if (v->dbd.driver && v->names->nelts > 0) {
            const char *n = APR_ARRAY_IDX(v->names, 0, const char *);

            list = list ? apr_pstrcat(c->p, list, ", ", n, NULL) : n;
        }
    }
    return list;
}

/* The one virtual host spec names; several must agree on the database. */
static const char *pick_vhost(const tool_conf_t *c, const char *spec, tool_conf_dbd_t *d,
                              const tool_conf_vhost_t **chosen)
{
    const char *name, *port;
    const tool_conf_vhost_t *first = NULL;
    int i;

    pick_split(c->p, spec, &name, &port);
    for (i = 0; i < c->vhosts->nelts; i++) {
        const tool_conf_vhost_t *v = APR_ARRAY_IDX(c->vhosts, i, const tool_conf_vhost_t *);
        tool_conf_dbd_t m;

        if (!pick_matches(v, name, port)) {
            continue;
        }
        m = pick_merge(c, v);
        if (!first) {
            first = v;
            *d = m;
        }
        else if (!pick_same(m.driver, d->driver) || !pick_same(m.params, d->params)) {
            return apr_psprintf(c->p,
                                "%s: the virtual hosts at %s and %s both answer to %s, with "
                                "different databases: add the port, --vhost %s:PORT",
                                c->file, first->at, v->at, spec, name);
        }
    }
    if (!first) {
        return apr_psprintf(c->p, "%s: no <VirtualHost> has ServerName or ServerAlias %s%s%s",
                            c->file, name, port ? " on port " : "", port ? port : "");
    }
    *chosen = first;
    return NULL;
}

const char *tool_httpd_conf_dbd(apr_pool_t *p, const char *file, const char *server_root,
                                const char *vhost, tool_httpd_dbd_t *out)
{
    const tool_conf_vhost_t *v = NULL;
    tool_conf_dbd_t d;
    tool_conf_t *c;
    const char *err, *others;

    char *abs;

    if (!server_root) {
        if (apr_filepath_merge(&abs, NULL, file, 0, p) == APR_SUCCESS) {
            file = abs;
        }
        server_root = pick_default_root(p, file);
    }
    if ((err = tool_httpd_conf_read(p, file, server_root, &c))) {
        return err;
    }
    d = c->main;
    if (vhost && (err = pick_vhost(c, vhost, &d, &v))) {
        return err;
    }
    out->server =
        v ? apr_psprintf(p, "the <VirtualHost %s> at %s", v->addrs, v->at) : "the main server";
    if (!d.driver) {
        others = vhost ? NULL : pick_vhosts_with_driver(c);
        return apr_psprintf(p, "%s: no DBDriver for %s in this file or the files it includes%s%s%s",
                            c->file, out->server, others ? " (virtual hosts have one: " : "",
                            others ? others : "", others ? "; choose one with --vhost NAME)" : "");
    }
    if (!d.params) {
        return apr_psprintf(p, "%s: DBDriver %s (%s) but no DBDParams for %s", c->file, d.driver,
                            d.driver_at, out->server);
    }
    out->driver = d.driver;
    out->params = d.params;
    out->driver_at = d.driver_at;
    out->params_at = d.params_at;
    return NULL;
}
