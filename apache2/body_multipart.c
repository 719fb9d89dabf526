/*
 * MULTIPART request bodies: ARGS_POST, FILES*, MULTIPART_PART_HEADERS and
 * the MULTIPART_* flags; 2.9's line-oriented parser, checks, error texts
 * and debug log.  File parts go to files under SecTmpDir when they are to
 * be kept (SecUploadKeepFiles) or inspected (SecTmpSaveUploadedFiles),
 * then are moved to SecUploadDir or removed when the transaction ends.
 *
 * The parser is fed each piece of the body as body.c stores it (2.9's
 * multipart_process_chunk), keeping only the current line: a file part
 * costs its line buffer whatever its size.  Where the pieces end changes
 * nothing in the outcome, debug lines and offsets included.  It counts the
 * bytes 2.9 counts against SecRequestBodyNoFilesLimit: part header lines
 * and text part data (with the line break held back from the line
 * before), not boundaries, file data, nor data outside the parts.
 */
#include <ctype.h>
#include <stddef.h>
#include <unistd.h>
#include <sys/stat.h>
#include "body.h"

#define DEFAULT_UPLOAD_FILES     100     /* SecUploadFileLimit */
#define DEFAULT_UPLOAD_MODE      0600    /* SecUploadFileMode */
#define MP_BUF_SIZE              4096    /* 2.9's line buffer: longer lines are cut */
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
    int          is_file;
    apr_off_t    data_start;        /* body offset of the part's first data
                                     * byte (exact, for the audit log) */
    const char  *name, *filename;
    apr_table_t *headers;           /* name -> value (case-insensitive) */
    apr_array_header_t *lines;      /* char*: header lines as 2.9 keeps them */
    const char  *last_name;         /* header a folded line continues */
    char        *last_line;
    int          in_data;           /* the headers ended */
    int          data_read;         /* a data line arrived */
    char        *value;             /* text parts */
    apr_size_t   len, cap;
    apr_size_t   size;              /* file parts */
    apr_size_t   offset;            /* where the data starts in the body */
    apr_file_t  *file;              /* open while the part is written */
    const char  *tmp_name;          /* the part's file under SecTmpDir */
} mp_part;

struct pl_mp_parser {
    pl_tx      *tx;
    const char *boundary;
    apr_size_t  blen;
    char        buf[MP_BUF_SIZE + 1];
    apr_size_t  used;
    int         line_start;         /* buf begins a line */
    int         crlf_state, crlf_state_end;   /* 1 CR, 2 LF, 3 CRLF seen last */
    char        reserve[2];         /* line break held back from the data */
    int         nreserve;
    mp_part    *part;               /* being built */
    apr_array_header_t *parts;      /* mp_part*: finished, with a name */
    int         boundaries, complete;
    mp_flags    f;
    const char *err;
    apr_size_t  buf_offset;         /* 2.9's count of the bytes before buf */
    int         extract;            /* file parts are written to files */
    int         nfiles;             /* files created */
    const char *ct_err;             /* Content-Type problem: nothing parsed */
    apr_off_t   pos;                /* body offset of buf[0] */
    apr_off_t   fed;                /* bytes given to pl_mp_feed so far */
    apr_off_t   after_at;           /* body offset of the data after the
                                     * final boundary; -1 while none */
    mp_part    *spare;              /* a part dropped for want of a name,
                                     * reused by the next one */
};


/* ------------------------------------------------------------------------
 * Static functions: settings
 * --------------------------------------------------------------------- */

/* File parts are stored when they may be kept or inspected (2.9's
 * upload_extract_files). */
static int upload_extract(const pl_tx *tx)
{
    return tx->cfg->upload_keep_files == 1 || tx->cfg->upload_keep_files == 2
        || tx->cfg->tmp_save_uploaded == 1;
}

static int upload_file_limit(const pl_tx *tx)
{
    return tx->cfg->upload_file_limit != PL_UNSET ? tx->cfg->upload_file_limit
                                                 : DEFAULT_UPLOAD_FILES;
}

static int upload_file_mode(const pl_tx *tx)
{
    return tx->cfg->upload_file_mode != PL_UNSET ? tx->cfg->upload_file_mode
                                                : DEFAULT_UPLOAD_MODE;
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

/* ------------------------------------------------------------------------
 * Static functions: MULTIPART (2.9's line-oriented parser)
 *
 * The body is cut into lines of at most MP_BUF_SIZE bytes, each handled as
 * a boundary, a part header or part data.  The line break before a boundary
 * belongs to the boundary: the last CRLF (or LF) of a data line is held
 * back and only added to the value when more data follows.  Problems 2.9
 * treats as fatal stop the parser; the arguments are then not used.
 * File parts are always measured; they are also written to files (at most
 * SecUploadFileLimit of them, FILES_TMPNAMES) when 2.9 would extract them.
 * The debug log gets 2.9's lines, offsets included.
 * --------------------------------------------------------------------- */

static int mp_token_char(int c)
{
    return c > 32 && c < 127 && strchr("()<>@,;:\\\"/[]?=", c) == NULL;
}

/* RFC 2046 boundary characters; a space, but not a trailing one. */
static int mp_boundary_chars(const char *b)
{
    for (; *b; b++) {
        int c = (unsigned char)*b;
        if (!(isalnum(c) || strchr("'()+_,-./:=?", c) != NULL || (c == ' ' && b[1] != '\0')))
            return 0;
    }
    return 1;
}

/* How many times "boundary" (any case) is followed, later, by a '='. */
static int mp_boundary_params(const char *s)
{
    int n = 0;

    for (; *s; s++)
        if (strncasecmp(s, "boundary", 8) == 0 && strchr(s + 8, '=') != NULL)
            n++;
    return n;
}

/*
 * The boundary from Content-Type, with 2.9's checks and messages: the
 * parameter runs to the end of the header, may be quoted, and one ';'
 * (only) may precede it.  Returns NULL and *err on a problem.
 */
static const char *mp_content_type(pl_tx *tx, mp_flags *f, const char **err)
{
    const char *ct = request_header(tx, "Content-Type"), *b, *p, *eq;
    int semicolon = 0;
    apr_size_t n;

#define MP_ERR(m) do { *err = (m); return NULL; } while (0)
    *err = NULL;
    if (ct == NULL)
        MP_ERR("Multipart: Content-Type header not available.");
    if (strlen(ct) > MP_CT_MAX)
        MP_ERR("Multipart: Invalid boundary in C-T (length).");
    if (strncasecmp(ct, "multipart/form-data", 19) != 0)
        MP_ERR("Multipart: Invalid MIME type.");
    if (mp_boundary_params(ct) > 1)
        MP_ERR("Multipart: Multiple boundary parameters in C-T.");
    if ((b = strstr(ct, "boundary")) == NULL) {
        if (mp_boundary_params(ct) > 0)
            MP_ERR("Multipart: Invalid boundary in C-T (case sensitivity).");
        MP_ERR("Multipart: Boundary not found in C-T.");
    }
    for (p = ct + 19; p < b; p++) {
        if (isspace((unsigned char)*p))
            continue;
        if (*p != ';' || semicolon)
            MP_ERR("Multipart: Invalid boundary in C-T (malformed).");
        semicolon = 1;
    }
    if (!semicolon)
        f->missing_semicolon = 1;
    if ((eq = strchr(b + 8, '=')) == NULL)
        MP_ERR("Multipart: Invalid boundary in C-T (malformed).");
    for (p = b + 8; p < eq; p++) {
        if (!isspace((unsigned char)*p))
            MP_ERR("Multipart: Invalid boundary in C-T (parameter name).");
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
        MP_ERR("Multipart: Invalid boundary in C-T (quote).");
    }
    if (mp_boundary_params(b) != 0)
        MP_ERR("Multipart: Invalid boundary in C-T (content).");
    if (!mp_boundary_chars(b))
        MP_ERR("Multipart: Invalid boundary in C-T (characters).");
    if (*b == '\0')
        MP_ERR("Multipart: Invalid boundary in C-T (empty).");
#undef MP_ERR
    return b;
}

static int mp_fail(pl_mp_parser *mp, const char *msg)
{
    mp->f.error = 1;
    mp->err = msg;
    return -1;
}

/* A name or filename value with a single quote is flagged unless the
 * value itself was in double quotes. */
static void mp_check_quotes(pl_mp_parser *mp, const char *v, int quote)
{
    if (quote != '"' && strchr(v, '\'') != NULL)
        mp->f.invalid_quoting = 1;
}

/* One quoted Content-Disposition value; only the quote and '\' can be
 * escaped, other backslashes stay.  Returns 0 or 2.9's error code. */
static int mp_cd_quoted(pl_mp_parser *mp, const char **pp, char **out)
{
    const char *p = *pp;
    int quote = *p++;
    char *d;

    if (quote == '\'')
        mp->f.invalid_quoting = 1;
    if (*p == '\0')
        return -7;
    d = *out = apr_palloc(mp->tx->pool, strlen(p) + 1);
    while (*p && *p != quote) {
        if (*p == '\\') {
            if (p[1] == '\0')
                return -8;
            if (p[1] == quote || p[1] == '\\')
                p++;
        }
        *d++ = *p++;
    }
    *d = '\0';
    if (*p == '\0')
        return -10;
    *pp = p + 1;
    return 0;
}

/* "form-data; name=...; filename=..." as 2.9 reads it; 1 or its code. */
static int mp_disposition(pl_mp_parser *mp, const char *v)
{
    mp_part *part = mp->part;
    const char *p = v + 9;

    if (strncmp(v, "form-data", 9) != 0)
        return -1;
    while (*p == ' ' || *p == '\t') p++;
    if (*p == '\0')
        return 1;
    if (*p++ != ';')
        return -2;
    while (*p) {
        const char *start, **slot;
        char *name, *value;
        int quote = 0, rc;

        while (*p == ' ' || *p == '\t') p++;
        if (*p == '\0') return -3;
        start = p;
        while (*p && *p != '=' && *p != ' ' && *p != '\t') p++;
        if (*p == '\0') return -4;
        name = apr_pstrmemdup(mp->tx->pool, start, p - start);
        while (*p == ' ' || *p == '\t') p++;
        if (*p == '\0') return -5;
        if (*p++ != '=') return -13;
        while (*p == ' ' || *p == '\t') p++;
        if (*p == '\0') return -6;
        if (*p == '"' || *p == '\'') {
            quote = *p;
            if ((rc = mp_cd_quoted(mp, &p, &value)) != 0)
                return rc;
        } else {
            start = p;
            while (*p && mp_token_char((unsigned char)*p)) p++;
            value = apr_pstrmemdup(mp->tx->pool, start, p - start);
        }
        if (strcmp(name, "name") == 0)
            slot = &part->name;
        else if (strcmp(name, "filename") == 0)
            slot = &part->filename;
        else
            return -11;
        mp_check_quotes(mp, value, quote);
        apr_hash_set(mp->tx->multipart_flags, slot == &part->name ? "MULTIPART_NAME"
                     : "MULTIPART_FILENAME", APR_HASH_KEY_STRING, value);
        if (*slot != NULL) {
            pl_debug(mp->tx, 4, "Multipart: Warning: Duplicate Content-Disposition %s: %s",
                     name, pl_log_escape_nq(mp->tx->pool, value, strlen(value)));
            return slot == &part->name ? -14 : -15;
        }
        *slot = value;
        if (pl_body_debug_on(mp->tx, 9))
            pl_debug(mp->tx, 9, "Multipart: Content-Disposition %s: %s", name,
                     pl_log_escape_nq(mp->tx->pool, value, strlen(value)));
        if (*p == '\0')
            break;
        while (*p == ' ' || *p == '\t') p++;
        if (*p == '\0')
            return 1;
        if (*p != ';') {
            if (p[-1] == '\'' || p[-1] == '"')
                mp->f.invalid_quoting = 1;
            return -12;
        }
        p++;
    }
    return 1;
}

/* The line without its line break. */
static char *mp_chomp(apr_pool_t *p, const char *s)
{
    char *c = apr_pstrdup(p, s);
    apr_size_t n = strlen(c);

    if (n > 0 && c[n - 1] == '\n') c[--n] = '\0';
    if (n > 0 && c[n - 1] == '\r') c[--n] = '\0';
    return c;
}

static void mp_keep_line(pl_tx *tx, mp_part *part)
{
    if (part->last_line == NULL)
        return;
    APR_ARRAY_PUSH(part->lines, char *) = part->last_line;
    if (pl_body_debug_on(tx, 9))
        pl_debug(tx, 9, "Multipart: Added part header line \"%s\"",
                 pl_log_escape_nq(tx->pool, part->last_line, strlen(part->last_line)));
}

/* The empty line ending a part's headers: the part's name and kind. */
static int mp_headers_done(pl_mp_parser *mp)
{
    mp_part *part = mp->part;
    const char *cd = apr_table_get(part->headers, "Content-Disposition");
    int rc;

    if (cd == NULL)
        return mp_fail(mp, "Multipart: Part missing Content-Disposition header.");
    if ((rc = mp_disposition(mp, cd)) < 0)
        return mp_fail(mp, apr_psprintf(mp->tx->pool, "Multipart: Invalid Content-Disposition "
                                        "header (%d): %s.", rc,
                                        pl_log_escape_nq(mp->tx->pool, cd, strlen(cd))));
    if (part->name == NULL)
        return mp_fail(mp, "Multipart: Content-Disposition header missing name field.");
    if (part->filename != NULL) {
        if (strstr(cd, "filename=") == NULL)
            return mp_fail(mp, "Multipart: Invalid Content-Disposition header (filename).");
        part->is_file = 1;
    }
    part->in_data = 1;
    part->data_read = 0;
    part->last_name = NULL;
    part->data_start = mp->pos + (apr_off_t)mp->used;    /* after this line */
    mp_keep_line(mp->tx, part);
    return 0;
}

/* A folded header line continues the header above it. */
static int mp_header_fold(pl_mp_parser *mp, const char *line)
{
    mp_part *part = mp->part;
    const char *v;
    char *value;

    mp->f.header_folding = 1;
    if (part->last_name == NULL)
        return mp_fail(mp, "Multipart: Invalid part header (folding error).");
    for (; isspace((unsigned char)*line); line++)
        if (*line != ' ' && *line != '\t')
            mp->f.invalid_header_folding = 1;
    v = apr_table_get(part->headers, part->last_name);
    value = apr_pstrcat(mp->tx->pool, v, " ", mp_chomp(mp->tx->pool, line), NULL);
    apr_table_set(part->headers, part->last_name, value);
    if (pl_body_debug_on(mp->tx, 9))
        pl_debug(mp->tx, 9, "Multipart: Continued folder header \"%s\" with \"%s\"",
                 pl_log_escape(mp->tx->pool, part->last_name, strlen(part->last_name)),
                 pl_log_escape(mp->tx->pool, line, strlen(line)));
    if (strlen(value) > MP_BUF_SIZE)
        return mp_fail(mp, "Multipart: Part header too long.");
    if (part->last_line != NULL)
        part->last_line = apr_pstrcat(mp->tx->pool, part->last_name, ": ", value, NULL);
    return 0;
}

static int mp_header_line(pl_mp_parser *mp)
{
    mp_part *part = mp->part;
    const char *line = mp->buf, *colon, *v;
    apr_size_t n = mp->used, i;
    char *name;

    if (memchr(line, '\0', n) != NULL)
        return mp_fail(mp, "Multipart: Nul byte in part headers.");
    mp->tx->body.nofiles += (apr_off_t)n;      /* 2.9: the whole line */
    if (n > 1 && line[n - 2] == '\r')
        mp->f.crlf_line = 1;
    else
        mp->f.lf_line = 1;
    if (strcmp(line, "\r\n") == 0 || strcmp(line, "\n") == 0)
        return mp_headers_done(mp);
    if (isspace((unsigned char)line[0]))
        return mp_header_fold(mp, line);
    mp_keep_line(mp->tx, part);
    part->last_line = mp_chomp(mp->tx->pool, line);
    if ((colon = strchr(line, ':')) == NULL)
        return mp_fail(mp, apr_psprintf(mp->tx->pool, "Multipart: Invalid part header (colon "
                                        "missing): %s.", pl_log_escape_nq(mp->tx->pool, line, n)));
    if (colon == line)
        return mp_fail(mp, "Multipart: Invalid part header (header name missing).");
    name = apr_pstrmemdup(mp->tx->pool, line, colon - line);
    for (i = 0; name[i]; i++)
        if ((unsigned char)name[i] < 33 || (unsigned char)name[i] > 126)
            return mp_fail(mp, "Multipart: Invalid part header (contains invalid character).");
    for (v = colon + 1; *v == ' ' || *v == '\t'; v++)
        ;
    if (apr_table_get(part->headers, name) != NULL)
        return mp_fail(mp, apr_psprintf(mp->tx->pool, "Multipart: Duplicate part header: %s.",
                                        pl_log_escape_nq(mp->tx->pool, name, strlen(name))));
    apr_table_setn(part->headers, name, mp_chomp(mp->tx->pool, v));
    part->last_name = name;
    if (pl_body_debug_on(mp->tx, 9)) {
        v = apr_table_get(part->headers, name);
        pl_debug(mp->tx, 9, "Multipart: Added part header \"%s\" \"%s\"",
                 pl_log_escape(mp->tx->pool, name, strlen(name)),
                 pl_log_escape(mp->tx->pool, v, strlen(v)));
    }
    return 0;
}

static void mp_value_append(apr_pool_t *p, mp_part *part, const char *data, apr_size_t n)
{
    if (part->len + n + 1 > part->cap) {
        apr_size_t cap = part->cap ? part->cap * 2 : 256;
        char *v;
        while (cap < part->len + n + 1)
            cap *= 2;
        v = apr_palloc(p, cap);
        if (part->len)
            memcpy(v, part->value, part->len);
        part->value = v;
        part->cap = cap;
    }
    memcpy(part->value + part->len, data, n);
    part->len += n;
    part->value[part->len] = '\0';
}

/* A file part's file under SecTmpDir, named as 2.9 names it. */
static int mp_file_open(pl_mp_parser *mp, mp_part *part)
{
    pl_tx *tx = mp->tx;
    char when[32];
    apr_size_t wl;
    apr_time_exp_t t;
    char *path;
    int mode = upload_file_mode(tx);

    apr_time_exp_lt(&t, apr_time_now());
    apr_strftime(when, &wl, sizeof(when), "%Y%m%d-%H%M%S", &t);
    path = apr_psprintf(tx->pool, "%s/%s-%s-file-XXXXXX", pl_body_tmp_dir(tx), when,
                        tx->unique_id ? tx->unique_id : "");
    if (apr_file_mktemp(&part->file, path, APR_FOPEN_CREATE | APR_FOPEN_READ
                        | APR_FOPEN_WRITE | APR_FOPEN_EXCL | APR_FOPEN_BINARY
                        | APR_FOPEN_BUFFERED, tx->pool) != APR_SUCCESS) {
        part->file = NULL;
        return mp_fail(mp, apr_psprintf(tx->pool, "Multipart: Failed to create file: %s",
                                        pl_log_escape_nq(tx->pool, path, strlen(path))));
    }
    if (mode != 0600)
        chmod(path, (mode_t)mode);
    part->tmp_name = path;
    mp->nfiles++;
    if (pl_body_debug_on(tx, 4))
        pl_debug(tx, 4, "Multipart: Created temporary file %d (mode %04o): %s", mp->nfiles,
                 (unsigned int)mode, pl_log_escape_nq(tx->pool, path, strlen(path)));
    return 0;
}

/* A file part's data: written only while fewer than SecUploadFileLimit
 * files exist, checked for every line as 2.9 does; always measured. */
static int mp_file_data(pl_mp_parser *mp, mp_part *part, apr_size_t n)
{
    int extract = mp->extract;

    if (extract && mp->nfiles >= upload_file_limit(mp->tx)) {
        if (!mp->f.file_limit_exceeded)
            pl_body_log(mp->tx, 3, apr_psprintf(mp->tx->pool, "Multipart: Upload file limit "
                     "exceeded SecUploadFileLimit %d.", upload_file_limit(mp->tx)));
        mp->f.file_limit_exceeded = 1;
        extract = 0;
    }
    if (extract) {
        if (part->file == NULL && part->tmp_name == NULL && mp_file_open(mp, part) < 0)
            return -1;
        if (part->file != NULL
                && (apr_file_write_full(part->file, mp->reserve, mp->nreserve, NULL) != APR_SUCCESS
                    || apr_file_write_full(part->file, mp->buf, n, NULL) != APR_SUCCESS))
            return mp_fail(mp, apr_psprintf(mp->tx->pool, "Multipart: writing to \"%s\" failed",
                           pl_log_escape(mp->tx->pool, part->tmp_name, strlen(part->tmp_name))));
    }
    part->size += mp->nreserve + n;
    return 0;
}

/* The bytes a data line adds to a value (the held-back line break
 * first), as the debug log shows them. */
static const char *mp_chunk_text(pl_mp_parser *mp, apr_size_t n)
{
    char *c = apr_palloc(mp->tx->pool, mp->nreserve + n + 1);

    memcpy(c, mp->reserve, mp->nreserve);
    memcpy(c + mp->nreserve, mp->buf, n);
    return pl_log_escape_nq(mp->tx->pool, c, mp->nreserve + n);
}

/* Part data: the held-back line break of the previous line first. */
static int mp_data_line(pl_mp_parser *mp)
{
    mp_part *part = mp->part;
    apr_size_t n = mp->used;
    int keep = 0;

    part->data_read = 1;
    if (n >= 1 && mp->buf[n - 1] == '\n')
        keep = n >= 2 && mp->buf[n - 2] == '\r' ? 2 : 1;
    n -= keep;
    if ((part->is_file ? part->size : part->len) == 0)
        part->offset = mp->buf_offset;
    if (part->is_file) {
        if (mp_file_data(mp, part, n) < 0)
            return -1;
    } else {
        /* 2.9 counts what the line adds to the value */
        mp->tx->body.nofiles += (apr_off_t)(mp->nreserve + n);
        mp_value_append(mp->tx->pool, part, mp->reserve, mp->nreserve);
        mp_value_append(mp->tx->pool, part, mp->buf, n);
        if (pl_body_debug_on(mp->tx, 9))
            pl_debug(mp->tx, 9, "Multipart: Added data to variable: %s", mp_chunk_text(mp, n));
    }
    /* 2.9's offset arithmetic: a line that holds nothing back gives the
     * previous line's held-back bytes to the count again */
    if (keep == 0)
        mp->buf_offset -= mp->nreserve;
    mp->nreserve = keep;
    memcpy(mp->reserve, mp->buf + n, keep);
    return 0;
}

/* A part for the next boundary: the spare one when there is one. */
static mp_part *mp_new_part(pl_mp_parser *mp)
{
    mp_part *part = mp->spare;

    mp->nreserve = 0;
    if (part != NULL) {
        apr_table_t *headers = part->headers;
        apr_array_header_t *lines = part->lines;

        mp->spare = NULL;
        memset(part, 0, sizeof(*part));
        apr_table_clear(headers);
        lines->nelts = 0;
        part->headers = headers;
        part->lines = lines;
        return part;
    }
    part = apr_pcalloc(mp->tx->pool, sizeof(*part));
    part->headers = apr_table_make(mp->tx->pool, 4);
    part->lines = apr_array_make(mp->tx->pool, 2, sizeof(char *));
    return part;
}

/* What the audit log reads about a finished part (tx->multipart_parts). */
static void mp_record(pl_mp_parser *mp, const mp_part *part)
{
    pl_mpart *r = apr_palloc(mp->tx->pool, sizeof(*r));

    r->name = part->name;
    r->filename = part->is_file ? part->filename : NULL;
    r->ctype = apr_table_get(part->headers, "Content-Type");
    r->value = part->value != NULL ? part->value : "";
    r->len = part->is_file ? part->size : part->len;
    r->data_offset = part->data_start;
    APR_ARRAY_PUSH(mp->tx->multipart_parts, const pl_mpart *) = r;
}

/* A boundary: the part being built is done; a new one starts unless last. */
static void mp_boundary_line(pl_mp_parser *mp, int last)
{
    mp_part *part = mp->part;
    pl_tx *tx = mp->tx;

    if (part != NULL) {
        if (part->file != NULL) {
            apr_file_close(part->file);
            part->file = NULL;
        }
        if (part->name != NULL) {
            APR_ARRAY_PUSH(mp->parts, mp_part *) = part;
            mp_record(mp, part);
            if (pl_body_debug_on(tx, 9) && part->is_file)
                pl_debug(tx, 9, "Multipart: Added file part %pp to the list: name \"%s\" "
                         "file name \"%s\" (offset %u, length %u)", (void *)part,
                         pl_log_escape(tx->pool, part->name, strlen(part->name)),
                         pl_log_escape(tx->pool, part->filename, strlen(part->filename)),
                         (unsigned)part->offset, (unsigned)part->size);
            else if (pl_body_debug_on(tx, 9))
                pl_debug(tx, 9, "Multipart: Added part %pp to the list: name \"%s\" "
                         "(offset %u, length %u)", (void *)part,
                         pl_log_escape(tx->pool, part->name, strlen(part->name)),
                         (unsigned)part->offset, (unsigned)part->len);
        } else {
            mp->f.invalid_part = 1;
            pl_debug(tx, 3, "Multipart: Skipping invalid part %pp (part name missing): "
                     "(offset %u, length %u)", (void *)part, (unsigned)part->offset,
                     (unsigned)(part->is_file ? part->size : part->len));
            /* a nameless part never reached its data (no value, no file):
             * its memory serves the next part, so that a body of bare
             * boundaries, which SecRequestBodyNoFilesLimit does not count,
             * cannot grow the pool */
            mp->spare = part;
        }
        mp->part = NULL;
    }
    if (!last)
        mp->part = mp_new_part(mp);
}

/* A line starting "--<boundary>": a boundary, or 2.9's error. */
static int mp_try_boundary(pl_mp_parser *mp)
{
    const char *end = mp->buf + 2 + mp->blen;
    int last = 0;

    if (mp->crlf_state_end == 2)
        mp->f.lf_line = 1;
    if (mp->part != NULL && !mp->part->data_read && mp->boundaries > 0) {
        /* where the part's data should begin: 2.9 takes it as data */
        mp->f.invalid_part = 1;
        return 0;
    }
    if (end[0] == '-' && end[1] == '-') {
        last = 1;
        end += 2;
        if (mp->complete)
            return mp_fail(mp, "Multipart: Invalid boundary (final duplicate).");
    }
    if (strcmp(end, "\r\n") != 0 && strcmp(end, "\n") != 0)
        return mp_fail(mp, apr_psprintf(mp->tx->pool, "Multipart: Invalid boundary: %s",
                                        pl_log_escape_nq(mp->tx->pool, mp->buf, strlen(mp->buf))));
    if (end[0] == '\n')
        mp->f.lf_line = 1;
    else
        mp->f.crlf_line = 1;
    mp_boundary_line(mp, last);
    mp->complete = last;
    mp->boundaries++;
    return 1;
}

/* A "--" line that is not our boundary; two near misses are fatal. */
static int mp_near_boundary(pl_mp_parser *mp)
{
    const char *p = mp->buf + 2;

    if (mp->f.boundary_quoted && strlen(mp->buf) >= mp->blen + 3 && p[0] == '"'
            && strncmp(p + 1, mp->boundary, mp->blen) == 0)
        return mp_fail(mp, "Multipart: Invalid boundary (quotes).");
    while (isspace((unsigned char)*p))
        p++;
    if (p != mp->buf + 2 && strncmp(p, mp->boundary, mp->blen) == 0)
        return mp_fail(mp, "Multipart: Invalid boundary (whitespace).");
    mp->f.unmatched_boundary = 1;
    return 0;
}

/* One buffer (a line, or a piece of a long line); -1 on a fatal error. */
static int mp_buffer(pl_mp_parser *mp, int cut)
{
    const char *b = mp->buf;
    apr_size_t sl = strlen(b), i;
    int rc = 0;

    if (mp->line_start && sl > 3 && b[0] == '-' && b[1] == '-') {
        if (sl >= mp->blen + 2 && strncmp(b + 2, mp->boundary, mp->blen) == 0)
            rc = mp_try_boundary(mp);
        else
            rc = mp_near_boundary(mp);
        if (rc != 0)
            return rc < 0 ? -1 : 0;
    } else if (mp->line_start) {
        for (i = 0; i + 1 < mp->used; i++)
            if (b[i] == '-' && b[i + 1] == '-'
                    && strncmp(b + i + 2, mp->boundary, mp->blen) == 0) {
                mp->f.unmatched_boundary = 1;
                break;
            }
    }
    if (mp->part == NULL) {
        mp->f.data_before = 1;
        pl_debug(mp->tx, 4, "Multipart: Ignoring data before first boundary.");
        return 0;
    }
    if (!mp->part->in_data) {
        if (mp->used == MP_BUF_SIZE || cut)
            return mp_fail(mp, apr_psprintf(mp->tx->pool, "Multipart: Part header line over "
                                            "%d bytes long", MP_BUF_SIZE));
        return mp_header_line(mp);
    }
    return mp_data_line(mp);
}

/*
 * Feeds one piece byte by byte, as 2.9 does; 0, or -1 on a fatal error.
 * All state lives in mp, so a line may span pieces.  Data after the final
 * boundary is only noted here (where it starts): the debug line about it
 * gives the bytes left in the whole body, known when the body ends.
 */
static int mp_feed(pl_mp_parser *mp, const char *data, apr_size_t len)
{
    apr_size_t i = 0;

    while (i < len) {
        char c = data[i];
        int cut = c == '\r' && mp->used == MP_BUF_SIZE - 1;

        /* a CR is never the last byte of a buffer */
        if (!cut) {
            mp->buf[mp->used++] = c;
            i++;
        }
        if (c == '\n' || mp->used == MP_BUF_SIZE || cut) {
            mp->buf[mp->used] = '\0';
            if (mp_buffer(mp, cut) < 0)
                return -1;
            mp->buf_offset += mp->used;
            mp->pos += (apr_off_t)mp->used;
            mp->used = 0;
            mp->line_start = c == '\n';
            if (c == '\n')
                mp->crlf_state = mp->crlf_state == 1 ? 3 : 2;
            mp->crlf_state_end = mp->crlf_state;
        }
        if (c == '\r')
            mp->crlf_state = 1;
        else if (c != '\n')
            mp->crlf_state = 0;
        if (mp->complete && i < len) {
            mp->f.data_after = 1;
            mp->after_at = mp->fed + (apr_off_t)i;
            break;
        }
    }
    return 0;
}

/* The end of the body: a final boundary without its line break still
 * counts; otherwise the body is incomplete. */
static int mp_finish(pl_mp_parser *mp, apr_off_t len)
{
    const char *b = mp->buf;

    if (len == 0 || mp->complete)
        return 0;
    if (mp->boundaries == 0)
        return mp_fail(mp, "Multipart: No boundaries found in payload.");
    mp->buf[mp->used] = '\0';
    if (mp->line_start && mp->used == mp->blen + 4 && b[0] == '-' && b[1] == '-'
            && strncmp(b + 2, mp->boundary, mp->blen) == 0
            && b[2 + mp->blen] == '-' && b[3 + mp->blen] == '-') {
        if (mp->crlf_state_end == 2)
            mp->f.lf_line = 1;
        if (mp->part != NULL && !mp->part->data_read)
            mp->f.invalid_part = 1;
        mp_boundary_line(mp, 1);
        mp->complete = 1;
        return 0;
    }
    return mp_fail(mp, "Multipart: Final boundary missing.");
}

static void mp_add_arg(pl_tx *tx, const mp_part *part)
{
    const char *v = part->value ? part->value : "";

    if (pl_body_debug_on(tx, 5))
        pl_debug(tx, 5, "Adding request argument (BODY): name \"%s\", value \"%s\"",
                 pl_log_escape(tx->pool, part->name, strlen(part->name)),
                 pl_log_escape(tx->pool, v, part->len));
    if (pl_body_args_count(tx) >= pl_body_args_limit(tx)) {
        pl_body_error(tx, PL_BODY_ARGS_LIMIT_MSG);
        return;
    }
    pl_coll_set(tx->args_post, part->name, v, part->len);
}

/* Parts to variables: files and part headers always (2.9 reads them from
 * the parts list), arguments only when the body parsed completely. */
static void mp_publish(pl_tx *tx, const pl_mp_parser *mp, int args)
{
    int i, j;

    for (i = 0; i < mp->parts->nelts; i++) {
        const mp_part *part = APR_ARRAY_IDX(mp->parts, i, const mp_part *);
        for (j = 0; j < part->lines->nelts; j++) {
            const char *h = APR_ARRAY_IDX(part->lines, j, const char *);
            pl_coll_set(tx->multipart_part_headers, part->name, h, strlen(h));
        }
        if (part->is_file) {
            const char *size = apr_psprintf(tx->pool, "%" APR_SIZE_T_FMT, part->size);
            pl_coll_set(tx->files, part->name, part->filename, strlen(part->filename));
            pl_coll_set(tx->files_names, part->name, part->name, strlen(part->name));
            pl_coll_set(tx->files_sizes, part->name, size, strlen(size));
            if (part->tmp_name != NULL)
                pl_coll_set(tx->files_tmpnames, part->name, part->tmp_name,
                            strlen(part->tmp_name));
        } else if (args && !tx->reqbody_error) {
            mp_add_arg(tx, part);
        }
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

/* 2.9's summary of the anomalies, in its order, once the body is read. */
static void mp_warnings(pl_tx *tx, const mp_flags *f)
{
    static const struct { size_t off; const char *text; } rows[] = {
        { offsetof(mp_flags, data_before),            "seen data before first boundary." },
        { offsetof(mp_flags, data_after),             "seen data after last boundary." },
        { offsetof(mp_flags, boundary_quoted),        "boundary was quoted." },
        { offsetof(mp_flags, boundary_whitespace),    "boundary whitespace in C-T header." },
        { offsetof(mp_flags, header_folding),         "header folding used." },
        { offsetof(mp_flags, lf_line),                NULL },     /* line endings */
        { offsetof(mp_flags, missing_semicolon),      "missing semicolon in C-T header." },
        { offsetof(mp_flags, invalid_quoting),        "invalid quoting used." },
        { offsetof(mp_flags, invalid_part),           "invalid part parsing." },
        { offsetof(mp_flags, invalid_header_folding), "invalid header folding used." },
    };
    apr_size_t i;

    if (!pl_body_debug_on(tx, 4))
        return;
    for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        if (!*(const int *)((const char *)f + rows[i].off))
            continue;
        pl_debug(tx, 4, "Multipart: Warning: %s", rows[i].text ? rows[i].text
                 : f->crlf_line ? "mixed line endings used (CRLF/LF)."
                 : "incorrect line endings used (LF).");
    }
}

/*
 * When the transaction ends: the files of file parts are moved to
 * SecUploadDir when SecUploadKeepFiles asks for it (RelevantOnly: when the
 * transaction was relevant), otherwise removed.  Runs as a cleanup of the
 * transaction's pool, registered before any file was opened, so the files'
 * own cleanups (closing them) have run by then.
 */
static apr_status_t mp_cleanup(void *data)
{
    pl_mp_parser *mp = data;
    pl_tx *tx = mp->tx;
    int keep = tx->cfg->upload_keep_files == 1
            || (tx->cfg->upload_keep_files == 2 && tx->is_relevant);
    int i;

    pl_debug(tx, 4, "Multipart: Cleanup started (remove files %d).", !keep);
    if (keep && tx->cfg->upload_dir == NULL) {
        pl_body_log(tx, 1, "Input filter: SecUploadDir is undefined, unable to store "
                 "multipart files.");
        keep = 0;
    }
    for (i = 0; i < mp->parts->nelts; i++) {
        const mp_part *part = APR_ARRAY_IDX(mp->parts, i, const mp_part *);
        const char *to;

        if (part->tmp_name == NULL)
            continue;
        if (keep && part->size > 0) {
            to = apr_pstrcat(tx->pool, tx->cfg->upload_dir, "/",
                             strrchr(part->tmp_name, '/') + 1, NULL);
            if (apr_file_rename(part->tmp_name, to, tx->pool) == APR_SUCCESS)
                pl_debug(tx, 4, "Input filter: Moved file from \"%s\" to \"%s\".",
                         pl_log_escape(tx->pool, part->tmp_name, strlen(part->tmp_name)),
                         pl_log_escape(tx->pool, to, strlen(to)));
            else
                pl_body_log(tx, 1, apr_psprintf(tx->pool, "Input filter: Failed to rename file "
                         "from \"%s\" to \"%s\".",
                         pl_log_escape(tx->pool, part->tmp_name, strlen(part->tmp_name)),
                         pl_log_escape(tx->pool, to, strlen(to))));
        } else if (apr_file_remove(part->tmp_name, tx->pool) == APR_SUCCESS) {
            pl_debug(tx, 4, "Multipart: Deleted %sfile (part) \"%s\"", keep ? "empty " : "",
                     pl_log_escape(tx->pool, part->tmp_name, strlen(part->tmp_name)));
        }
    }
    /* a part the body ended in the middle of is not listed */
    if (mp->part != NULL && mp->part->tmp_name != NULL)
        apr_file_remove(mp->part->tmp_name, tx->pool);
    return APR_SUCCESS;
}

/* ------------------------------------------------------------------------
 * The processor
 * --------------------------------------------------------------------- */

/* Content-Type is checked first, as 2.9's multipart_init does; a problem
 * there leaves the parser failed, and it is reported when the body ends. */
pl_mp_parser *pl_mp_start(pl_tx *tx)
{
    pl_mp_parser *mp = apr_pcalloc(tx->pool, sizeof(*mp));

    mp->tx = tx;
    mp->parts = apr_array_make(tx->pool, 8, sizeof(mp_part *));
    mp->line_start = 1;
    mp->after_at = -1;
    mp->extract = upload_extract(tx);
    tx->multipart_parts = apr_array_make(tx->pool, 8, sizeof(const pl_mpart *));
    apr_pool_cleanup_register(tx->pool, mp, mp_cleanup, apr_pool_cleanup_null);
    if ((mp->boundary = mp_content_type(tx, &mp->f, &mp->ct_err)) == NULL) {
        mp->f.error = 1;
        return mp;
    }
    mp->blen = strlen(mp->boundary);
    if (pl_body_debug_on(tx, 9))
        pl_debug(tx, 9, "Multipart: Boundary%s: %s", mp->f.boundary_quoted ? " (quoted)" : "",
                 pl_log_escape_nq(tx->pool, mp->boundary, mp->blen));
    return mp;
}

void pl_mp_feed(pl_mp_parser *mp, const char *data, apr_size_t len)
{
    if (pl_mp_failed(mp) || len == 0)
        return;
    if (mp->complete) {
        /* the final boundary ended an earlier piece */
        mp->f.data_after = 1;
        if (mp->after_at < 0)
            mp->after_at = mp->fed;
    } else {
        mp_feed(mp, data, len);
    }
    mp->fed += (apr_off_t)len;
}

int pl_mp_failed(const pl_mp_parser *mp)
{
    return mp->boundary == NULL || mp->err != NULL;
}

/*
 * As in 2.9 a Content-Type problem is reported by itself, a problem in the
 * body with "Multipart parsing error: " in front.  The debug lines the end
 * of the body brings come in the order the whole-body parse wrote them:
 * data after the final boundary, then the summary of the anomalies.
 */
void pl_mp_finish(pl_mp_parser *mp)
{
    pl_tx *tx = mp->tx;

    if (mp->boundary == NULL) {
        pl_body_error(tx, mp->ct_err);
    } else {
        if (mp->err == NULL) {
            if (mp->after_at >= 0)
                pl_debug(tx, 4, "Multipart: Ignoring data after last boundary (%u bytes left)",
                         (unsigned)(mp->fed - mp->after_at));
            mp_warnings(tx, &mp->f);
        }
        if (mp->err != NULL || mp_finish(mp, mp->fed) < 0)
            pl_body_error(tx, apr_pstrcat(tx->pool, "Multipart parsing error: ", mp->err, NULL));
        mp_publish(tx, mp, mp->err == NULL);
    }
    mp_publish_flags(tx, &mp->f);
}
