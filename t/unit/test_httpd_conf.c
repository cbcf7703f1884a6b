/*
 * test_httpd_conf.c - the admin tool's reading of an httpd configuration
 * (tool/httpd_conf.c, httpd_conf_pick.c) over sample files written to a
 * temporary directory.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include <apr_general.h>
#include <apr_strings.h>

#include "tool/httpd_conf.h"
#include "tap.h"

static apr_pool_t *pool;
static const char *dir;

/* Writes dir/name (subdirectories made as needed). */
static const char *put(const char *name, const char *text)
{
    const char *path = apr_pstrcat(pool, dir, "/", name, NULL);
    char *d = apr_pstrdup(pool, path), *s;
    FILE *f;

    for (s = d + strlen(dir) + 1; (s = strchr(s, '/')); s++) {
        *s = '\0';
        mkdir(d, 0700);
        *s = '/';
    }
    f = fopen(path, "w");
    if (!f) {
        perror(path);
        exit(2);
    }
    fputs(text, f);
    fclose(f);
    return path;
}

/* The driver and params for vhost (NULL: main), as "driver|params", or
 * "ERR: message". */
static const char *dbd(const char *file, const char *vhost)
{
    tool_httpd_dbd_t out;
    const char *err;

    memset(&out, 0, sizeof(out));
    err = tool_httpd_conf_dbd(pool, apr_pstrcat(pool, dir, "/", file, NULL), NULL, vhost, &out);
    return err ? apr_pstrcat(pool, "ERR: ", err, NULL)
               : apr_pstrcat(pool, out.driver, "|", out.params, NULL);
}

static int has(const char *s, const char *part)
{
    return s && strstr(s, part) != NULL;
}

static void test_main_server(void)
{
    tool_httpd_dbd_t out;

    put("simple.conf", "# a comment\n"
                       "ServerName main.example\n"
                       "  dbdriver  sqlite3\n"
                       "DBDParams /var/lib/x/oauth.db\n");
    is_str(dbd("simple.conf", NULL), "sqlite3|/var/lib/x/oauth.db",
           "the main server's DBDriver and DBDParams (names in any case)");
    tool_httpd_conf_dbd(pool, apr_pstrcat(pool, dir, "/simple.conf", NULL), NULL, NULL, &out);
    ok(has(out.driver_at, "simple.conf:3") && has(out.params_at, "simple.conf:4"),
       "where each was said: file and line");

    put("quoted.conf", "DBDriver pgsql\n"
                       "DBDParams \"host=db dbname=mto user=mto password=s\\\"x\"\n"
                       "DBDParams \\\n"
                       "    'host=db2 dbname=mto'\n");
    is_str(dbd("quoted.conf", NULL), "pgsql|host=db2 dbname=mto",
           "quoted values, a continuation line, the last directive wins");
    put("later.conf", "DBDriver sqlite3\nDBDParams /a.db\n"
                      "<VirtualHost *:80>\nServerName v.example\n</VirtualHost>\n"
                      "DBDParams /b.db\n");
    is_str(dbd("later.conf", "v.example"), "sqlite3|/b.db",
           "a virtual host inherits the main server's last value, even one after it");
}

static void test_includes(void)
{
    put("srv/conf/httpd.conf", "Include conf.d/*.conf\nIncludeOptional nothing/*.conf\n");
    put("srv/conf.d/10-db.conf", "DBDriver sqlite3\nDBDParams /first.db\n");
    put("srv/conf.d/20-db.conf", "DBDParams /second.db\n");
    put("srv/conf.d/ignored.txt", "DBDParams /not-this.db\n");
    is_str(dbd("srv/conf/httpd.conf", NULL), "sqlite3|/second.db",
           "Include with a wildcard, in name order, relative to the parent of a conf/ folder");

    put("debian/apache2.conf", "IncludeOptional mods-enabled/*.load\n"
                               "IncludeOptional sites-enabled/*.conf\n");
    put("debian/sites-enabled/site.conf", "DBDriver pgsql\nDBDParams \"dbname=site\"\n");
    is_str(dbd("debian/apache2.conf", NULL), "pgsql|dbname=site",
           "Debian's layout: relative to the file's own folder; an unmatched IncludeOptional");

    put("root.conf",
        apr_pstrcat(pool, "ServerRoot \"", dir, "/elsewhere/\"\nInclude */db.d/\n", NULL));
    put("elsewhere/a/db.d/x.conf", "DBDriver sqlite3\nDBDParams /from-dir.db\n");
    is_str(dbd("root.conf", NULL), "sqlite3|/from-dir.db",
           "a ServerRoot line; a wildcard folder; a folder included whole");

    put("missing.conf", "DBDriver sqlite3\n\nInclude conf.d/none.conf\n");
    ok(has(dbd("missing.conf", NULL), "missing.conf:3: Include")
           && has(dbd("missing.conf", NULL), "no such file"),
       "Include of a missing file fails, naming the file and line");
    put("nomatch.conf", "Include /nonexistent-mto/*.conf\n");
    ok(has(dbd("nomatch.conf", NULL), "no file matches"),
       "Include of a wildcard that matches nothing fails");
    put("loop.conf", "Include loop.conf\n");
    ok(has(dbd("loop.conf", NULL), "nested deeper"), "a file that includes itself fails");
}

static void test_defines(void)
{
    setenv("MTO_TEST_DB_DIR", "/srv/env", 1);
    put("defines.conf", "Define DRV sqlite3\n"
                        "Define DBFILE ${MTO_TEST_DB_DIR}/oauth.db\n"
                        "DBDriver ${DRV}\n"
                        "DBDParams ${DBFILE}\n");
    is_str(dbd("defines.conf", NULL), "sqlite3|/srv/env/oauth.db",
           "${VAR} from a Define, and from the environment inside a Define");
    put("undef.conf", "Define X /defined.db\nUnDefine X\nDBDriver sqlite3\nDBDParams ${X}\n");
    is_str(dbd("undef.conf", NULL), "sqlite3|${X}", "an unknown ${VAR} stays as it is (as httpd)");
}

static void test_sections(void)
{
    put("sections.conf", "<IfModule !mod_dbd.c>\n"
                         "  DBDriver pgsql\n"
                         "</IfModule>\n"
                         "<IfDefine NEVER>\n"
                         "  <IfVersion >= 2.4>\n"
                         "    DBDParams \"dbname=a\"\n"
                         "  </IfVersion>\n"
                         "</IfDefine>\n"
                         "<Macro DB $x>\n"
                         "  DBDParams $x\n"
                         "</Macro>\n");
    is_str(dbd("sections.conf", NULL), "pgsql|dbname=a",
           "<IfModule>, <IfDefine>, <IfVersion> taken as active; a <Macro> body is not");
    put("open.conf", "<IfModule x>\nDBDriver sqlite3\n");
    ok(has(dbd("open.conf", NULL), "<IfModule> is not closed"), "an unclosed section fails");
    put("close.conf", "</VirtualHost>\n");
    ok(has(dbd("close.conf", NULL), "close.conf:1"), "a stray closing tag fails, with its line");
}

static void test_vhosts(void)
{
    const char *r;

    put("vhosts.conf", "DBDriver sqlite3\n"
                       "DBDParams /main.db\n"
                       "<VirtualHost *:443 [::1]:443>\n"
                       "  ServerName https://www.example.org:443\n"
                       "  ServerAlias timetable.example.org *.cdn.example.org\n"
                       "  DBDParams /www.db\n"
                       "</VirtualHost>\n"
                       "<VirtualHost *:80>\n"
                       "  ServerName www.example.org\n"
                       "  Include vhost-db.conf\n"
                       "</VirtualHost>\n"
                       "<VirtualHost *:8080>\n"
                       "  ServerName plain.example.org\n"
                       "</VirtualHost>\n");
    put("vhost-db.conf", "DBDriver pgsql\nDBDParams \"dbname=eighty password=hunter2\"\n");
    is_str(dbd("vhosts.conf", NULL), "sqlite3|/main.db", "no --vhost: the main server");
    is_str(dbd("vhosts.conf", "WWW.example.org:443"), "sqlite3|/www.db",
           "NAME:PORT picks that virtual host (names in any case); DBDriver inherited");
    is_str(dbd("vhosts.conf", "x.cdn.example.org"), "sqlite3|/www.db",
           "a ServerAlias wildcard matches");
    is_str(dbd("vhosts.conf", "www.example.org:80"), "pgsql|dbname=eighty password=hunter2",
           "an Include inside <VirtualHost> belongs to it");
    is_str(dbd("vhosts.conf", "plain.example.org"), "sqlite3|/main.db",
           "a virtual host without DBD directives uses the main server's");
    r = dbd("vhosts.conf", "www.example.org");
    ok(has(r, "both answer to www.example.org") && has(r, "--vhost www.example.org:PORT"),
       "a name two virtual hosts with different databases answer to: fails, asks for the port");
    ok(!has(r, "hunter2") && !has(r, "/www.db"), "the message quotes no DBDParams");
    ok(has(dbd("vhosts.conf", "nosuch.example.org"), "no <VirtualHost> has ServerName or "
                                                     "ServerAlias nosuch.example.org"),
       "an unknown --vhost fails, naming it");

    put("vonly.conf", "<VirtualHost *:80>\nServerName a.example\nDBDriver sqlite3\n"
                      "DBDParams /a.db\n</VirtualHost>\n");
    r = dbd("vonly.conf", NULL);
    ok(has(r, "vonly.conf: no DBDriver for the main server") && has(r, "--vhost")
           && has(r, "a.example"),
       "no DBDriver in the main server: fails, naming the file and the virtual hosts that have one");
    is_str(dbd("vonly.conf", "a.example"), "sqlite3|/a.db", "…which --vhost picks");
    put("noparams.conf", "DBDriver pgsql\n");
    ok(has(dbd("noparams.conf", NULL), "no DBDParams"), "DBDriver without DBDParams fails");
    ok(has(dbd("nonexistent.conf", NULL), "cannot read")
           && has(dbd("nonexistent.conf", NULL), "nonexistent.conf"),
       "a missing file fails, naming it");
}

int main(void)
{
    char tmpl[] = "/tmp/mto-httpd-conf-XXXXXX";

    apr_initialize();
    apr_pool_create(&pool, NULL);
    if (!mkdtemp(tmpl)) {
        perror("mkdtemp");
        return 2;
    }
    dir = tmpl;

    test_main_server();
    test_includes();
    test_defines();
    test_sections();
    test_vhosts();

    if (system(apr_pstrcat(pool, "rm -rf '", dir, "'", NULL)) != 0) {
        printf("# could not remove %s\n", dir);
    }
    apr_pool_destroy(pool);
    apr_terminate();
    return done_testing();
}
