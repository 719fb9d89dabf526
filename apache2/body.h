/*
 * body.h - what the request body storage (body.c) shares with the body
 * processors (body_multipart.c, body_json.c, body_xml.c).  Engine-internal:
 * the rest of the engine and the glue use palisade.h only.
 */
#ifndef PL_BODY_H
#define PL_BODY_H

#include "palisade.h"

/* ModSecurity 2.9 defaults for settings left PL_UNSET. */
#define PL_BODY_DEFAULT_TMP_DIR   "/tmp"
#define PL_BODY_ARGS_LIMIT_MSG    "SecArgumentsLimit exceeded"

/* Settings, as the transaction sees them. */
long        pl_body_args_limit(const pl_tx *tx);
int         pl_body_args_count(const pl_tx *tx);
const char *pl_body_tmp_dir(const pl_tx *tx);

/* Messages: debug lines are built only when pl_body_debug_on() says they
 * would be written; pl_body_log() also writes levels 1-3 to the error log;
 * pl_body_error() raises REQBODY_ERROR with its message. */
int  pl_body_debug_on(const pl_tx *tx, int level);
void pl_body_log(pl_tx *tx, int level, const char *msg);
void pl_body_error(pl_tx *tx, const char *msg);

/* The processors, each given the whole stored body (NUL-terminated). */
void pl_body_multipart(pl_tx *tx, const char *buf, apr_size_t len);
void pl_body_json(pl_tx *tx, const char *buf, apr_size_t len);
void pl_body_xml(pl_tx *tx, const char *buf, apr_size_t len);

#endif /* PL_BODY_H */
