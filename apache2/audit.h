/*
 * Private interface between the audit log writer (audit.c) and its JSON
 * format (audit_json.c): one record, prepared and sanitised once, and the
 * streaming writer both formats print it with.
 */
#ifndef PALISADE_AUDIT_H
#define PALISADE_AUDIT_H

#include <apr_md5.h>
#include "palisade.h"

/* Output of one record: buffered, counted and (Concurrent) hashed. */
typedef struct pl_aw {
    apr_file_t   *fd[2];          /* where the record goes */
    int           nfd;
    char         *buf;
    apr_size_t    used, cap;
    apr_size_t    size;           /* bytes of the record so far */
    int           hash;           /* update md5 (Concurrent index line) */
    apr_md5_ctx_t md5;
    int           failed;         /* a write failed (already logged) */
    pl_tx        *tx;
} pl_aw;

void pl_aw_write(pl_aw *w, const char *s, apr_size_t n);
void pl_aw_puts(pl_aw *w, const char *s);
void pl_aw_printf(pl_aw *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* A file of a multipart request body (part J). */
typedef struct pl_audit_upload {
    int         index;            /* 1-based position among all parts */
    apr_size_t  size;
    const char *name, *ctype;     /* ctype NULL when the part has none */
} pl_audit_upload;

/* A header as it goes to the log (value already masked). */
typedef struct pl_audit_hdr {
    const char *name, *value;
} pl_audit_hdr;

/* Everything one record holds, sensitive bytes already masked. */
typedef struct pl_audit_rec {
    pl_tx       *tx;
    const char  *parts;           /* effective SecAuditLogParts */
    const char  *logtime;         /* "25/Nov/2026:19:22:35.271193 +0000" */
    const char  *request_line;
    apr_array_header_t *req_headers;   /* pl_audit_hdr */
    const char  *body;            /* C: a masked copy of the body, or NULL */
    apr_size_t   body_len;
    int          body_stored;     /* C: no copy, the engine's stored body */
    const char  *fake_body;       /* I: multipart bodies only */
    int          multipart;
    /* response */
    const char  *resp_protocol, *status_line;
    int          status;
    apr_array_header_t *resp_headers;  /* pl_audit_hdr */
    const char  *resp_body;       /* E: NULL when nothing was captured */
    apr_size_t   resp_body_len;
    /* trailer */
    apr_array_header_t *alerts;   /* pl_alert, texts masked */
    apr_array_header_t *errors;   /* const char*, masked */
    int          intercepted, intercept_phase;
    const char  *intercept_message;
    const char  *handler;
    apr_time_t   start, duration;
    apr_time_t   phase_time[PL_PHASES + 1];
    apr_array_header_t *producer; /* const char*: the engine, then
                                   * SecComponentSignature entries */
    const char  *server;
    apr_array_header_t *san_args, *san_req_headers, *san_resp_headers;
    const char  *webapp_id, *session_id, *user_id;   /* NULL: not shown */
    int          webapp_info;
    const char  *sensor_id;
    const char  *engine_mode;     /* NULL when the rule engine is Off */
    apr_array_header_t *uploads;  /* pl_audit_upload */
    apr_size_t   uploads_total;
    const pl_rule *defaults;      /* SecDefaultAction for "unparsed" */
} pl_audit_rec;

int  pl_audit_has_part(const pl_audit_rec *r, char part);
/* Part C in order, as pieces: the masked copy in one call, or the stored
 * body as pl_tx_body_each gives it (fn's return value as there). */
void pl_audit_body_each(const pl_audit_rec *r, int (*fn)(void *ctx, const char *data,
                                                          apr_size_t len), void *ctx);
/* Is r among the rules whose operator matched (part K "is_matched")? */
int  pl_audit_rule_matched(const pl_tx *tx, const pl_rule *r);
void pl_audit_write_json(pl_aw *w, const pl_audit_rec *r);

#endif /* PALISADE_AUDIT_H */
