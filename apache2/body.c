/*
 * Request body: storage (memory chunks up to SecRequestBodyInMemoryLimit,
 * then a spool file under SecTmpDir) and the body processors that turn it
 * into variables before phase 2.
 *
 *   URLENCODED  ARGS_POST (pl_tx_parse_args), REQUEST_BODY
 *   MULTIPART   ARGS_POST, FILES*, MULTIPART_* flags; a tolerant parser for
 *               now, with 2.9's Content-Type checks and error texts
 *   JSON        ARGS named as 2.9's msc_json.c names them (not ARGS_POST);
 *               the parser follows yajl's grammar and error texts
 *   XML         a libxml2 document in tx->xml_doc for the XML variable
 *
 * As in 2.9 a processor runs only when no request body error was raised
 * before (SecArgumentsLimit in the query string), and REQUEST_BODY exists
 * for URLENCODED or when ctl:forceRequestBodyVariable asked for it.
 */
#include <ctype.h>
#include <limits.h>
#include <stddef.h>
#include <unistd.h>
#include <sys/uio.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include "palisade.h"

/* ------------------------------------------------------------------------
 * Constants: ModSecurity 2.9 defaults for settings left PL_UNSET
 * --------------------------------------------------------------------- */

#define DEFAULT_REQBODY_LIMIT    134217728
#define DEFAULT_INMEM_LIMIT      131072
#define DEFAULT_ARGS_LIMIT       1000
#define DEFAULT_JSON_DEPTH       10000
#define DEFAULT_UPLOAD_FILES     100
#define DEFAULT_TMP_DIR          "/tmp"

#define ARGS_LIMIT_MSG           "SecArgumentsLimit exceeded"
#define MP_BOUNDARY_MAX          70      /* RFC 2046 */
#define MP_CT_MAX                1024    /* 2.9 rejects longer Content-Types */

/* ------------------------------------------------------------------------
 * Types
 * --------------------------------------------------------------------- */

/* Multipart anomaly flags, published as the MULTIPART_* variables. */
typedef struct mp_flags {
    int error, boundary_quoted, boundary_whitespace, data_before, data_after,
        header_folding, lf_line, crlf_line, missing_semicolon, invalid_quoting,
        invalid_part, invalid_header_folding, file_limit_exceeded,
        unmatched_boundary;
} mp_flags;

typedef struct mp_part {
    apr_array_header_t *headers;      /* char*: header lines as received */
    const char *name, *filename;
    const char *data;
    apr_size_t  len;
} mp_part;

/* The JSON parser's tokens (yajl's lexer). */
enum json_tok {
    JT_EOF, JT_ERROR, JT_LBRACE, JT_RBRACE, JT_LBRACK, JT_RBRACK, JT_COMMA,
    JT_COLON, JT_STRING, JT_NUMBER, JT_TRUE, JT_FALSE, JT_NULL
};

/* Parser states (yajl's). */
enum json_state {
    JS_START, JS_COMPLETE, JS_MAP_START, JS_MAP_NEED_KEY, JS_MAP_SEP,
    JS_MAP_NEED_VAL, JS_MAP_GOT_VAL, JS_ARRAY_START, JS_ARRAY_NEED_VAL,
    JS_ARRAY_GOT_VAL
};

typedef struct json_parser {
    pl_tx      *tx;
    const char *s;          /* the body followed by one space: yajl feeds a
                             * space when the parse is completed */
    apr_size_t  len;        /* body length; bytes from len on are "late" */
    apr_size_t  pos;
    /* current token */
    const char *tok;
    apr_size_t  tok_len;
    int         tok_escapes, tok_late;
    /* argument naming, kept as msc_json.c keeps it */
    const char *prefix, *key;
    long        depth, depth_limit;
    int         depth_exceeded;
    /* outcome */
    const char *err;        /* "parse error: ..." / "lexical error: ..." */
    int         err_late;   /* found only when completing the parse */
} json_parser;

/* ------------------------------------------------------------------------
 * Static functions: settings
 * --------------------------------------------------------------------- */

static apr_off_t reqbody_limit(const pl_tx *tx)
{
    if (tx->reqbody_limit > 0)
        return tx->reqbody_limit;
    return tx->cfg && tx->cfg->reqbody_limit > 0 ? tx->cfg->reqbody_limit
                                                  : DEFAULT_REQBODY_LIMIT;
}

static apr_off_t inmem_limit(const pl_tx *tx)
{
    return tx->cfg && tx->cfg->reqbody_inmem_limit > 0 ? tx->cfg->reqbody_inmem_limit
                                                        : DEFAULT_INMEM_LIMIT;
}

static long args_limit(const pl_tx *tx)
{
    return tx->cfg && tx->cfg->args_limit > 0 ? tx->cfg->args_limit : DEFAULT_ARGS_LIMIT;
}

static long json_depth_limit(const pl_tx *tx)
{
    return tx->cfg && tx->cfg->json_depth_limit > 0 ? tx->cfg->json_depth_limit
                                                     : DEFAULT_JSON_DEPTH;
}

static int upload_file_limit(const pl_tx *tx)
{
    return tx->cfg && tx->cfg->upload_file_limit >= 0 ? tx->cfg->upload_file_limit
                                                       : DEFAULT_UPLOAD_FILES;
}

static const char *tmp_dir(const pl_tx *tx)
{
    return tx->cfg && tx->cfg->tmp_dir ? tx->cfg->tmp_dir : DEFAULT_TMP_DIR;
}

static int args_count(const pl_tx *tx)
{
    return tx->args_get->items->nelts + tx->args_post->items->nelts
         + tx->args_json->items->nelts;
}

static const char *request_header(const pl_tx *tx, const char *name)
{
    int i;

    for (i = 0; i < tx->req_headers->nelts; i++) {
        const pl_var *h = APR_ARRAY_IDX(tx->req_headers, i, const pl_var *);
        if (strcasecmp(h->key, name) == 0)
            return h->value;
    }
    return NULL;
}

static void body_error(pl_tx *tx, const char *msg)
{
    tx->reqbody_error = 1;
    tx->reqbody_error_msg = msg;
    pl_debug(tx, 4, "%s", msg);
}

/* ------------------------------------------------------------------------
 * Static functions: storage
 * --------------------------------------------------------------------- */

/* The spool file goes with the transaction (it is also opened with
 * APR_FOPEN_DELONCLOSE; this covers a file closed elsewhere). */
static apr_status_t remove_spool(void *path)
{
    unlink(path);
    return APR_SUCCESS;
}

static apr_status_t write_all(apr_file_t *f, const char *data, apr_size_t len)
{
    apr_size_t written;

    return apr_file_write_full(f, data, len, &written);
}

/* Moves what is in memory to a new spool file; memory chunks stay in the
 * pool until the transaction ends. */
static apr_status_t spill(pl_tx *tx)
{
    pl_body *b = &tx->body;
    char *path = apr_pstrcat(tx->pool, tmp_dir(tx), "/palisade-reqbody-XXXXXX", NULL);
    apr_status_t rv;
    int i;

    rv = apr_file_mktemp(&b->spool, path, APR_FOPEN_CREATE | APR_FOPEN_READ
                         | APR_FOPEN_WRITE | APR_FOPEN_EXCL | APR_FOPEN_BINARY
                         | APR_FOPEN_DELONCLOSE, tx->pool);
    if (rv != APR_SUCCESS) {
        b->spool = NULL;
        pl_debug(tx, 1, "Input filter: Failed to create temporary file: %s", path);
        return rv;
    }
    b->spool_path = path;
    apr_pool_cleanup_register(tx->pool, path, remove_spool, apr_pool_cleanup_null);
    pl_debug(tx, 4, "Input filter: Created temporary file to store request body: %s", path);
    for (i = 0; i < b->chunks->nelts && rv == APR_SUCCESS; i++) {
        const struct iovec *v = &APR_ARRAY_IDX(b->chunks, i, struct iovec);
        rv = write_all(b->spool, v->iov_base, v->iov_len);
    }
    b->chunks->nelts = 0;
    return rv;
}

static apr_status_t store(pl_tx *tx, const char *data, apr_size_t len)
{
    pl_body *b = &tx->body;
    struct iovec *v;

    if (len == 0)
        return APR_SUCCESS;
    if (b->spool == NULL && b->length + (apr_off_t)len > inmem_limit(tx)) {
        pl_debug(tx, 4, "Input filter: Request too large to store in memory, switching to disk.");
        /* without a spool file the body stays in memory */
        spill(tx);
    }
    b->length += len;
    b->flat = NULL;
    if (b->spool != NULL)
        return write_all(b->spool, data, len);
    v = apr_array_push(b->chunks);
    v->iov_base = apr_pmemdup(tx->pool, data, len);
    v->iov_len = len;
    return APR_SUCCESS;
}

static char *read_spool(pl_tx *tx)
{
    pl_body *b = &tx->body;
    char *buf = apr_palloc(tx->pool, (apr_size_t)b->length + 1);
    apr_off_t off = 0;
    apr_size_t got = 0;

    if (apr_file_seek(b->spool, APR_SET, &off) != APR_SUCCESS
            || apr_file_read_full(b->spool, buf, (apr_size_t)b->length, &got) != APR_SUCCESS)
        pl_debug(tx, 1, "Failed to read the request body from %s", b->spool_path);
    buf[got] = '\0';
    off = 0;
    apr_file_seek(b->spool, APR_END, &off);
    return buf;
}

/* ------------------------------------------------------------------------
 * Static functions: processor choice
 * --------------------------------------------------------------------- */

/* Canonical spelling of a processor name from ctl:requestBodyProcessor. */
static const char *canonical_processor(const char *name)
{
    static const char *const known[] = { "URLENCODED", "MULTIPART", "XML", "JSON" };
    apr_size_t i;

    for (i = 0; i < sizeof(known) / sizeof(known[0]); i++)
        if (strcasecmp(name, known[i]) == 0)
            return known[i];
    return name;
}

static const char *choose_processor(const pl_tx *tx)
{
    return tx->ctl_reqbody_processor ? canonical_processor(tx->ctl_reqbody_processor)
                                     : tx->reqbody_processor;
}

/* ------------------------------------------------------------------------
 * Static functions: MULTIPART
 * --------------------------------------------------------------------- */

static int bchar(int c)
{
    return isalnum(c) || (c != '\0' && strchr("'()+_,-./:=? ", c) != NULL);
}

/* RFC 2046 boundary characters, no trailing space, 1 to 70 of them. */
static int valid_boundary(const char *b)
{
    apr_size_t n = strlen(b), i;

    if (n < 1 || n > MP_BOUNDARY_MAX || b[n - 1] == ' ')
        return 0;
    for (i = 0; i < n; i++)
        if (!bchar((unsigned char)b[i]))
            return 0;
    return 1;
}

static int count_ci(const char *s, const char *word)
{
    apr_size_t wl = strlen(word);
    int n = 0;

    for (; *s; s++)
        if (strncasecmp(s, word, wl) == 0)
            n++;
    return n;
}

/*
 * The boundary from Content-Type, with 2.9's checks and messages: the
 * parameter runs to the end of the header, may be quoted, and one ';'
 * (only) may precede it.  Returns NULL and *err on a fatal problem.
 */
static const char *mp_boundary(pl_tx *tx, mp_flags *f, const char **err)
{
    const char *ct = request_header(tx, "Content-Type"), *b, *p, *eq;
    int semicolon = 0;
    apr_size_t n;

    *err = NULL;
    if (ct == NULL)
        return *err = "Multipart: Content-Type header not available.", NULL;
    if (strlen(ct) > MP_CT_MAX)
        return *err = "Multipart: Invalid boundary in C-T (length).", NULL;
    if (strncasecmp(ct, "multipart/form-data", 19) != 0)
        return *err = "Multipart: Invalid MIME type.", NULL;
    if (count_ci(ct, "boundary") > 1)
        return *err = "Multipart: Multiple boundary parameters in C-T.", NULL;
    if ((b = strstr(ct, "boundary")) == NULL)
        return *err = "Multipart: Boundary not found in C-T.", NULL;
    for (p = ct + 19; p < b; p++) {
        if (isspace((unsigned char)*p))
            continue;
        if (*p != ';' || semicolon)
            return *err = "Multipart: Invalid boundary in C-T (malformed).", NULL;
        semicolon = 1;
    }
    if (!semicolon)
        f->missing_semicolon = 1;
    if ((eq = strchr(b + 8, '=')) == NULL)
        return *err = "Multipart: Invalid boundary in C-T (malformed).", NULL;
    for (p = b + 8; p < eq; p++) {
        if (!isspace((unsigned char)*p))
            return *err = "Multipart: Invalid boundary in C-T (parameter name).", NULL;
        f->boundary_whitespace = 1;
    }
    b = eq + 1;
    n = strlen(b);
    if (isspace((unsigned char)*b))
        f->boundary_whitespace = 1;
    if (n >= 2 && b[0] == '"' && b[n - 1] == '"') {
        f->boundary_quoted = 1;
        b = apr_pstrmemdup(tx->pool, b + 1, n - 2);
    } else if (b[0] == '"' || (n >= 2 && b[n - 1] == '"')) {
        return *err = "Multipart: Invalid boundary in C-T (quote).", NULL;
    }
    if (count_ci(b, "boundary") != 0)
        return *err = "Multipart: Invalid boundary in C-T (content).", NULL;
    if (!valid_boundary(b))
        return *err = "Multipart: Invalid boundary in C-T (characters).", NULL;
    return b;
}

/* One line of buf from pos: [pos, *end) without its terminator. */
static void mp_line(const char *buf, apr_size_t len, apr_size_t pos,
                    apr_size_t *end, apr_size_t *next, int *term)
{
    const char *nl = memchr(buf + pos, '\n', len - pos);

    if (nl == NULL) {
        *end = *next = len;
        *term = 0;                  /* none */
        return;
    }
    *next = nl - buf + 1;
    *end = nl - buf;
    if (*end > pos && buf[*end - 1] == '\r') {
        (*end)--;
        *term = 2;                  /* CRLF */
    } else {
        *term = 1;                  /* LF */
    }
}

static void mp_note_term(mp_flags *f, int term)
{
    if (term == 2) f->crlf_line = 1;
    if (term == 1) f->lf_line = 1;
}

/* 0: not a boundary line, 1: boundary, 2: final boundary. */
static int mp_is_boundary(const char *line, apr_size_t n, const char *b, apr_size_t bl,
                          mp_flags *f)
{
    apr_size_t i;

    if (n < bl + 2 || line[0] != '-' || line[1] != '-' || memcmp(line + 2, b, bl) != 0)
        return 0;
    i = bl + 2;
    if (n - i >= 2 && line[i] == '-' && line[i + 1] == '-')
        return 2;
    for (; i < n; i++) {
        if (line[i] != ' ' && line[i] != '\t') {
            f->unmatched_boundary = 1;
            return 0;
        }
    }
    return 1;
}

/* A Content-Disposition parameter value: quoted (with \" and \\) or a
 * token.  Single quotes and other escapes are flagged as invalid quoting. */
static const char *mp_param_value(apr_pool_t *p, const char **s, mp_flags *f)
{
    const char *in = *s;
    char *out, *d;

    if (*in != '"') {
        const char *start = in;
        if (*in == '\'')
            f->invalid_quoting = 1;
        while (*in && *in != ';' && !isspace((unsigned char)*in))
            in++;
        *s = in;
        return apr_pstrmemdup(p, start, in - start);
    }
    out = d = apr_palloc(p, strlen(in) + 1);
    for (in++; *in && *in != '"'; in++) {
        if (*in == '\\' && (in[1] == '"' || in[1] == '\\'))
            in++;
        else if (*in == '\\')
            f->invalid_quoting = 1;
        *d++ = *in;
    }
    *d = '\0';
    if (*in == '"')
        in++;
    else
        f->invalid_quoting = 1;
    *s = in;
    return out;
}

/* Fills part->name and part->filename from "form-data; name=...". */
static int mp_disposition(apr_pool_t *p, const char *v, mp_part *part, mp_flags *f)
{
    int first = 1;

    while (isspace((unsigned char)*v))
        v++;
    if (strncasecmp(v, "form-data", 9) != 0)
        return 0;
    v += 9;
    for (;;) {
        const char *name, *val;
        apr_size_t nl;

        while (isspace((unsigned char)*v))
            v++;
        if (*v == '\0')
            break;
        if (*v == ';')
            v++;
        else if (!first || *v != ';')
            f->missing_semicolon = 1;
        first = 0;
        while (isspace((unsigned char)*v))
            v++;
        name = v;
        while (*v && *v != '=' && *v != ';' && !isspace((unsigned char)*v))
            v++;
        nl = v - name;
        while (isspace((unsigned char)*v))
            v++;
        if (*v != '=')
            continue;
        v++;
        while (isspace((unsigned char)*v))
            v++;
        val = mp_param_value(p, &v, f);
        if (nl == 4 && strncasecmp(name, "name", 4) == 0)
            part->name = val;
        else if (nl == 8 && strncasecmp(name, "filename", 8) == 0)
            part->filename = val;
    }
    return 1;
}

static int mp_header(const mp_part *part, const char *name, const char **value)
{
    apr_size_t nl = strlen(name);
    int i;

    for (i = 0; i < part->headers->nelts; i++) {
        const char *h = APR_ARRAY_IDX(part->headers, i, const char *);
        if (strncasecmp(h, name, nl) == 0 && h[nl] == ':') {
            *value = h + nl + 1;
            return 1;
        }
    }
    return 0;
}

/* Header lines of a part; folded lines are joined to the one above. */
static void mp_add_header(pl_tx *tx, mp_part *part, const char *line, apr_size_t n,
                          mp_flags *f)
{
    char **last;

    if (line[0] == ' ' || line[0] == '\t') {
        f->header_folding = 1;
        if (part->headers->nelts == 0) {
            f->invalid_header_folding = 1;
            return;
        }
        last = &APR_ARRAY_IDX(part->headers, part->headers->nelts - 1, char *);
        *last = apr_pstrcat(tx->pool, *last, apr_pstrmemdup(tx->pool, line, n), NULL);
        return;
    }
    APR_ARRAY_PUSH(part->headers, char *) = apr_pstrmemdup(tx->pool, line, n);
}

/* Splits the body into parts; returns NULL or 2.9's error text. */
static const char *mp_split(pl_tx *tx, const char *buf, apr_size_t len, const char *b,
                            apr_array_header_t *parts, mp_flags *f)
{
    enum { PREAMBLE, HEADERS, DATA, DONE } st = PREAMBLE;
    apr_size_t bl = strlen(b), pos = 0, data_start = 0;
    mp_part *part = NULL;

    while (pos < len && st != DONE) {
        apr_size_t end, next;
        int term, kind = 0;

        mp_line(buf, len, pos, &end, &next, &term);
        kind = mp_is_boundary(buf + pos, end - pos, b, bl, f);
        if (kind) {
            mp_note_term(f, term);
            if (st == HEADERS) {
                f->invalid_part = 1;        /* headers never ended */
                part->data = "";
            } else if (st == DATA) {
                /* the line break before the boundary belongs to it */
                apr_size_t dend = pos >= 2 && buf[pos - 2] == '\r' ? pos - 2 : pos - 1;
                part->data = buf + data_start;
                part->len = dend > data_start ? dend - data_start : 0;
            } else if (st == PREAMBLE && pos > 0) {
                f->data_before = 1;
            }
            if (kind == 2) {
                st = DONE;
                if (next < len)
                    f->data_after = 1;
            } else {
                part = apr_array_push(parts);
                memset(part, 0, sizeof(*part));
                part->headers = apr_array_make(tx->pool, 4, sizeof(char *));
                st = HEADERS;
            }
        } else if (st == HEADERS) {
            mp_note_term(f, term);
            if (end == pos) {
                st = DATA;
                data_start = next;
            } else {
                mp_add_header(tx, part, buf + pos, end - pos, f);
            }
        }
        pos = next;
    }
    if (st != DONE)
        return "Multipart: Final boundary missing.";
    return NULL;
}

static void mp_add_arg(pl_tx *tx, const mp_part *part)
{
    pl_debug(tx, 5, "Adding request argument (BODY): name \"%s\", value \"%s\"",
             pl_log_escape(tx->pool, part->name, strlen(part->name)),
             pl_log_escape(tx->pool, part->data, part->len));
    if (args_count(tx) >= args_limit(tx)) {
        body_error(tx, ARGS_LIMIT_MSG);
        return;
    }
    pl_coll_set(tx->args_post, part->name, apr_pstrmemdup(tx->pool, part->data, part->len),
                part->len);
}

static void mp_add_file(pl_tx *tx, const mp_part *part, int *files, mp_flags *f)
{
    const char *size = apr_psprintf(tx->pool, "%" APR_SIZE_T_FMT, part->len);

    if (++*files > upload_file_limit(tx))
        f->file_limit_exceeded = 1;
    pl_coll_set(tx->files, part->name, part->filename, strlen(part->filename));
    pl_coll_set(tx->files_names, part->name, part->name, strlen(part->name));
    pl_coll_set(tx->files_sizes, part->name, size, strlen(size));
    apr_hash_set(tx->multipart_flags, "MULTIPART_FILENAME", APR_HASH_KEY_STRING,
                 part->filename);
}

/* Publishes the parts: arguments, files, part headers. */
static void mp_commit(pl_tx *tx, apr_array_header_t *parts, mp_flags *f)
{
    int i, j, files = 0;

    for (i = 0; i < parts->nelts; i++) {
        mp_part *part = &APR_ARRAY_IDX(parts, i, mp_part);
        const char *cd;

        if (!mp_header(part, "Content-Disposition", &cd)
                || !mp_disposition(tx->pool, cd, part, f) || part->name == NULL) {
            f->invalid_part = 1;
            continue;
        }
        apr_hash_set(tx->multipart_flags, "MULTIPART_NAME", APR_HASH_KEY_STRING, part->name);
        for (j = 0; j < part->headers->nelts; j++) {
            const char *h = APR_ARRAY_IDX(part->headers, j, const char *);
            pl_coll_set(tx->multipart_part_headers, part->name, h, strlen(h));
        }
        if (part->filename != NULL)
            mp_add_file(tx, part, &files, f);
        else if (!tx->reqbody_error)
            mp_add_arg(tx, part);
    }
}

static void mp_publish_flags(pl_tx *tx, const mp_flags *f)
{
    static const struct { const char *name; size_t off; } rows[] = {
        { "MULTIPART_BOUNDARY_QUOTED",        offsetof(mp_flags, boundary_quoted) },
        { "MULTIPART_BOUNDARY_WHITESPACE",    offsetof(mp_flags, boundary_whitespace) },
        { "MULTIPART_DATA_BEFORE",            offsetof(mp_flags, data_before) },
        { "MULTIPART_DATA_AFTER",             offsetof(mp_flags, data_after) },
        { "MULTIPART_HEADER_FOLDING",         offsetof(mp_flags, header_folding) },
        { "MULTIPART_LF_LINE",                offsetof(mp_flags, lf_line) },
        { "MULTIPART_CRLF_LINE",              offsetof(mp_flags, crlf_line) },
        { "MULTIPART_MISSING_SEMICOLON",      offsetof(mp_flags, missing_semicolon) },
        { "MULTIPART_INVALID_QUOTING",        offsetof(mp_flags, invalid_quoting) },
        { "MULTIPART_INVALID_PART",           offsetof(mp_flags, invalid_part) },
        { "MULTIPART_INVALID_HEADER_FOLDING", offsetof(mp_flags, invalid_header_folding) },
        { "MULTIPART_FILE_LIMIT_EXCEEDED",    offsetof(mp_flags, file_limit_exceeded) },
        { "MULTIPART_UNMATCHED_BOUNDARY",     offsetof(mp_flags, unmatched_boundary) },
    };
    apr_size_t i;
    /* 2.9's umbrella flag: every anomaly but CRLF lines and an unmatched
     * boundary */
    int strict = f->error || f->boundary_quoted || f->boundary_whitespace
              || f->data_before || f->data_after || f->header_folding || f->lf_line
              || f->missing_semicolon || f->invalid_quoting || f->invalid_part
              || f->invalid_header_folding || f->file_limit_exceeded;

    for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        int on = *(const int *)((const char *)f + rows[i].off);
        apr_hash_set(tx->multipart_flags, rows[i].name, APR_HASH_KEY_STRING, on ? "1" : "0");
    }
    apr_hash_set(tx->multipart_flags, "MULTIPART_CRLF_LF_LINES", APR_HASH_KEY_STRING,
                 f->lf_line && f->crlf_line ? "1" : "0");
    apr_hash_set(tx->multipart_flags, "MULTIPART_STRICT_ERROR", APR_HASH_KEY_STRING,
                 strict ? "1" : "0");
}

static void run_multipart(pl_tx *tx, const char *buf, apr_size_t len)
{
    mp_flags f;
    const char *b, *err;
    apr_array_header_t *parts = apr_array_make(tx->pool, 8, sizeof(mp_part));

    memset(&f, 0, sizeof(f));
    if ((b = mp_boundary(tx, &f, &err)) == NULL) {
        f.error = 1;
        body_error(tx, err);
    } else if ((err = mp_split(tx, buf, len, b, parts, &f)) != NULL) {
        /* as in 2.9 nothing of a body without its final boundary is used */
        f.error = 1;
        body_error(tx, apr_pstrcat(tx->pool, "Multipart parsing error: ", err, NULL));
    } else {
        mp_commit(tx, parts, &f);
    }
    mp_publish_flags(tx, &f);
}

/* ------------------------------------------------------------------------
 * Static functions: JSON lexer (yajl's rules and messages)
 * --------------------------------------------------------------------- */

static int json_hex(int c)
{
    return isxdigit(c);
}

/* Valid UTF-8 as yajl checks it: lead byte and continuation bytes only. */
static int json_utf8(json_parser *jp, apr_size_t *i, apr_size_t end)
{
    unsigned char c = (unsigned char)jp->s[*i];
    int more = (c >> 5) == 0x6 ? 1 : (c >> 4) == 0xe ? 2 : (c >> 3) == 0x1e ? 3 : -1;

    if (more < 0)
        return -1;
    while (more-- > 0) {
        if (++*i >= end)
            return 0;               /* runs past the data: incomplete */
        if (((unsigned char)jp->s[*i] >> 6) != 0x2)
            return -1;
    }
    return 1;
}

static enum json_tok json_lex_error(json_parser *jp, apr_size_t at, const char *msg)
{
    jp->err = apr_pstrcat(jp->tx->pool, "lexical error: ", msg, "\n", NULL);
    jp->err_late = at >= jp->len;
    return JT_ERROR;
}

static enum json_tok json_lex_string(json_parser *jp, apr_size_t start, apr_size_t end)
{
    apr_size_t i = start + 1;

    jp->tok_escapes = 0;
    for (; i < end; i++) {
        unsigned char c = (unsigned char)jp->s[i];
        if (c == '"') {
            jp->tok = jp->s + start + 1;
            jp->tok_len = i - start - 1;
            jp->pos = i + 1;
            return JT_STRING;
        }
        if (c == '\\') {
            jp->tok_escapes = 1;
            if (++i >= end)
                break;
            c = (unsigned char)jp->s[i];
            if (c == 'u') {
                int k;
                for (k = 0; k < 4; k++) {
                    if (++i >= end)
                        return JT_EOF;
                    if (!json_hex((unsigned char)jp->s[i]))
                        return json_lex_error(jp, i, "invalid (non-hex) character "
                                              "occurs after '\\u' inside string.");
                }
            } else if (strchr("\"\\/bfnrt", c) == NULL || c == '\0') {
                return json_lex_error(jp, i, "inside a string, '\\' occurs before "
                                      "a character which it may not.");
            }
        } else if (c < 0x20) {
            return json_lex_error(jp, i, "invalid character inside string.");
        } else if (c >= 0x80) {
            int rc = json_utf8(jp, &i, end);
            if (rc == 0)
                break;
            if (rc < 0)
                return json_lex_error(jp, i, "invalid bytes in UTF8 string.");
        }
    }
    return JT_EOF;                  /* unterminated: yajl waits for more */
}

static enum json_tok json_lex_number(json_parser *jp, apr_size_t start, apr_size_t end)
{
    apr_size_t i = start;
    const char *s = jp->s;

#define NUM_EOF() do { if (i >= end) return JT_EOF; } while (0)
    if (s[i] == '-') {
        i++;
        NUM_EOF();
    }
    if (s[i] == '0') {
        i++;
    } else if (s[i] >= '1' && s[i] <= '9') {
        while (i < end && isdigit((unsigned char)s[i]))
            i++;
    } else {
        return json_lex_error(jp, i, "malformed number, a digit is required after "
                              "the minus sign.");
    }
    NUM_EOF();
    if (s[i] == '.') {
        i++;
        NUM_EOF();
        if (!isdigit((unsigned char)s[i]))
            return json_lex_error(jp, i, "malformed number, a digit is required after "
                                  "the decimal point.");
        while (i < end && isdigit((unsigned char)s[i]))
            i++;
        NUM_EOF();
    }
    if (s[i] == 'e' || s[i] == 'E') {
        i++;
        NUM_EOF();
        if (s[i] == '+' || s[i] == '-')
            i++;
        NUM_EOF();
        if (!isdigit((unsigned char)s[i]))
            return json_lex_error(jp, i, "malformed number, a digit is required after "
                                  "the exponent.");
        while (i < end && isdigit((unsigned char)s[i]))
            i++;
        NUM_EOF();
    }
#undef NUM_EOF
    jp->tok = s + start;
    jp->tok_len = i - start;
    jp->tok_late = i >= jp->len;     /* its end was seen only with the space */
    jp->pos = i;
    return JT_NUMBER;
}

static enum json_tok json_lex_word(json_parser *jp, apr_size_t start, apr_size_t end,
                                   const char *word, enum json_tok tok)
{
    apr_size_t i, n = strlen(word);

    for (i = 1; i < n; i++) {
        if (start + i >= end)
            return JT_EOF;
        if (jp->s[start + i] != word[i])
            return json_lex_error(jp, start + i, "invalid string in json text.");
    }
    jp->tok = jp->s + start;
    jp->tok_len = n;
    jp->tok_late = start + n > jp->len;
    jp->pos = start + n;
    return tok;
}

/* Next token over body + one space; JT_EOF past the end. */
static enum json_tok json_lex(json_parser *jp)
{
    apr_size_t end = jp->len + 1, i = jp->pos;
    const char *s = jp->s;

    while (i < end && strchr(" \t\n\v\f\r", s[i]) != NULL && s[i] != '\0')
        i++;
    jp->pos = i;
    jp->tok_late = i >= jp->len;
    if (i >= end)
        return JT_EOF;
    jp->pos = i + 1;
    switch (s[i]) {
    case '{': return JT_LBRACE;
    case '}': return JT_RBRACE;
    case '[': return JT_LBRACK;
    case ']': return JT_RBRACK;
    case ',': return JT_COMMA;
    case ':': return JT_COLON;
    case '"': return json_lex_string(jp, i, end);
    case 't': return json_lex_word(jp, i, end, "true", JT_TRUE);
    case 'f': return json_lex_word(jp, i, end, "false", JT_FALSE);
    case 'n': return json_lex_word(jp, i, end, "null", JT_NULL);
    case '/':
        return json_lex_error(jp, i, "probable comment found in input text, "
                              "comments are not enabled.");
    default:
        if (s[i] == '-' || isdigit((unsigned char)s[i]))
            return json_lex_number(jp, i, end);
        return json_lex_error(jp, i, "invalid char in json text.");
    }
}

static void json_put_utf8(char **d, unsigned long cp)
{
    unsigned char *o = (unsigned char *)*d;

    if (cp < 0x80) {
        *o++ = (unsigned char)cp;
    } else if (cp < 0x800) {
        *o++ = (unsigned char)(0xc0 | (cp >> 6));
        *o++ = (unsigned char)(0x80 | (cp & 0x3f));
    } else if (cp < 0x10000) {
        *o++ = (unsigned char)(0xe0 | (cp >> 12));
        *o++ = (unsigned char)(0x80 | ((cp >> 6) & 0x3f));
        *o++ = (unsigned char)(0x80 | (cp & 0x3f));
    } else if (cp < 0x200000) {
        *o++ = (unsigned char)(0xf0 | (cp >> 18));
        *o++ = (unsigned char)(0x80 | ((cp >> 12) & 0x3f));
        *o++ = (unsigned char)(0x80 | ((cp >> 6) & 0x3f));
        *o++ = (unsigned char)(0x80 | (cp & 0x3f));
    } else {
        *o++ = '?';
    }
    *d = (char *)o;
}

static unsigned long json_hex4(const char *s)
{
    unsigned long v = 0;
    int k;

    for (k = 0; k < 4; k++) {
        int c = (unsigned char)s[k];
        v = v * 16 + (isdigit(c) ? c - '0' : (tolower(c) - 'a' + 10));
    }
    return v;
}

/*
 * Unescapes a lexed string as yajl_string_decode does, quirks included: a
 * high surrogate combines with any \u escape that follows it, whatever its
 * value, and a lone one becomes '?'.
 */
static char *json_decode(apr_pool_t *p, const char *s, apr_size_t n, apr_size_t *out_len)
{
    char *out = apr_palloc(p, n + 1), *d = out;
    apr_size_t i = 0;

    while (i < n) {
        if (s[i] != '\\') {
            *d++ = s[i++];
            continue;
        }
        switch (s[++i]) {
        case 'r': *d++ = '\r'; break;
        case 'n': *d++ = '\n'; break;
        case 'f': *d++ = '\f'; break;
        case 'b': *d++ = '\b'; break;
        case 't': *d++ = '\t'; break;
        case 'u': {
            unsigned long cp = json_hex4(s + i + 1);
            i += 4;
            if ((cp & 0xFC00) == 0xD800) {
                if (i + 2 < n && s[i + 1] == '\\' && s[i + 2] == 'u') {
                    unsigned long lo = json_hex4(s + i + 3);
                    cp = ((cp & 0x3F) << 10) | ((((cp >> 6) & 0xF) + 1) << 16) | (lo & 0x3FF);
                    i += 6;
                } else {
                    *d++ = '?';
                    break;
                }
            }
            json_put_utf8(&d, cp);
            break;
        }
        default: *d++ = s[i]; break;    /* " \ / */
        }
        i++;
    }
    *d = '\0';
    *out_len = d - out;
    return out;
}

/* ------------------------------------------------------------------------
 * Static functions: JSON arguments, named as 2.9's msc_json.c names them
 * --------------------------------------------------------------------- */

static int json_on_scalar(json_parser *jp, const char *v, apr_size_t n)
{
    pl_tx *tx = jp->tx;
    const char *name;

    if (jp->key == NULL)
        jp->key = "";
    name = jp->prefix ? apr_pstrcat(tx->pool, jp->prefix, ".", jp->key, NULL) : jp->key;
    pl_debug(tx, 9, "Adding JSON argument '%s' with value '%s'", name, v);
    if (args_count(tx) >= args_limit(tx)) {
        pl_debug(tx, 4, "Skipping request argument, over limit (JSON): name \"%s\", value \"%s\"",
                 pl_log_escape(tx->pool, name, strlen(name)), pl_log_escape(tx->pool, v, n));
        tx->reqbody_error = 1;
        return 0;
    }
    pl_coll_set(tx->args_json, name, v, n);
    return 1;
}

static int json_deeper(json_parser *jp)
{
    if (++jp->depth > jp->depth_limit) {
        jp->depth_exceeded = 1;
        return 0;
    }
    pl_debug(jp->tx, 9, "New JSON hash context (prefix '%s')", jp->prefix);
    return 1;
}

static int json_on_start_map(json_parser *jp)
{
    if (jp->key == NULL)
        return 1;                   /* the top-level object */
    jp->prefix = jp->prefix ? apr_pstrcat(jp->tx->pool, jp->prefix, ".", jp->key, NULL)
                            : jp->key;
    return json_deeper(jp);
}

static int json_on_start_array(json_parser *jp)
{
    if (jp->key == NULL && jp->prefix == NULL)
        jp->prefix = jp->key = "array";
    else if (jp->prefix)
        jp->prefix = apr_pstrcat(jp->tx->pool, jp->prefix, ".", jp->key, NULL);
    else
        jp->prefix = jp->key;
    return json_deeper(jp);
}

/* The prefix loses its last component; a map also makes it the key. */
static void json_on_end(json_parser *jp, int map)
{
    const char *dot;

    if (jp->prefix == NULL)
        return;
    dot = strrchr(jp->prefix, '.');
    if (dot) {
        if (map)
            jp->key = dot + 1;
        jp->prefix = apr_pstrmemdup(jp->tx->pool, jp->prefix, dot - jp->prefix);
    } else {
        if (map)
            jp->key = jp->prefix;
        jp->prefix = NULL;
    }
    jp->depth--;
}

/* ------------------------------------------------------------------------
 * Static functions: JSON parser (yajl's state machine)
 * --------------------------------------------------------------------- */

static int json_parse_error(json_parser *jp, const char *msg)
{
    jp->err = apr_pstrcat(jp->tx->pool, "parse error: ", msg, "\n", NULL);
    jp->err_late = jp->tok_late;
    return 0;
}

static int json_cancelled(json_parser *jp)
{
    return json_parse_error(jp, "client cancelled parse via callback return value");
}

/* A scalar token as the argument value (decoded strings, raw numbers). */
static int json_scalar(json_parser *jp, enum json_tok t)
{
    const char *v = jp->tok;
    apr_size_t n = jp->tok_len;

    if (t == JT_STRING && jp->tok_escapes)
        v = json_decode(jp->tx->pool, jp->tok, jp->tok_len, &n);
    else if (t == JT_NULL)
        v = "", n = 0;
    else
        v = apr_pstrmemdup(jp->tx->pool, v, n);
    return json_on_scalar(jp, v, n) ? 1 : json_cancelled(jp);
}

static enum json_state json_after_value(const apr_array_header_t *stack)
{
    if (stack->nelts == 0)
        return JS_COMPLETE;
    return APR_ARRAY_IDX(stack, stack->nelts - 1, char) == '{' ? JS_MAP_GOT_VAL
                                                               : JS_ARRAY_GOT_VAL;
}

/* A token where a value may start; returns the next state or -1. */
static int json_value(json_parser *jp, enum json_tok t, apr_array_header_t *stack)
{
    switch (t) {
    case JT_STRING: case JT_NUMBER: case JT_TRUE: case JT_FALSE: case JT_NULL:
        return json_scalar(jp, t) ? (int)json_after_value(stack) : -1;
    case JT_LBRACE:
        if (!json_on_start_map(jp))
            return json_cancelled(jp), -1;
        APR_ARRAY_PUSH(stack, char) = '{';
        return JS_MAP_START;
    case JT_LBRACK:
        if (!json_on_start_array(jp))
            return json_cancelled(jp), -1;
        APR_ARRAY_PUSH(stack, char) = '[';
        return JS_ARRAY_START;
    default:
        return json_parse_error(jp, "unallowed token at this point in JSON text"), -1;
    }
}

static int json_close(json_parser *jp, apr_array_header_t *stack, int map)
{
    json_on_end(jp, map);
    stack->nelts--;
    return json_after_value(stack);
}

/* One token in state st; returns the next state or -1 on an error. */
static int json_step(json_parser *jp, int st, enum json_tok t, apr_array_header_t *stack)
{
    switch (st) {
    case JS_COMPLETE:
        return json_parse_error(jp, "trailing garbage"), -1;
    case JS_ARRAY_START:
        if (t == JT_RBRACK)
            return json_close(jp, stack, 0);
        return json_value(jp, t, stack);
    case JS_START: case JS_MAP_NEED_VAL: case JS_ARRAY_NEED_VAL:
        return json_value(jp, t, stack);
    case JS_MAP_START: case JS_MAP_NEED_KEY:
        if (t == JT_RBRACE && st == JS_MAP_START)
            return json_close(jp, stack, 1);
        if (t != JT_STRING)
            return json_parse_error(jp, "invalid object key (must be a string)"), -1;
        {
            apr_size_t n;
            const char *k = jp->tok_escapes ? json_decode(jp->tx->pool, jp->tok, jp->tok_len, &n)
                                            : apr_pstrmemdup(jp->tx->pool, jp->tok, jp->tok_len);
            jp->key = k;        /* a C string: a NUL ends the name, as in 2.9 */
            pl_debug(jp->tx, 9, "New JSON hash key '%s'", k);
        }
        return JS_MAP_SEP;
    case JS_MAP_SEP:
        if (t != JT_COLON)
            return json_parse_error(jp, "object key and value must be separated by "
                                    "a colon (':')"), -1;
        return JS_MAP_NEED_VAL;
    case JS_MAP_GOT_VAL:
        if (t == JT_RBRACE)
            return json_close(jp, stack, 1);
        if (t != JT_COMMA)
            return json_parse_error(jp, "after key and value, inside map, I expect "
                                    "',' or '}'"), -1;
        return JS_MAP_NEED_KEY;
    default: /* JS_ARRAY_GOT_VAL */
        if (t == JT_RBRACK)
            return json_close(jp, stack, 0);
        if (t != JT_COMMA)
            return json_parse_error(jp, "after array element, I expect ',' or ']'"), -1;
        return JS_ARRAY_NEED_VAL;
    }
}

/*
 * Parses the whole body.  2.9 reports an error found while feeding the data
 * as "JSON parsing error: ..." and one found when completing the parse
 * (premature end, a token cut by the end) as "JSON parser error: ...".
 */
static void run_json(pl_tx *tx, const char *buf, apr_size_t len)
{
    json_parser jp;
    apr_array_header_t *stack = apr_array_make(tx->pool, 16, sizeof(char));
    char *s = apr_palloc(tx->pool, len + 2);
    int st = JS_START;

    memcpy(s, buf, len);
    s[len] = ' ';
    s[len + 1] = '\0';
    memset(&jp, 0, sizeof(jp));
    jp.tx = tx;
    jp.s = s;
    jp.len = len;
    jp.depth_limit = json_depth_limit(tx);
    pl_debug(tx, 4, "JSON parser initialization");

    while (st >= 0) {
        enum json_tok t = json_lex(&jp);
        if (st == JS_COMPLETE && t != JT_EOF) {
            /* after the value any token, even a bad one, is garbage */
            if (t == JT_ERROR)
                jp.tok_late = jp.err_late;
            json_parse_error(&jp, "trailing garbage");
            break;
        }
        if (t == JT_ERROR)
            break;
        if (t == JT_EOF) {
            if (st != JS_COMPLETE) {
                jp.err = "parse error: premature EOF\n";
                jp.err_late = 1;
            }
            break;
        }
        st = json_step(&jp, st, t, stack);
    }
    if (jp.err != NULL)
        body_error(tx, apr_pstrcat(tx->pool,
                   jp.err_late ? "JSON parser error: " : "JSON parsing error: ",
                   jp.depth_exceeded ? "JSON depth limit exceeded" : jp.err, NULL));
}

/* ------------------------------------------------------------------------
 * Static functions: XML
 * --------------------------------------------------------------------- */

static apr_status_t free_xml_doc(void *doc)
{
    xmlFreeDoc(doc);
    return APR_SUCCESS;
}

/*
 * No network, no DTD loading, no entity substitution: external entities
 * stay unresolved whatever the document declares.  Internal entities still
 * read through xmlNodeGetContent(), as in 2.9.
 */
static void run_xml(pl_tx *tx, const char *buf, apr_size_t len)
{
    xmlDocPtr doc = NULL;

    if (len <= INT_MAX)
        doc = xmlReadMemory(buf, (int)len, NULL, NULL,
                            XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
    if (doc == NULL) {
        body_error(tx, "XML parser error: XML: Failed parsing document.");
        return;
    }
    apr_pool_cleanup_register(tx->pool, doc, free_xml_doc, apr_pool_cleanup_null);
    tx->xml_doc = doc;
}

/* ------------------------------------------------------------------------
 * Public functions
 * --------------------------------------------------------------------- */

apr_status_t pl_tx_body_append(pl_tx *tx, const char *data, apr_size_t len)
{
    apr_off_t limit = reqbody_limit(tx);

    if (tx->body.length + (apr_off_t)len > limit) {
        /* what fits is kept for ProcessPartial */
        if (tx->body.length < limit)
            store(tx, data, (apr_size_t)(limit - tx->body.length));
        tx->inbound_data_error = 1;
        return APR_ENOSPC;
    }
    store(tx, data, len);
    return APR_SUCCESS;
}

const char *pl_tx_body_flat(pl_tx *tx, apr_size_t *len)
{
    pl_body *b = &tx->body;
    char *d;
    int i;

    if (b->flat == NULL) {
        if (b->spool != NULL) {
            b->flat = read_spool(tx);
        } else {
            d = b->flat = apr_palloc(tx->pool, (apr_size_t)b->length + 1);
            for (i = 0; i < b->chunks->nelts; i++) {
                const struct iovec *v = &APR_ARRAY_IDX(b->chunks, i, struct iovec);
                memcpy(d, v->iov_base, v->iov_len);
                d += v->iov_len;
            }
            *d = '\0';
        }
    }
    if (len)
        *len = (apr_size_t)b->length;
    return b->flat;
}

void pl_tx_body_done(pl_tx *tx)
{
    const char *proc = choose_processor(tx);
    const char *buf;
    apr_size_t len;

    tx->reqbody_processor = proc;
    if (tx->body.length == 0)
        return;                     /* 2.9 does not process an empty body */
    buf = pl_tx_body_flat(tx, &len);
    if (proc == NULL || tx->reqbody_error) {
        tx->body.available = tx->force_reqbody_var == 1;
        return;
    }
    if (strcmp(proc, "URLENCODED") == 0) {
        tx->body.available = 1;
        pl_tx_parse_args(tx, tx->args_post, buf, len);
    } else if (strcmp(proc, "MULTIPART") == 0) {
        run_multipart(tx, buf, len);
    } else if (strcmp(proc, "JSON") == 0) {
        run_json(tx, buf, len);
    } else if (strcmp(proc, "XML") == 0) {
        run_xml(tx, buf, len);
    } else {
        pl_debug(tx, 1, "Unknown request body processor: %s", proc);
    }
}
