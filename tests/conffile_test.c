/*
 * Standalone test of the configuration file reader (apache2/conffile.c):
 * line continuations, comments, Include/IncludeOptional with wildcards,
 * <IfModule>/<IfDefine>/per-directory sections, ${VAR} and error reports.
 * The directive table is a stub here that records what it is given.
 *
 * Build: gcc -I../apache2 conffile_test.c ../apache2/conffile.c $(apr flags) -lapr-1
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "palisade.h"

/* ------------------------------------------------------------------------
 * Stub directive table: records "NAME|FILE-BASENAME:LINE|LEVEL|ARGS"
 * --------------------------------------------------------------------- */

static apr_array_header_t *seen;
static const char *current_name;

static const char *record(pl_cmd *cmd, const char *args)
{
    const char *base = strrchr(cmd->file, '/');
    *(const char **)apr_array_push(seen) =
        apr_psprintf(cmd->pool, "%s|%s:%d|%d|%s", current_name, base ? base + 1 : cmd->file,
                     cmd->line, cmd->server_level, args);
    return NULL;
}

static const char *fail(pl_cmd *cmd, const char *args)
{
    (void)cmd;
    (void)args;
    return "Error creating rule: Unknown operator: @foo";
}

const pl_directive pl_directives[] = {
    { "SecRule", record, "" },
    { "SecAction", record, "" },
    { "SecRuleEngine", record, "" },
    { "SecMarker", record, "" },
    { "SecBroken", fail, "" },
    { NULL, NULL, NULL }
};

const pl_directive *pl_directive_find(const char *name)
{
    int i;

    for (i = 0; pl_directives[i].name != NULL; i++)
        if (strcasecmp(pl_directives[i].name, name) == 0) {
            current_name = pl_directives[i].name;
            return &pl_directives[i];
        }
    return NULL;
}

/* ------------------------------------------------------------------------
 * Harness
 * --------------------------------------------------------------------- */

static int passed, failed;
static char dir[256];

static void write_file(const char *name, const char *text)
{
    char path[512];
    FILE *f;
    char *slash;

    snprintf(path, sizeof(path), "%s/%s", dir, name);
    for (slash = strchr(path + strlen(dir) + 1, '/'); slash; slash = strchr(slash + 1, '/')) {
        *slash = '\0';
        mkdir(path, 0755);
        *slash = '/';
    }
    f = fopen(path, "wb");
    fputs(text, f);
    fclose(f);
}

/* Reads NAME and compares the records (joined with "\n") or the error. */
static void check(apr_pool_t *pool, const char *label, const char *name,
                  const char *want, const char *want_err)
{
    apr_pool_t *p;
    pl_cmd cmd;
    const char *err, *got;
    char path[512];
    int i;

    apr_pool_create(&p, pool);
    seen = apr_array_make(p, 8, sizeof(const char *));
    memset(&cmd, 0, sizeof(cmd));
    cmd.pool = p;
    cmd.temp_pool = p;
    cmd.server_level = 1;
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    err = pl_conf_read_file(&cmd, path);
    got = "";
    for (i = 0; i < seen->nelts; i++)
        got = apr_pstrcat(p, got, i ? "\n" : "", APR_ARRAY_IDX(seen, i, const char *), NULL);

    if (want_err != NULL) {
        if (err != NULL && strstr(err, want_err) != NULL) {
            passed++;
        } else {
            failed++;
            printf("FAIL %s: want error containing [%s], got [%s]\n", label, want_err,
                   err ? err : "(none)");
        }
    } else if (err != NULL) {
        failed++;
        printf("FAIL %s: unexpected error [%s]\n", label, err);
    } else if (strcmp(got, want) != 0) {
        failed++;
        printf("FAIL %s:\n--- want\n%s\n--- got\n%s\n", label, want, got);
    } else {
        passed++;
    }
    apr_pool_destroy(p);
}

/* ------------------------------------------------------------------------
 * Cases
 * --------------------------------------------------------------------- */

static void test_lines(apr_pool_t *p)
{
    write_file("lines.conf",
               "# comment\n"
               "\n"
               "   SecRuleEngine   On   \n"
               "SecRule ARGS \"@rx a\" \\\n"
               "    \"id:1,\\\n"
               "    deny\"\n"
               "# a comment continued \\\n"
               "SecAction swallowed\n"
               "SecAction \"id:2\" \\ \n"
               "SecMarker  END\r\n"
               "SecRule A B \\\r\n"
               "C\r\n"
               "LoadModule foo_module /x.so\n"
               "Listen 80\n"
               "SecAction last");
    check(p, "lines", "lines.conf",
          "SecRuleEngine|lines.conf:3|1|On\n"
          "SecRule|lines.conf:6|1|ARGS \"@rx a\"     \"id:1,    deny\"\n"
          "SecAction|lines.conf:9|1|\"id:2\" \\\n"
          "SecMarker|lines.conf:10|1|END\n"
          "SecRule|lines.conf:12|1|A B C\n"
          "SecAction|lines.conf:15|1|last", NULL);
}

static void test_include(apr_pool_t *p)
{
    write_file("inc/main.conf",
               "SecAction first\n"
               "Include rules/*.conf\n"
               "IncludeOptional nothere/*.conf\n"
               "IncludeOptional missing.conf\n"
               "Include \"sub\"\n"
               "IncludeOptional */deep/x.conf\n"
               "SecAction last\n");
    write_file("inc/rules/b.conf", "SecAction b\n");
    write_file("inc/rules/a.conf", "SecAction a\n");
    write_file("inc/rules/.hidden.conf", "SecAction hidden\n");
    write_file("inc/rules/c.txt", "SecAction txt\n");
    write_file("inc/sub/2.conf", "SecAction sub2\n");
    write_file("inc/sub/1.conf", "SecAction sub1\n");
    write_file("inc/w/deep/x.conf", "SecAction deep\n");
    check(p, "include", "inc/main.conf",
          "SecAction|main.conf:1|1|first\n"
          "SecAction|a.conf:1|1|a\n"
          "SecAction|b.conf:1|1|b\n"
          "SecAction|1.conf:1|1|sub1\n"
          "SecAction|2.conf:1|1|sub2\n"
          "SecAction|x.conf:1|1|deep\n"
          "SecAction|main.conf:7|1|last", NULL);

    write_file("inc/nomatch.conf", "\n\nInclude sub/*.cnf\n");
    check(p, "include no match", "inc/nomatch.conf", NULL, "nomatch.conf:3: Include/IncludeOptional: No matches for the wildcard '*.cnf' in '");
    write_file("inc/nodir.conf", "Include nothere/*.conf\n");
    check(p, "include no directory", "inc/nodir.conf", NULL, "nodir.conf:1: Include/IncludeOptional: Could not open directory");
    write_file("inc/missing.conf", "Include absent.conf\n");
    check(p, "include missing", "inc/missing.conf", NULL, "missing.conf:1: Could not open configuration file");
    write_file("inc/err.conf", "SecAction x\nInclude bad/*.conf\n");
    write_file("inc/bad/x.conf", "\nSecBroken foo\n");
    check(p, "error in included file", "inc/err.conf", NULL,
          "/bad/x.conf:2: Error creating rule: Unknown operator: @foo");
    write_file("inc/loop.conf", "Include loop.conf\n");
    check(p, "include loop", "inc/loop.conf", NULL, "Exceeded the maximum include");
}

static void test_sections(apr_pool_t *p)
{
    write_file("sect.conf",
               "<IfModule security2_module>\n"
               "  SecAction in1\n"
               "  <IfModule !mod_security2.c>\n"
               "    SecAction never\n"
               "    <Location /x>\n"
               "      SecAction never2\n"
               "    </Location>\n"
               "  </IfModule>\n"
               "</IfModule>\n"
               "<IfModule mod_rewrite.c>\n"
               "  SecAction never3\n"
               "</IfModule>\n"
               "<IfModule !mod_rewrite.c>\n"
               "  SecAction in2\n"
               "</IfModule>\n"
               "<IfDefine FOO>\n"
               "  SecAction never4\n"
               "</IfDefine>\n"
               "Define FOO bar\n"
               "<IfDefine FOO>\n"
               "  SecAction in3 ${FOO}\n"
               "</IfDefine>\n"
               "<IfDefine !FOO>\n"
               "  SecAction never5\n"
               "</IfDefine>\n"
               "<Location /admin>\n"
               "  SecAction loc\n"
               "</Location>\n"
               "<VirtualHost *:80>\n"
               "  SecAction vhost\n"
               "</VirtualHost>\n"
               "SecAction ${UNDEFINED_PL_VAR} ${PL_TEST_ENV}\n");
    setenv("PL_TEST_ENV", "fromenv", 1);
    check(p, "sections", "sect.conf",
          "SecAction|sect.conf:2|1|in1\n"
          "SecAction|sect.conf:14|1|in2\n"
          "SecAction|sect.conf:21|1|in3 bar\n"
          "SecAction|sect.conf:27|0|loc\n"
          "SecAction|sect.conf:30|1|vhost\n"
          "SecAction|sect.conf:32|1|${UNDEFINED_PL_VAR} fromenv", NULL);

    write_file("unclosed.conf", "<IfModule security2_module>\nSecAction x\n");
    check(p, "unclosed true condition", "unclosed.conf", "SecAction|unclosed.conf:2|1|x", NULL);
    write_file("unclosed2.conf", "<IfModule nope>\nSecAction x\n");
    check(p, "unclosed skipped", "unclosed2.conf", NULL,
          "unclosed2.conf:2: Expected </IfModule> before end of configuration");
    write_file("unclosed3.conf", "\n<Location /x>\nSecAction x\n");
    check(p, "unclosed location", "unclosed3.conf", NULL, "unclosed3.conf:2: <Location> was not closed.");
    write_file("mismatch.conf", "<IfModule security2_module>\n</Location>\n");
    check(p, "mismatch", "mismatch.conf", NULL, "mismatch.conf:2: </Location> without matching <Location> section");
    write_file("stray.conf", "SecAction a\n</IfModule>\n");
    check(p, "stray end", "stray.conf", NULL, "stray.conf:2: </IfModule> without matching <IfModule> section");
    write_file("noarg.conf", "<IfModule>\n</IfModule>\n");
    check(p, "no argument", "noarg.conf", NULL, "<IfModule> directive requires additional arguments");
    write_file("nogt.conf", "<IfModule foo\n</IfModule>\n");
    check(p, "missing >", "nogt.conf", NULL, "<IfModule> directive missing closing '>'");
}

static void test_errors(apr_pool_t *p)
{
    write_file("unknown.conf", "SecAction a\n\nSecFoo bar\n");
    check(p, "unknown Sec", "unknown.conf", NULL,
          "unknown.conf:3: Invalid command 'SecFoo', perhaps misspelled");
    write_file("handler.conf", "SecAction a\nSecBroken \\\n x\n");
    check(p, "handler error", "handler.conf", NULL,
          "handler.conf:3: Error creating rule: Unknown operator: @foo");
    write_file("case.conf", "secrule a b\n");
    check(p, "case-insensitive names", "case.conf", "SecRule|case.conf:1|1|a b", NULL);
    check(p, "missing top file", "does-not-exist.conf", NULL, "Could not open configuration file");
}

/* A relative file name is made absolute, as httpd reports its files. */
static void test_relative_name(apr_pool_t *pool)
{
    apr_pool_t *p;
    pl_cmd cmd;
    const char *err;
    char cwd[512];

    apr_pool_create(&p, pool);
    seen = apr_array_make(p, 8, sizeof(const char *));
    memset(&cmd, 0, sizeof(cmd));
    cmd.pool = p;
    cmd.temp_pool = p;
    write_file("rel.conf", "SecAction x\n");
    if (getcwd(cwd, sizeof(cwd)) == NULL || chdir(dir) != 0) {
        failed++;
        return;
    }
    err = pl_conf_read_file(&cmd, "rel.conf");
    if (chdir(cwd) != 0)
        perror("chdir");
    if (err == NULL && cmd.file != NULL && cmd.file[0] == '/'
        && strstr(cmd.file, "/rel.conf") != NULL) {
        passed++;
    } else {
        failed++;
        printf("FAIL relative name: err [%s] file [%s]\n", err ? err : "", cmd.file ? cmd.file : "");
    }
    apr_pool_destroy(p);
}

int main(void)
{
    apr_pool_t *p;

    apr_initialize();
    apr_pool_create(&p, NULL);
    snprintf(dir, sizeof(dir), "/tmp/pl-conffile-XXXXXX");
    if (mkdtemp(dir) == NULL) {
        perror("mkdtemp");
        return 1;
    }
    test_lines(p);
    test_include(p);
    test_sections(p);
    test_errors(p);
    test_relative_name(p);
    {
        char cmdline[600];
        snprintf(cmdline, sizeof(cmdline), "rm -rf '%s'", dir);
        if (system(cmdline) != 0)
            fprintf(stderr, "could not remove %s\n", dir);
    }
    apr_pool_destroy(p);
    apr_terminate();
    printf("%d passed, %d failed\n", passed, failed);
    return failed != 0;
}
