/*
 * Configuration file reader for hosts without httpd (palisade-cli): reads
 * Apache-style files the way httpd 2.4 does for what a ModSecurity
 * configuration needs, and hands every directive of the shared table
 * (directives.c) to its handler.
 *
 * What it follows from httpd:
 *  - logical lines as ap_cfg_getline builds them: a backslash right before
 *    the line end joins the next physical line (the backslash and the line
 *    end are removed, nothing else), then leading and trailing white space
 *    is trimmed; empty lines and lines starting with '#' are skipped;
 *  - the line number of a directive is that of its LAST physical line, as
 *    httpd records it (ModSecurity logs [line "..."] from it);
 *  - ${NAME} is replaced by a Define'd value or an environment variable,
 *    and left as written when neither exists;
 *  - Include / IncludeOptional with wildcards in any path component,
 *    candidates sorted by strcmp, names starting with '.' only matched by a
 *    pattern starting with '.'; a directory includes every entry in it;
 *    relative names resolve against ServerRoot, or by default against the
 *    directory of the file given to pl_conf_read_file;
 *  - <IfModule>, <IfDefine>, <IfFile>, <IfDirective> are evaluated; other
 *    sections (<Location>, <Directory>, <VirtualHost>, <Files>, their
 *    *Match forms, <If> ...) have their contents applied to the same
 *    configuration, with one warning on stderr.
 *
 * Errors come back as "FILE:LINE: message" and stop the reading.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <apr_lib.h>
#include <apr_fnmatch.h>

#include "palisade.h"

/* ------------------------------------------------------------------------
 * Constants
 * --------------------------------------------------------------------- */

#define CF_MAX_INCLUDE_DEPTH 128       /* httpd's AP_MAX_INCLUDE_DEPTH */

/* Modules a <IfModule> sees as loaded: ours, the one we replace, the one
 * ModSecurity needs, and httpd's always-present core. */
static const char *const cf_loaded_modules[] = {
    "security2_module", "mod_security2.c",
    "palisade_module", "mod_palisade.c",
    "unique_id_module", "mod_unique_id.c",
    "core_module", "core.c", "http_module", "http_core.c",
    "so_module", "mod_so.c",
    NULL
};

/* ------------------------------------------------------------------------
 * Types
 * --------------------------------------------------------------------- */

/* One configuration file, held in memory while it is read. */
typedef struct cf_file {
    const char *name;          /* as reported: errors and rule->file */
    const char *data;
    apr_size_t  len, pos;
    int         line;          /* physical lines consumed so far */
} cf_file;

/* State of one pl_conf_read_file() call. */
typedef struct cf_reader {
    pl_cmd     *cmd;
    apr_pool_t *tp;            /* scratch memory, destroyed at the end */
    const char *base_dir;      /* for relative Include names */
    int         depth;         /* Include nesting */
} cf_reader;

/* Process-wide, as in httpd: Define'd names and ServerRoot survive from
 * one configuration file to the next. They live in the pool of the
 * first cmd and are forgotten when it goes. */
static apr_table_t *cf_defines;
static const char  *cf_server_root;
static apr_pool_t  *cf_state_pool;
static int          cf_warned_section;

/* ------------------------------------------------------------------------
 * Static prototypes
 * --------------------------------------------------------------------- */

static const char *cf_read_block(cf_reader *r, cf_file *f, const char *section,
                                 int open_line);

/* ------------------------------------------------------------------------
 * Process-wide state
 * --------------------------------------------------------------------- */

static apr_status_t cf_state_reset(void *unused)
{
    (void)unused;
    cf_defines = NULL;
    cf_server_root = NULL;
    cf_state_pool = NULL;
    cf_warned_section = 0;
    return APR_SUCCESS;
}

static void cf_state_init(apr_pool_t *p)
{
    if (cf_state_pool != NULL)
        return;
    cf_state_pool = p;
    cf_defines = apr_table_make(p, 8);
    apr_pool_cleanup_register(p, NULL, cf_state_reset, apr_pool_cleanup_null);
}

/* ------------------------------------------------------------------------
 * Small helpers
 * --------------------------------------------------------------------- */

static const char *cf_error(cf_reader *r, const cf_file *f, const char *msg)
{
    return apr_psprintf(r->cmd->pool, "%s:%d: %s", f->name, f->line, msg);
}

/* Splits off the first word (ap_getword_conf rules: white space separated,
 * ' or " quoting with backslash escaping the quote) and advances *s past
 * it and the white space after it. */
static char *cf_getword(apr_pool_t *p, const char **s)
{
    const char *str = *s, *start, *end;
    char *word, *w;

    while (apr_isspace(*str))
        str++;
    if (*str == '"' || *str == '\'') {
        char q = *str++;
        start = str;
        while (*str && !(*str == q && str[-1] != '\\'))
            str++;
        end = str;
        if (*str)
            str++;
        word = w = apr_palloc(p, (apr_size_t)(end - start) + 1);
        for (; start < end; start++) {
            if (*start == '\\' && start + 1 < end && start[1] == q)
                start++;
            *w++ = *start;
        }
        *w = '\0';
    } else {
        start = str;
        while (*str && !apr_isspace(*str))
            str++;
        word = apr_pstrmemdup(p, start, (apr_size_t)(str - start));
    }
    while (apr_isspace(*str))
        str++;
    *s = str;
    return word;
}

static void cf_piece(apr_array_header_t *parts, const char *s, apr_size_t len)
{
    struct iovec *v = apr_array_push(parts);

    v->iov_base = (void *)s;
    v->iov_len = len;
}

/* Replaces ${NAME} by a Define'd value or the environment (ap_resolve_env);
 * an unknown name stays as written. */
static const char *cf_resolve_env(apr_pool_t *p, const char *line)
{
    apr_array_header_t *parts;
    const char *s = line, *dollar;

    if (strstr(line, "${") == NULL)
        return line;
    parts = apr_array_make(p, 8, sizeof(struct iovec));
    while ((dollar = strstr(s, "${")) != NULL) {
        const char *close = strchr(dollar + 2, '}');
        const char *name, *val = NULL;

        if (close == NULL)
            break;
        name = apr_pstrmemdup(p, dollar + 2, (apr_size_t)(close - dollar - 2));
        if (cf_defines != NULL)
            val = apr_table_get(cf_defines, name);
        if (val == NULL)
            val = getenv(name);
        if (val == NULL) {
            /* keep "${" and go on scanning after it */
            cf_piece(parts, s, (apr_size_t)(dollar + 2 - s));
            s = dollar + 2;
        } else {
            cf_piece(parts, s, (apr_size_t)(dollar - s));
            cf_piece(parts, val, strlen(val));
            s = close + 1;
        }
    }
    cf_piece(parts, s, strlen(s));
    return apr_pstrcatv(p, (struct iovec *)parts->elts, (apr_size_t)parts->nelts, NULL);
}

/* ------------------------------------------------------------------------
 * Reading lines
 * --------------------------------------------------------------------- */

/*
 * Next logical line, or NULL at end of file.  A physical line ending in
 * "\\\n" or "\\\r\n" continues on the next one: only the backslash and the
 * line end are removed, the next line is appended as it is (with its
 * leading white space), exactly as ap_cfg_getline does; f->line ends on
 * the last physical line.
 */
static char *cf_getline(apr_pool_t *p, cf_file *f)
{
    apr_array_header_t *acc;
    char *line, *start, *end;

    if (f->pos >= f->len)
        return NULL;
    acc = apr_array_make(p, 2, sizeof(struct iovec));
    for (;;) {
        const char *bol = f->data + f->pos;
        const char *nl = memchr(bol, '\n', f->len - f->pos);
        const char *cut = nl ? nl : f->data + f->len;
        int cont = 0;

        f->line++;
        f->pos = (apr_size_t)(cut - f->data) + (nl ? 1 : 0);
        if (nl != NULL) {
            if (cut > bol && cut[-1] == '\r')
                cut--;
            if (cut > bol && cut[-1] == '\\') {
                cut--;
                cont = 1;
            }
        }
        cf_piece(acc, bol, (apr_size_t)(cut - bol));
        if (!cont || f->pos >= f->len)
            break;
    }
    line = apr_pstrcatv(p, (struct iovec *)acc->elts, (apr_size_t)acc->nelts, NULL);

    /* trim as cfg_trim_line does */
    start = line;
    while (apr_isspace(*start))
        start++;
    end = start + strlen(start);
    while (end > start && apr_isspace(end[-1]))
        *--end = '\0';
    return start;
}

/* Errors found while opening files: located at the Include line that asked
 * for them, bare for the file given to pl_conf_read_file. */
static const char *cf_fail(cf_reader *r, const cf_file *from, const char *msg)
{
    if (from != NULL)
        return cf_error(r, from, msg);
    return apr_pstrdup(r->cmd->pool, msg);
}

static const char *cf_load(cf_reader *r, const cf_file *from, const char *path,
                           cf_file **out)
{
    apr_file_t *fd;
    apr_finfo_t fi;
    apr_status_t rv;
    apr_size_t got = 0;
    cf_file *f;
    char *buf, err[256];

    rv = apr_file_open(&fd, path, APR_FOPEN_READ | APR_FOPEN_BINARY,
                       APR_OS_DEFAULT, r->tp);
    if (rv == APR_SUCCESS)
        rv = apr_file_info_get(&fi, APR_FINFO_SIZE, fd);
    if (rv != APR_SUCCESS)
        return cf_fail(r, from, apr_psprintf(r->tp, "Could not open configuration file %s: %s",
                                             path, apr_strerror(rv, err, sizeof(err))));
    buf = apr_palloc(r->tp, (apr_size_t)fi.size + 1);
    if (fi.size > 0) {
        rv = apr_file_read_full(fd, buf, (apr_size_t)fi.size, &got);
        if (rv != APR_SUCCESS && rv != APR_EOF)
            return cf_fail(r, from, apr_psprintf(r->tp, "Could not read configuration file %s: %s",
                                                 path, apr_strerror(rv, err, sizeof(err))));
    }
    apr_file_close(fd);
    buf[got] = '\0';

    f = apr_pcalloc(r->tp, sizeof(*f));
    f->name = apr_pstrdup(r->cmd->pool, path);
    f->data = buf;
    f->len = got;
    *out = f;
    return NULL;
}

/* ------------------------------------------------------------------------
 * Include and IncludeOptional
 * --------------------------------------------------------------------- */

static int cf_sort_names(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static const char *cf_join(apr_pool_t *p, const char *dir, const char *name)
{
    return apr_pstrcat(p, dir, strcmp(dir, "/") ? "/" : "", name, NULL);
}

static const char *cf_read_one_file(cf_reader *r, const cf_file *from, const char *path)
{
    cf_file *f;
    const char *err;

    if (r->depth >= CF_MAX_INCLUDE_DEPTH)
        return cf_fail(r, from, apr_psprintf(r->tp,
                       "Exceeded the maximum include directory nesting level of %d. "
                       "You have probably a recursion somewhere.", CF_MAX_INCLUDE_DEPTH));
    if ((err = cf_load(r, from, path, &f)) != NULL)
        return err;
    r->depth++;
    err = cf_read_block(r, f, NULL, 0);
    r->depth--;
    return err;
}

/* Entries of a directory (without "." and ".."), sorted by strcmp; with a
 * pattern only the matching ones, and only directories when want_dirs. */
static apr_array_header_t *cf_list_dir(cf_reader *r, const char *dir,
                                       const char *pattern, int want_dirs,
                                       apr_status_t *rv)
{
    apr_array_header_t *names = apr_array_make(r->tp, 16, sizeof(const char *));
    apr_dir_t *d;
    apr_finfo_t fi;

    *rv = apr_dir_open(&d, dir, r->tp);
    if (*rv != APR_SUCCESS)
        return names;
    while (apr_dir_read(&fi, APR_FINFO_NAME | APR_FINFO_TYPE, d) == APR_SUCCESS) {
        if (strcmp(fi.name, ".") == 0 || strcmp(fi.name, "..") == 0)
            continue;
        if (pattern != NULL && apr_fnmatch(pattern, fi.name, APR_FNM_PERIOD) != APR_SUCCESS)
            continue;
        if (want_dirs && fi.filetype != APR_DIR)
            continue;
        *(const char **)apr_array_push(names) = cf_join(r->tp, dir, fi.name);
    }
    apr_dir_close(d);
    qsort(names->elts, (size_t)names->nelts, sizeof(const char *), cf_sort_names);
    return names;
}

/* A path without wildcards: a file, or a directory and all it holds. */
static const char *cf_read_plain(cf_reader *r, const cf_file *from, const char *path,
                                 int optional)
{
    apr_array_header_t *names;
    apr_finfo_t fi;
    apr_status_t rv;
    char err[256];
    int i;

    rv = apr_stat(&fi, path, APR_FINFO_TYPE, r->tp);
    if (rv != APR_SUCCESS && optional)
        return NULL;
    if (rv != APR_SUCCESS || fi.filetype != APR_DIR)
        return cf_read_one_file(r, from, path);

    names = cf_list_dir(r, path, NULL, 0, &rv);
    if (rv != APR_SUCCESS)
        return cf_fail(r, from, apr_psprintf(r->tp, "Could not open config directory %s: %s",
                                             path, apr_strerror(rv, err, sizeof(err))));
    for (i = 0; i < names->nelts; i++) {
        const char *e = cf_read_plain(r, from, APR_ARRAY_IDX(names, i, const char *), 0);
        if (e != NULL)
            return e;
    }
    return NULL;
}

/* Resolves the components of rest below dir one at a time; those with
 * wildcards list the directory, the others are taken as written. */
static const char *cf_read_glob(cf_reader *r, const cf_file *from, const char *dir,
                                const char *rest, int optional)
{
    const char *slash = strchr(rest, '/');
    const char *pattern = slash ? apr_pstrmemdup(r->tp, rest, (apr_size_t)(slash - rest))
                                : rest;
    apr_array_header_t *names;
    apr_status_t rv;
    char err[256];
    int i;

    if (*pattern == '\0' && slash != NULL)          /* "a//b" */
        return cf_read_glob(r, from, dir, slash + 1, optional);
    if (!apr_fnmatch_test(pattern)) {
        const char *path = cf_join(r->tp, dir, pattern);
        return slash ? cf_read_glob(r, from, path, slash + 1, optional)
                     : cf_read_plain(r, from, path, optional);
    }
    names = cf_list_dir(r, dir, pattern, slash != NULL, &rv);
    if (rv != APR_SUCCESS) {
        if (optional)
            return NULL;
        return cf_fail(r, from, apr_psprintf(r->tp, "Include/IncludeOptional: Could not "
                                             "open directory %s: %s",
                                             dir, apr_strerror(rv, err, sizeof(err))));
    }
    if (names->nelts == 0 && !optional)
        return cf_fail(r, from, apr_psprintf(r->tp,
                       "Include/IncludeOptional: No matches for the wildcard '%s' "
                       "in '%s', failing", pattern, dir));
    for (i = 0; i < names->nelts; i++) {
        const char *name = APR_ARRAY_IDX(names, i, const char *);
        const char *e = slash ? cf_read_glob(r, from, name, slash + 1, optional)
                              : cf_read_plain(r, from, name, 0);
        if (e != NULL)
            return e;
    }
    return NULL;
}

/* An Include argument: resolved against the base directory, then read. */
static const char *cf_include(cf_reader *r, const cf_file *from, const char *name,
                              int optional)
{
    char *path = NULL;

    if (apr_filepath_merge(&path, r->base_dir, name, APR_FILEPATH_TRUENAME, r->tp)
            != APR_SUCCESS || path == NULL)
        path = apr_pstrdup(r->tp, name);
    if (!apr_fnmatch_test(path))
        return cf_read_plain(r, from, path, optional);
    if (path[0] == '/')
        return cf_read_glob(r, from, "/", path + 1, optional);
    return cf_read_glob(r, from, ".", path, optional);
}

/* ------------------------------------------------------------------------
 * Sections
 * --------------------------------------------------------------------- */

/* Skips to the end of a section whose condition is false, nested sections
 * included (ap_soak_end_container). */
static const char *cf_soak(cf_reader *r, cf_file *f, const char *section)
{
    char *l;

    while ((l = cf_getline(r->tp, f)) != NULL) {
        if (l[0] != '<')
            continue;
        if (l[1] == '/') {
            char *name = l + 2, *gt = strchr(name, '>');
            if (gt != NULL)
                *gt = '\0';
            if (strcasecmp(name, section) == 0)
                return NULL;
            return cf_error(r, f, apr_psprintf(r->tp, "Expected </%s> but saw </%s>",
                                               section, name));
        } else {
            const char *rest = l + 1, *word = cf_getword(r->tp, &rest);
            char *gt = strchr(word, '>');
            const char *err;
            if (gt != NULL)
                *gt = '\0';
            if ((err = cf_soak(r, f, word)) != NULL)
                return err;
        }
    }
    return cf_error(r, f, apr_psprintf(r->tp, "Expected </%s> before end of configuration",
                                       section));
}

static int cf_module_loaded(const char *name)
{
    int i;

    for (i = 0; cf_loaded_modules[i] != NULL; i++)
        if (strcmp(cf_loaded_modules[i], name) == 0)
            return 1;
    return 0;
}

/* Evaluates a conditional section; 1 true, 0 false, -1 not a conditional. */
static int cf_condition(cf_reader *r, const char *section, const char *arg)
{
    int neg = 0, res;

    if (*arg == '!') {
        neg = 1;
        arg++;
    }
    if (strcasecmp(section, "IfModule") == 0) {
        res = cf_module_loaded(arg);
    } else if (strcasecmp(section, "IfDefine") == 0) {
        res = apr_table_get(cf_defines, arg) != NULL;
    } else if (strcasecmp(section, "IfDirective") == 0) {
        res = pl_directive_find(arg) != NULL
              || strcasecmp(arg, "Include") == 0 || strcasecmp(arg, "IncludeOptional") == 0
              || strcasecmp(arg, "Define") == 0;
    } else if (strcasecmp(section, "IfFile") == 0) {
        apr_finfo_t fi;
        char *path = NULL;
        apr_filepath_merge(&path, r->base_dir, arg, 0, r->tp);
        res = path != NULL && apr_stat(&fi, path, APR_FINFO_TYPE, r->tp) == APR_SUCCESS;
    } else {
        return -1;
    }
    return neg ? !res : res;
}

/* Sections whose directives we apply outside server level. */
static int cf_per_dir_section(const char *section)
{
    static const char *const names[] = {
        "Location", "LocationMatch", "Directory", "DirectoryMatch",
        "Files", "FilesMatch", "Proxy", "ProxyMatch", "If", "ElseIf", "Else",
        NULL
    };
    int i;

    for (i = 0; names[i] != NULL; i++)
        if (strcasecmp(names[i], section) == 0)
            return 1;
    return 0;
}

/* "<Name args>": evaluates or applies the section that starts here. */
static const char *cf_section(cf_reader *r, cf_file *f, const char *line)
{
    char *inner = apr_pstrdup(r->tp, line + 1);
    char *gt = strrchr(inner, '>');
    const char *rest, *section, *arg, *err;
    int cond, saved_level;

    if (gt == NULL) {
        const char *w = inner;
        return cf_error(r, f, apr_psprintf(r->tp, "<%s> directive missing closing '>'",
                                           cf_getword(r->tp, &w)));
    }
    *gt = '\0';
    rest = inner;
    section = cf_getword(r->tp, &rest);
    arg = cf_getword(r->tp, &rest);
    if (*section == '\0')
        return cf_error(r, f, apr_psprintf(r->tp, "Invalid command '%s', perhaps misspelled "
                        "or defined by a module not included in the server configuration",
                        line));

    cond = cf_condition(r, section, arg);
    if (cond >= 0 && arg[0] == '\0')
        return cf_error(r, f, apr_psprintf(r->tp,
                        "<%s> directive requires additional arguments", section));
    if (cond == 0)
        return cf_soak(r, f, section);
    if (cond == 1)
        return cf_read_block(r, f, section, 0);

    if (!cf_warned_section) {
        cf_warned_section = 1;
        fprintf(stderr, "palisade: %s:%d: warning: contents of <%s> and similar "
                "sections are applied to the main configuration\n",
                f->name, f->line, section);
    }
    saved_level = r->cmd->server_level;
    if (cf_per_dir_section(section))
        r->cmd->server_level = 0;
    err = cf_read_block(r, f, section, f->line);
    r->cmd->server_level = saved_level;
    return err;
}

/* ------------------------------------------------------------------------
 * Directives
 * --------------------------------------------------------------------- */

/* Directives of httpd's core that change how we read. */
static const char *cf_core_directive(cf_reader *r, cf_file *f, const char *name,
                                     const char *args, int *handled)
{
    const char *a = args, *word;

    *handled = 1;
    if (strcasecmp(name, "Include") == 0 || strcasecmp(name, "IncludeOptional") == 0) {
        int optional = strcasecmp(name, "IncludeOptional") == 0;
        word = cf_getword(r->tp, &a);
        if (*word == '\0')
            return cf_error(r, f, apr_psprintf(r->tp, "%s takes one argument, "
                            "Name(s) of the config files to include", name));
        return cf_include(r, f, word, optional);
    }
    if (strcasecmp(name, "Define") == 0) {
        const char *key = cf_getword(r->tp, &a);
        const char *val = *a ? cf_getword(cf_state_pool, &a) : "";
        if (*key == '\0')
            return cf_error(r, f, "Define takes one or two arguments");
        apr_table_set(cf_defines, key, val);
        return NULL;
    }
    if (strcasecmp(name, "UnDefine") == 0) {
        apr_table_unset(cf_defines, cf_getword(r->tp, &a));
        return NULL;
    }
    if (strcasecmp(name, "ServerRoot") == 0) {
        cf_server_root = cf_getword(cf_state_pool, &a);
        r->base_dir = cf_server_root;
        return NULL;
    }
    *handled = 0;
    return NULL;
}

static const char *cf_directive(cf_reader *r, cf_file *f, const char *line)
{
    const char *args = line, *name, *err;
    const pl_directive *d;
    int handled;

    name = cf_getword(r->tp, &args);
    err = cf_core_directive(r, f, name, args, &handled);
    if (handled)
        return err;

    d = pl_directive_find(name);
    if (d == NULL) {
        if (strncasecmp(name, "Sec", 3) == 0)
            return cf_error(r, f, apr_psprintf(r->tp, "Invalid command '%s', perhaps "
                            "misspelled or defined by a module not included in the "
                            "server configuration", name));
        return NULL;            /* another module's directive */
    }
    r->cmd->file = f->name;
    r->cmd->line = f->line;
    /* handlers may keep pointers into their arguments */
    err = d->fn(r->cmd, apr_pstrdup(r->cmd->pool, args));
    if (err != NULL)
        return cf_error(r, f, err);
    return NULL;
}

/*
 * Reads directives until "</section>", or the end of the file when section
 * is NULL.  As in httpd, the end of the file closes a true conditional
 * section silently (open_line 0) but not <Location> and the like, which
 * are reported at their opening line.
 */
static const char *cf_read_block(cf_reader *r, cf_file *f, const char *section,
                                 int open_line)
{
    const char *err;
    char *l;

    while ((l = cf_getline(r->tp, f)) != NULL) {
        const char *line;

        if (l[0] == '\0' || l[0] == '#')
            continue;
        line = cf_resolve_env(r->tp, l);
        if (line[0] == '<' && line[1] == '/') {
            char *name = apr_pstrdup(r->tp, line + 2), *gt = strchr(name, '>');
            if (gt != NULL)
                *gt = '\0';
            if (section == NULL || strcasecmp(name, section) != 0)
                return cf_error(r, f, apr_psprintf(r->tp, "</%s> without matching <%s> section",
                                                   name, name));
            return NULL;
        }
        err = (line[0] == '<') ? cf_section(r, f, line) : cf_directive(r, f, line);
        if (err != NULL)
            return err;
    }
    if (section != NULL && open_line > 0)
        return apr_psprintf(r->cmd->pool, "%s:%d: <%s> was not closed.", f->name, open_line,
                            section);
    return NULL;
}

/* ------------------------------------------------------------------------
 * Public
 * --------------------------------------------------------------------- */

/*
 * Reads one configuration file (and what it includes) into cmd->cfg.
 * Returns NULL, or "FILE:LINE: message" from cmd->pool.
 */
const char *pl_conf_read_file(pl_cmd *cmd, const char *path)
{
    cf_reader r;
    const char *err;
    char *abs = NULL, *slash;
    apr_status_t rv;

    cf_state_init(cmd->pool);
    memset(&r, 0, sizeof(r));
    r.cmd = cmd;
    rv = apr_pool_create(&r.tp, cmd->temp_pool ? cmd->temp_pool : cmd->pool);
    if (rv != APR_SUCCESS)
        return "out of memory";

    /* absolute, as httpd names its files in messages and [file ".."] */
    if (apr_filepath_merge(&abs, NULL, path, APR_FILEPATH_TRUENAME, r.tp) != APR_SUCCESS
        || abs == NULL)
        abs = apr_pstrdup(r.tp, path);
    if (cf_server_root != NULL) {
        r.base_dir = cf_server_root;
    } else {
        char *dir = apr_pstrdup(r.tp, abs);
        slash = strrchr(dir, '/');
        if (slash == NULL)
            dir = ".";
        else if (slash == dir)
            dir[1] = '\0';
        else
            *slash = '\0';
        r.base_dir = dir;
    }
    err = cf_read_one_file(&r, NULL, abs);
    apr_pool_destroy(r.tp);
    return err;
}
