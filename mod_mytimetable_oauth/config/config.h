/*
 * config.h - the directives of the module (README, "Directive reference"):
 * their values, defaults and merging.  Configuration only: nothing here
 * sees a request.
 */
#ifndef MTO_CONFIG_H
#define MTO_CONFIG_H

#include <httpd.h>
#include <http_config.h>

#include "core/core.h"
#include "core/scopes.h"

#define MTO_UNSET -1

typedef struct {
    const char *issuer;         /* NULL: scheme://host:port of the request */
    apr_int64_t token_lifetime; /* when access_token_validity is NULL */
    apr_int64_t code_lifetime;
    apr_int64_t approval_lifetime; /* 0 = ask every time */
    int require_pkce;
    const char *cache_spec; /* "shmcb", "none", "memcache:…"; NULL: shmcb */
    apr_int64_t cache_ttl;
    apr_array_header_t *scopes;     /* mto_scope_def_t; NULL: the built-in six */
    const char *consent_template;   /* contents of the file; NULL: built-in page */
    apr_table_t *scope_texts;       /* "LANG NAME" -> text (lowercase LANG); NULL: none */
    apr_table_t *consent_templates; /* LANG -> contents of the file; NULL: none */
    apr_int64_t purge_interval;     /* seconds between purges per child; 0 = never */
    int auth_limit;                 /* failed client authentications; 0 = off */
    int auth_window;                /* ... within this many seconds */
    /* MyTimetableOAuthSecretKeyFile; NULL: the random key of this start */
    const struct mto_secret_key_t *secret_key;
} mto_server_conf_t;

/* Where the gate looks for an access token. */
#define MTO_TOKEN_IN_HEADER 1
#define MTO_TOKEN_IN_QUERY  2

typedef struct {
    int accept_in; /* MTO_TOKEN_IN_* bits */
    int require_api_token;
    int pass_token;
} mto_dir_conf_t;

extern const command_rec mto_directives[];
void *mto_create_server_conf(apr_pool_t *p, server_rec *s);
void *mto_merge_server_conf(apr_pool_t *p, void *base, void *add);
void *mto_create_dir_conf(apr_pool_t *p, char *dir);
void *mto_merge_dir_conf(apr_pool_t *p, void *base, void *add);

/* Effective values: the configured ones, or the defaults of README "Directive reference". */
mto_server_conf_t *mto_server_conf(server_rec *s);
apr_int64_t mto_conf_token_lifetime(const mto_server_conf_t *c);
apr_int64_t mto_conf_code_lifetime(const mto_server_conf_t *c);
apr_int64_t mto_conf_approval_lifetime(const mto_server_conf_t *c);
int mto_conf_require_pkce(const mto_server_conf_t *c);
apr_int64_t mto_conf_purge_interval(const mto_server_conf_t *c);
apr_int64_t mto_conf_cache_ttl(const mto_server_conf_t *c);
/* MyTimetableOAuthClientAuthLimit: 0 when off, else the limit N and
 * *window its SECONDS. */
int mto_conf_client_auth_limit(const mto_server_conf_t *c, int *window);
const apr_array_header_t *mto_conf_scopes(const mto_server_conf_t *c);
/* The names of the scopes the server knows, in order (const char *). */
apr_array_header_t *mto_conf_scope_names(apr_pool_t *p, const mto_server_conf_t *c);

/* "MyTimetableOAuth…: not in a directory section" or NULL (directive handlers). */
const char *mto_server_only(cmd_parms *cmd);

/* ------------------------------------------------------------ lang.c */

/* The languages the server has: "en", "nl", then those of the LANG
 * arguments, lowercase; *n their number. */
const char *const *mto_conf_langs(apr_pool_t *p, const mto_server_conf_t *c, int *n);
/* The consent text of scope in lang: the MyTimetableOAuthScope … LANG
 * text, the built-in Dutch one, else the one without LANG; NULL when the
 * server does not know the scope. */
const char *mto_conf_scope_description(const mto_server_conf_t *c, const char *scope,
                                       const char *lang);
/* The configured consent template for lang, else the one without LANG,
 * else NULL (the built-in page). */
const char *mto_conf_consent_template(const mto_server_conf_t *c, const char *lang);
const char *mto_add_scope(cmd_parms *cmd, void *dc, const char *name, const char *desc,
                          const char *lang);
const char *mto_set_consent_template(cmd_parms *cmd, void *dc, const char *file, const char *lang);

/* ------------------------------------------------------------ secret_key.c */

/* The key of MyTimetableOAuthSecretKeyFile, or the random one of this start. */
typedef struct mto_secret_key_t {
    const unsigned char *bytes;
    apr_size_t len;
} mto_secret_key_t;

/* post_config: draws the random key of servers without the directive. */
void mto_secret_key_init_random(void);
/* The server's key; NULL when there is none (the random generator failed). */
const mto_secret_key_t *mto_conf_secret_key(const mto_server_conf_t *c);
const char *mto_set_secret_key_file(cmd_parms *cmd, void *dc, const char *arg);

#endif /* MTO_CONFIG_H */
