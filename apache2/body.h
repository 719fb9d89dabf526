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

/*
 * MULTIPART (body_multipart.c), fed as the body is stored, as 2.9 feeds
 * multipart_process_chunk: pl_mp_start checks Content-Type, pl_mp_feed
 * takes each stored piece in order (adding part headers and text part data
 * to tx->body.nofiles), pl_mp_finish ends the parse and publishes ARGS_POST,
 * FILES*, MULTIPART_* and the error, if any.  pl_mp_failed: the parser
 * stopped on an error (2.9 then feeds it no more, nor counts for it).
 */
typedef struct pl_mp_parser pl_mp_parser;
pl_mp_parser *pl_mp_start(pl_tx *tx);
void pl_mp_feed(pl_mp_parser *mp, const char *data, apr_size_t len);
int  pl_mp_failed(const pl_mp_parser *mp);
void pl_mp_finish(pl_mp_parser *mp);

/* XML (body_xml.c): libxml2's push parser, fed likewise; pl_xml_finish
 * leaves the document in tx->xml_doc or raises the error. */
typedef struct pl_xml_parser pl_xml_parser;
pl_xml_parser *pl_xml_start(pl_tx *tx);
void pl_xml_feed(pl_xml_parser *xp, const char *data, apr_size_t len);
int  pl_xml_failed(const pl_xml_parser *xp);
void pl_xml_finish(pl_xml_parser *xp);

/* JSON (body_json.c), given the whole body at the end: buf[0..len) and a
 * NUL, plus one spare byte after it that the lexer borrows while it runs
 * (pl_tx_body_flat's buffer has it, so the body is not copied again). */
void pl_body_json(pl_tx *tx, char *buf, apr_size_t len);

#endif /* PL_BODY_H */
