/*
 * palisade-cli: runs the Palisade engine on raw HTTP transactions read from
 * files, without httpd.  It is the engine's second host (mod_palisade.c is
 * the first): it reads the configuration with pl_conf_read_file, fills a
 * pl_tx from a raw request (and optionally a raw response), runs the five
 * phases in httpd's order and prints the outcome as JSON.
 *
 *   palisade-cli [-c CONFIG]... [-v LEVEL] [-b BYTES] REQUEST_FILE [RESPONSE_FILE]
 *   palisade-cli [-c CONFIG]... [-v LEVEL] [-b BYTES] -d DIR
 *                                                     one JSON line per .req file
 *   palisade-cli -t -c CONFIG                         check the configuration
 *   palisade-cli -D DATADIR/USER-NAME                 dump a collection file
 *                                                     (SDBM, SecDataDir)
 *
 * Exit status: 0 when the transactions were processed (whatever the
 * decision), 1 when -t finds an error, 2 on usage or configuration errors.
 *
 * The request body goes to the engine in pieces of BYTES bytes (-b, default
 * 8192, as httpd's input filter hands it over), read from the request file
 * piece by piece unless it is chunked, so that the tool itself holds no
 * copy of a large body.
 *
 * The connection is fixed: client 127.0.0.1:50000, server 127.0.0.1:80.
 * PALISADE_UNIQUE_ID, when set, replaces the generated unique id (for
 * reproducible output).  SecAuditLog / SecAuditLog2 files of the
 * configuration get audit log records as behind httpd (piped logs need
 * httpd).
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <apr_general.h>
#include <apr_lib.h>
#include <apr_signal.h>

#include "palisade.h"

/* ------------------------------------------------------------------------
 * Constants
 * --------------------------------------------------------------------- */

#define CLI_MAX_CONFIGS   64
#define CLI_BODY_CHUNK    8192        /* bytes per pl_tx_body_append call (-b) */
#define CLI_HEAD_MAX      65536       /* bytes read to find a request's head */
#define CLI_NOFILES_LIMIT 1048576     /* SecRequestBodyNoFilesLimit default */
#define CLI_REMOTE_ADDR   "127.0.0.1"
#define CLI_REMOTE_PORT   50000
#define CLI_SERVER_ADDR   "127.0.0.1"
#define CLI_SERVER_PORT   80
#define CLI_DEFAULT_HOST  "localhost"
#define CLI_REQBODY_LIMIT 134217728   /* ModSecurity's defaults, bytes */
#define CLI_RESBODY_LIMIT 524288

enum { CLI_OK = 0, CLI_CHECK_FAILED = 1, CLI_USAGE = 2 };

/* ------------------------------------------------------------------------
 * Types
 * --------------------------------------------------------------------- */

/* What the host callbacks collect for one transaction. */
typedef struct cli_ctx {
    apr_array_header_t *log;     /* const char*: "ModSecurity: ..." */
    apr_table_t        *env;     /* setenv / unsetenv results */
    /* what the handler would read and the client would get (injection,
     * stream editing); NULL when the transaction was intercepted first */
    const char         *req_out, *resp_out;
    apr_size_t          req_out_len, resp_out_len;
} cli_ctx;

/* A raw HTTP message split into its parts. */
typedef struct cli_msg {
    const char *first_line;
    apr_array_header_t *names, *values;   /* const char*, in order */
    const char *body;             /* NULL when the body stays in body_file */
    apr_size_t  body_len;
    apr_size_t  head_len;         /* bytes before the body */
    int         head_complete;    /* the empty line ending the head was seen */
    apr_file_t *body_file;        /* the request file, read from body_off */
    apr_off_t   body_off;
} cli_msg;

/* Bytes per pl_tx_body_append call (-b). */
static apr_size_t cli_chunk = CLI_BODY_CHUNK;

/* ------------------------------------------------------------------------
 * Host callbacks
 * --------------------------------------------------------------------- */

static void cli_log_error(pl_tx *tx, int level, const char *msg)
{
    cli_ctx *ctx = tx ? tx->host_ctx : NULL;

    (void)level;
    if (ctx == NULL) {
        fprintf(stderr, "ModSecurity: %s\n", msg);
        return;
    }
    *(const char **)apr_array_push(ctx->log) = apr_pstrcat(tx->pool, "ModSecurity: ", msg, NULL);
}

static void cli_set_env(pl_tx *tx, const char *name, const char *value)
{
    cli_ctx *ctx = tx->host_ctx;
    apr_table_set(ctx->env, name, value ? value : "");
}

static void cli_unset_env(pl_tx *tx, const char *name)
{
    cli_ctx *ctx = tx->host_ctx;
    apr_table_unset(ctx->env, name);
}

static const pl_host cli_host = { cli_log_error, cli_set_env, cli_unset_env };

/* ------------------------------------------------------------------------
 * Reading raw HTTP messages
 * --------------------------------------------------------------------- */

static const char *cli_slurp(apr_pool_t *p, const char *path, const char **data,
                             apr_size_t *len)
{
    apr_file_t *fd;
    apr_finfo_t fi;
    apr_status_t rv;
    char *buf, err[256];
    apr_size_t got = 0;

    rv = apr_file_open(&fd, path, APR_FOPEN_READ | APR_FOPEN_BINARY, APR_OS_DEFAULT, p);
    if (rv == APR_SUCCESS)
        rv = apr_file_info_get(&fi, APR_FINFO_SIZE, fd);
    if (rv != APR_SUCCESS)
        return apr_psprintf(p, "%s: %s", path, apr_strerror(rv, err, sizeof(err)));
    buf = apr_palloc(p, (apr_size_t)fi.size + 1);
    if (fi.size > 0) {
        rv = apr_file_read_full(fd, buf, (apr_size_t)fi.size, &got);
        if (rv != APR_SUCCESS && rv != APR_EOF)
            return apr_psprintf(p, "%s: %s", path, apr_strerror(rv, err, sizeof(err)));
    }
    apr_file_close(fd);
    buf[got] = '\0';
    *data = buf;
    *len = got;
    return NULL;
}

/* Next line without its CRLF or LF; NULL at the end of the data. */
static char *cli_line(apr_pool_t *p, const char *data, apr_size_t len, apr_size_t *pos)
{
    const char *bol = data + *pos, *nl, *eol;

    if (*pos >= len)
        return NULL;
    nl = memchr(bol, '\n', len - *pos);
    eol = nl ? nl : data + len;
    *pos = (apr_size_t)(eol - data) + (nl ? 1 : 0);
    if (eol > bol && eol[-1] == '\r')
        eol--;
    return apr_pstrmemdup(p, bol, (apr_size_t)(eol - bol));
}

static const char *cli_header(const cli_msg *m, const char *name)
{
    int i;

    for (i = 0; i < m->names->nelts; i++)
        if (strcasecmp(APR_ARRAY_IDX(m->names, i, const char *), name) == 0)
            return APR_ARRAY_IDX(m->values, i, const char *);
    return NULL;
}

/* Decodes a chunked body; stops quietly at the end of the data. */
static void cli_dechunk(apr_pool_t *p, const char *data, apr_size_t len,
                        const char **out, apr_size_t *out_len)
{
    char *buf = apr_palloc(p, len + 1);
    apr_size_t pos = 0, n = 0;
    char *line;

    while ((line = cli_line(p, data, len, &pos)) != NULL) {
        apr_size_t size = (apr_size_t)strtoul(line, NULL, 16);
        if (size == 0)
            break;                            /* trailers are ignored */
        if (size > len - pos)
            size = len - pos;
        memcpy(buf + n, data + pos, size);
        n += size;
        pos += size;
        if (pos < len && data[pos] == '\r')
            pos++;
        if (pos < len && data[pos] == '\n')
            pos++;
    }
    buf[n] = '\0';
    *out = buf;
    *out_len = n;
}

static int cli_is_chunked(const cli_msg *m)
{
    const char *te = cli_header(m, "Transfer-Encoding");

    return te != NULL && apr_strnatcasecmp(te, "identity") != 0 && strstr(te, "hunked");
}

/*
 * Splits a raw message: start line (leading empty lines skipped, as httpd
 * does), header lines up to an empty line (continuation lines folded into
 * the previous value), then the body by Transfer-Encoding: chunked, by
 * Content-Length, or up to the end of the data.
 */
static void cli_parse_msg(apr_pool_t *p, const char *data, apr_size_t len, cli_msg *m)
{
    apr_size_t pos = 0;
    const char *cl;
    char *line;

    memset(m, 0, sizeof(*m));
    m->names = apr_array_make(p, 16, sizeof(const char *));
    m->values = apr_array_make(p, 16, sizeof(const char *));
    while ((line = cli_line(p, data, len, &pos)) != NULL && *line == '\0')
        ;
    m->first_line = line ? line : "";
    while ((line = cli_line(p, data, len, &pos)) != NULL
           && !(m->head_complete = *line == '\0')) {
        char *colon, *v, *end;

        if ((*line == ' ' || *line == '\t') && m->values->nelts > 0) {
            const char **last = &APR_ARRAY_IDX(m->values, m->values->nelts - 1, const char *);
            while (*line == ' ' || *line == '\t')
                line++;
            *last = apr_pstrcat(p, *last, " ", line, NULL);
            continue;
        }
        if ((colon = strchr(line, ':')) == NULL)
            continue;                         /* httpd would answer 400 */
        *colon = '\0';
        for (v = colon + 1; *v == ' ' || *v == '\t'; v++)
            ;
        end = v + strlen(v);
        while (end > v && (end[-1] == ' ' || end[-1] == '\t'))
            *--end = '\0';
        *(const char **)apr_array_push(m->names) = line;
        *(const char **)apr_array_push(m->values) = v;
    }

    m->head_len = pos;
    cl = cli_header(m, "Content-Length");
    if (cli_is_chunked(m)) {
        cli_dechunk(p, data + pos, len - pos, &m->body, &m->body_len);
    } else {
        m->body = data + pos;
        m->body_len = len - pos;
        if (cl != NULL) {
            apr_off_t n = apr_atoi64(cl);
            if (n >= 0 && (apr_size_t)n < m->body_len)
                m->body_len = (apr_size_t)n;
        }
    }
}

/*
 * A request file: its head is read and parsed; a body that is not chunked
 * stays in the file (cli_feed_body reads it piece by piece), anything else
 * is read whole as cli_slurp reads it.
 */
static const char *cli_read_request(apr_pool_t *p, const char *path, cli_msg *m)
{
    apr_file_t *fd;
    apr_finfo_t fi;
    apr_status_t rv;
    char *buf, err[256];
    apr_size_t want, got = 0;
    const char *data, *cl, *err_text;

    rv = apr_file_open(&fd, path, APR_FOPEN_READ | APR_FOPEN_BINARY, APR_OS_DEFAULT, p);
    if (rv == APR_SUCCESS)
        rv = apr_file_info_get(&fi, APR_FINFO_SIZE, fd);
    if (rv != APR_SUCCESS)
        return apr_psprintf(p, "%s: %s", path, apr_strerror(rv, err, sizeof(err)));
    if (fi.size > CLI_HEAD_MAX) {
        want = CLI_HEAD_MAX;
        buf = apr_palloc(p, want + 1);
        rv = apr_file_read_full(fd, buf, want, &got);
        if (rv != APR_SUCCESS && rv != APR_EOF)
            return apr_psprintf(p, "%s: %s", path, apr_strerror(rv, err, sizeof(err)));
        buf[got] = '\0';
        cli_parse_msg(p, buf, got, m);
        if (m->head_complete && !cli_is_chunked(m)) {
            m->body = NULL;
            m->body_file = fd;
            m->body_off = (apr_off_t)m->head_len;
            m->body_len = (apr_size_t)(fi.size - m->body_off);
            cl = cli_header(m, "Content-Length");
            if (cl != NULL) {
                apr_off_t n = apr_atoi64(cl);
                if (n >= 0 && (apr_size_t)n < m->body_len)
                    m->body_len = (apr_size_t)n;
            }
            return NULL;
        }
    }
    apr_file_close(fd);
    if ((err_text = cli_slurp(p, path, &data, &got)) != NULL)
        return err_text;
    cli_parse_msg(p, data, got, m);
    return NULL;
}

/* ------------------------------------------------------------------------
 * Filling the transaction
 * --------------------------------------------------------------------- */

/* Splits off a word delimited by white space. */
static const char *cli_word(apr_pool_t *p, const char **s)
{
    const char *start = *s, *end;

    while (*start == ' ' || *start == '\t')
        start++;
    end = start;
    while (*end && *end != ' ' && *end != '\t')
        end++;
    *s = end;
    while (**s == ' ' || **s == '\t')
        (*s)++;
    return apr_pstrmemdup(p, start, (apr_size_t)(end - start));
}

/* 27 characters of mod_unique_id's alphabet (base64 with '@' and '-')
 * from 160 random bits. */
static const char *cli_unique_id(apr_pool_t *p)
{
    static const char alphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789@-";
    static unsigned int counter;
    unsigned char raw[21];
    char *id = apr_palloc(p, 28);
    const char *env = getenv("PALISADE_UNIQUE_ID");
    int i;

    if (env != NULL && *env)
        return env;
    memset(raw, 0, sizeof(raw));
    if (apr_generate_random_bytes(raw, 20) != APR_SUCCESS) {
        apr_time_t now = apr_time_now();
        memcpy(raw, &now, sizeof(now));
        memcpy(raw + 8, &counter, sizeof(counter));
        raw[12] = (unsigned char)getpid();
    }
    counter++;
    for (i = 0; i < 27; i++) {
        int bit = i * 6, byte = bit / 8, shift = bit % 8;
        unsigned v = ((unsigned)raw[byte] << 8 | raw[byte + 1]) >> (10 - shift);
        id[i] = alphabet[v & 63];
    }
    id[27] = '\0';
    return id;
}

/* Host header without port, lower-cased, as httpd puts it in r->hostname. */
static const char *cli_hostname(apr_pool_t *p, const char *host)
{
    char *h, *c;

    if (host == NULL || *host == '\0')
        return CLI_DEFAULT_HOST;
    h = apr_pstrdup(p, host);
    if (*h == '[') {
        if ((c = strchr(h, ']')) != NULL)
            c[1] = '\0';
    } else if ((c = strrchr(h, ':')) != NULL) {
        *c = '\0';
    }
    for (c = h; *c; c++)
        *c = (char)apr_tolower(*c);
    return h;
}

static void cli_fill_request(pl_tx *tx, const cli_msg *m)
{
    apr_pool_t *p = tx->pool;
    const char *rest = m->first_line;
    int i;

    tx->unique_id = cli_unique_id(p);
    tx->remote_addr = CLI_REMOTE_ADDR;
    tx->remote_port = CLI_REMOTE_PORT;
    tx->server_addr = CLI_SERVER_ADDR;
    tx->server_port = CLI_SERVER_PORT;
    tx->request_line = m->first_line;
    tx->method = cli_word(p, &rest);
    tx->uri_raw = cli_word(p, &rest);
    tx->protocol = *rest ? apr_pstrdup(p, rest) : "HTTP/0.9";
    tx->hostname = cli_hostname(p, cli_header(m, "Host"));
    tx->server_name = tx->hostname;
    for (i = 0; i < m->names->nelts; i++)
        pl_tx_add_request_header(tx, APR_ARRAY_IDX(m->names, i, const char *),
                                 APR_ARRAY_IDX(m->values, i, const char *));
}

/* "HTTP/1.1 404 Not Found": protocol, status and httpd's status_line
 * ("404 Not Found"). */
static void cli_fill_response(pl_tx *tx, const cli_msg *m)
{
    apr_pool_t *p = tx->pool;
    const char *rest = m->first_line;
    const char *code;
    int i;

    tx->response_protocol = cli_word(p, &rest);
    code = cli_word(p, &rest);
    tx->status = atoi(code);
    tx->status_line = *rest ? apr_pstrcat(p, code, " ", rest, NULL) : code;
    for (i = 0; i < m->names->nelts; i++)
        pl_tx_add_response_header(tx, APR_ARRAY_IDX(m->names, i, const char *),
                                  APR_ARRAY_IDX(m->values, i, const char *));
}

static const char *cli_reason(int status)
{
    static const struct { int code; const char *text; } reasons[] = {
        { 200, "OK" }, { 301, "Moved Permanently" }, { 302, "Found" },
        { 303, "See Other" }, { 307, "Temporary Redirect" }, { 400, "Bad Request" },
        { 401, "Unauthorized" }, { 403, "Forbidden" }, { 404, "Not Found" },
        { 405, "Method Not Allowed" }, { 413, "Request Entity Too Large" },
        { 500, "Internal Server Error" }, { 501, "Not Implemented" },
        { 502, "Bad Gateway" }, { 503, "Service Unavailable" }, { 0, NULL }
    };
    int i;

    for (i = 0; reasons[i].code != 0; i++)
        if (reasons[i].code == status)
            return reasons[i].text;
    return "";
}

/* The status httpd answers an interception with (as mod_palisade.c):
 * redirects only with 301, 302, 303 or 307, others with a valid status or
 * 403. */
static int cli_intercept_status(const pl_tx *tx)
{
    int status = tx->intercept.status;

    if (tx->intercept.action == PL_DA_REDIRECT)
        return (status == 301 || status == 302 || status == 303 || status == 307)
               ? status : 302;
    return (status >= 100 && status <= 599) ? status : 403;
}

/* ------------------------------------------------------------------------
 * JSON output
 * --------------------------------------------------------------------- */

/* A JSON string; bytes >= 0x80 become \u00XX (each byte one code point,
 * as in latin-1), so any byte string round-trips. */
static void json_str(FILE *out, const char *s, apr_size_t len)
{
    apr_size_t i;

    if (s == NULL) {
        fputs("null", out);
        return;
    }
    fputc('"', out);
    for (i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        switch (c) {
        case '"':  fputs("\\\"", out); break;
        case '\\': fputs("\\\\", out); break;
        case '\n': fputs("\\n", out); break;
        case '\r': fputs("\\r", out); break;
        case '\t': fputs("\\t", out); break;
        default:
            if (c < 0x20 || c >= 0x7f)
                fprintf(out, "\\u%04x", c);
            else
                fputc(c, out);
        }
    }
    fputc('"', out);
}

static void json_cstr(FILE *out, const char *s)
{
    json_str(out, s, s ? strlen(s) : 0);
}

static const char *cli_action_name(int action)
{
    switch (action) {
    case PL_DA_PASS:          return "pass";
    case PL_DA_DENY:          return "deny";
    case PL_DA_DROP:          return "drop";
    case PL_DA_REDIRECT:      return "redirect";
    case PL_DA_PROXY:         return "proxy";
    case PL_DA_ALLOW:         return "allow";
    case PL_DA_ALLOW_PHASE:   return "allow:phase";
    case PL_DA_ALLOW_REQUEST: return "allow:request";
    case PL_DA_BLOCK:         return "block";
    default:                  return "none";
    }
}

static void json_matches(FILE *out, const pl_tx *tx)
{
    int i;

    fputs("\"matches\":[", out);
    for (i = 0; tx->matches != NULL && i < tx->matches->nelts; i++) {
        const pl_match *m = &APR_ARRAY_IDX(tx->matches, i, pl_match);
        fputs(i ? ",{" : "{", out);
        if (m->rule != NULL && m->rule->id != 0)
            fprintf(out, "\"id\":%ld", m->rule->id);
        else
            fputs("\"id\":null", out);
        fprintf(out, ",\"phase\":%d,\"message\":", m->phase);
        json_cstr(out, m->message);
        fprintf(out, ",\"logged\":%s,\"disruptive\":%s}", m->logged ? "true" : "false",
                m->disruptive ? "true" : "false");
    }
    fputc(']', out);
}

static void json_tx(FILE *out, pl_tx *tx)
{
    pl_coll *c = tx->tx_coll;
    int i, n = 0;

    if (c == NULL && tx->colls != NULL)
        c = apr_hash_get(tx->colls, "TX", APR_HASH_KEY_STRING);
    fputs("\"tx\":{", out);
    for (i = 0; c != NULL && c->items != NULL && i < c->items->nelts; i++) {
        const pl_var *v = APR_ARRAY_IDX(c->items, i, const pl_var *);
        if (v == NULL || v->key == NULL)
            continue;
        if (n++)
            fputc(',', out);
        json_cstr(out, v->key);
        fputc(':', out);
        json_str(out, v->value ? v->value : "", v->value ? v->value_len : 0);
    }
    fputc('}', out);
}

static void json_table(FILE *out, const char *name, const apr_table_t *t)
{
    const apr_array_header_t *a = apr_table_elts(t);
    int i;

    fprintf(out, "\"%s\":{", name);
    for (i = 0; i < a->nelts; i++) {
        const apr_table_entry_t *e = &APR_ARRAY_IDX(a, i, apr_table_entry_t);
        if (i)
            fputc(',', out);
        json_cstr(out, e->key);
        fputc(':', out);
        json_cstr(out, e->val);
    }
    fputc('}', out);
}

static void cli_print(FILE *out, pl_tx *tx, const cli_ctx *ctx, const char *file)
{
    const pl_intercept *ic = &tx->intercept;
    int intercepted = ic->action != PL_DA_NONE;
    int i;

    fputc('{', out);
    if (file != NULL) {
        fputs("\"file\":", out);
        json_cstr(out, file);
        fputc(',', out);
    }
    fprintf(out, "\"intercepted\":%s,\"action\":\"%s\"", intercepted ? "true" : "false",
            cli_action_name(intercepted ? ic->action : (tx->allow ? tx->allow : PL_DA_PASS)));
    if (intercepted) {
        fprintf(out, ",\"status\":%d,\"phase\":%d,\"rule_id\":", cli_intercept_status(tx),
                ic->phase);
        if (ic->rule != NULL && ic->rule->id != 0)
            fprintf(out, "%ld", ic->rule->id);
        else
            fputs("null", out);
        if (ic->url != NULL) {
            fputs(",\"url\":", out);
            json_cstr(out, ic->url);
        }
    } else {
        fprintf(out, ",\"status\":%d,\"phase\":null,\"rule_id\":null", tx->status);
    }
    fputs(",\"unique_id\":", out);
    json_cstr(out, tx->unique_id);
    fputc(',', out);
    json_matches(out, tx);
    fputs(",\"log\":[", out);
    for (i = 0; i < ctx->log->nelts; i++) {
        if (i)
            fputc(',', out);
        json_cstr(out, APR_ARRAY_IDX(ctx->log, i, const char *));
    }
    fputs("],", out);
    json_tx(out, tx);
    fputc(',', out);
    json_table(out, "env", ctx->env);
    fputs(",\"request_body\":", out);
    json_str(out, ctx->req_out, ctx->req_out_len);
    fputs(",\"response_body\":", out);
    json_str(out, ctx->resp_out, ctx->resp_out_len);
    fputs("}\n", out);
}

/* ------------------------------------------------------------------------
 * Running one transaction
 *
 * The steps follow mod_palisade.c, so that a transaction gets the same
 * decisions here as behind httpd: who reads the body and when, the body
 * limits, which responses phase 4 inspects.
 * --------------------------------------------------------------------- */

/* A message of the host itself, with the trailer the engine adds. */
static void cli_host_log(pl_tx *tx, const char *text)
{
    const char *uri = tx->path_decoded ? tx->path_decoded : "";

    /* as in the Apache glue: audit log part H, transaction relevant */
    pl_audit_alert(tx, text, -1);
    tx->is_relevant = 1;
    cli_log_error(tx, 1, apr_psprintf(tx->pool,
                  "%s [hostname \"%s\"] [uri \"%s\"] [unique_id \"%s\"]", text,
                  pl_log_escape(tx->pool, tx->hostname, strlen(tx->hostname)),
                  pl_log_escape(tx->pool, uri, strlen(uri)),
                  pl_log_escape(tx->pool, tx->unique_id, strlen(tx->unique_id))));
}

/* ctl-set values win over the configuration (PL_UNSET until then). */
static int cli_reqbody_access(const pl_tx *tx)
{
    if (tx->reqbody_access != PL_UNSET)
        return tx->reqbody_access == 1;
    return tx->cfg->reqbody_access == 1;
}

static int cli_resbody_access(const pl_tx *tx)
{
    if (tx->resbody_access != PL_UNSET)
        return tx->resbody_access == 1;
    return tx->cfg->resbody_access == 1;
}

static apr_off_t cli_limit(apr_off_t tx_value, apr_off_t cfg_value, apr_off_t dflt)
{
    if (tx_value > 0)
        return tx_value;
    return cfg_value > 0 ? cfg_value : dflt;
}

/* Reject applies only when blocking: DetectionOnly processes partially. */
static int cli_limit_rejects(const pl_tx *tx, int action)
{
    return action != PL_LIMIT_PARTIAL && tx->engine == PL_ENGINE_ON;
}

static void cli_intercept(pl_tx *tx, int status, int phase)
{
    tx->intercept.action = PL_DA_DENY;
    tx->intercept.status = status;
    tx->intercept.phase = phase;
    tx->intercept.rule = NULL;
}

/*
 * Feeds the request body in chunks, as httpd's input filter would.
 * Returns 1 when the body limit rejects the request (413).
 */
static int cli_feed_body(pl_tx *tx, const cli_msg *req)
{
    apr_off_t limit = cli_limit(tx->reqbody_limit, tx->cfg->reqbody_limit, CLI_REQBODY_LIMIT);
    int reject = cli_limit_rejects(tx, tx->cfg->reqbody_limit_action);
    const char *cl = cli_header(req, "Content-Length");
    apr_size_t off = 0;
    apr_off_t pos;
    char *buf = NULL;

    if (cl != NULL && apr_atoi64(cl) > limit) {
        cli_host_log(tx, apr_psprintf(tx->pool, "Request body (Content-Length) is larger "
                     "than the configured limit (%" APR_OFF_T_FMT ").", limit));
        if (reject) {
            cli_intercept(tx, 413, 2);
            return 1;
        }
    }
    if (req->body == NULL) {
        /* one buffer for every piece read from the request file */
        buf = apr_palloc(tx->pool, cli_chunk);
        pos = req->body_off;
        if (apr_file_seek(req->body_file, APR_SET, &pos) != APR_SUCCESS)
            return 0;
    }
    while (off < req->body_len) {
        apr_size_t n = req->body_len - off;
        const char *piece = buf;
        apr_status_t rv;

        if (n > cli_chunk)
            n = cli_chunk;
        if (req->body != NULL)
            piece = req->body + off;
        else if (apr_file_read_full(req->body_file, buf, n, &n) != APR_SUCCESS && n == 0)
            break;
        rv = pl_tx_body_append(tx, piece, n);
        if (rv == PL_BODY_NOFILES) {
            /* as the Apache glue: 413 whatever the mode, as 2.9 */
            cli_host_log(tx, apr_psprintf(tx->pool, "Request body no files data length is "
                         "larger than the configured limit (%" APR_OFF_T_FMT ").",
                         tx->cfg->reqbody_nofiles_limit > 0 ? tx->cfg->reqbody_nofiles_limit
                                                            : CLI_NOFILES_LIMIT));
            cli_intercept(tx, 413, 2);
            return 1;
        }
        if (rv == APR_ENOSPC) {
            cli_host_log(tx, apr_psprintf(tx->pool, "Request body is larger than the "
                         "configured limit (%" APR_OFF_T_FMT ").", limit));
            if (reject) {
                cli_intercept(tx, 413, 2);
                return 1;
            }
            break;
        }
        off += n;
    }
    pl_tx_body_done(tx);
    pl_stream_input_ready(tx);
    if (tx->reqbody_error && tx->reqbody_error_msg != NULL)
        cli_host_log(tx, tx->reqbody_error_msg);
    return 0;
}

/* a, b and c (NULL: nothing) one after the other, in p. */
static const char *cli_cat3(apr_pool_t *p, const char *a, apr_size_t an, const char *b,
                            apr_size_t bn, const char *c, apr_size_t cn, apr_size_t *len)
{
    char *out = apr_palloc(p, an + bn + cn + 1);

    if (a != NULL)
        memcpy(out, a, an);
    if (b != NULL)
        memcpy(out + an, b, bn);
    if (c != NULL)
        memcpy(out + an + bn, c, cn);
    out[an + bn + cn] = '\0';
    *len = an + bn + cn;
    return out;
}

/* After phase 2: the body the handler reads, STREAM_INPUT_BODY's rewrite
 * in place of the stored part (as mod_palisade.c replays it). */
static void cli_request_out(pl_tx *tx, const cli_msg *req, cli_ctx *ctx)
{
    apr_size_t n = 0, stored = (apr_size_t)tx->body.length;
    const char *s = pl_stream_input_rewritten(tx, &n);

    if (s != NULL && stored <= req->body_len) {
        ctx->req_out = cli_cat3(tx->pool, s, n, req->body + stored, req->body_len - stored,
                                NULL, 0, &ctx->req_out_len);
        pl_stream_input_forwarded(tx);
    }
}

static int cli_has_body(const cli_msg *req)
{
    const char *cl = cli_header(req, "Content-Length");

    if (cli_header(req, "Transfer-Encoding") != NULL)
        return 1;
    return cl != NULL && apr_atoi64(cl) > 0;
}

/* Does SecResponseBodyMimeType list the response's media type?  Without
 * Content-Type the type is "null", as in ModSecurity. */
static int cli_inspectable_type(const pl_tx *tx, const cli_msg *resp)
{
    const char *ct = cli_header(resp, "Content-Type");
    char *type = "null";

    if (ct != NULL) {
        type = apr_pstrmemdup(tx->pool, ct, strcspn(ct, ";"));
        apr_collapse_spaces(type, type);
        for (char *c = type; *c; c++)
            *c = (char)apr_tolower(*c);
    }
    if (tx->cfg->resbody_mime == NULL)
        return strcmp(type, "text/plain") == 0 || strcmp(type, "text/html") == 0;
    return apr_table_get(tx->cfg->resbody_mime, type) != NULL;
}

/*
 * Phases 3 and 4 on the response.  The body is given to phase 4 only when
 * it is inspected (SecResponseBodyAccess, a listed type, not HEAD), up to
 * SecResponseBodyLimit; otherwise phase 4 sees an empty body.  ctx gets
 * the body the client would receive, injected into and rewritten as by
 * mod_palisade.c, which sees the whole response in one brigade here (so a
 * partial body's append is the one of phases 1-3).
 */
static void cli_response_phases(pl_tx *tx, const cli_msg *resp, cli_ctx *ctx)
{
    const char *pre = NULL, *app = NULL, *body = resp->body, *s;
    apr_size_t pre_n = 0, app_n = 0, body_n = resp->body_len, n = 0;
    int buffered, partial = 0;

    if (tx->engine == PL_ENGINE_OFF)
        return;
    if (pl_run_phase(tx, 3)) {
        ctx->resp_out = NULL;
        return;
    }
    buffered = cli_resbody_access(tx) && strcmp(tx->method, "HEAD") != 0
               && cli_inspectable_type(tx, resp);
    if (tx->allow == PL_DA_ALLOW || tx->engine == PL_ENGINE_OFF) {
        pre = pl_stream_prepend(tx, &pre_n);
        app = pl_stream_append(tx, &app_n);
    } else {
        tx->resp_body = "";
        tx->resp_body_len = 0;
        tx->resp_body_partial = 0;
        if (buffered) {
            apr_off_t limit = cli_limit(tx->resbody_limit, tx->cfg->resbody_limit,
                                        CLI_RESBODY_LIMIT);
            tx->resp_body = resp->body;
            tx->resp_body_len = resp->body_len;
            if ((apr_off_t)resp->body_len > limit) {
                if (cli_limit_rejects(tx, tx->cfg->resbody_limit_action)) {
                    cli_host_log(tx, apr_psprintf(tx->pool, "Output filter: Response body "
                                 "too large (over limit of %" APR_OFF_T_FMT ", total not "
                                 "specified).", limit));
                    cli_intercept(tx, 500, 4);
                    ctx->resp_out = NULL;
                    return;
                }
                tx->resp_body_len = (apr_size_t)limit;
                tx->resp_body_partial = partial = 1;
                app = pl_stream_append(tx, &app_n);
            }
        } else {
            pre = pl_stream_prepend(tx, &pre_n);
            app = pl_stream_append(tx, &app_n);
        }
        pl_stream_output_ready(tx);
        if (pl_run_phase(tx, 4)) {
            ctx->resp_out = NULL;
            return;
        }
        if (buffered) {
            pre = pl_stream_prepend(tx, &pre_n);
            if (!partial) {
                app = pl_stream_append(tx, &app_n);
                if ((s = pl_stream_output_rewritten(tx, &n)) != NULL) {
                    body = s;
                    body_n = n;
                }
                pl_stream_output_forwarded(tx);
            }
        }
    }
    if (pre != NULL || app != NULL || body != resp->body)
        ctx->resp_out = cli_cat3(tx->pool, pre, pre_n, body, body_n, app, app_n,
                                 &ctx->resp_out_len);
}

/* The response when there is no response file: an empty 200 text/html. */
static void cli_default_response(pl_tx *tx, cli_msg *resp)
{
    char line[] = "HTTP/1.1 200 OK";

    memset(resp, 0, sizeof(*resp));
    resp->first_line = apr_pstrdup(tx->pool, line);
    resp->names = apr_array_make(tx->pool, 1, sizeof(const char *));
    resp->values = apr_array_make(tx->pool, 1, sizeof(const char *));
    *(const char **)apr_array_push(resp->names) = "Content-Type";
    *(const char **)apr_array_push(resp->values) = "text/html";
    resp->body = "";
}

/* After an interception in phase 1 or 2, phase 5 sees the error page. */
static void cli_error_response(pl_tx *tx)
{
    int status = cli_intercept_status(tx);

    tx->status = status;
    tx->status_line = apr_psprintf(tx->pool, "%d %s", status, cli_reason(status));
    tx->response_protocol = tx->protocol;
}

/* Phases in httpd's order: 1 after the headers, 2 after the body, 3 and 4
 * on the response unless intercepted before, 5 always. */
static const char *cli_run(apr_pool_t *p, const pl_config *cfg, const char *req_path,
                           const char *resp_path, const char *label)
{
    cli_ctx *ctx = apr_pcalloc(p, sizeof(*ctx));
    const char *data, *err;
    apr_size_t len;
    cli_msg req, resp;
    pl_tx *tx;
    int stop = 0;

    if ((err = cli_read_request(p, req_path, &req)) != NULL)
        return err;
    if (resp_path != NULL) {
        if ((err = cli_slurp(p, resp_path, &data, &len)) != NULL)
            return err;
        cli_parse_msg(p, data, len, &resp);
    }

    ctx->log = apr_array_make(p, 8, sizeof(const char *));
    ctx->env = apr_table_make(p, 4);
    tx = pl_tx_create(p, cfg, &cli_host, ctx);
    cli_fill_request(tx, &req);
    pl_tx_request_ready(tx);
    if (resp_path == NULL)
        cli_default_response(tx, &resp);
    ctx->req_out = cli_has_body(&req) ? req.body : "";
    ctx->req_out_len = cli_has_body(&req) ? req.body_len : 0;
    ctx->resp_out = resp.body;
    ctx->resp_out_len = resp.body_len;

    if (tx->engine != PL_ENGINE_OFF) {
        stop = pl_run_phase(tx, 1);
        if (!stop && tx->engine != PL_ENGINE_OFF) {
            if (cli_reqbody_access(tx) && cli_has_body(&req)
                && tx->allow != PL_DA_ALLOW && tx->allow != PL_DA_ALLOW_REQUEST)
                stop = cli_feed_body(tx, &req);
            if (!stop)
                stop = pl_run_phase(tx, 2);
            if (!stop)
                cli_request_out(tx, &req, ctx);
        }
        if (!stop) {
            cli_fill_response(tx, &resp);
            cli_response_phases(tx, &resp, ctx);
        } else {
            /* no handler: the client gets an error page */
            ctx->req_out = ctx->resp_out = NULL;
            cli_error_response(tx);
        }
        if (tx->engine != PL_ENGINE_OFF) {
            pl_run_phase(tx, 5);
            pl_persist_store(tx);
        }
    } else {
        cli_fill_response(tx, &resp);
    }
    /* the audit log (SecAuditLog of the configuration), whatever the
     * rule engine, as behind httpd */
    tx->bytes_sent = stop ? 0 : (apr_off_t)resp.body_len;
    pl_audit_log(tx);

    cli_print(stdout, tx, ctx, label);
    fflush(stdout);
    return NULL;
}

static int cli_has_suffix(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

static int cli_sort_names(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Every DIR/NAME.req, sorted, with DIR/NAME.resp when it exists. */
static const char *cli_batch(apr_pool_t *p, const pl_config *cfg, const char *dir)
{
    apr_array_header_t *names = apr_array_make(p, 64, sizeof(const char *));
    apr_dir_t *d;
    apr_finfo_t fi;
    apr_status_t rv;
    char err[256];
    int i;

    if ((rv = apr_dir_open(&d, dir, p)) != APR_SUCCESS)
        return apr_psprintf(p, "%s: %s", dir, apr_strerror(rv, err, sizeof(err)));
    while (apr_dir_read(&fi, APR_FINFO_NAME | APR_FINFO_TYPE, d) == APR_SUCCESS)
        if (fi.filetype != APR_DIR && cli_has_suffix(fi.name, ".req"))
            *(const char **)apr_array_push(names) = apr_pstrdup(p, fi.name);
    apr_dir_close(d);
    qsort(names->elts, (size_t)names->nelts, sizeof(const char *), cli_sort_names);

    for (i = 0; i < names->nelts; i++) {
        const char *name = APR_ARRAY_IDX(names, i, const char *);
        const char *req = apr_pstrcat(p, dir, "/", name, NULL);
        const char *resp = apr_pstrcat(p, apr_pstrmemdup(p, req, strlen(req) - 4), ".resp", NULL);
        apr_pool_t *tp;
        const char *e;

        apr_pool_create(&tp, p);
        if (apr_stat(&fi, resp, APR_FINFO_TYPE, tp) != APR_SUCCESS)
            resp = NULL;
        e = cli_run(tp, cfg, req, resp, name);
        if (e != NULL)
            fprintf(stderr, "palisade-cli: %s\n", e);
        apr_pool_destroy(tp);
    }
    return NULL;
}

/* ------------------------------------------------------------------------
 * Main
 * --------------------------------------------------------------------- */

/* -D: one JSON line per record of a persistent collection file, then
 * {"records":N,"unreadable":M}. */
static void cli_dump_record(void *baton, const char *key, apr_size_t klen, const pl_coll *rec)
{
    int *n = baton, i;

    fputs("{\"key\":", stdout);
    json_str(stdout, key, klen);
    fputs(",\"fields\":{", stdout);
    for (i = 0; i < rec->items->nelts; i++) {
        const pl_var *v = APR_ARRAY_IDX(rec->items, i, const pl_var *);
        if (i)
            fputc(',', stdout);
        json_cstr(stdout, v->key);
        fputc(':', stdout);
        json_str(stdout, v->value, v->value_len);
    }
    fputs("}}\n", stdout);
    (*n)++;
}

static int cli_dump(apr_pool_t *p, const char *path)
{
    int records = 0, bad = 0;
    apr_status_t rv = pl_persist_sdbm_walk(p, path, cli_dump_record, &records, &bad);
    char err[256];

    if (rv != APR_SUCCESS) {
        fprintf(stderr, "palisade-cli: %s: %s\n", path, apr_strerror(rv, err, sizeof(err)));
        return CLI_USAGE;
    }
    printf("{\"records\":%d,\"unreadable\":%d}\n", records, bad);
    return CLI_OK;
}

/* SecAuditLog / SecAuditLog2 of the configuration, opened for appending
 * (a piped log "|program" is not supported here). */
static const char *cli_open_audit_logs(apr_pool_t *p, const pl_config *cfg)
{
    const char *names[2];
    int i;

    names[0] = cfg->audit_log;
    names[1] = cfg->audit_log2;
    pl_audit_reset(p);
    for (i = 0; i < 2; i++) {
        apr_file_t *f;
        apr_status_t rv;
        char err[256];

        if (names[i] == NULL)
            continue;
        if (names[i][0] == '|')
            return apr_psprintf(p, "%s: piped audit logs need httpd", names[i]);
        rv = apr_file_open(&f, names[i], APR_FOPEN_WRITE | APR_FOPEN_APPEND | APR_FOPEN_CREATE
                           | APR_FOPEN_BINARY, APR_FPROT_UREAD | APR_FPROT_UWRITE
                           | APR_FPROT_GREAD, p);
        if (rv != APR_SUCCESS)
            return apr_psprintf(p, "Failed to open the audit log file: %s: %s", names[i],
                                apr_strerror(rv, err, sizeof(err)));
        pl_audit_add_target(names[i], f, 0);
    }
    return NULL;
}

static int cli_usage(void)
{
    fputs("usage: palisade-cli [-c CONFIG]... [-v LEVEL] [-b BYTES] REQUEST_FILE [RESPONSE_FILE]\n"
          "       palisade-cli [-c CONFIG]... [-v LEVEL] [-b BYTES] -d DIR\n"
          "       palisade-cli -t -c CONFIG...\n"
          "       palisade-cli -D DATADIR/USER-COLLECTION\n", stderr);
    return CLI_USAGE;
}

static int cli_main(apr_pool_t *pconf, int argc, char **argv)
{
    const char *configs[CLI_MAX_CONFIGS];
    const char *batch_dir = NULL, *err;
    int nconfigs = 0, check_only = 0, level = -1, opt, i;
    apr_pool_t *ptemp, *ptx;
    pl_config *cfg;
    pl_cmd cmd;

    while ((opt = getopt(argc, argv, "c:v:b:d:D:th")) != -1) {
        switch (opt) {
        case 'c':
            if (nconfigs == CLI_MAX_CONFIGS)
                return cli_usage();
            configs[nconfigs++] = optarg;
            break;
        case 'v': level = atoi(optarg); break;
        case 'b':
            if (atol(optarg) <= 0)
                return cli_usage();
            cli_chunk = (apr_size_t)atol(optarg);
            break;
        case 'd': batch_dir = optarg; break;
        case 'D': return cli_dump(pconf, optarg);
        case 't': check_only = 1; break;
        default:  return cli_usage();
        }
    }
    if (check_only ? (nconfigs == 0 || optind != argc)
                   : (batch_dir ? optind != argc : (argc - optind < 1 || argc - optind > 2)))
        return cli_usage();

    apr_pool_create(&ptemp, pconf);
    cfg = pl_config_create(pconf);
    memset(&cmd, 0, sizeof(cmd));
    cmd.pool = pconf;
    cmd.temp_pool = ptemp;
    cmd.cfg = cfg;
    cmd.server_level = 1;
    for (i = 0; i < nconfigs; i++) {
        if ((err = pl_conf_read_file(&cmd, configs[i])) != NULL) {
            fprintf(stderr, "%s\n", err);
            return check_only ? CLI_CHECK_FAILED : CLI_USAGE;
        }
    }
    apr_pool_destroy(ptemp);
    if (check_only) {
        puts("Syntax OK");
        return CLI_OK;
    }
    if (level >= 0) {
        cfg->debug_log_level = level;
        apr_file_open_stderr(&cfg->debug_log, pconf);
    }
    if ((err = cli_open_audit_logs(pconf, cfg)) != NULL) {
        fprintf(stderr, "palisade-cli: %s\n", err);
        return CLI_USAGE;
    }

    if (batch_dir != NULL)
        err = cli_batch(pconf, cfg, batch_dir);
    else {
        apr_pool_create(&ptx, pconf);
        err = cli_run(ptx, cfg, argv[optind], optind + 1 < argc ? argv[optind + 1] : NULL, NULL);
    }
    if (err != NULL) {
        fprintf(stderr, "palisade-cli: %s\n", err);
        return CLI_USAGE;
    }
    return CLI_OK;
}

int main(int argc, char **argv)
{
    apr_pool_t *pconf;
    int rc;

    if (apr_app_initialize(&argc, (const char *const **)&argv, NULL) != APR_SUCCESS) {
        fputs("palisade-cli: cannot initialise APR\n", stderr);
        return CLI_USAGE;
    }
    apr_pool_create(&pconf, NULL);
    /* a collection store that went away must not kill the tool */
    apr_signal(SIGPIPE, SIG_IGN);
    pl_persist_child_init(pconf);
    rc = cli_main(pconf, argc, argv);
    apr_pool_destroy(pconf);
    apr_terminate();
    return rc;
}
