/*
 * httpd_conf.c - DBDriver and DBDParams out of an httpd configuration
 * (httpd_conf.h): one pass over the file and its Includes, in httpd's order,
 * noting the values of the main server and of each <VirtualHost>; the
 * choice among them comes after, since a virtual host inherits what the
 * main server says anywhere in the files (mod_dbd merges each directive on
 * its own).
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <apr_env.h>
#include <apr_file_info.h>
#include <apr_file_io.h>
#include <apr_fnmatch.h>
#include <apr_lib.h>
#include <apr_strings.h>
#include <apr_tables.h>

#include "tool/httpd_conf.h"

#define CONF_MAX_DEPTH 128                /* httpd's AP_MAX_INCLUDE_DEPTH */
#define CONF_MAX_FILE  (16 * 1024 * 1024) /* a configuration file, at most */

/* One file being read: its open sections, for the closing tags. */
typedef struct {
    const char *name;
    apr_array_header_t *open; /* const char *: section names */
    int macro;                /* inside <Macro>: its nesting */
} conf_file_t;

static const char *conf_path(tool_conf_t *c, const char *at, const char *path, int optional);

/* ----------------------------------------------------------------- words */

/* httpd's ap_getword_conf: the next word, or a "…"/'…' string (a backslash
 * before its quote keeps the quote); skips the blanks after it. */
static char *conf_word(apr_pool_t *p, const char **line)
{
    const char *s = *line;
    char *w, *o;

    while (apr_isspace(*s)) {
        s++;
    }
    o = w = apr_palloc(p, strlen(s) + 1);
    if (*s == '"' || *s == '\'') {
        char q = *s++;

        while (*s && *s != q) {
            if (*s == '\\' && s[1] == q) {
                s++;
            }
            *o++ = *s++;
        }
        if (*s) {
            s++;
        }
    }
    else {
        while (*s && !apr_isspace(*s)) {
            *o++ = *s++;
        }
    }
    *o = '\0';
    while (apr_isspace(*s)) {
        s++;
    }
    *line = s;
    return w;
}

/* ${VAR}: a Define's value, else the environment's, else left as it is
 * (httpd warns and does the same). */
static const char *conf_vars(tool_conf_t *c, const char *line)
{
    const char *s = line, *open, *close, *val;
    char *name, *env;
    const char *out = "";

    while ((open = strstr(s, "${")) && (close = strchr(open + 2, '}'))) {
        name = apr_pstrmemdup(c->p, open + 2, (apr_size_t)(close - open - 2));
        val = apr_table_get(c->defines, name);
        if (!val && apr_env_get(&env, name, c->p) == APR_SUCCESS) {
            val = env;
        }
        out = apr_pstrcat(c->p, out, apr_pstrmemdup(c->p, s, (apr_size_t)(open - s)),
                          val ? val : apr_pstrmemdup(c->p, open, (apr_size_t)(close - open + 1)),
                          NULL);
        s = close + 1;
    }
    return s == line ? line : apr_pstrcat(c->p, out, s, NULL);
}

/* ------------------------------------------------------------- sections */

/* The port of a <VirtualHost> address: "*:443", "[::1]:80", "host". */
static const char *conf_addr_port(apr_pool_t *p, const char *addr)
{
    const char *colon;

    if (*addr == '[') {
        const char *end = strchr(addr, ']');

        return end && end[1] == ':' ? apr_pstrdup(p, end + 2) : "";
    }
    colon = strrchr(addr, ':');
    return colon ? apr_pstrdup(p, colon + 1) : "";
}

static const char *conf_open(tool_conf_t *c, conf_file_t *f, const char *at, const char *line)
{
    const char *args = line + 1;
    const char *name = conf_word(c->p, &args);
    char *end = apr_pstrdup(c->p, args);
    apr_size_t n = strlen(end);

    if (n > 0 && end[n - 1] == '>') {
        end[n - 1] = '\0';
    }
    n = strlen(name);
    if (n > 0 && name[n - 1] == '>') {
        name = apr_pstrmemdup(c->p, name, n - 1);
    }
    if (!strcasecmp(name, "Macro")) {
        f->macro = 1;
        return NULL;
    }
    if (!strcasecmp(name, "VirtualHost")) {
        tool_conf_vhost_t *v = apr_pcalloc(c->p, sizeof(*v));
        const char *a = end;

        if (c->cur) {
            return apr_psprintf(c->p, "%s: <VirtualHost> inside <VirtualHost> (from %s)", at,
                                c->cur->at);
        }
        v->at = at;
        v->addrs = apr_pstrdup(c->p, end);
        v->names = apr_array_make(c->p, 2, sizeof(const char *));
        v->ports = apr_array_make(c->p, 2, sizeof(const char *));
        while (*a) {
            APR_ARRAY_PUSH(v->ports, const char *) = conf_addr_port(c->p, conf_word(c->p, &a));
        }
        APR_ARRAY_PUSH(c->vhosts, tool_conf_vhost_t *) = v;
        c->cur = v;
    }
    APR_ARRAY_PUSH(f->open, const char *) = name;
    return NULL;
}

static const char *conf_close(tool_conf_t *c, conf_file_t *f, const char *at, const char *line)
{
    const char *name = apr_pstrndup(c->p, line + 2, strcspn(line + 2, "> \t"));
    const char *top;

    if (f->open->nelts == 0) {
        return apr_psprintf(c->p, "%s: </%s> without <%s>", at, name, name);
    }
    top = APR_ARRAY_IDX(f->open, f->open->nelts - 1, const char *);
    if (strcasecmp(top, name)) {
        return apr_psprintf(c->p, "%s: </%s> where <%s> is open", at, name, top);
    }
    f->open->nelts--;
    if (!strcasecmp(name, "VirtualHost")) {
        c->cur = NULL;
    }
    return NULL;
}

/* A <Macro> body is a template: only its nesting counts. */
static void conf_macro(conf_file_t *f, const char *line)
{
    if (!strncasecmp(line, "<Macro", 6) && (apr_isspace(line[6]) || line[6] == '>')) {
        f->macro++;
    }
    else if (!strncasecmp(line, "</Macro", 7)) {
        f->macro--;
    }
}

/* ----------------------------------------------------------- directives */

static void conf_server_name(tool_conf_t *c, const char *args, int alias)
{
    while (*args) {
        const char *w = conf_word(c->p, &args);
        const char *scheme = strstr(w, "://");

        if (!alias) {
            /* ServerName [scheme://]host[:port] */
            if (scheme) {
                w = scheme + 3;
            }
            if (*w != '[') {
                w = apr_pstrndup(c->p, w, strcspn(w, ":"));
            }
            APR_ARRAY_PUSH(c->cur->names, const char *) = w;
            return;
        }
        APR_ARRAY_PUSH(c->cur->names, const char *) = w;
    }
}

static void conf_dbd(tool_conf_t *c, const char *at, const char *args, int params)
{
    tool_conf_dbd_t *d = c->cur ? &c->cur->dbd : &c->main;
    const char *w = conf_word(c->p, &args);

    if (params) {
        d->params = w;
        d->params_at = at;
    }
    else {
        d->driver = w;
        d->driver_at = at;
    }
}

static const char *conf_directive(tool_conf_t *c, const char *at, const char *line)
{
    const char *args = line;
    const char *name = conf_word(c->p, &args);

    if (!strcasecmp(name, "DBDriver") || !strcasecmp(name, "DBDParams")) {
        conf_dbd(c, at, args, !strcasecmp(name, "DBDParams"));
    }
    else if (!strcasecmp(name, "Include") || !strcasecmp(name, "IncludeOptional")) {
        return conf_path(c, at, conf_word(c->p, &args), !strcasecmp(name, "IncludeOptional"));
    }
    else if (!strcasecmp(name, "ServerRoot") && !c->cur) {
        char *root = conf_word(c->p, &args), *abs;

        /* Include paths are split on '/': a trailing one does no harm. */
        c->server_root = apr_filepath_merge(&abs, NULL, root, 0, c->p) == APR_SUCCESS ? abs : root;
    }
    else if (!strcasecmp(name, "Define")) {
        const char *var = conf_word(c->p, &args);

        if (*args) {
            apr_table_set(c->defines, var, conf_word(c->p, &args));
        }
    }
    else if (!strcasecmp(name, "UnDefine")) {
        apr_table_unset(c->defines, conf_word(c->p, &args));
    }
    else if (c->cur && (!strcasecmp(name, "ServerName") || !strcasecmp(name, "ServerAlias"))) {
        conf_server_name(c, args, !strcasecmp(name, "ServerAlias"));
    }
    return NULL;
}

/* One logical line (continuations joined), blanks trimmed. */
static const char *conf_line(tool_conf_t *c, conf_file_t *f, int lineno, char *line)
{
    const char *at;
    apr_size_t n;

    while (apr_isspace(*line)) {
        line++;
    }
    n = strlen(line);
    while (n > 0 && apr_isspace(line[n - 1])) {
        line[--n] = '\0';
    }
    if (!*line || *line == '#') {
        return NULL;
    }
    if (f->macro) {
        conf_macro(f, line);
        return NULL;
    }
    at = apr_psprintf(c->p, "%s:%d", f->name, lineno);
    line = (char *)conf_vars(c, line);
    if (line[0] == '<' && line[1] == '/') {
        return conf_close(c, f, at, line);
    }
    if (line[0] == '<') {
        return conf_open(c, f, at, line);
    }
    return conf_directive(c, at, line);
}

/* ---------------------------------------------------------------- files */

static const char *conf_read(tool_conf_t *c, const char *path, char **text)
{
    apr_finfo_t fi;
    apr_file_t *fh;
    apr_size_t got;
    apr_status_t rv;
    char buf[256];

    if ((rv = apr_file_open(&fh, path, APR_FOPEN_READ, APR_OS_DEFAULT, c->p)) != APR_SUCCESS
        || (rv = apr_file_info_get(&fi, APR_FINFO_SIZE, fh)) != APR_SUCCESS) {
        return apr_psprintf(c->p, "cannot read %s: %s", path, apr_strerror(rv, buf, sizeof(buf)));
    }
    if (fi.size > CONF_MAX_FILE) {
        apr_file_close(fh);
        return apr_psprintf(c->p, "%s is larger than %d bytes: not a configuration file?", path,
                            CONF_MAX_FILE);
    }
    *text = apr_palloc(c->p, (apr_size_t)fi.size + 1);
    rv = apr_file_read_full(fh, *text, (apr_size_t)fi.size, &got);
    apr_file_close(fh);
    if (rv != APR_SUCCESS && !APR_STATUS_IS_EOF(rv)) {
        return apr_psprintf(c->p, "cannot read %s: %s", path, apr_strerror(rv, buf, sizeof(buf)));
    }
    (*text)[got] = '\0';
    return NULL;
}

static const char *conf_file(tool_conf_t *c, const char *path)
{
    conf_file_t f = { path, NULL, 0 };
    char *text, *s, *out, *line;
    const char *err;
    int lineno = 1, start;

    if (c->depth >= CONF_MAX_DEPTH) {
        return apr_psprintf(c->p,
                            "%s: Includes nested deeper than %d (does a file include "
                            "itself?)",
                            path, CONF_MAX_DEPTH);
    }
    if ((err = conf_read(c, path, &text))) {
        return err;
    }
    c->depth++;
    f.open = apr_array_make(c->p, 4, sizeof(const char *));
    for (s = text; *s;) {
        /* A line, with "\" at its end joining the next one to it. */
        start = lineno;
        line = out = s;
        while (*s && *s != '\n') {
            if (*s == '\\' && (s[1] == '\n' || (s[1] == '\r' && s[2] == '\n'))) {
                s += s[1] == '\r' ? 3 : 2;
                lineno++;
                continue;
            }
            *out++ = *s++;
        }
        if (*s == '\n') {
            s++;
        }
        lineno++;
        *out = '\0';
        if ((err = conf_line(c, &f, start, line))) {
            return err;
        }
    }
    c->depth--;
    if (f.open->nelts > 0) {
        return apr_psprintf(c->p, "%s: <%s> is not closed in this file", path,
                            APR_ARRAY_IDX(f.open, f.open->nelts - 1, const char *));
    }
    return NULL;
}

static int conf_cmp(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The names in dir matching pattern (NULL: all but . and ..), sorted. */
static apr_array_header_t *conf_list(tool_conf_t *c, const char *dir, const char *pattern)
{
    apr_array_header_t *names = apr_array_make(c->p, 8, sizeof(const char *));
    apr_finfo_t fi;
    apr_dir_t *d;

    if (apr_dir_open(&d, dir, c->p) != APR_SUCCESS) {
        return names;
    }
    while (apr_dir_read(&fi, APR_FINFO_NAME, d) == APR_SUCCESS) {
        if (!strcmp(fi.name, ".") || !strcmp(fi.name, "..")) {
            continue;
        }
        if (!pattern || apr_fnmatch(pattern, fi.name, APR_FNM_PERIOD) == APR_SUCCESS) {
            APR_ARRAY_PUSH(names, const char *) = apr_pstrdup(c->p, fi.name);
        }
    }
    apr_dir_close(d);
    qsort(names->elts, (size_t)names->nelts, sizeof(const char *), conf_cmp);
    return names;
}

/* An existing file, or every file under a directory. */
static const char *conf_entry(tool_conf_t *c, const char *path)
{
    apr_array_header_t *names;
    apr_finfo_t fi;
    const char *err;
    int i;

    if (apr_stat(&fi, path, APR_FINFO_TYPE, c->p) == APR_SUCCESS && fi.filetype == APR_DIR) {
        names = conf_list(c, path, NULL);
        for (i = 0; i < names->nelts; i++) {
            const char *sub =
                apr_pstrcat(c->p, path, "/", APR_ARRAY_IDX(names, i, const char *), NULL);

            if ((err = conf_entry(c, sub))) {
                return err;
            }
        }
        return NULL;
    }
    return conf_file(c, path);
}

/* Components parts[i…] under dir, wildcards expanded; *found counts matches. */
static const char *conf_glob(tool_conf_t *c, const char *dir, apr_array_header_t *parts, int i,
                             int *found)
{
    apr_array_header_t *names;
    apr_finfo_t fi;
    const char *part, *err;
    int k;

    if (i == parts->nelts) {
        (*found)++;
        return conf_entry(c, dir);
    }
    part = APR_ARRAY_IDX(parts, i, const char *);
    if (!apr_fnmatch_test(part)) {
        const char *next = apr_pstrcat(c->p, dir, "/", part, NULL);

        if (apr_stat(&fi, next, APR_FINFO_TYPE, c->p) != APR_SUCCESS) {
            return NULL;
        }
        return conf_glob(c, next, parts, i + 1, found);
    }
    names = conf_list(c, *dir ? dir : "/", part);
    for (k = 0; k < names->nelts; k++) {
        const char *next = apr_pstrcat(c->p, dir, "/", APR_ARRAY_IDX(names, k, const char *), NULL);

        if ((err = conf_glob(c, next, parts, i + 1, found))) {
            return err;
        }
    }
    return NULL;
}

/* Include and IncludeOptional: relative to ServerRoot; a missing file, or a
 * wildcard that matches nothing, fails Include only. */
static const char *conf_path(tool_conf_t *c, const char *at, const char *path, int optional)
{
    apr_array_header_t *parts = apr_array_make(c->p, 8, sizeof(const char *));
    char *copy, *part, *state;
    const char *err;
    int found = 0;

    if (!*path) {
        return apr_psprintf(c->p, "%s: Include without a file name", at);
    }
    if (*path != '/') {
        path = apr_pstrcat(c->p, c->server_root, "/", path, NULL);
    }
    copy = apr_pstrdup(c->p, path);
    for (part = apr_strtok(copy, "/", &state); part; part = apr_strtok(NULL, "/", &state)) {
        APR_ARRAY_PUSH(parts, const char *) = part;
    }
    if ((err = conf_glob(c, "", parts, 0, &found))) {
        return err;
    }
    if (!found && !optional) {
        return apr_psprintf(c->p, "%s: Include %s: %s", at, path,
                            apr_fnmatch_test(path) ? "no file matches" : "no such file");
    }
    return NULL;
}

/* ------------------------------------------------------------------ entry */

const char *tool_httpd_conf_read(apr_pool_t *p, const char *file, const char *server_root,
                                 tool_conf_t **out)
{
    tool_conf_t *c = apr_pcalloc(p, sizeof(*c));
    char *abs;

    /* Relative: to the current directory. */
    if (apr_filepath_merge(&abs, NULL, file, 0, p) == APR_SUCCESS) {
        file = abs;
    }
    if (apr_filepath_merge(&abs, NULL, server_root, 0, p) == APR_SUCCESS) {
        server_root = abs;
    }
    c->p = p;
    c->file = file;
    c->server_root = server_root;
    c->defines = apr_table_make(p, 8);
    c->vhosts = apr_array_make(p, 4, sizeof(tool_conf_vhost_t *));
    *out = c;
    return conf_file(c, file);
}
