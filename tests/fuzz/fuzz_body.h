/*
 * fuzz_body.h - what the request body harnesses (fuzz_urlencoded.c,
 * fuzz_multipart.c, fuzz_json.c, fuzz_xml.c) share.  Only the public API of
 * palisade.h is used (directive table, pl_tx_body_append/_done, target
 * parsing and pl_target_values), so the harnesses do not depend on how
 * apache2/ splits the body processors.
 *
 * Every input starts with two bytes:
 *
 *   byte 0  bits 0-2  configuration variant (below): memory limit, spooling,
 *                     uploads kept / inspected, debug log, limits
 *           bit 3     ctl:forceRequestBodyVariable=On
 *           bit 4     the transaction is "relevant" (SecUploadKeepFiles
 *                     RelevantOnly keeps the files)
 *           bits 5-7  left to the harness
 *   byte 1  bits 0-2  largest chunk given to pl_tx_body_append (1 byte ..
 *                     the whole body); bits 3-7 seed the chunk sizes
 *
 * then the harness's own bytes.  A body fed in chunks is fed again at once:
 * the variables must not differ.  Temporary files and uploads go to a
 * private directory under PL_FUZZ_DIR; after each input the temporary
 * directory must be empty again (the engine removes what it created when
 * the transaction's pool goes), and SecUploadDir may only have received
 * files when SecUploadKeepFiles asked for it.  Kept files are then removed
 * by the harness.  With PL_FUZZ_DUMP set in the environment, every value
 * read is printed (to see what a failing input changed).
 */
#ifndef FUZZ_BODY_H
#define FUZZ_BODY_H

#include "fuzz_common.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <unistd.h>
#include <sys/stat.h>

#include <libxml/xmlerror.h>

#define FB_NCFG 8

typedef struct fuzz_body_in {
    int            cfg;          /* configuration variant, 0 .. FB_NCFG-1 */
    int            force_var;    /* ctl:forceRequestBodyVariable */
    int            relevant;
    int            bits;         /* bits 5-7 of byte 0, as 0..7 */
    unsigned       chunk_max;    /* largest append, 0: the whole body */
    unsigned       seed;         /* xorshift state for the chunk sizes */
    const uint8_t *data;         /* the harness's bytes */
    size_t         size;
} fuzz_body_in;

/*
 * The variants: each line "Directive arguments"; @UP@ is the private
 * upload directory.  All have SecTmpDir set to the private temporary
 * directory, and their debug log (when one is opened) is /dev/null: the
 * lines are built but a written log would grow without bound.
 */
static const char *const fb_variants[FB_NCFG] = {
    /* 0: defaults (the body stays in memory) */
    "",
    /* 1: spooled to a file after 64 bytes */
    "SecRequestBodyInMemoryLimit 64\n",
    /* 2: file parts inspected (FILES_TMP_CONTENT), at most 2 files, debug
     * lines built */
    "SecTmpSaveUploadedFiles On\nSecUploadFileLimit 2\nSecUploadFileMode 0640\n"
    "SecDebugLog /dev/null\nSecDebugLogLevel 9\nSecRequestBodyInMemoryLimit 1000\n",
    /* 3: uploads kept in SecUploadDir */
    "SecUploadKeepFiles On\nSecUploadDir @UP@\nSecRequestBodyInMemoryLimit 256\n",
    /* 4: uploads kept when relevant, debug log, host error log */
    "SecUploadKeepFiles RelevantOnly\nSecUploadDir @UP@\nSecDebugLog /dev/null\n"
    "SecDebugLogLevel 9\nSecUploadFileLimit 1\n",
    /* 5: small limits: body, no-files body, arguments, JSON depth */
    "SecRequestBodyLimit 600\nSecRequestBodyNoFilesLimit 400\nSecArgumentsLimit 6\n"
    "SecRequestBodyJsonDepthLimit 3\nSecRequestBodyInMemoryLimit 100\n"
    "SecTmpSaveUploadedFiles On\n",
    /* 6: keeping asked for without SecUploadDir; spooled from the start */
    "SecUploadKeepFiles On\nSecTmpSaveUploadedFiles On\nSecRequestBodyInMemoryLimit 1\n"
    "SecUploadFileLimit 0\n",
    /* 7: ';' separates arguments, debug level 4 */
    "SecArgumentSeparator ;\nSecDebugLog /dev/null\nSecDebugLogLevel 4\n"
    "SecRequestBodyInMemoryLimit 4096\n",
};

static pl_config  *fb_cfg[FB_NCFG];
static const char *fb_tmp, *fb_up;
static apr_array_header_t *fb_targets;    /* pl_target */
static char        fb_base[512];
static int         fb_dump;         /* PL_FUZZ_DUMP: print the values */

/* Host callbacks: messages are built by the engine, then dropped. */
static void fb_log_error(pl_tx *tx, int level, const char *msg)
{
    (void)tx;
    (void)level;
    (void)msg;
}

static const pl_host fb_host = { fb_log_error, NULL, NULL };

/* Removes the files of dir (no subdirectories are made there); returns
 * how many there were. */
static int fb_empty_dir(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    char path[1024];
    int n = 0;

    if (d == NULL)
        return 0;
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
        unlink(path);
        n++;
    }
    closedir(d);
    return n;
}

static void fb_cleanup_dirs(void)
{
    fb_empty_dir(fb_tmp);
    fb_empty_dir(fb_up);
    rmdir(fb_tmp);
    rmdir(fb_up);
    rmdir(fb_base);
}

/* Runs the directives of one variant against a new configuration. */
static pl_config *fb_configure(const char *text)
{
    pl_cmd cmd;
    char *lines, *line, *last = NULL;

    memset(&cmd, 0, sizeof(cmd));
    cmd.pool = fuzz_root;
    cmd.temp_pool = fuzz_root;
    cmd.cfg = pl_config_create(fuzz_root);
    cmd.file = "fuzz_body.h";
    cmd.server_level = 1;
    cmd.cfg->rule_engine = PL_ENGINE_ON;
    cmd.cfg->reqbody_access = 1;
    lines = apr_pstrcat(fuzz_root, "SecTmpDir ", fb_tmp, "\n", text, NULL);
    for (line = apr_strtok(lines, "\n", &last); line; line = apr_strtok(NULL, "\n", &last)) {
        char *sp = strchr(line, ' ');
        const pl_directive *d;
        const char *args, *err;

        *sp = '\0';
        args = sp + 1;
        if (strcmp(args, "@UP@") == 0)
            args = fb_up;
        cmd.line++;
        d = pl_directive_find(line);
        if (d == NULL || (err = d->fn(&cmd, args)) != NULL) {
            fprintf(stderr, "fuzz_body.h: %s %s: %s\n", line, args, d ? err : "unknown");
            abort();
        }
    }
    return cmd.cfg;
}

/*
 * Every variable the body processors publish, read the way rules read
 * them; the XPath expressions only walk the document.
 */
static void fb_parse_targets(void)
{
    static const char *const text =
        "ARGS|ARGS_NAMES|ARGS_POST|ARGS_POST_NAMES|ARGS_COMBINED_SIZE|&ARGS|ARGS:a|"
        "ARGS:/^a/|FILES|FILES_NAMES|FILES_SIZES|FILES_TMPNAMES|FILES_TMP_CONTENT|"
        "FILES_COMBINED_SIZE|&FILES|MULTIPART_PART_HEADERS|MULTIPART_STRICT_ERROR|"
        "MULTIPART_UNMATCHED_BOUNDARY|MULTIPART_BOUNDARY_QUOTED|"
        "MULTIPART_BOUNDARY_WHITESPACE|MULTIPART_CRLF_LF_LINES|MULTIPART_DATA_AFTER|"
        "MULTIPART_DATA_BEFORE|MULTIPART_FILENAME|MULTIPART_NAME|"
        "MULTIPART_FILE_LIMIT_EXCEEDED|MULTIPART_HEADER_FOLDING|"
        "MULTIPART_INVALID_HEADER_FOLDING|MULTIPART_INVALID_PART|"
        "MULTIPART_INVALID_QUOTING|MULTIPART_LF_LINE|MULTIPART_CRLF_LINE|"
        "MULTIPART_MISSING_SEMICOLON|REQBODY_ERROR|REQBODY_ERROR_MSG|"
        "REQBODY_PROCESSOR|REQBODY_PROCESSOR_ERROR|REQBODY_PROCESSOR_ERROR_MSG|"
        "URLENCODED_ERROR|INBOUND_DATA_ERROR|REQUEST_BODY|REQUEST_BODY_LENGTH|"
        "FULL_REQUEST|FULL_REQUEST_LENGTH|XML|XML:/*|XML://@*|XML://*[2]/text()";
    pl_cmd cmd;
    const char *err;

    memset(&cmd, 0, sizeof(cmd));
    cmd.pool = fuzz_root;
    cmd.temp_pool = fuzz_root;
    cmd.cfg = fb_cfg[0];
    cmd.file = "fuzz_body.h";
    cmd.server_level = 1;
    fb_targets = apr_array_make(fuzz_root, 64, sizeof(pl_target));
    if ((err = pl_parse_targets(&cmd, fuzz_root, text, fb_targets)) != NULL) {
        fprintf(stderr, "fuzz_body.h: targets: %s\n", err);
        abort();
    }
}

static void fb_init(void)
{
    int i;

    if (fb_targets != NULL)
        return;
    fuzz_init();
    fb_dump = getenv("PL_FUZZ_DUMP") != NULL;
    /* per process: run.sh's harnesses may share PL_FUZZ_DIR */
    snprintf(fb_base, sizeof(fb_base), "%s/body-%ld", fuzz_dir(), (long)getpid());
    fb_tmp = apr_pstrcat(fuzz_root, fb_base, "/tmp", NULL);
    fb_up = apr_pstrcat(fuzz_root, fb_base, "/upload", NULL);
    if ((mkdir(fb_base, 0700) != 0 && errno != EEXIST) || (mkdir(fb_tmp, 0700) != 0
            && errno != EEXIST) || (mkdir(fb_up, 0700) != 0 && errno != EEXIST)) {
        perror("fuzz_body.h: mkdir");
        abort();
    }
    for (i = 0; i < FB_NCFG; i++)
        fb_cfg[i] = fb_configure(fb_variants[i]);
    fb_parse_targets();
    atexit(fb_cleanup_dirs);
}

/* The two leading bytes; 0 when the input is too short. */
static int fb_split(const uint8_t *data, size_t size, fuzz_body_in *in)
{
    static const unsigned max[8] = { 1, 2, 3, 16, 100, 1000, 4096, 0 };

    if (size < 2)
        return 0;
    in->cfg = data[0] & 7;
    in->force_var = (data[0] >> 3) & 1;
    in->relevant = (data[0] >> 4) & 1;
    in->bits = data[0] >> 5;
    in->chunk_max = max[data[1] & 7];
    in->seed = ((unsigned)data[1] >> 3) * 2654435761u + 1;
    in->data = data + 2;
    in->size = size - 2;
    return 1;
}

/*
 * A POST transaction with the given Content-Type (NULL: none), its
 * headers in before pl_tx_request_ready picks the processor from them.
 */
static pl_tx *fb_tx(apr_pool_t *p, const fuzz_body_in *in, const char *ctype)
{
    pl_tx *tx = pl_tx_create(p, fb_cfg[in->cfg], &fb_host, NULL);

    tx->method = "POST";
    tx->protocol = "HTTP/1.1";
    tx->uri_raw = tx->uri = "/fuzz?a=1";
    tx->request_line = "POST /fuzz?a=1 HTTP/1.1";
    tx->query_string = "a=1";
    tx->remote_addr = tx->server_addr = "127.0.0.1";
    tx->hostname = tx->server_name = "localhost";
    tx->unique_id = "fuzz";
    pl_tx_add_request_header(tx, "Host", "localhost");
    if (ctype != NULL)
        pl_tx_add_request_header(tx, "Content-Type", ctype);
    pl_tx_add_request_header(tx, "Content-Length",
                             apr_psprintf(p, "%" APR_SIZE_T_FMT, in->size));
    pl_tx_request_ready(tx);
    tx->force_reqbody_var = in->force_var;
    return tx;
}

static unsigned fb_rand(unsigned *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 17;
    *s ^= *s << 5;
    return *s;
}

/*
 * Feeds body[0..len) as a host would, in chunks of at most chunk_max bytes
 * (0: one append) of the sizes the input asks for (an empty append now and
 * then), and completes it unless the host would have refused the request
 * (SecRequestBodyNoFilesLimit): then returns 0.  The chunks are private
 * copies, so that a read past one is caught.
 */
static int fb_feed(pl_tx *tx, unsigned chunk_max, unsigned seed, const uint8_t *body,
                   size_t len)
{
    size_t off = 0;

    while (off < len) {
        size_t n = len - off;
        unsigned r = fb_rand(&seed);
        apr_status_t rv;
        char *chunk;

        if (chunk_max != 0 && n > 1 + r % chunk_max)
            n = 1 + r % chunk_max;
        if (chunk_max != 0 && (r >> 24) == 0)
            n = 0;
        chunk = malloc(n ? n : 1);
        memcpy(chunk, body + off, n);
        rv = pl_tx_body_append(tx, chunk, n);
        free(chunk);
        if (rv == PL_BODY_NOFILES)
            return 0;
        if (rv != APR_SUCCESS)
            break;                  /* ProcessPartial: what fitted is kept */
        off += n;
    }
    pl_tx_body_done(tx);
    return 1;
}

static apr_uint64_t fb_hash(apr_uint64_t h, const void *data, size_t n)
{
    const unsigned char *b = data;
    size_t i;

    for (i = 0; i < n; i++)
        h = (h ^ b[i]) * 0x100000001b3ULL;
    return (h ^ n) * 0x100000001b3ULL;
}

/*
 * Reads every value of every target, byte by byte (ASan checks them), and
 * returns a digest of them: names, keys and values in order, but not the
 * FILES_TMPNAMES values (file names made of the time and random letters);
 * "XML parsing error" and "XML parser error" count as one.
 */
static apr_uint64_t fb_touch(pl_tx *tx)
{
    apr_array_header_t *out = apr_array_make(tx->pool, 32, sizeof(pl_var *));
    apr_uint64_t h = 0xcbf29ce484222325ULL;
    int i, j;

    for (i = 0; i < fb_targets->nelts; i++) {
        const pl_target *t = &APR_ARRAY_IDX(fb_targets, i, pl_target);
        int tmpnames = strcmp(t->def->name, "FILES_TMPNAMES") == 0;

        out->nelts = 0;
        pl_target_values(tx, t, out);
        h = fb_hash(h, &i, sizeof(i));
        for (j = 0; j < out->nelts; j++) {
            const pl_var *v = APR_ARRAY_IDX(out, j, const pl_var *);

            if (v == NULL || v->name == NULL || (v->value == NULL && v->value_len != 0))
                abort();
            if (fb_dump)
                fprintf(stderr, "  %s = %s\n", v->name,
                        pl_log_escape(tx->pool, v->value ? v->value : "", v->value_len));
            h = fb_hash(h, v->name, strlen(v->name));
            if (v->key != NULL)
                h = fb_hash(h, v->key, strlen(v->key));
            if (tmpnames || v->value_len == 0)
                continue;
            /* 2.9's two names for one XML error: found while the body
             * streamed in, or when the parse completed */
            if (v->value_len >= 18 && memcmp(v->value, "XML parsing error:", 18) == 0)
                h = fb_hash(h, v->value + 18, v->value_len - 18);
            else if (v->value_len >= 17 && memcmp(v->value, "XML parser error:", 17) == 0)
                h = fb_hash(h, v->value + 17, v->value_len - 17);
            else
                h = fb_hash(h, v->value, v->value_len);
        }
    }
    return h;
}

/* After the transaction's pool is gone: no temporary file may be left;
 * SecUploadDir may only hold files when they were to be kept. */
static void fb_check_files(const fuzz_body_in *in, int relevant)
{
    const pl_config *c = fb_cfg[in->cfg];
    int left = fb_empty_dir(fb_tmp), kept = fb_empty_dir(fb_up);

    if (left != 0) {
        fprintf(stderr, "fuzz_body.h: %d temporary file(s) left in %s\n", left, fb_tmp);
        abort();
    }
    if (kept != 0 && !(c->upload_keep_files == 1 || (c->upload_keep_files == 2 && relevant))) {
        fprintf(stderr, "fuzz_body.h: %d file(s) kept in %s\n", kept, fb_up);
        abort();
    }
}

/* One transaction: feed, process, read the variables, destroy, check the
 * files.  Returns 0 when the host would have refused the body. */
static int fb_once(fuzz_body_in *in, const char *ctype, const char *ctl, const uint8_t *body,
                   size_t len, unsigned chunk_max, apr_uint64_t *digest)
{
    apr_pool_t *p;
    pl_tx *tx;
    int done, relevant;

    apr_pool_create(&p, fuzz_root);
    tx = fb_tx(p, in, ctype);
    if (ctl != NULL)
        tx->ctl_reqbody_processor = ctl;
    done = fb_feed(tx, chunk_max, in->seed, body, len);
    *digest = fb_touch(tx);
    /* RelevantOnly decides when the pool goes, whatever made it relevant */
    if (in->relevant)
        tx->is_relevant = 1;
    relevant = tx->is_relevant;
    apr_pool_destroy(p);
    /* libxml2 keeps a copy of its last error per thread; freed here, the
     * input's allocations balance, or libFuzzer runs a leak check after
     * every input that had one (a streaming parser raises them often) */
    xmlResetLastError();
    fb_check_files(in, relevant);
    return done;
}

/*
 * One input.  ctl names the processor as ctl:requestBodyProcessor would
 * (NULL: the Content-Type decides).  A body fed in chunks must give the
 * variables it gives when fed at once: chunk boundaries are the host's
 * business, not the client's.
 */
static void fb_run(fuzz_body_in *in, const char *ctype, const char *ctl,
                   const uint8_t *body, size_t len)
{
    apr_uint64_t chunked, whole;

    if (!fb_once(in, ctype, ctl, body, len, in->chunk_max, &chunked) || in->chunk_max == 0)
        return;
    if (fb_once(in, ctype, ctl, body, len, 0, &whole) && whole != chunked) {
        fprintf(stderr, "fuzz_body.h: the variables depend on the chunk sizes (at most %u "
                "bytes a chunk)\n", in->chunk_max);
        abort();
    }
}

#endif /* FUZZ_BODY_H */
