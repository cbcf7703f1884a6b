/*
 * httpd_conf.h - where an httpd configuration says the database is: the
 * DBDriver and DBDParams of its main server or of one virtual host, read the
 * way httpd reads them (README "Admin tool reference", -f).  Pure parsing on
 * APR: no httpd, no database; the admin tool's -f/--config uses it.
 *
 * What it understands: Include and IncludeOptional (files, directories,
 * wildcards in any path component, relative to ServerRoot), ServerRoot,
 * Define/UnDefine and ${VAR} (Defines first, then the environment), line
 * continuations, quoted arguments, <VirtualHost> with ServerName and
 * ServerAlias.  <IfModule>, <IfDefine>, <IfVersion>, <If…> and every other
 * section are taken as active, whatever their condition; <Macro> bodies are
 * skipped (they are only templates).
 */
#ifndef MTO_TOOL_HTTPD_CONF_H
#define MTO_TOOL_HTTPD_CONF_H

#include <apr_pools.h>
#include <apr_tables.h>

/* The database a server uses, and where the configuration said so. */
typedef struct {
    const char *driver;    /* DBDriver's argument */
    const char *params;    /* DBDParams' argument; NULL when none */
    const char *driver_at; /* "FILE:LINE" */
    const char *params_at;
    const char *server; /* "the main server" or "<VirtualHost …> at FILE:LINE" */
} tool_httpd_dbd_t;

/* ------------------------------------------------ httpd_conf.c: reading */

/* DBDriver and DBDParams of one server, each NULL when it says nothing. */
typedef struct {
    const char *driver, *params;
    const char *driver_at, *params_at; /* "FILE:LINE" */
} tool_conf_dbd_t;

typedef struct {
    const char *at;            /* FILE:LINE of <VirtualHost …> */
    const char *addrs;         /* its addresses, as written */
    apr_array_header_t *names; /* ServerName's host, ServerAlias patterns */
    apr_array_header_t *ports; /* per address: "443", "*", or "" (none given) */
    tool_conf_dbd_t dbd;
} tool_conf_vhost_t;

/* What one pass over the files found. */
typedef struct {
    apr_pool_t *p;
    const char *file; /* the top file, absolute */
    const char *server_root;
    apr_table_t *defines;
    tool_conf_dbd_t main;
    apr_array_header_t *vhosts; /* tool_conf_vhost_t * */
    tool_conf_vhost_t *cur;     /* while reading: inside <VirtualHost>, or NULL */
    int depth;                  /* while reading: files open */
} tool_conf_t;

/* Reads file (relative: to the current directory) and its Includes into
 * *out, relative Include paths under server_root until a ServerRoot line
 * says otherwise; NULL, or what is wrong, naming the file and line. */
const char *tool_httpd_conf_read(apr_pool_t *p, const char *file, const char *server_root,
                                 tool_conf_t **out);

/* ------------------------------------------- httpd_conf_pick.c: choosing */

/* Reads the configuration file (relative: to the current directory) and
 * everything it includes, and fills *out for the main server (vhost NULL) or
 * for the virtual host whose ServerName or ServerAlias matches vhost
 * ("NAME" or "NAME:PORT"; a virtual host inherits DBDriver and DBDParams
 * each from the main server when it does not set it).  server_root (NULL:
 * the file's ServerRoot line, or else the file's directory, or its parent
 * when that directory is named "conf") anchors relative Include paths.
 * Returns NULL, or a message saying what is wrong and where (file and
 * line); it never quotes DBDParams, which may hold a password. */
const char *tool_httpd_conf_dbd(apr_pool_t *p, const char *file, const char *server_root,
                                const char *vhost, tool_httpd_dbd_t *out);

#endif /* MTO_TOOL_HTTPD_CONF_H */
