/*
 * Content injection and stream editing, with ModSecurity 2.9's semantics
 * (checked against the installed 2.9.7):
 *
 *  - prepend:TEXT / append:TEXT record text, macro-expanded when their
 *    rule matches, that the host puts before / after the response body,
 *    only when SecContentInjection is On.  What ran in phases 1-3 is
 *    injected whether the body is buffered or not (and Content-Length,
 *    Last-Modified, ETag and Expires go); what ran in phase 4 only into a
 *    buffered body; phase 5 is too late.
 *  - With SecStreamInBodyInspection On the stored request body is the
 *    variable STREAM_INPUT_BODY from phase 2 on; with
 *    SecStreamOutBodyInspection On the response body given to phase 4 is
 *    STREAM_OUTPUT_BODY (empty when the body is not buffered).
 *  - @rsub (stream_rsub.c) rewrites them.  The host hands the rewritten
 *    request body to the handler after phase 2, and sends the rewritten
 *    response body after phase 4 when the whole body was buffered and
 *    SecContentInjection is On (2.9 re-injects it only then).
 *
 * The state (struct pl_stream, stream.h) lives in the transaction pool.
 */
#include "stream.h"

/* ------------------------------------------------------------------------
 * Static functions
 * --------------------------------------------------------------------- */

static int injection_on(const pl_tx *tx)
{
    return tx->cfg != NULL && tx->cfg->content_injection == 1;
}

/* ------------------------------------------------------------------------
 * Actions (table in actions.c)
 * --------------------------------------------------------------------- */

const char *pl_stream_inject_init(pl_rule *r, pl_action *a, apr_pool_t *p)
{
    const char *err = NULL;

    (void)r;
    a->macro = pl_macro_compile(p, a->param, &err);
    return a->macro ? NULL : err;
}

int pl_stream_prepend_exec(pl_tx *tx, pl_rule *r, const pl_action *a)
{
    pl_stream *st = pl_stream_state(tx);

    (void)r;
    st->prepend = pl_macro_expand(tx, a->macro, &st->prepend_len);
    return 1;
}

int pl_stream_append_exec(pl_tx *tx, pl_rule *r, const pl_action *a)
{
    pl_stream *st = pl_stream_state(tx);

    (void)r;
    st->append = pl_macro_expand(tx, a->macro, &st->append_len);
    return 1;
}

/* ------------------------------------------------------------------------
 * Public functions: the hosts and the variable table
 * --------------------------------------------------------------------- */

void pl_stream_input_ready(pl_tx *tx)
{
    if (tx->cfg != NULL && tx->cfg->stream_inbody == 1)
        pl_stream_state(tx)->in_ready = 1;
}

void pl_stream_output_ready(pl_tx *tx)
{
    pl_stream *st;

    if (tx->cfg == NULL || tx->cfg->stream_outbody != 1)
        return;
    st = pl_stream_state(tx);
    st->out_ready = 1;
    st->out = tx->resp_body ? tx->resp_body : "";
    st->out_len = tx->resp_body ? tx->resp_body_len : 0;
    st->out_changed = 0;
}

void pl_stream_input_forwarded(pl_tx *tx)
{
    if (tx->stream != NULL && tx->stream->in_changed)
        tx->stream->in_ready = 0;
}

void pl_stream_output_forwarded(pl_tx *tx)
{
    if (tx->stream != NULL)
        tx->stream->out_ready = 0;
}

const char *pl_stream_input_rewritten(const pl_tx *tx, apr_size_t *len)
{
    const pl_stream *st = tx->stream;

    if (st == NULL || !st->in_changed)
        return NULL;
    *len = st->in_len;
    return st->in;
}

const char *pl_stream_output_rewritten(const pl_tx *tx, apr_size_t *len)
{
    const pl_stream *st = tx->stream;

    if (st == NULL || !st->out_changed || !injection_on(tx))
        return NULL;
    *len = st->out_len;
    return st->out;
}

const char *pl_stream_prepend(const pl_tx *tx, apr_size_t *len)
{
    const pl_stream *st = tx->stream;

    if (st == NULL || st->prepend == NULL || !injection_on(tx))
        return NULL;
    *len = st->prepend_len;
    return st->prepend;
}

const char *pl_stream_append(const pl_tx *tx, apr_size_t *len)
{
    const pl_stream *st = tx->stream;

    if (st == NULL || st->append == NULL || !injection_on(tx))
        return NULL;
    *len = st->append_len;
    return st->append;
}
