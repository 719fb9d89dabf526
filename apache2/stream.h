/*
 * stream.h - the state of content injection and stream editing
 * (stream.c, stream_rsub.c), and what the variable, operator and action
 * tables (vars.c, ops.c, actions.c) take from them.  Engine-internal: the hosts use the
 * pl_stream_* functions of palisade.h.
 *
 * The variables read the state through the inline functions below, so
 * that vars.c does not depend on stream.c (the unit tests link the
 * tables with stubs of the rest of the engine).
 */
#ifndef PL_STREAM_H
#define PL_STREAM_H

#include "palisade.h"

/* Per transaction (tx->stream), made on first use; in tx->pool. */
struct pl_stream {
    const char *prepend, *append;     /* NULL until such an action ran */
    apr_size_t  prepend_len, append_len;
    int         in_ready;             /* the stored request body is STREAM_INPUT_BODY */
    int         in_loaded;            /* ... and in / in_len hold it */
    const char *in;
    apr_size_t  in_len;
    int         in_changed;           /* @rsub replaced it */
    int         out_ready;            /* STREAM_OUTPUT_BODY exists */
    const char *out;
    apr_size_t  out_len;
    int         out_changed;
    pcre2_match_data *md;             /* @rsub's, made on first use */
};

static inline pl_stream *pl_stream_state(pl_tx *tx)
{
    if (tx->stream == NULL)
        tx->stream = apr_pcalloc(tx->pool, sizeof(pl_stream));
    return tx->stream;
}

/* STREAM_INPUT_BODY now, NULL when absent; the stored body is copied into
 * one buffer when a rule first asks for it. */
static inline const char *pl_stream_input_value(pl_tx *tx, apr_size_t *len)
{
    pl_stream *st = tx->stream;

    if (st == NULL || !st->in_ready)
        return NULL;
    if (!st->in_loaded) {
        st->in = pl_tx_body_flat(tx, &st->in_len);
        st->in_loaded = 1;
    }
    *len = st->in_len;
    return st->in;
}

/* STREAM_OUTPUT_BODY now, NULL when absent. */
static inline const char *pl_stream_output_value(const pl_tx *tx, apr_size_t *len)
{
    const pl_stream *st = tx->stream;

    if (st == NULL || !st->out_ready)
        return NULL;
    *len = st->out_len;
    return st->out;
}

/* prepend:TEXT and append:TEXT: the text is macro-expanded when the rule
 * matches; the last one run wins, as in 2.9. */
const char *pl_stream_inject_init(pl_rule *r, pl_action *a, apr_pool_t *p);
int         pl_stream_prepend_exec(pl_tx *tx, pl_rule *r, const pl_action *a);
int         pl_stream_append_exec(pl_tx *tx, pl_rule *r, const pl_action *a);

/* @rsub s/REGEX/REPLACEMENT/[FLAGS] on STREAM_INPUT_BODY and
 * STREAM_OUTPUT_BODY, an operator error on any other variable
 * (stream_rsub.c: apart, so that the action table does not pull the
 * operator in). */
const char *pl_stream_rsub_init(pl_op *op, apr_pool_t *p);
int         pl_stream_rsub_exec(pl_tx *tx, pl_rule *rule, const pl_op *op,
                                const pl_var *var, const char *val, apr_size_t len,
                                char **msg);

#endif /* PL_STREAM_H */
