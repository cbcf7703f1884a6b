/*
 * output.c - how the admin tool shows rows and asks before it destroys:
 * listings as aligned tables or, with --json, as one JSON array of objects
 * (jansson); the go-ahead of a destructive command (--yes, or "y" typed on
 * a terminal).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <apr_strings.h>
#include <jansson.h>

#include "tool.h"

/* ------------------------------------------------------------------- JSON */

json_t *tool_json_str(const char *s)
{
    json_t *j;
    char *copy, *c;

    if (!s) {
        return json_null();
    }
    if ((j = json_string(s))) {
        return j;
    }
    /* Not UTF-8 (a row written by something else): bytes above ASCII as '?'. */
    copy = strdup(s);
    for (c = copy; c && *c; c++) {
        if ((unsigned char)*c >= 0x80) {
            *c = '?';
        }
    }
    j = copy ? json_string(copy) : NULL;
    free(copy);
    return j ? j : json_null();
}

json_t *tool_json_list(apr_pool_t *p, const char *s)
{
    apr_array_header_t *items;
    json_t *a;
    int i;

    if (!s) {
        return json_null();
    }
    items = mto_list_split(p, s);
    a = json_array();
    for (i = 0; i < items->nelts; i++) {
        json_array_append_new(a, tool_json_str(APR_ARRAY_IDX(items, i, const char *)));
    }
    return a;
}

static int tool_print_json(apr_pool_t *p, const tool_listing_t *l, apr_array_header_t *rows)
{
    json_t *all = json_array();
    int i, rc;

    for (i = 0; i < rows->nelts; i++) {
        json_array_append_new(all, l->json(p, APR_ARRAY_IDX(rows, i, const void *)));
    }
    rc = json_dumpf(all, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    json_decref(all);
    if (rc != 0 || fputc('\n', stdout) == EOF) {
        return tool_fail("could not write the JSON to standard output");
    }
    return TOOL_OK;
}

/* ----------------------------------------------------------------- tables */

/* A cell as shown: control characters (a row written by something else)
 * as '?', so that a value cannot move the terminal's cursor; "-" for none. */
static const char *tool_cell(apr_pool_t *p, const char *s)
{
    char *c, *out;

    if (!s || !*s) {
        return "-";
    }
    out = apr_pstrdup(p, s);
    for (c = out; *c; c++) {
        if ((unsigned char)*c < 0x20 || *c == 0x7f) {
            *c = '?';
        }
    }
    return out;
}

/* Characters on screen: UTF-8 continuation bytes take no column. */
static int tool_width(const char *s)
{
    int n = 0;

    for (; *s; s++) {
        n += ((unsigned char)*s & 0xc0) != 0x80;
    }
    return n;
}

static void tool_print_row(const char *const *cells, const int *widths, int ncols)
{
    int c;

    for (c = 0; c < ncols; c++) {
        if (c < ncols - 1) {
            printf("%s%*s  ", cells[c], widths[c] - tool_width(cells[c]), "");
        }
        else {
            printf("%s\n", cells[c]);
        }
    }
}

static void tool_print_table(apr_pool_t *p, const tool_listing_t *l, apr_array_header_t *rows)
{
    const char ***table = apr_pcalloc(p, sizeof(*table) * (rows->nelts + 1));
    int *widths = apr_pcalloc(p, sizeof(*widths) * l->ncols);
    int i, c;

    table[0] = (const char **)l->heads;
    for (i = 0; i < rows->nelts; i++) {
        table[i + 1] = apr_pcalloc(p, sizeof(const char *) * l->ncols);
        l->cells(p, APR_ARRAY_IDX(rows, i, const void *), table[i + 1]);
        for (c = 0; c < l->ncols; c++) {
            table[i + 1][c] = tool_cell(p, table[i + 1][c]);
        }
    }
    for (i = 0; i <= rows->nelts; i++) {
        for (c = 0; c < l->ncols; c++) {
            int w = tool_width(table[i][c]);

            widths[c] = w > widths[c] ? w : widths[c];
        }
    }
    for (i = 0; i <= rows->nelts; i++) {
        tool_print_row(table[i], widths, l->ncols);
    }
}

/* --------------------------------------------------------------- listings */

int tool_list(tool_ctx_t *ctx, tool_fetch_fn *fetch, const void *filter, const tool_listing_t *l,
              int json)
{
    apr_array_header_t *rows;
    int rc;

    if ((rc = tool_db_open(ctx, 0)) != TOOL_OK || (rc = fetch(ctx->db, filter, &rows)) != TOOL_OK) {
        return rc;
    }
    if (json) {
        return tool_print_json(ctx->pool, l, rows);
    }
    if (rows->nelts == 0) {
        tool_note("%s", l->none);
        return TOOL_OK;
    }
    tool_print_table(ctx->pool, l, rows);
    return TOOL_OK;
}

int tool_json_option(tool_opts_t *o, int ch, const char *arg, void *baton)
{
    (void)o;
    (void)arg;
    if (ch == TOOL_OPT_JSON) {
        *(int *)baton = 1;
    }
    return TOOL_OK;
}

int tool_list_cmd(tool_ctx_t *ctx, const char *cmd, const char *usage, tool_fetch_fn *fetch,
                  const tool_listing_t *l, int argc, const char *const *argv)
{
    static const apr_getopt_option_t opts[] = { TOOL_COMMON_OPTIONS,
                                                TOOL_JSON_OPTION,
                                                { NULL, 0, 0, NULL } };
    tool_opts_t o;
    int json = 0;

    tool_opts_init(ctx, &o, cmd, usage, argc, argv);
    if (tool_opts_parse(ctx, &o, opts, tool_json_option, &json) < 0) {
        return o.status;
    }
    if ((o.status = tool_no_args(&o)) != TOOL_OK) {
        return o.status;
    }
    return tool_list(ctx, fetch, NULL, l, json);
}

/* ----------------------------------------------------------- confirmation */

int tool_confirm(tool_ctx_t *ctx, const char *cmd, const char *what)
{
    char answer[32];

    if (ctx->yes) {
        return TOOL_OK;
    }
    if (!isatty(STDIN_FILENO)) {
        fflush(stdout);
        fprintf(stderr,
                "%s %s: not done: this would %s.  Nobody to ask (standard input is not a "
                "terminal): add --yes to go ahead.\n",
                TOOL_NAME, cmd, what);
        return TOOL_REFUSED;
    }
    fflush(stdout);
    fprintf(stderr, "%s: %s? [y/N] ", TOOL_NAME, what);
    fflush(stderr);
    if (!fgets(answer, sizeof(answer), stdin)) {
        answer[0] = '\0';
        fputc('\n', stderr);
    }
    answer[strcspn(answer, "\r\n")] = '\0';
    if (!strcasecmp(answer, "y") || !strcasecmp(answer, "yes")) {
        return TOOL_OK;
    }
    fprintf(stderr, "%s %s: not confirmed: nothing changed.\n", TOOL_NAME, cmd);
    return TOOL_REFUSED;
}
