/*
 * mod_palisade: the Apache httpd 2.4 glue of the Palisade engine, and the
 * only file that includes httpd headers.
 *
 * It registers the Sec* directives (directives.def) with one dispatcher,
 * and drives a transaction through the hooks ModSecurity 2.9 uses:
 *  - post_read_request (really first, after mod_unique_id/mod_remoteip):
 *    create the pl_tx from the server-level configuration, run phase 1;
 *  - fixups (really first): switch to the final per-directory
 *    configuration, read and inspect the request body, run phase 2, and
 *    install an input filter that replays the body to the handler;
 *  - output filter (inserted by insert_filter / insert_error_filter): run
 *    phase 3 on the response headers and phase 4 on the buffered body;
 *  - log_transaction (before mod_log_config): run phase 5.
 * Internal redirects and subrequests share the transaction of the request
 * that came from the client and never run a phase again.
 */

#include <string.h>

#include "httpd.h"
#include "http_config.h"
#include "http_connection.h"
#include "http_core.h"
#include "http_log.h"
#include "http_protocol.h"
#include "http_request.h"
#include "util_filter.h"
#include "util_mutex.h"

#include "apr_base64.h"
#include "apr_buckets.h"
#include "apr_strings.h"
#include "apr_version.h"

#include "palisade.h"

module AP_MODULE_DECLARE_DATA palisade_module;
APLOG_USE_MODULE(palisade);

/* ------------------------------------------------------------------------
 * Constants
 * --------------------------------------------------------------------- */

#define PL_IN_FILTER    "PALISADE_IN"
#define PL_OUT_FILTER   "PALISADE_OUT"
#define PL_AUDIT_FILTER "PALISADE_AUDIT_OUT"
/* The Mutex directive's name for the lock of persistent collections. */
#define PL_PERSIST_MUTEX "palisade-persist"
/* ... and for the serial audit log. */
#define PL_AUDIT_MUTEX  "palisade-audit-log"
/* Apache-Error lines kept per transaction. */
#define PL_ERRORS_MAX   256

/* ModSecurity's built-in defaults, in bytes. */
#define PL_DEFAULT_REQBODY_LIMIT  134217728
#define PL_DEFAULT_RESBODY_LIMIT  524288
#define PL_DEFAULT_NOFILES_LIMIT  1048576

/* Response body states of a transaction. */
enum {
    PL_OUT_NONE = 0,     /* output filter has not run yet */
    PL_OUT_BUFFERING,    /* holding the body for phase 4 */
    PL_OUT_WATCHING,     /* passing the body on, phase 4 at EOS */
    PL_OUT_DONE,         /* phases 3 and 4 are over: pass through */
    PL_OUT_TAIL,         /* ... but the append text goes before EOS */
    PL_OUT_INJECT,       /* an error page after phase 1 or 2: inject only */
    PL_OUT_DISCARD       /* intercepted: the original body is dropped */
};

/* ------------------------------------------------------------------------
 * Types
 * --------------------------------------------------------------------- */

/* Per-transaction glue state, kept in the request_config of the request
 * that came from the client. */
typedef struct pl_req {
    request_rec        *r;
    pl_tx              *tx;
    int                 disabled;      /* final rule engine Off */
    int                 late_done;     /* fixups work done */
    /* request body replay: the engine's stored body, then bytes read
     * past SecRequestBodyLimit (ProcessPartial) */
    apr_bucket_brigade *body;
    int                 body_partial;  /* the rest is still unread */
    /* response */
    int                 out_state;
    int                 resp_filled;
    apr_bucket_brigade *out;           /* buffered response body */
    apr_off_t           out_len;
    /* the error page sent after an interception (audit log part E) */
    int                 capturing;
    char               *cap;
    apr_size_t          cap_len, cap_size;
    /* SecDisableBackendCompression: the headers hidden from the handler */
    const char         *hidden_ae, *hidden_te;
} pl_req;

/* ------------------------------------------------------------------------
 * Static prototypes
 * --------------------------------------------------------------------- */

static void host_log_error(pl_tx *tx, int level, const char *msg);
static int audit_engine(const pl_tx *tx);
static void host_set_env(pl_tx *tx, const char *name, const char *value);
static void host_unset_env(pl_tx *tx, const char *name);

static const pl_host palisade_host = {
    host_log_error, host_set_env, host_unset_env
};

/* ------------------------------------------------------------------------
 * Host callbacks
 * --------------------------------------------------------------------- */

/*
 * Every message is logged at error level with ModSecurity's exact prefix,
 * "[client IP] ModSecurity: ", because fail2ban filters and CRS tooling
 * parse it.
 */
static void host_log_error(pl_tx *tx, int level, const char *msg)
{
    request_rec *r = tx->host_ctx;

    (void)level;
    ap_log_rerror(APLOG_MARK, APLOG_ERR | APLOG_NOERRNO, 0, r,
                  "[client %s] ModSecurity: %s", r->useragent_ip, msg);
}

static void host_set_env(pl_tx *tx, const char *name, const char *value)
{
    request_rec *r = tx->host_ctx;

    apr_table_set(r->subprocess_env, name, value);
}

static void host_unset_env(pl_tx *tx, const char *name)
{
    request_rec *r = tx->host_ctx;

    apr_table_unset(r->subprocess_env, name);
}

/* A message of the glue itself, with the same trailer the engine adds. */
static void glue_log(pl_req *rc, const char *text)
{
    pl_tx *tx = rc->tx;
    apr_pool_t *p = rc->r->pool;
    const char *uri = tx->log_uri ? tx->log_uri : "";

    /* an alert in ModSecurity's terms: debug log at level 1, audit log
     * part H, relevant */
    pl_debug(tx, 1, "%s", text);
    pl_audit_alert(tx, apr_pstrdup(tx->pool, text), -1);
    tx->is_relevant = 1;
    host_log_error(tx, 1, apr_psprintf(p,
        "%s [hostname \"%s\"] [uri \"%s\"] [unique_id \"%s\"]", text,
        pl_log_escape(p, tx->hostname, strlen(tx->hostname)),
        pl_log_escape(p, uri, strlen(uri)),
        pl_log_escape(p, tx->unique_id, strlen(tx->unique_id))));
}

/* ------------------------------------------------------------------------
 * Configuration
 * --------------------------------------------------------------------- */

static void *create_dir_config(apr_pool_t *p, char *dir)
{
    (void)dir;
    return pl_config_create(p);
}

static void *merge_dir_config(apr_pool_t *p, void *parent, void *child)
{
    return pl_config_merge(p, parent, child);
}

/*
 * One handler for every Sec* directive: the engine's table row of the same
 * name does the work.  Its error text makes Apache print "Syntax error on
 * line N of FILE: ..." and refuse to start.
 */
/* ------------------------------------------------------------------------
 * Audit log targets: every SecAuditLog / SecAuditLog2 name of the
 * configuration (any context) is opened once, in post_config, as a file
 * (append) or an Apache piped log ("|program"); records of a serial log
 * are serialised across children and threads by one global mutex.
 * --------------------------------------------------------------------- */

static apr_array_header_t *audit_names;     /* const char*, in pconf */
static apr_global_mutex_t *audit_mutex;

static void note_audit_directive(cmd_parms *cmd, pl_config *cfg)
{
    const char *name = cmd->cmd->name, *v = NULL;

    if (strcasecmp(name, "SecAuditLog") == 0)
        v = cfg->audit_log;
    else if (strcasecmp(name, "SecAuditLog2") == 0)
        v = cfg->audit_log2;
    else if (strcasecmp(name, "SecAuditLogStorageDir") == 0 && cfg->audit_storage_dir)
        cfg->audit_storage_dir = ap_server_root_relative(cmd->pool, cfg->audit_storage_dir);
    if (v == NULL)
        return;
    if (audit_names == NULL)
        audit_names = apr_array_make(cmd->pool, 2, sizeof(const char *));
    APR_ARRAY_PUSH(audit_names, const char *) = v;
}

static int open_audit_log(apr_pool_t *pconf, server_rec *s, const char *name)
{
    apr_file_t *f = NULL;
    apr_status_t rv;

    if (name[0] == '|') {
        piped_log *pl = ap_open_piped_log(pconf, name + 1);
        if (pl == NULL) {
            ap_log_error(APLOG_MARK, APLOG_CRIT, 0, s,
                         "ModSecurity: Failed to open the audit log pipe: %s", name + 1);
            return HTTP_INTERNAL_SERVER_ERROR;
        }
        pl_audit_add_target(name, ap_piped_log_write_fd(pl), 1);
        return OK;
    }
    rv = apr_file_open(&f, ap_server_root_relative(pconf, name),
                       APR_FOPEN_WRITE | APR_FOPEN_APPEND | APR_FOPEN_CREATE | APR_FOPEN_BINARY,
                       APR_FPROT_UREAD | APR_FPROT_UWRITE | APR_FPROT_GREAD, pconf);
    if (rv != APR_SUCCESS) {
        ap_log_error(APLOG_MARK, APLOG_CRIT, rv, s,
                     "ModSecurity: Failed to open the audit log file: %s", name);
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    pl_audit_add_target(name, f, 0);
    return OK;
}

/* Opens the audit logs and creates their lock (post_config). */
static int audit_post_config(apr_pool_t *pconf, server_rec *s, const char *banner)
{
    apr_hash_t *seen = apr_hash_make(pconf);
    apr_status_t rv;
    int i;

    pl_audit_reset(pconf);
    pl_audit_set_server(banner);
    audit_mutex = NULL;
    if (audit_names == NULL)
        return OK;
    rv = ap_global_mutex_create(&audit_mutex, NULL, PL_AUDIT_MUTEX, NULL, s, pconf, 0);
    if (rv != APR_SUCCESS) {
        ap_log_error(APLOG_MARK, APLOG_CRIT, rv, s, "Palisade: cannot create the audit log lock");
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    pl_audit_set_mutex(audit_mutex);
    for (i = 0; i < audit_names->nelts; i++) {
        const char *name = APR_ARRAY_IDX(audit_names, i, const char *);
        if (apr_hash_get(seen, name, APR_HASH_KEY_STRING) != NULL)
            continue;
        apr_hash_set(seen, name, APR_HASH_KEY_STRING, name);
        if (open_audit_log(pconf, s, name) != OK)
            return HTTP_INTERNAL_SERVER_ERROR;
    }
    return OK;
}

static void audit_child_init(apr_pool_t *pchild, server_rec *s)
{
    apr_status_t rv;

    if (audit_mutex == NULL)
        return;
    rv = apr_global_mutex_child_init(&audit_mutex, apr_global_mutex_lockfile(audit_mutex),
                                     pchild);
    if (rv != APR_SUCCESS)
        ap_log_error(APLOG_MARK, APLOG_CRIT, rv, s, "Palisade: cannot attach to the audit log lock");
    pl_audit_set_mutex(rv == APR_SUCCESS ? audit_mutex : NULL);
}

static const char *palisade_cmd(cmd_parms *cmd, void *mconfig, const char *args)
{
    const pl_directive *d = pl_directive_find(cmd->cmd->name);
    const char *err;
    pl_cmd pc;

    if (d == NULL || d->fn == NULL)
        return apr_psprintf(cmd->pool, "%s: not supported", cmd->cmd->name);
    pc.pool = cmd->pool;
    pc.temp_pool = cmd->temp_pool;
    pc.cfg = mconfig;
    pc.file = cmd->directive ? cmd->directive->filename : NULL;
    pc.line = cmd->directive ? cmd->directive->line_num : 0;
    pc.server_level = (cmd->path == NULL);
    err = d->fn(&pc, args);
    if (err == NULL)
        note_audit_directive(cmd, mconfig);
    return err;
}

/*
 * SecServerSignature overwrites the banner httpd built, in place, the way
 * ModSecurity does: it only fits when ServerTokens Full made it long enough.
 */
static void change_server_signature(server_rec *s)
{
    const char *sig = pl_globals.server_signature;
    char *banner = (char *)ap_get_server_banner();

    if (sig == NULL || banner == NULL)
        return;
    if (strlen(banner) < strlen(sig)) {
        ap_log_error(APLOG_MARK, APLOG_WARNING, 0, s,
                     "ModSecurity: SecServerSignature: original signature too "
                     "short. Please set ServerTokens to Full.");
        return;
    }
    strcpy(banner, sig);
}

/*
 * Every (re)reading of the configuration starts from empty server-wide
 * settings: the previous ones point into the configuration pool that a
 * restart has just destroyed.
 */
static int pre_config(apr_pool_t *pconf, apr_pool_t *plog, apr_pool_t *ptemp)
{
    (void)plog; (void)ptemp;
    memset(&pl_globals, 0, sizeof(pl_globals));
    /* "Mutex ... palisade-persist" may choose the mechanism */
    ap_mutex_register(pconf, PL_PERSIST_MUTEX, NULL, APR_LOCK_DEFAULT, 0);
    ap_mutex_register(pconf, PL_AUDIT_MUTEX, NULL, APR_LOCK_DEFAULT, 0);
    audit_names = NULL;
    return OK;
}

/*
 * The lock of persistent collections (SDBM files under SecDataDir), one
 * per configuration generation, for every child and thread.  httpd gives
 * its file to the User the children run as (ap_unixd_set_global_mutex_perms
 * inside ap_global_mutex_create); each child attaches in child_init.
 */
static apr_global_mutex_t *persist_mutex;

static int create_persist_mutex(apr_pool_t *pconf, server_rec *s)
{
    apr_status_t rv = ap_global_mutex_create(&persist_mutex, NULL, PL_PERSIST_MUTEX,
                                             NULL, s, pconf, 0);

    if (rv != APR_SUCCESS) {
        ap_log_error(APLOG_MARK, APLOG_CRIT, rv, s,
                     "Palisade: cannot create the persistent collections lock");
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    pl_persist_set_mutex(persist_mutex);
    return OK;
}

static void child_init(apr_pool_t *pchild, server_rec *s)
{
    apr_status_t rv;

    if (persist_mutex != NULL) {
        rv = apr_global_mutex_child_init(&persist_mutex,
                                         apr_global_mutex_lockfile(persist_mutex), pchild);
        if (rv != APR_SUCCESS)
            ap_log_error(APLOG_MARK, APLOG_CRIT, rv, s,
                         "Palisade: cannot attach to the persistent collections lock");
        pl_persist_set_mutex(rv == APR_SUCCESS ? persist_mutex : NULL);
    }
    pl_persist_child_init(pchild);
    audit_child_init(pchild, s);
}

/*
 * SecStatusEngine: 2.9 sends its versions to status.modsecurity.org in a
 * DNS query when On.  We never contact that service; the start-up lines
 * say what would be reported, in 2.9's words, and that nothing was sent.
 * The banner is httpd's own, before SecServerSignature changes it.
 */
static void log_status_engine(server_rec *s, const char *banner)
{
    char pcre[32] = "";

    if (!pl_globals.status_engine || pl_globals.status_engine == PL_UNSET) {
        ap_log_error(APLOG_MARK, APLOG_NOTICE, 0, s, "ModSecurity: Status engine is "
                     "currently disabled, enable it by set SecStatusEngine to On.");
        return;
    }
    pcre2_config(PCRE2_CONFIG_VERSION, pcre);
    ap_log_error(APLOG_MARK, APLOG_NOTICE, 0, s, "ModSecurity: StatusEngine call: "
                 "\"%s,%s,%s/%s,%s\"", PL_VERSION, banner, APR_VERSION_STRING,
                 apr_version_string(), pcre);
    ap_log_error(APLOG_MARK, APLOG_NOTICE, 0, s, "ModSecurity: StatusEngine call not "
                 "sent: Palisade does not contact status.modsecurity.org.");
}

static int post_config(apr_pool_t *pconf, apr_pool_t *plog, apr_pool_t *ptemp,
                       server_rec *s)
{
    const char *banner;

    (void)plog;
    pl_ops_set_pcre_limits(pl_globals.pcre_match_limit,
                           pl_globals.pcre_match_limit_recursion);
    /* httpd reads its configuration twice at start-up: log once */
    if (ap_state_query(AP_SQ_MAIN_STATE) == AP_SQ_MS_CREATE_PRE_CONFIG)
        return OK;
    if (create_persist_mutex(pconf, s) != OK)
        return HTTP_INTERNAL_SERVER_ERROR;
    if (audit_post_config(pconf, s, apr_pstrdup(pconf, ap_get_server_banner())) != OK)
        return HTTP_INTERNAL_SERVER_ERROR;
    banner = apr_pstrdup(ptemp, ap_get_server_banner());
    change_server_signature(s);
    /* the line 2.9's start-up checks look for */
    ap_log_error(APLOG_MARK, APLOG_NOTICE, 0, s, "%s configured.", PL_SIGNATURE);
    log_status_engine(s, banner);
    return OK;
}

/* ------------------------------------------------------------------------
 * Transaction lookup and creation
 * --------------------------------------------------------------------- */

/* Finds the transaction of r, of its main request or of the request it
 * was internally redirected from. */
static pl_req *find_req(request_rec *r)
{
    for (; r != NULL; r = r->main ? r->main : r->prev) {
        pl_req *rc = ap_get_module_config(r->request_config, &palisade_module);
        if (rc != NULL)
            return rc;
    }
    return NULL;
}

static int add_request_header(void *tx, const char *name, const char *value)
{
    pl_tx_add_request_header(tx, name, value);
    return 1;
}

/* mod_unique_id is expected; without it every transaction still needs an
 * id for the log and the audit log. */
static const char *make_unique_id(request_rec *r)
{
    unsigned char raw[18];
    char *id, *s;

    if (apr_generate_random_bytes(raw, sizeof(raw)) != APR_SUCCESS)
        return apr_psprintf(r->pool, "%" APR_TIME_T_FMT "-%ld",
                            r->request_time, r->connection->id);
    id = apr_palloc(r->pool, apr_base64_encode_len(sizeof(raw)));
    apr_base64_encode(id, (const char *)raw, sizeof(raw));
    for (s = id; *s; s++) {
        if (*s == '+')
            *s = '@';
        else if (*s == '/')
            *s = '-';
    }
    return id;
}

static void fill_request(pl_tx *tx, request_rec *r)
{
    conn_rec *c = r->connection;
    const char *uid = apr_table_get(r->subprocess_env, "UNIQUE_ID");

    tx->unique_id = uid ? uid : make_unique_id(r);
    tx->remote_addr = r->useragent_ip;
    tx->remote_port = r->useragent_addr ? r->useragent_addr->port : 0;
    tx->remote_host = ap_get_useragent_host(r, REMOTE_NAME, NULL);
    tx->server_addr = c->local_ip;
    tx->server_port = c->local_addr ? c->local_addr->port : 0;
    tx->server_name = ap_get_server_name(r);
    tx->hostname = r->hostname ? r->hostname : tx->server_name;
    tx->request_line = r->the_request ? r->the_request : "";
    tx->method = r->method;
    tx->uri_raw = r->unparsed_uri ? r->unparsed_uri : "";
    tx->protocol = r->protocol;
    tx->remote_user = r->user;
    tx->auth_type = r->ap_auth_type;
    tx->log_uri = r->uri;
    apr_table_do(add_request_header, tx, r->headers_in, NULL);
    pl_tx_request_ready(tx);
}

static pl_req *create_req(request_rec *r, const pl_config *cfg)
{
    pl_req *rc = apr_pcalloc(r->pool, sizeof(*rc));

    rc->r = r;
    rc->tx = pl_tx_create(r->pool, cfg, &palisade_host, r);
    fill_request(rc->tx, r);
    ap_set_module_config(r->request_config, &palisade_module, rc);
    return rc;
}

/* ------------------------------------------------------------------------
 * Interception
 * --------------------------------------------------------------------- */

/*
 * Ends the client connection without a response.  The socket is shut down
 * rather than closed: httpd still owns the descriptor and closes it later,
 * and with a threaded MPM a closed number could meanwhile belong to
 * another client.
 */
static void drop_connection(request_rec *r)
{
    conn_rec *c = r->connection;
    apr_socket_t *csd = ap_get_conn_socket(c);

    if (csd != NULL)
        apr_socket_shutdown(csd, APR_SHUTDOWN_READWRITE);
    c->keepalive = AP_CONN_CLOSE;
    c->aborted = 1;
}

static int redirect_status(int status)
{
    switch (status) {
    case HTTP_MOVED_PERMANENTLY:
    case HTTP_MOVED_TEMPORARILY:
    case HTTP_SEE_OTHER:
    case HTTP_TEMPORARY_REDIRECT:
        return status;
    default:
        return HTTP_MOVED_TEMPORARILY;
    }
}

/*
 * Applies tx->intercept to r and returns the status for httpd: an HTTP
 * error status, or OK when the request goes on (proxy).
 */
static int perform_interception(pl_req *rc, request_rec *r, int phase)
{
    const pl_intercept *ic = &rc->tx->intercept;
    int status = ic->status > 0 ? ic->status : HTTP_FORBIDDEN;

    switch (ic->action) {
    case PL_DA_REDIRECT:
        if (ic->url != NULL)
            apr_table_setn(r->headers_out, "Location", ic->url);
        return redirect_status(ic->status);
    case PL_DA_DROP:
        drop_connection(r);
        return HTTP_FORBIDDEN;
    case PL_DA_PROXY:
        if (phase > 2 || ic->url == NULL) {
            glue_log(rc, "Proxy action requested but it can only be used in "
                         "phases 1 and 2.");
            return HTTP_INTERNAL_SERVER_ERROR;
        }
        if (ap_find_linked_module("mod_proxy.c") == NULL) {
            glue_log(rc, "Proxy action requested but mod_proxy not found.");
            return HTTP_INTERNAL_SERVER_ERROR;
        }
        r->filename = apr_pstrcat(r->pool, "proxy:", ic->url, NULL);
        r->proxyreq = PROXYREQ_REVERSE;
        r->handler = "proxy-server";
        return OK;
    default:
        return ap_is_HTTP_VALID_RESPONSE(status) ? status : HTTP_FORBIDDEN;
    }
}

/* An interception in phase 1 or 2: the error response that follows is not
 * inspected (phases 3 and 4 do not run), only phase 5 does. */
static int request_interception(pl_req *rc, request_rec *r, int phase)
{
    int status = perform_interception(rc, r, phase);

    if (status != OK)
        rc->out_state = PL_OUT_DONE;
    return status;
}

/* ------------------------------------------------------------------------
 * Request: phase 1
 * --------------------------------------------------------------------- */

/* Does the configuration audit-log (so a transaction is needed even with
 * the rule engine Off, as in ModSecurity)? */
static int audit_wanted(const pl_config *cfg)
{
    return cfg->audit_engine == PL_AUDIT_ON || cfg->audit_engine == PL_AUDIT_RELEVANT;
}

static int hook_post_read_request(request_rec *r)
{
    const pl_config *cfg;
    pl_req *rc;

    /* once per client request: internal redirects and subrequests reuse
     * the transaction of the request they come from */
    if (r->main != NULL || r->prev != NULL)
        return DECLINED;
    /* server-level (virtual host) configuration: <Location> sections are
     * not merged yet, so their phase 1 rules never run, as in ModSecurity */
    cfg = ap_get_module_config(r->per_dir_config, &palisade_module);
    if (cfg == NULL || (pl_config_engine(cfg) == PL_ENGINE_OFF && !audit_wanted(cfg)))
        return DECLINED;
    rc = create_req(r, cfg);
    if (rc->tx->engine == PL_ENGINE_OFF)
        return DECLINED;
    if (pl_run_phase(rc->tx, 1))
        return request_interception(rc, r, 1);
    return DECLINED;
}

/* ------------------------------------------------------------------------
 * Request: body and phase 2
 * --------------------------------------------------------------------- */

/*
 * The ctl-set values of the transaction win over the configuration; the
 * engine leaves them PL_UNSET until a ctl action sets them.
 */
static int reqbody_access(const pl_tx *tx)
{
    if (tx->reqbody_access != PL_UNSET)
        return tx->reqbody_access == 1;
    return tx->cfg->reqbody_access == 1;
}

static int resbody_access(const pl_tx *tx)
{
    if (tx->resbody_access != PL_UNSET)
        return tx->resbody_access == 1;
    return tx->cfg->resbody_access == 1;
}

static apr_off_t reqbody_limit(const pl_tx *tx)
{
    if (tx->reqbody_limit > 0)
        return tx->reqbody_limit;
    return tx->cfg->reqbody_limit > 0 ? tx->cfg->reqbody_limit
                                      : PL_DEFAULT_REQBODY_LIMIT;
}

static apr_off_t resbody_limit(const pl_tx *tx)
{
    if (tx->resbody_limit > 0)
        return tx->resbody_limit;
    return tx->cfg->resbody_limit > 0 ? tx->cfg->resbody_limit
                                      : PL_DEFAULT_RESBODY_LIMIT;
}

/* Reject applies only when blocking: DetectionOnly processes partially. */
static int limit_rejects(const pl_tx *tx, int action)
{
    return action != PL_LIMIT_PARTIAL && tx->engine == PL_ENGINE_ON;
}

static int request_has_body(request_rec *r)
{
    const char *cl = apr_table_get(r->headers_in, "Content-Length");

    if (apr_table_get(r->headers_in, "Transfer-Encoding") != NULL)
        return 1;
    return cl != NULL && apr_atoi64(cl) > 0;
}

static apr_off_t reqbody_nofiles_limit(const pl_tx *tx)
{
    return tx->cfg->reqbody_nofiles_limit > 0 ? tx->cfg->reqbody_nofiles_limit
                                              : PL_DEFAULT_NOFILES_LIMIT;
}

/* Logs a limit message in ModSecurity's words, e.g. "Request body is
 * larger than the configured limit (1000)." */
static void limit_log(pl_req *rc, const char *what, apr_off_t limit)
{
    glue_log(rc, apr_psprintf(rc->r->pool, "%s is larger than the configured "
                              "limit (%" APR_OFF_T_FMT ").", what, limit));
}

/*
 * The replay brigade: the body as the engine stored it (its memory chunks,
 * or its spool file, read in small blocks, never mapped whole), then what
 * was read past SecRequestBodyLimit under ProcessPartial.  The replay holds
 * no copy of its own, so a request costs the in-memory limit at most.
 */
static void replay_stored_body(pl_req *rc, request_rec *r, apr_bucket_brigade *rest)
{
    const pl_body *sb = &rc->tx->body;
    apr_bucket_alloc_t *ba = r->connection->bucket_alloc;
    apr_bucket *b;
    int i;

    if (sb->spool != NULL && sb->length > 0) {
        apr_brigade_insert_file(rc->body, sb->spool, 0, sb->length, r->pool);
        for (b = APR_BRIGADE_FIRST(rc->body); b != APR_BRIGADE_SENTINEL(rc->body);
             b = APR_BUCKET_NEXT(b))
            if (APR_BUCKET_IS_FILE(b))
                apr_bucket_file_enable_mmap(b, 0);
    } else {
        /* the chunks live in the transaction's pool, as long as r */
        for (i = 0; i < sb->chunks->nelts; i++) {
            const struct iovec *v = &APR_ARRAY_IDX(sb->chunks, i, struct iovec);
            b = apr_bucket_immortal_create(v->iov_base, v->iov_len, ba);
            APR_BRIGADE_INSERT_TAIL(rc->body, b);
        }
    }
    APR_BRIGADE_CONCAT(rc->body, rest);
}

/*
 * Reads the request body from the client and hands it to the engine, which
 * stores it.  Returns OK, or an HTTP status to end the request with.  Past
 * SecRequestBodyLimit, Reject (when blocking) answers 413 and otherwise
 * the engine sees the first part only (ProcessPartial): the bytes read past
 * the limit are kept for the replay, the rest stays in the connection and
 * the input filter fetches it after them.  The messages, and when they
 * appear, are ModSecurity 2.9's.
 */
static int read_request_body(pl_req *rc, request_rec *r)
{
    pl_tx *tx = rc->tx;
    conn_rec *c = r->connection;
    apr_off_t limit = reqbody_limit(tx);
    int reject = limit_rejects(tx, tx->cfg->reqbody_limit_action);
    const char *cl = apr_table_get(r->headers_in, "Content-Length");
    apr_bucket_brigade *bb, *rest;
    int seen_eos = 0, over = 0;

    if (cl != NULL && apr_atoi64(cl) > limit) {
        limit_log(rc, "Request body (Content-Length)", limit);
        if (reject)
            return HTTP_REQUEST_ENTITY_TOO_LARGE;
        /* 2.9 says it twice when it goes on with part of the body */
        limit_log(rc, "Request body (Content-Length)", limit);
    }

    bb = apr_brigade_create(r->pool, c->bucket_alloc);
    rest = apr_brigade_create(r->pool, c->bucket_alloc);
    rc->body = apr_brigade_create(r->pool, c->bucket_alloc);
    while (!seen_eos && !over) {
        apr_bucket *b, *next;
        apr_status_t rv = ap_get_brigade(r->input_filters, bb, AP_MODE_READBYTES,
                                         APR_BLOCK_READ, HUGE_STRING_LEN);
        if (rv != APR_SUCCESS) {
            glue_log(rc, apr_psprintf(r->pool, "Error reading request body: %pm", &rv));
            return ap_map_http_request_error(rv, HTTP_BAD_REQUEST);
        }
        for (b = APR_BRIGADE_FIRST(bb); b != APR_BRIGADE_SENTINEL(bb); b = next) {
            const char *data;
            apr_size_t len;
            apr_off_t before = tx->body.length;

            next = APR_BUCKET_NEXT(b);
            if (APR_BUCKET_IS_EOS(b))
                seen_eos = 1;
            if (APR_BUCKET_IS_METADATA(b)) {
                apr_bucket_delete(b);
                continue;
            }
            if (over) {
                /* read with the bytes past the limit: replayed as is */
                APR_BUCKET_REMOVE(b);
                apr_bucket_setaside(b, r->pool);
                APR_BRIGADE_INSERT_TAIL(rest, b);
                continue;
            }
            rv = apr_bucket_read(b, &data, &len, APR_BLOCK_READ);
            if (rv != APR_SUCCESS)
                return HTTP_BAD_REQUEST;
            rv = pl_tx_body_append(tx, data, len);
            if (rv == PL_BODY_NOFILES) {
                limit_log(rc, "Request body no files data length",
                          reqbody_nofiles_limit(tx));
                return HTTP_REQUEST_ENTITY_TOO_LARGE;
            }
            if (rv == APR_ENOSPC) {
                apr_size_t stored = (apr_size_t)(tx->body.length - before);
                over = 1;
                if (stored < len) {
                    apr_bucket_split(b, stored);
                    next = APR_BUCKET_NEXT(b);
                }
            }
            apr_bucket_delete(b);
        }
    }
    if (over) {
        if (reject) {
            limit_log(rc, "Request body", limit);
            return HTTP_REQUEST_ENTITY_TOO_LARGE;
        }
        rc->body_partial = !seen_eos;
    }
    replay_stored_body(rc, r, rest);
    return OK;
}

/*
 * After the whole body was read, a chunked request is presented to the
 * handler as a plain one of known length (the replay is de-chunked).
 */
static void fix_body_headers(pl_req *rc, request_rec *r)
{
    apr_off_t len = 0;

    if (rc->body_partial)
        return;
    if (apr_table_get(r->headers_in, "Transfer-Encoding") == NULL)
        return;
    apr_brigade_length(rc->body, 0, &len);
    apr_table_unset(r->headers_in, "Transfer-Encoding");
    apr_table_setn(r->headers_in, "Content-Length", apr_off_t_toa(r->pool, len));
}

/*
 * STREAM_INPUT_BODY rewritten by @rsub by the end of phase 2: the handler
 * gets the new bytes in place of the stored body (what was read past
 * SecRequestBodyLimit still follows), and Content-Length counts them, as
 * 2.9 sets it after phase 2.
 */
static void replace_request_body(pl_req *rc, request_rec *r)
{
    pl_tx *tx = rc->tx;
    apr_size_t n = 0;
    const char *s = pl_stream_input_rewritten(tx, &n);
    const char *cl;
    apr_bucket *after;

    if (s == NULL || rc->body == NULL
        || apr_brigade_partition(rc->body, tx->body.length, &after) != APR_SUCCESS)
        return;
    while (APR_BRIGADE_FIRST(rc->body) != after)
        apr_bucket_delete(APR_BRIGADE_FIRST(rc->body));
    APR_BRIGADE_INSERT_HEAD(rc->body, apr_bucket_pool_create(s, n, tx->pool,
                                                             r->connection->bucket_alloc));
    cl = apr_table_get(r->headers_in, "Content-Length");
    if (cl != NULL)
        apr_table_setn(r->headers_in, "Content-Length", apr_off_t_toa(r->pool,
                       apr_atoi64(cl) - tx->body.length + (apr_off_t)n));
    pl_stream_input_forwarded(tx);
    pl_debug(tx, 4, "Input stream filter: Forwarded %" APR_SIZE_T_FMT " bytes.", n);
}

/*
 * The rule engine setting of the final configuration replaces the one the
 * transaction started with, unless a ctl action changed it meanwhile.
 */
static void switch_config(pl_req *rc, const pl_config *cfg)
{
    pl_tx *tx = rc->tx;

    if (tx->engine == pl_config_engine(tx->cfg))
        tx->engine = pl_config_engine(cfg);
    tx->cfg = cfg;
}

/*
 * SecDisableBackendCompression On: the handler (a proxy, typically) does
 * not see Accept-Encoding and TE, so a back end answers uncompressed and
 * the response body can be inspected; REQUEST_HEADERS keeps them, and the
 * output filter puts them back for the front end's own compression.
 */
static void hide_compression(pl_req *rc, request_rec *r)
{
    if (rc->tx->cfg->disable_backend_compression != 1)
        return;
    rc->hidden_ae = apr_table_get(r->headers_in, "Accept-Encoding");
    rc->hidden_te = apr_table_get(r->headers_in, "TE");
    apr_table_unset(r->headers_in, "Accept-Encoding");
    apr_table_unset(r->headers_in, "TE");
}

static void restore_compression(pl_req *rc, request_rec *r)
{
    if (rc->hidden_ae != NULL && apr_table_get(r->headers_in, "Accept-Encoding") == NULL)
        apr_table_add(r->headers_in, "Accept-Encoding", rc->hidden_ae);
    if (rc->hidden_te != NULL && apr_table_get(r->headers_in, "TE") == NULL)
        apr_table_add(r->headers_in, "TE", rc->hidden_te);
    rc->hidden_ae = rc->hidden_te = NULL;
}

static int hook_fixups(request_rec *r)
{
    const pl_config *cfg;
    pl_req *rc;
    int status;

    if (r->main != NULL || r->prev != NULL)
        return DECLINED;
    cfg = ap_get_module_config(r->per_dir_config, &palisade_module);
    rc = ap_get_module_config(r->request_config, &palisade_module);
    if (rc == NULL) {
        /* off at server level: a <Location> may still turn it on, and then
         * the request starts here, without phase 1 (as in ModSecurity) */
        if (cfg == NULL || (pl_config_engine(cfg) == PL_ENGINE_OFF && !audit_wanted(cfg)))
            return DECLINED;
        rc = create_req(r, cfg);
    }
    if (rc->late_done)
        return DECLINED;
    rc->late_done = 1;
    if (cfg != NULL)
        switch_config(rc, cfg);
    if (rc->tx->engine == PL_ENGINE_OFF) {
        rc->disabled = 1;
        return DECLINED;
    }
    rc->tx->remote_user = r->user;
    rc->tx->auth_type = r->ap_auth_type;
    rc->tx->path_info = r->path_info;
    rc->tx->script_filename = r->filename;
    rc->tx->log_uri = r->uri;

    if (reqbody_access(rc->tx) && request_has_body(r)
        && rc->tx->allow != PL_DA_ALLOW && rc->tx->allow != PL_DA_ALLOW_REQUEST) {
        status = read_request_body(rc, r);
        if (status != OK) {
            rc->out_state = PL_OUT_DONE;
            return status;
        }
        fix_body_headers(rc, r);
        ap_add_input_filter(PL_IN_FILTER, rc, r, r->connection);
        pl_tx_body_done(rc->tx);
        pl_stream_input_ready(rc->tx);
        /* a body processor error reaches the error log (and the audit
         * log's part H), as in 2.9; REQBODY_ERROR is for the rules */
        if (rc->tx->reqbody_error && rc->tx->reqbody_error_msg != NULL)
            glue_log(rc, rc->tx->reqbody_error_msg);
    }
    hide_compression(rc, r);
    if (pl_run_phase(rc->tx, 2))
        return request_interception(rc, r, 2);
    replace_request_body(rc, r);
    return DECLINED;
}

/* ------------------------------------------------------------------------
 * Request body replay (input filter)
 * --------------------------------------------------------------------- */

/* Copies up to n bytes from the front of body without consuming them. */
static apr_status_t peek_body(apr_bucket_brigade *body, apr_bucket_brigade *bb,
                              apr_off_t n)
{
    apr_bucket *b;

    for (b = APR_BRIGADE_FIRST(body);
         b != APR_BRIGADE_SENTINEL(body) && n > 0; b = APR_BUCKET_NEXT(b)) {
        apr_bucket *copy;
        apr_status_t rv = apr_bucket_copy(b, &copy);

        if (rv != APR_SUCCESS)
            return rv;
        APR_BRIGADE_INSERT_TAIL(bb, copy);
        if (APR_BUCKET_IS_EOS(b))
            break;
        if ((apr_off_t)copy->length > n) {
            apr_bucket *rest;
            apr_bucket_split(copy, (apr_size_t)n);
            rest = APR_BUCKET_NEXT(copy);
            APR_BUCKET_REMOVE(rest);
            apr_bucket_destroy(rest);
        }
        n -= (apr_off_t)copy->length;
    }
    return APR_SUCCESS;
}

/* Moves up to n bytes from the front of body into bb. */
static apr_status_t take_body(apr_bucket_brigade *body, apr_bucket_brigade *bb,
                              apr_off_t n)
{
    apr_bucket *after;
    apr_status_t rv = apr_brigade_partition(body, n, &after);

    if (rv == APR_INCOMPLETE) {
        APR_BRIGADE_CONCAT(bb, body);
        return APR_SUCCESS;
    }
    if (rv != APR_SUCCESS)
        return rv;
    while (!APR_BRIGADE_EMPTY(body) && APR_BRIGADE_FIRST(body) != after) {
        apr_bucket *b = APR_BRIGADE_FIRST(body);
        APR_BUCKET_REMOVE(b);
        APR_BRIGADE_INSERT_TAIL(bb, b);
    }
    return APR_SUCCESS;
}

/*
 * Hands the stored body to the handler byte for byte, then EOS; after a
 * partial read it continues with what is left in the connection.
 */
static apr_status_t input_filter(ap_filter_t *f, apr_bucket_brigade *bb,
                                 ap_input_mode_t mode, apr_read_type_e block,
                                 apr_off_t readbytes)
{
    pl_req *rc = f->ctx;
    apr_bucket_brigade *body = rc ? rc->body : NULL;

    if (body == NULL || (APR_BRIGADE_EMPTY(body) && rc->body_partial)) {
        ap_remove_input_filter(f);
        return ap_get_brigade(f->next, bb, mode, block, readbytes);
    }
    if (APR_BRIGADE_EMPTY(body)) {
        APR_BRIGADE_INSERT_TAIL(bb, apr_bucket_eos_create(f->c->bucket_alloc));
        return APR_SUCCESS;
    }
    switch (mode) {
    case AP_MODE_READBYTES:
        return take_body(body, bb, readbytes);
    case AP_MODE_SPECULATIVE:
        return peek_body(body, bb, readbytes);
    case AP_MODE_GETLINE:
        return apr_brigade_split_line(bb, body, block, HUGE_STRING_LEN);
    case AP_MODE_EXHAUSTIVE:
        APR_BRIGADE_CONCAT(bb, body);
        return APR_SUCCESS;
    default:
        return APR_ENOTIMPL;
    }
}

/* ------------------------------------------------------------------------
 * Response: phases 3 and 4 (output filter)
 * --------------------------------------------------------------------- */

static int add_response_header(void *tx, const char *name, const char *value)
{
    pl_tx_add_response_header(tx, name, value);
    return 1;
}

static void fill_response(pl_req *rc, request_rec *r)
{
    pl_tx *tx = rc->tx;

    tx->status = r->status;
    tx->status_line = r->status_line ? r->status_line
                                     : ap_get_status_line(r->status);
    tx->log_uri = r->uri;
    if (rc->resp_filled)
        return;
    rc->resp_filled = 1;
    tx->response_protocol = r->protocol;
    apr_table_do(add_response_header, tx, r->headers_out, NULL);
    apr_table_do(add_response_header, tx, r->err_headers_out, NULL);
    if (r->content_type != NULL
        && apr_table_get(r->headers_out, "Content-Type") == NULL
        && apr_table_get(r->err_headers_out, "Content-Type") == NULL)
        pl_tx_add_response_header(tx, "Content-Type", r->content_type);
}

/* Is the response's media type one SecResponseBodyMimeType lists?  A
 * response without a type is matched as "null", as in ModSecurity. */
static int inspectable_type(pl_tx *tx, request_rec *r)
{
    char *type = "null";
    const char *semi;
    int listed;

    if (r->content_type != NULL) {
        semi = strchr(r->content_type, ';');
        type = semi ? apr_pstrmemdup(r->pool, r->content_type, semi - r->content_type)
                    : apr_pstrdup(r->pool, r->content_type);
        ap_str_tolower(type);
        apr_collapse_spaces(type, type);
    }
    if (tx->cfg->resbody_mime == NULL)
        listed = strcmp(type, "text/plain") == 0 || strcmp(type, "text/html") == 0;
    else
        listed = apr_table_get(tx->cfg->resbody_mime, type) != NULL;
    if (!listed)
        pl_debug(tx, 4, "Output filter: Not buffering response body for unconfigured "
                 "MIME type \"%s\".", type);
    return listed;
}

/* ------------------------------------------------------------------------
 * Content injection (SecContentInjection On), as 2.9's output filter does
 * it: prepend and append around the body, and the response body @rsub
 * rewrote in place of the buffered one.
 * --------------------------------------------------------------------- */

static apr_bucket *text_bucket(pl_req *rc, const char *s, apr_size_t n)
{
    return apr_bucket_pool_create(s, n, rc->tx->pool, rc->r->connection->bucket_alloc);
}

static apr_bucket *find_eos(apr_bucket_brigade *bb)
{
    apr_bucket *b;

    for (b = APR_BRIGADE_FIRST(bb); b != APR_BRIGADE_SENTINEL(bb); b = APR_BUCKET_NEXT(b))
        if (APR_BUCKET_IS_EOS(b))
            return b;
    return NULL;
}

/* Once phase 3 is over: when prepend or append ran, the headers the new
 * text makes wrong go (2.9: Content-Length, Last-Modified, ETag and
 * Expires). */
static void injection_headers(pl_req *rc, request_rec *r)
{
    pl_tx *tx = rc->tx;
    apr_size_t n;

    if (tx->cfg->content_injection != 1) {
        pl_debug(tx, 9, "Content Injection: Not enabled.");
        return;
    }
    if (pl_stream_prepend(tx, &n) == NULL && pl_stream_append(tx, &n) == NULL) {
        pl_debug(tx, 9, "Content Injection: Nothing to inject.");
        return;
    }
    apr_table_unset(r->headers_out, "Content-Length");
    apr_table_unset(r->headers_out, "Last-Modified");
    apr_table_unset(r->headers_out, "ETag");
    apr_table_unset(r->headers_out, "Expires");
    pl_debug(tx, 9, "Content Injection: Removing headers (C-L, L-M, Etag, Expires).");
}

/* A body that is not buffered: the prepend text of phases 1-3 goes in
 * front of its first bytes. */
static void inject_head(pl_req *rc, apr_bucket_brigade *bb)
{
    apr_size_t n;
    const char *s = pl_stream_prepend(rc->tx, &n);

    if (s == NULL)
        return;
    APR_BRIGADE_INSERT_HEAD(bb, text_bucket(rc, s, n));
    pl_debug(rc->tx, 9, "Content Injection (nb): Added content to top: %s",
             pl_log_escape_nq(rc->tx->pool, s, n));
}

/* ... and append text before its EOS (when bb holds it). */
static void inject_tail(pl_req *rc, apr_bucket_brigade *bb, const char *s, apr_size_t n)
{
    apr_bucket *eos = find_eos(bb);

    if (s == NULL || eos == NULL)
        return;
    APR_BUCKET_INSERT_BEFORE(eos, text_bucket(rc, s, n));
    pl_debug(rc->tx, 9, "Content-Injection (nb): Added content to bottom: %s",
             pl_log_escape_nq(rc->tx->pool, s, n));
}

/* PL_OUT_TAIL: the body passes; append goes before its EOS. */
static apr_status_t pass_tail(ap_filter_t *f, pl_req *rc, apr_bucket_brigade *bb)
{
    apr_size_t n = 0;
    const char *s = pl_stream_append(rc->tx, &n);

    if (find_eos(bb) != NULL) {
        inject_tail(rc, bb, s, n);
        rc->out_state = PL_OUT_DONE;
        ap_remove_output_filter(f);
    }
    return ap_pass_brigade(f->next, bb);
}

/*
 * After phase 4 on a whole buffered body: the body @rsub rewrote in place
 * of the data buckets, prepend in front, append before EOS.  It goes out
 * in one pass, so Content-Length is set to what is sent (httpd's own
 * filter would do the same, unless a FLUSH in the buffered body made it
 * send early).  Phase 5 no longer sees STREAM_OUTPUT_BODY, as in 2.9.
 */
static void inject_buffered(pl_req *rc, request_rec *r, apr_bucket_brigade *out)
{
    pl_tx *tx = rc->tx;
    apr_bucket *b, *next, *eos = find_eos(out);
    const char *s;
    apr_size_t n;
    apr_off_t len = 0;
    int changed = 0;

    if ((s = pl_stream_output_rewritten(tx, &n)) != NULL) {
        for (b = APR_BRIGADE_FIRST(out); b != APR_BRIGADE_SENTINEL(out); b = next) {
            next = APR_BUCKET_NEXT(b);
            if (!APR_BUCKET_IS_METADATA(b))
                apr_bucket_delete(b);
        }
        APR_BRIGADE_INSERT_HEAD(out, text_bucket(rc, s, n));
        pl_debug(tx, 9, "Content Injection: Data reinjected bytes [%" APR_SIZE_T_FMT "]", n);
        changed = 1;
    }
    if ((s = pl_stream_prepend(tx, &n)) != NULL) {
        APR_BRIGADE_INSERT_HEAD(out, text_bucket(rc, s, n));
        pl_debug(tx, 9, "Content Injection (b): Added content to top: %s",
                 pl_log_escape_nq(tx->pool, s, n));
        changed = 1;
    }
    if (eos != NULL && (s = pl_stream_append(tx, &n)) != NULL) {
        APR_BUCKET_INSERT_BEFORE(eos, text_bucket(rc, s, n));
        pl_debug(tx, 9, "Content-Injection (b): Added content to bottom: %s",
                 pl_log_escape_nq(tx->pool, s, n));
        changed = 1;
    }
    if (changed && apr_brigade_length(out, 1, &len) == APR_SUCCESS)
        ap_set_content_length(r, len);
    pl_stream_output_forwarded(tx);
}

/* Injection into a body that is not buffered (phase 3 allowed the
 * response, or it is the error page of a request that ended before its
 * handler): prepend now, append before EOS. */
static apr_status_t start_injection(ap_filter_t *f, pl_req *rc, apr_bucket_brigade *bb)
{
    apr_size_t n;

    injection_headers(rc, f->r);
    inject_head(rc, bb);
    if (pl_stream_append(rc->tx, &n) != NULL) {
        rc->out_state = PL_OUT_TAIL;
        return pass_tail(f, rc, bb);
    }
    rc->out_state = PL_OUT_DONE;
    ap_remove_output_filter(f);
    return ap_pass_brigade(f->next, bb);
}

/* Replaces the response with an error for status, without letting any byte
 * of the original body through. */
static apr_status_t output_intercept(ap_filter_t *f, apr_bucket_brigade *bb,
                                     pl_req *rc, int phase)
{
    request_rec *r = f->r;
    conn_rec *c = r->connection;
    apr_bucket_brigade *err;
    int status = perform_interception(rc, r, phase);

    rc->out_state = PL_OUT_DISCARD;
    apr_brigade_cleanup(bb);
    if (rc->out != NULL)
        apr_brigade_cleanup(rc->out);
    if (c->aborted)
        return AP_FILTER_ERROR;
    r->status_line = ap_get_status_line(status);
    err = apr_brigade_create(r->pool, c->bucket_alloc);
    APR_BRIGADE_INSERT_TAIL(err, ap_bucket_error_create(status, NULL, r->pool,
                                                        c->bucket_alloc));
    APR_BRIGADE_INSERT_TAIL(err, apr_bucket_eos_create(c->bucket_alloc));
    ap_pass_brigade(f->next, err);
    return AP_FILTER_ERROR;
}

static int brigade_has_eos(apr_bucket_brigade *bb)
{
    apr_bucket *b;

    for (b = APR_BRIGADE_FIRST(bb); b != APR_BRIGADE_SENTINEL(bb); b = APR_BUCKET_NEXT(b))
        if (APR_BUCKET_IS_EOS(b))
            return 1;
    return 0;
}

/*
 * Runs phase 4 on the first (at most limit) buffered bytes and sends the
 * buffered response on.  A partial body is not rewritten (2.9 re-injects
 * whole bodies only); prepend goes in front of it and append before EOS,
 * which 2.9 takes when it sees EOS: before phase 4 when EOS came with the
 * bytes over the limit, after it otherwise.
 */
static apr_status_t finish_response(ap_filter_t *f, pl_req *rc, int partial)
{
    request_rec *r = f->r;
    pl_tx *tx = rc->tx;
    apr_off_t limit = resbody_limit(tx);
    apr_size_t n = (apr_size_t)(rc->out_len < limit ? rc->out_len : limit);
    char *buf = apr_palloc(r->pool, n + 1);
    apr_bucket_brigade *out = rc->out;
    apr_status_t rv = apr_brigade_flatten(out, buf, &n);
    int eos = find_eos(out) != NULL;
    apr_size_t early_n = 0;
    const char *early = partial && eos ? pl_stream_append(tx, &early_n) : NULL, *s;

    if (rv != APR_SUCCESS)
        return rv;
    buf[n] = '\0';
    tx->resp_body = buf;
    tx->resp_body_len = n;
    tx->resp_body_partial = partial;
    pl_stream_output_ready(tx);
    if (pl_run_phase(tx, 4))
        return output_intercept(f, out, rc, 4);
    rc->out = NULL;
    if (!partial) {
        inject_buffered(rc, r, out);
    } else {
        if ((s = pl_stream_prepend(tx, &n)) != NULL) {
            APR_BRIGADE_INSERT_HEAD(out, text_bucket(rc, s, n));
            pl_debug(tx, 9, "Content Injection (b): Added content to top: %s",
                     pl_log_escape_nq(tx->pool, s, n));
        }
        /* what phase 4 injects makes the length wrong, and the rest of
         * the body is not here to count it */
        if (s != NULL || pl_stream_append(tx, &n) != NULL)
            apr_table_unset(r->headers_out, "Content-Length");
        inject_tail(rc, out, early, early_n);
        if (!eos && pl_stream_append(tx, &n) != NULL) {
            rc->out_state = PL_OUT_TAIL;
            return ap_pass_brigade(f->next, out);
        }
    }
    rc->out_state = PL_OUT_DONE;
    ap_remove_output_filter(f);
    return ap_pass_brigade(f->next, out);
}

/* SecResponseBodyLimitAction Reject: a 500 in place of the response. */
static apr_status_t reject_response(ap_filter_t *f, pl_req *rc, apr_bucket_brigade *bb,
                                    const char *msg)
{
    glue_log(rc, msg);
    rc->tx->intercept.action = PL_DA_DENY;
    rc->tx->intercept.status = HTTP_INTERNAL_SERVER_ERROR;
    rc->tx->intercept.phase = 4;
    return output_intercept(f, bb, rc, 4);
}

static apr_status_t buffer_response(ap_filter_t *f, pl_req *rc, apr_bucket_brigade *bb)
{
    request_rec *r = f->r;
    pl_tx *tx = rc->tx;
    apr_off_t len = 0, limit = resbody_limit(tx);
    int eos = brigade_has_eos(bb);
    apr_status_t rv;

    /* reads pipe and socket buckets (CGI, proxy) so their length is known */
    rv = apr_brigade_length(bb, 1, &len);
    if (rv != APR_SUCCESS)
        return rv;
    rv = ap_save_brigade(f, &rc->out, &bb, r->pool);
    if (rv != APR_SUCCESS)
        return rv;
    rc->out_len += len;
    if (rc->out_len > limit) {
        if (limit_rejects(tx, tx->cfg->resbody_limit_action))
            return reject_response(f, rc, rc->out, apr_psprintf(r->pool,
                "Output filter: Response body too large (over limit of %"
                APR_OFF_T_FMT ", total not specified).", limit));
        pl_debug(tx, 4, "Output filter: Processing partial response body (limit %"
                 APR_OFF_T_FMT ")", limit);
        return finish_response(f, rc, 1);
    }
    return eos ? finish_response(f, rc, 0) : APR_SUCCESS;
}

static apr_status_t output_filter(ap_filter_t *f, apr_bucket_brigade *bb)
{
    request_rec *r = f->r;
    pl_req *rc = f->ctx;
    pl_tx *tx = rc->tx;

    restore_compression(rc, r);
    switch (rc->out_state) {
    case PL_OUT_DISCARD:
        apr_brigade_cleanup(bb);
        return APR_SUCCESS;
    case PL_OUT_DONE:
        ap_remove_output_filter(f);
        return ap_pass_brigade(f->next, bb);
    case PL_OUT_BUFFERING:
        return buffer_response(f, rc, bb);
    case PL_OUT_TAIL:
        return pass_tail(f, rc, bb);
    case PL_OUT_INJECT:
        return start_injection(f, rc, bb);
    case PL_OUT_WATCHING:
        break;
    default:
        rc->out_state = PL_OUT_DONE;
        if (tx->engine == PL_ENGINE_OFF)
            return ap_pass_brigade(f->next, bb);
        fill_response(rc, r);
        if (pl_run_phase(tx, 3))
            return output_intercept(f, bb, rc, 3);
        if (tx->allow == PL_DA_ALLOW || tx->engine == PL_ENGINE_OFF) {
            /* not inspected, but 2.9 still records the body (part E) */
            if (resbody_access(tx) && !r->header_only && inspectable_type(tx, r)
                && audit_engine(tx) != PL_AUDIT_OFF && !rc->capturing) {
                rc->capturing = 1;
                ap_add_output_filter(PL_AUDIT_FILTER, rc, r, r->connection);
            }
            /* and injects what the rules asked for */
            return start_injection(f, rc, bb);
        }
        if (!resbody_access(tx))
            pl_debug(tx, 4, "Output filter: Response body buffering is not enabled.");
        if (resbody_access(tx) && !r->header_only && inspectable_type(tx, r)) {
            const char *cl = apr_table_get(r->headers_out, "Content-Length");
            apr_off_t limit = resbody_limit(tx);

            rc->out_state = PL_OUT_BUFFERING;
            if (cl != NULL && apr_atoi64(cl) > limit
                && limit_rejects(tx, tx->cfg->resbody_limit_action))
                return reject_response(f, rc, bb, apr_psprintf(r->pool,
                    "Output filter: Content-Length (%s) over the limit (%"
                    APR_OFF_T_FMT ").", cl, limit));
            injection_headers(rc, r);
            return buffer_response(f, rc, bb);
        }
        rc->out_state = PL_OUT_WATCHING;
        injection_headers(rc, r);
        inject_head(rc, bb);
        break;
    }
    /* not inspecting the body: phase 4 still runs when it ends; 2.9 takes
     * the append text before it runs */
    if (brigade_has_eos(bb)) {
        apr_size_t n = 0;
        const char *append = pl_stream_append(tx, &n);

        rc->out_state = PL_OUT_DONE;
        tx->resp_body = "";
        tx->resp_body_len = 0;
        pl_stream_output_ready(tx);
        if (pl_run_phase(tx, 4))
            return output_intercept(f, bb, rc, 4);
        inject_tail(rc, bb, append, n);
    }
    return ap_pass_brigade(f->next, bb);
}

static int has_output_filter(request_rec *r)
{
    ap_filter_t *f;

    for (f = r->output_filters; f != NULL; f = f->next)
        if (strcasecmp(f->frec->name, PL_OUT_FILTER) == 0)
            return 1;
    return 0;
}

/* The audit engine in effect for tx (ctl:auditEngine first). */
static int audit_engine(const pl_tx *tx)
{
    int e = tx->audit_engine != PL_UNSET ? tx->audit_engine : tx->cfg->audit_engine;
    return e == PL_UNSET ? PL_AUDIT_OFF : e;
}

/*
 * Keeps a copy of the error page sent after an interception in phase 1 or
 * 2, or a request body limit (up to SecResponseBodyLimit): 2.9's part E
 * shows it when SecResponseBodyAccess is On.  Everything passes through
 * unchanged.
 */
static apr_status_t audit_capture_filter(ap_filter_t *f, apr_bucket_brigade *bb)
{
    pl_req *rc = f->ctx;
    pl_tx *tx = rc->tx;
    apr_size_t limit = (apr_size_t)resbody_limit(tx);
    apr_bucket *b;

    for (b = APR_BRIGADE_FIRST(bb); b != APR_BRIGADE_SENTINEL(bb) && rc->cap_len < limit;
         b = APR_BUCKET_NEXT(b)) {
        const char *data;
        apr_size_t len;

        if (APR_BUCKET_IS_METADATA(b) || apr_bucket_read(b, &data, &len, APR_BLOCK_READ)
                                         != APR_SUCCESS)
            continue;
        if (len > limit - rc->cap_len)
            len = limit - rc->cap_len;
        if (rc->cap_len + len > rc->cap_size) {
            apr_size_t size = rc->cap_size ? rc->cap_size : 4096;
            char *n;
            while (size < rc->cap_len + len)
                size *= 2;
            n = apr_palloc(f->r->pool, size);
            if (rc->cap_len)
                memcpy(n, rc->cap, rc->cap_len);
            rc->cap = n;
            rc->cap_size = size;
        }
        memcpy(rc->cap + rc->cap_len, data, len);
        rc->cap_len += len;
    }
    tx->resp_body = rc->cap ? rc->cap : "";
    tx->resp_body_len = rc->cap_len;
    return ap_pass_brigade(f->next, bb);
}

/* The response of the client request (or of an internal redirect or error
 * document in its place) goes through the output filter once; the output
 * of subrequests reaches it through the main request. */
static void hook_insert_filter(request_rec *r)
{
    pl_req *rc;

    if (r->main != NULL)
        return;
    rc = find_req(r);
    if (rc == NULL || rc->disabled)
        return;
    if (rc->out_state == PL_OUT_DONE) {
        apr_size_t n;

        /* the error page of a request that ended before phase 3: 2.9
         * injects prepend / append into it too */
        if (rc->tx->phase <= 2 && !has_output_filter(r)
            && (pl_stream_prepend(rc->tx, &n) != NULL || pl_stream_append(rc->tx, &n) != NULL)) {
            rc->out_state = PL_OUT_INJECT;
            ap_add_output_filter(PL_OUT_FILTER, rc, r, r->connection);
        }
        if (!rc->capturing && resbody_access(rc->tx) && audit_engine(rc->tx) != PL_AUDIT_OFF) {
            rc->capturing = 1;
            ap_add_output_filter(PL_AUDIT_FILTER, rc, r, r->connection);
        }
        return;
    }
    if (rc->out_state != PL_OUT_NONE || has_output_filter(r))
        return;
    ap_add_output_filter(PL_OUT_FILTER, rc, r, r->connection);
}

/* ------------------------------------------------------------------------
 * Logging: phase 5
 * --------------------------------------------------------------------- */

static int add_final_header(void *headers, const char *name, const char *value)
{
    apr_array_header_t *a = headers;
    pl_var *v = apr_pcalloc(a->pool, sizeof(*v));

    v->key = name;
    v->value = value;
    v->value_len = strlen(value);
    APR_ARRAY_PUSH(a, pl_var *) = v;
    return 1;
}

/*
 * The audit log record, after phase 5: what the client got (status, the
 * headers as httpd sent them, err_headers_out first as in 2.9, bytes
 * sent), the handler, then the engine writes it.  With the rule engine
 * Off this still runs when SecAuditEngine asks for it, as in ModSecurity.
 */
static void audit_transaction(pl_req *rc, request_rec *last)
{
    pl_tx *tx = rc->tx;

    if (audit_engine(tx) != PL_AUDIT_OFF) {
        fill_response(rc, last);
        tx->bytes_sent = last->bytes_sent;
        tx->handler = last->handler;
        tx->final_resp_headers = apr_array_make(last->pool, 16, sizeof(pl_var *));
        apr_table_do(add_final_header, tx->final_resp_headers, last->err_headers_out, NULL);
        apr_table_do(add_final_header, tx->final_resp_headers, last->headers_out, NULL);
    }
    pl_audit_log(tx);
}

/* Every error-log message about a transaction: its Apache-Error lines
 * (audit log part H) and WEBSERVER_ERROR_LOG, in ModSecurity's format. */
static void hook_error_log(const ap_errorlog_info *info, const char *errstr)
{
    pl_req *rc;
    pl_tx *tx;
    const char *file = NULL, *msg;
    apr_pool_t *p;

    if (info == NULL || info->r == NULL || errstr == NULL)
        return;
    rc = find_req((request_rec *)info->r);
    if (rc == NULL || rc->tx->web_errors == NULL || rc->tx->web_errors->nelts >= PL_ERRORS_MAX)
        return;
    tx = rc->tx;
    p = tx->pool;
    if (info->file != NULL)
        file = strrchr(info->file, '/') ? strrchr(info->file, '/') + 1 : info->file;
    msg = apr_psprintf(p, "%s%s%s%s%s%s[level %d] %s%s%s",
                       file ? "[file \"" : "", file ? pl_log_escape(p, file, strlen(file)) : "",
                       file ? "\"] " : "",
                       info->line > 0 ? "[line " : "",
                       info->line > 0 ? apr_itoa(p, info->line) : "",
                       info->line > 0 ? "] " : "",
                       info->level & APLOG_LEVELMASK,
                       info->status ? apr_psprintf(p, "[status %d] ", info->status) : "",
                       pl_log_escape_nq(p, errstr, strlen(errstr)), "");
    APR_ARRAY_PUSH(tx->web_errors, const char *) = msg;
}

static int hook_log_transaction(request_rec *r)
{
    pl_req *rc = ap_get_module_config(r->request_config, &palisade_module);
    request_rec *last = r;

    if (rc == NULL)
        return DECLINED;
    while (last->next != NULL)
        last = last->next;
    if (rc->disabled || rc->tx->engine == PL_ENGINE_OFF) {
        audit_transaction(rc, last);
        return DECLINED;
    }
    fill_response(rc, last);
    pl_run_phase(rc->tx, 5);
    /* after phase 5 and the response: persistent collections */
    pl_persist_store(rc->tx);
    audit_transaction(rc, last);
    return DECLINED;
}

/* ------------------------------------------------------------------------
 * Registration
 * --------------------------------------------------------------------- */

static void register_hooks(apr_pool_t *p)
{
    /* modules that change the client address or set UNIQUE_ID first */
    static const char *const before_read[] = {
        "mod_remoteip.c", "mod_rpaf.c", "mod_rpaf-2.0.c",
        "mod_extract_forwarded.c", "mod_unique_id.c", NULL
    };
    /* phase 5 variables (setenv) must be visible to the access log */
    static const char *const after_log[] = { "mod_log_config.c", NULL };

    (void)p;
    ap_hook_pre_config(pre_config, NULL, NULL, APR_HOOK_MIDDLE);
    ap_hook_post_config(post_config, NULL, NULL, APR_HOOK_REALLY_LAST);
    ap_hook_child_init(child_init, NULL, NULL, APR_HOOK_MIDDLE);
    ap_hook_post_read_request(hook_post_read_request, before_read, NULL,
                              APR_HOOK_REALLY_FIRST);
    ap_hook_fixups(hook_fixups, NULL, NULL, APR_HOOK_REALLY_FIRST);
    ap_hook_insert_filter(hook_insert_filter, NULL, NULL, APR_HOOK_FIRST);
    ap_hook_insert_error_filter(hook_insert_filter, NULL, NULL, APR_HOOK_FIRST);
    ap_hook_log_transaction(hook_log_transaction, NULL, after_log, APR_HOOK_MIDDLE);
    ap_hook_error_log(hook_error_log, NULL, NULL, APR_HOOK_MIDDLE);

    ap_register_input_filter(PL_IN_FILTER, input_filter, NULL, AP_FTYPE_CONTENT_SET);
    /* before mod_deflate and other content filters: the body is inspected
     * as the handler produced it */
    ap_register_output_filter(PL_OUT_FILTER, output_filter, NULL,
                              AP_FTYPE_CONTENT_SET - 3);
    ap_register_output_filter(PL_AUDIT_FILTER, audit_capture_filter, NULL,
                              AP_FTYPE_CONTENT_SET - 2);
}

#define PL_DIRECTIVE(n, f, h) \
    AP_INIT_RAW_ARGS(#n, palisade_cmd, NULL, RSRC_CONF | ACCESS_CONF, h),
static const command_rec palisade_cmds[] = {
#include "directives.def"
    { 0 }
};
#undef PL_DIRECTIVE

module AP_MODULE_DECLARE_DATA palisade_module = {
    STANDARD20_MODULE_STUFF,
    create_dir_config,      /* per-directory configuration */
    merge_dir_config,       /* merge per-directory */
    NULL,                   /* per-server: server-level rules live in the
                             * server's per-directory configuration */
    NULL,                   /* merge per-server */
    palisade_cmds,
    register_hooks,
    AP_MODULE_FLAG_NONE
};
