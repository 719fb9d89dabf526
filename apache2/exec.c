/*
 * External programs for @inspectFile and the exec action, run as
 * ModSecurity 2.9 runs them (apache2_exec): through "/bin/sh -c" with the
 * arguments joined by spaces, a CGI-style environment describing the
 * request, standard input closed, standard error inherited (the web
 * server's error log), and only the first line of standard output kept.
 *
 * The first read of the output takes at most 255 bytes, as 2.9 does; the
 * rest is read and dropped so the program never blocks on a full pipe,
 * then the program is waited for.
 */
#include "palisade.h"

#include <apr_lib.h>
#include <apr_thread_proc.h>

#include <string.h>

/* ------------------------------------------------------------------------
 * Constants
 * --------------------------------------------------------------------- */

#define FIRST_READ     255                 /* bytes of output looked at */
#define OUTPUT_TIMEOUT apr_time_from_sec(60) /* httpd's default Timeout */
#define DEFAULT_PATH   "/usr/local/bin:/usr/bin:/bin"

/* ------------------------------------------------------------------------
 * Static function prototypes
 * --------------------------------------------------------------------- */

static void         env_add(apr_array_header_t *env, apr_pool_t *p, const char *name,
                            const char *value);
static const char **environment(pl_tx *tx, const char *cmd);

/* ------------------------------------------------------------------------
 * Environment
 * --------------------------------------------------------------------- */

static void env_add(apr_array_header_t *env, apr_pool_t *p, const char *name,
                    const char *value)
{
    if (value != NULL)
        APR_ARRAY_PUSH(env, const char *) = apr_pstrcat(p, name, "=", value, NULL);
}

/*
 * What httpd gives a CGI program (ap_add_common_vars, ap_add_cgi_vars),
 * from the transaction, plus the variables rules set with setenv and the
 * two 2.9 adds for PHP: PATH_TRANSLATED and REDIRECT_STATUS.
 */
static const char **environment(pl_tx *tx, const char *cmd)
{
    apr_pool_t *p = tx->pool;
    apr_array_header_t *env = apr_array_make(p, 32, sizeof(const char *));
    const char *path = getenv("PATH");
    int i;

    env_add(env, p, "PATH", path ? path : DEFAULT_PATH);
    env_add(env, p, "GATEWAY_INTERFACE", "CGI/1.1");
    env_add(env, p, "SERVER_PROTOCOL", tx->protocol);
    env_add(env, p, "REQUEST_METHOD", tx->method);
    env_add(env, p, "QUERY_STRING", tx->query_string ? tx->query_string : "");
    env_add(env, p, "REQUEST_URI", tx->uri_raw);
    env_add(env, p, "SCRIPT_NAME", tx->path_decoded);
    env_add(env, p, "SERVER_NAME", tx->server_name);
    env_add(env, p, "SERVER_ADDR", tx->server_addr);
    if (tx->server_port > 0)
        env_add(env, p, "SERVER_PORT", apr_itoa(p, tx->server_port));
    env_add(env, p, "REMOTE_ADDR", tx->remote_addr);
    if (tx->remote_port > 0)
        env_add(env, p, "REMOTE_PORT", apr_itoa(p, tx->remote_port));
    env_add(env, p, "REMOTE_USER", tx->remote_user);
    env_add(env, p, "AUTH_TYPE", tx->auth_type);
    env_add(env, p, "UNIQUE_ID", tx->unique_id);
    if (tx->req_headers != NULL) {
        for (i = 0; i < tx->req_headers->nelts; i++) {
            const pl_var *h = APR_ARRAY_IDX(tx->req_headers, i, const pl_var *);
            char *name = apr_pstrcat(p, "HTTP_", h->key ? h->key : h->name, NULL), *c;

            for (c = name + 5; *c; c++)
                *c = apr_isalnum(*c) ? apr_toupper(*c) : '_';
            if (strcmp(name, "HTTP_CONTENT_TYPE") == 0)
                name += 5;
            else if (strcmp(name, "HTTP_CONTENT_LENGTH") == 0)
                name += 5;
            env_add(env, p, name, h->value);
        }
    }
    if (tx->env != NULL) {
        for (i = 0; i < tx->env->items->nelts; i++) {
            const pl_var *v = APR_ARRAY_IDX(tx->env->items, i, const pl_var *);
            env_add(env, p, v->key ? v->key : v->name, v->value);
        }
    }
    env_add(env, p, "PATH_TRANSLATED", cmd);
    env_add(env, p, "REDIRECT_STATUS", "302");
    APR_ARRAY_PUSH(env, const char *) = NULL;
    return (const char **)env->elts;
}

/* ------------------------------------------------------------------------
 * Public interface
 * --------------------------------------------------------------------- */

int pl_exec_program(pl_tx *tx, const char *cmd, const char *arg,
                    char **first_line, const char **err)
{
    apr_pool_t *p = tx->pool;
    apr_procattr_t *attr = NULL;
    apr_proc_t *proc = apr_pcalloc(p, sizeof(*proc));
    const char *argv[3];
    char buf[FIRST_READ + 1], ebuf[256], *nl;
    apr_size_t n = FIRST_READ;
    apr_status_t rc;

    *first_line = NULL;
    argv[0] = cmd;
    argv[1] = arg;
    argv[2] = NULL;
    if (apr_procattr_create(&attr, p) != APR_SUCCESS
            || apr_procattr_io_set(attr, APR_NO_PIPE, APR_FULL_BLOCK, APR_NO_PIPE) != APR_SUCCESS
            || apr_procattr_cmdtype_set(attr, APR_SHELLCMD) != APR_SUCCESS) {
        *err = "Exec: Unable to create procattr.";
        return -1;
    }
    pl_debug(tx, 9, "Exec: %s", pl_log_escape_nq(p, cmd, strlen(cmd)));
    rc = apr_proc_create(proc, cmd, argv, environment(tx, cmd), attr, p);
    if (rc != APR_SUCCESS) {
        *err = apr_psprintf(p, "Exec: Execution failed: %s (%s)",
                            pl_log_escape_nq(p, cmd, strlen(cmd)),
                            apr_strerror(rc, ebuf, sizeof(ebuf)));
        return -1;
    }
    /* killed if still running when the transaction ends */
    apr_pool_note_subprocess(p, proc, APR_KILL_AFTER_TIMEOUT);
    apr_file_pipe_timeout_set(proc->out, OUTPUT_TIMEOUT);

    rc = apr_file_read(proc->out, buf, &n);
    if (rc != APR_SUCCESS) {
        *err = apr_psprintf(p, "Exec: Execution failed while reading output: %s (%s)",
                            pl_log_escape_nq(p, cmd, strlen(cmd)),
                            apr_strerror(rc, ebuf, sizeof(ebuf)));
        apr_file_close(proc->out);
        apr_proc_wait(proc, NULL, NULL, APR_WAIT);
        return -1;
    }
    buf[n] = '\0';
    if ((nl = strchr(buf, '\n')) != NULL)
        *nl = '\0';
    *first_line = apr_pstrdup(p, buf);
    pl_debug(tx, 4, "Exec: First line from script output: \"%s\"",
             pl_log_escape(p, *first_line, strlen(*first_line)));
    do {
        n = sizeof(buf);
    } while (apr_file_read(proc->out, buf, &n) == APR_SUCCESS);
    apr_file_close(proc->out);
    apr_proc_wait(proc, NULL, NULL, APR_WAIT);
    return 1;
}
