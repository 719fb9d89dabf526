/*
 * Lua scripts in the rule language, with ModSecurity 2.9's semantics:
 * SecRuleScript (main() returning a string is a match, the string its
 * message), the exec action (main() run, its result ignored) and
 * @inspectFile (main(filename) per file).  Scripts see the table `m`:
 * m.log(level, text), m.getvar(name [, tfn | {tfns}]), m.getvars(...) and
 * m.setvar(name, value).
 *
 * A script is compiled once, when the configuration is read, to bytecode
 * kept in the configuration pool.  A transaction gets one Lua state when it
 * first runs a script (standard libraries opened as 2.9 opens them), closed
 * by a cleanup of its pool.  Each run loads the bytecode into a fresh global
 * table that falls back to the state's globals, so that what one script
 * defines does not leak into the next, as each run had a new state in 2.9.
 *
 * A script must not hang or exhaust a web server process: each run has an
 * instruction budget (a count hook; an m.* call costs as much as
 * LUA_CALL_COST instructions, since it allocates from the transaction's
 * pool) and the state a memory cap; os.exit(), debug.sethook() and
 * finalizers (__gc, which run with hooks off) are refused.  Everything that
 * can raise a Lua error runs under lua_pcall.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <lua.h>
#include <lauxlib.h>
#include <lualib.h>

#include "palisade.h"

/* ------------------------------------------------------------------------
 * Constants
 * --------------------------------------------------------------------- */

/* Instructions between two calls of the count hook. */
#define LUA_HOOK_EVERY   100000
/* Instructions a run may take (a tight loop: about half a second). */
#define LUA_MAX_STEPS    200000000UL
/* What one m.* call is charged, in instructions: it allocates from the
 * transaction's pool, which is only freed when the transaction ends. */
#define LUA_CALL_COST    1000
/* Bytes a transaction's Lua state may hold. */
#define LUA_MAX_MEMORY   ((apr_size_t)128 * 1024 * 1024)
/* m.getvar names whose parsed target is kept per transaction. */
#define LUA_TARGETS_KEPT 256

/* ------------------------------------------------------------------------
 * Types
 * --------------------------------------------------------------------- */

struct pl_lua_script {
    const char *name;            /* file, as resolved */
    const char *chunkname;       /* "=" + name */
    const char *code;            /* bytecode (lua_dump) */
    apr_size_t  len;
};

/* The Lua state of one transaction (tx->lua). */
struct pl_lua_ctx {
    lua_State           *L;
    pl_tx               *tx;         /* NULL once closing */
    pl_rule             *rule;       /* rule running the script */
    const pl_lua_script *script;     /* script running */
    const char          *param;      /* main()'s argument, NULL: none */
    apr_pool_t          *scratch;    /* one m.* call's temporary data */
    apr_size_t           mem;        /* bytes the state holds */
    unsigned long        steps;      /* instructions of this run (about) */
    int                  exhausted;  /* budget spent: every step fails */
    apr_hash_t          *targets;    /* m.getvar name -> lua_target */
};

typedef struct pl_lua_ctx pl_lua_ctx;

/* An m.getvar name as parsed (err set when it names no variable). */
typedef struct lua_target {
    pl_target   t;
    const char *err;
} lua_target;

/* lua_dump()'s output while a script is compiled. */
typedef struct dump_buf {
    char   *data;
    size_t  len, cap;
} dump_buf;

/* ------------------------------------------------------------------------
 * Static function prototypes
 * --------------------------------------------------------------------- */

static int         dump_write(lua_State *L, const void *p, size_t n, void *ud);
static void       *state_alloc(void *ud, void *ptr, size_t osize, size_t nsize);
static int         state_panic(lua_State *L);
static pl_lua_ctx *ctx_of(lua_State *L);
static void        budget_reset(pl_lua_ctx *c);
static void        budget_spend(lua_State *L, pl_lua_ctx *c, unsigned long steps);
static void        count_hook(lua_State *L, lua_Debug *ar);
static const char *number_text(lua_State *L, int idx, size_t *len);
static const char *value_text(lua_State *L, int idx, size_t *len);
static const char *check_text(lua_State *L, int idx);
static const char *error_text(lua_State *L, int idx);
static pl_lua_ctx *api_enter(lua_State *L);
static const pl_target *target_of(pl_lua_ctx *c, const char *name);
static void        tfn_add(pl_lua_ctx *c, apr_array_header_t *a, const char *name);
static apr_array_header_t *tfns_of(lua_State *L, pl_lua_ctx *c, int idx);
static const char *transform(pl_lua_ctx *c, const apr_array_header_t *tfns,
                             const pl_var *v, apr_size_t *len);
static int         m_log(lua_State *L);
static int         m_getvar(lua_State *L);
static int         m_getvars(lua_State *L);
static int         m_setvar(lua_State *L);
static int         os_exit_refused(lua_State *L);
static int         coroutine_charged(lua_State *L);
static int         setmetatable_checked(lua_State *L);
static int         state_setup(lua_State *L);
static int         run_protected(lua_State *L);
static apr_status_t ctx_close(void *data);
static pl_lua_ctx *ctx_get(pl_tx *tx, char **msg);

/* ------------------------------------------------------------------------
 * Static functions: compiling, the state, its limits
 * --------------------------------------------------------------------- */

static int dump_write(lua_State *L, const void *p, size_t n, void *ud)
{
    dump_buf *b = ud;

    (void)L;
    if (b->len + n > b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 4096;
        char *d;

        while (cap < b->len + n)
            cap *= 2;
        if ((d = realloc(b->data, cap)) == NULL)
            return 1;                   /* stops lua_dump */
        b->data = d;
        b->cap = cap;
    }
    memcpy(b->data + b->len, p, n);
    b->len += n;
    return 0;
}

/* Lua needs realloc semantics, which pools lack: the state allocates from
 * the C heap, counted against LUA_MAX_MEMORY (refusing makes Lua raise
 * "not enough memory" in the script). */
static void *state_alloc(void *ud, void *ptr, size_t osize, size_t nsize)
{
    pl_lua_ctx *c = ud;
    void *n;

    if (ptr == NULL)
        osize = 0;                      /* osize is then a type code */
    if (nsize == 0) {
        free(ptr);
        c->mem -= osize;
        return NULL;
    }
    if (nsize > osize && c->mem + (nsize - osize) > LUA_MAX_MEMORY)
        return NULL;
    if ((n = realloc(ptr, nsize)) != NULL)
        c->mem = c->mem - osize + nsize;
    return n;
}

/* Every call into Lua is protected; this is a last word before abort(). */
static int state_panic(lua_State *L)
{
    const char *e = lua_tostring(L, -1);

    fprintf(stderr, "Palisade: unprotected error in a Lua script: %s\n", e ? e : "?");
    fflush(stderr);
    return 0;
}

static pl_lua_ctx *ctx_of(lua_State *L)
{
    return *(pl_lua_ctx **)lua_getextraspace(L);
}

static void budget_reset(pl_lua_ctx *c)
{
    c->steps = 0;
    c->exhausted = 0;
    lua_sethook(c->L, count_hook, LUA_MASKCOUNT, LUA_HOOK_EVERY);
}

/* Once the budget is spent every instruction raises an error, so that a
 * pcall() in the script cannot catch it and go on. */
static void budget_spend(lua_State *L, pl_lua_ctx *c, unsigned long steps)
{
    if (!c->exhausted) {
        c->steps += steps;
        if (c->steps < LUA_MAX_STEPS)
            return;
        c->exhausted = 1;
        lua_sethook(L, count_hook, LUA_MASKCOUNT, 1);
        /* coroutines take their hook from the thread creating them */
        lua_sethook(c->L, count_hook, LUA_MASKCOUNT, 1);
    }
    lua_pushfstring(L, "%s: stopped after %d million instructions (runaway script)",
                    c->script ? c->script->name : "?", (int)(LUA_MAX_STEPS / 1000000));
    lua_error(L);
}

static void count_hook(lua_State *L, lua_Debug *ar)
{
    (void)ar;
    budget_spend(L, ctx_of(L), LUA_HOOK_EVERY);
}

/* A number as Lua 5.1, for which 2.9's scripts were written, turned it
 * into text: floats "%.14g" (5.4 would write 5.0 where 5.1 wrote 5). */
static const char *number_text(lua_State *L, int idx, size_t *len)
{
    char buf[64];

    idx = lua_absindex(L, idx);
    if (lua_isinteger(L, idx))
        snprintf(buf, sizeof(buf), LUA_INTEGER_FMT, (LUAI_UACINT)lua_tointeger(L, idx));
    else
        snprintf(buf, sizeof(buf), "%.14g", (double)lua_tonumber(L, idx));
    lua_pushstring(L, buf);
    lua_replace(L, idx);
    return lua_tolstring(L, idx, len);
}

/* A string or a number as text (as lua_tostring), NULL for other values. */
static const char *value_text(lua_State *L, int idx, size_t *len)
{
    switch (lua_type(L, idx)) {
    case LUA_TSTRING:
        return lua_tolstring(L, idx, len);
    case LUA_TNUMBER:
        return number_text(L, idx, len);
    default:
        return NULL;
    }
}

static const char *check_text(lua_State *L, int idx)
{
    const char *s = value_text(L, idx, NULL);

    if (s == NULL)
        luaL_typeerror(L, idx, "string");
    return s;
}

static const char *error_text(lua_State *L, int idx)
{
    const char *e = lua_tostring(L, idx);

    return e ? e : apr_psprintf(ctx_of(L)->tx->pool, "(error object is a %s value)",
                                luaL_typename(L, idx));
}

/* ------------------------------------------------------------------------
 * Static functions: the m table
 * --------------------------------------------------------------------- */

/* Start of every m.* function: the transaction, the call's cost, an empty
 * scratch pool (what the previous call left there is in Lua by now). */
static pl_lua_ctx *api_enter(lua_State *L)
{
    pl_lua_ctx *c = ctx_of(L);

    if (c->tx == NULL)
        luaL_error(L, "the m functions only work while a script runs");
    budget_spend(L, c, LUA_CALL_COST);
    apr_pool_clear(c->scratch);
    return c;
}

/*
 * "ARGS.id" as 2.9 writes it, or "ARGS:id" as rules do: the variable ends
 * at the first '.' or ':'.  Parsed once per transaction for the first
 * LUA_TARGETS_KEPT names; an unknown variable is reported at level 1 on
 * every call, as 2.9 does.
 */
static const pl_target *target_of(pl_lua_ctx *c, const char *name)
{
    lua_target *lt = apr_hash_get(c->targets, name, APR_HASH_KEY_STRING);
    int keep = lt == NULL && apr_hash_count(c->targets) < LUA_TARGETS_KEPT;
    apr_pool_t *p = keep ? c->tx->pool : c->scratch;
    apr_size_t n;

    if (lt == NULL) {
        lt = apr_pcalloc(p, sizeof(*lt));
        n = strcspn(name, ".:");
        lt->err = pl_parse_target(p, name[n] ? apr_pstrcat(p, apr_pstrndup(p, name, n), ":",
                                                           name + n + 1, NULL)
                                             : name, &lt->t);
        /* 2.9 reads "!ARGS" and "&ARGS" as ARGS here */
        lt->t.exclude = lt->t.count = 0;
        /* the audit log keeps the text of what was logged */
        if (lt->err != NULL && !keep)
            lt->err = apr_pstrdup(c->tx->pool, lt->err);
        if (keep)
            apr_hash_set(c->targets, apr_pstrdup(p, name), APR_HASH_KEY_STRING, lt);
    }
    if (lt->err != NULL) {
        pl_log_alert(c->tx, 1, lt->err);
        return NULL;
    }
    return &lt->t;
}

static void tfn_add(pl_lua_ctx *c, apr_array_header_t *a, const char *name)
{
    const pl_tfndef *tf;

    if (strcasecmp(name, "none") == 0) {
        a->nelts = 0;                   /* starts over, as t:none */
        return;
    }
    if ((tf = pl_tfn_find(name)) == NULL) {
        pl_log_alert(c->tx, 1, apr_psprintf(c->tx->pool,
                     "SecRuleScript: Invalid transformation function: %s", name));
        return;
    }
    APR_ARRAY_PUSH(a, const pl_tfndef *) = tf;
}

/* The transformations argument: nothing, a name, or an array of names. */
static apr_array_header_t *tfns_of(lua_State *L, pl_lua_ctx *c, int idx)
{
    apr_array_header_t *a = apr_array_make(c->scratch, 4, sizeof(const pl_tfndef *));
    lua_Integer i, n;

    switch (lua_type(L, idx)) {
    case LUA_TNONE:
    case LUA_TNIL:
        break;
    case LUA_TSTRING:
    case LUA_TNUMBER:
        tfn_add(c, a, lua_tostring(L, idx));
        break;
    case LUA_TTABLE:
        n = (lua_Integer)lua_rawlen(L, idx);
        for (i = 1; i <= n; i++) {
            lua_rawgeti(L, idx, i);
            tfn_add(c, a, luaL_checkstring(L, -1));
            lua_pop(L, 1);
        }
        break;
    default:
        pl_log_alert(c->tx, 1, apr_psprintf(c->tx->pool,
                     "SecRuleScript: Transformation parameter must be a transformation name "
                     "or array of transformation names, but found \"%s\" (type %d).",
                     luaL_typename(L, idx), lua_type(L, idx)));
        break;
    }
    return a;
}

static const char *transform(pl_lua_ctx *c, const apr_array_header_t *tfns,
                             const pl_var *v, apr_size_t *len)
{
    const char *val = v->value ? v->value : "";
    int k;

    *len = v->value ? v->value_len : 0;
    for (k = 0; k < tfns->nelts; k++) {
        const pl_tfndef *tf = APR_ARRAY_IDX(tfns, k, const pl_tfndef *);
        char *out;
        apr_size_t olen;

        if (tf->fn != NULL && tf->fn(c->scratch, val, *len, &out, &olen)) {
            val = out;
            *len = olen;
        }
    }
    return val;
}

/* m.log(level, text): the debug log, and at levels 1-3 the error log. */
static int m_log(lua_State *L)
{
    pl_lua_ctx *c = api_enter(L);
    lua_Number n = luaL_checknumber(L, 1);
    const char *text = check_text(L, 2);
    int level = !(n >= 0) ? 0 : n > 9 ? 10 : (int)n;     /* NaN too */

    /* the error and audit logs keep the text until the transaction ends */
    pl_log_alert(c->tx, level, apr_pstrdup(level <= 3 ? c->tx->pool : c->scratch, text));
    return 0;
}

/* m.getvar(name [, tfns]): the first value, transformed, or nil (2.9
 * returns no value at all then, which tostring() refuses). */
static int m_getvar(lua_State *L)
{
    pl_lua_ctx *c = api_enter(L);
    const pl_target *t = target_of(c, luaL_checkstring(L, 1));
    apr_array_header_t *tfns, *vals;
    const char *val;
    apr_size_t len;

    lua_pushnil(L);
    if (t == NULL)
        return 1;
    tfns = tfns_of(L, c, 2);
    vals = apr_array_make(c->scratch, 8, sizeof(pl_var *));
    pl_target_values(c->tx, t, vals);
    if (vals->nelts == 0)
        return 1;
    val = transform(c, tfns, APR_ARRAY_IDX(vals, 0, const pl_var *), &len);
    lua_pushlstring(L, val, len);
    return 1;
}

/* m.getvars(name [, tfns]): {{name = "ARGS:a", value = "..."}, ...}. */
static int m_getvars(lua_State *L)
{
    pl_lua_ctx *c = api_enter(L);
    const char *name = luaL_checkstring(L, 1);
    apr_array_header_t *tfns = tfns_of(L, c, 2), *vals;
    const pl_target *t;
    int i;

    lua_newtable(L);
    if ((t = target_of(c, name)) == NULL)
        return 1;
    vals = apr_array_make(c->scratch, 8, sizeof(pl_var *));
    pl_target_values(c->tx, t, vals);
    for (i = 0; i < vals->nelts; i++) {
        const pl_var *v = APR_ARRAY_IDX(vals, i, const pl_var *);
        const char *val;
        apr_size_t len;

        val = transform(c, tfns, v, &len);
        lua_createtable(L, 0, 2);
        lua_pushstring(L, v->name ? v->name : "");
        lua_setfield(L, -2, "name");
        lua_pushlstring(L, val, len);
        lua_setfield(L, -2, "value");
        lua_rawseti(L, -2, i + 1);
    }
    return 1;
}

/* m.setvar(name, value): as the setvar action; nil (or "!" before the
 * name, as in 2.9) unsets. */
static int m_setvar(lua_State *L)
{
    pl_lua_ctx *c = api_enter(L);
    const char *name, *value = "";

    if (lua_gettop(L) != 2) {
        pl_debug(c->tx, 8, "m.setvar: Failed m.setvar funtion must has 2 arguments");
        return 0;
    }
    name = check_text(L, 1);
    if (lua_isnil(L, 2)) {
        if (name[0] != '!')
            name = apr_pstrcat(c->scratch, "!", name, NULL);
    } else {
        value = check_text(L, 2);
    }
    if (strchr(name, '.') == NULL) {
        pl_debug(c->tx, 8, "m.setvar: Must specify a collection using dot character - "
                 "ie m.setvar(tx.myvar,mydata)");
        return 0;
    }
    /* the collection keeps pointers to both until the transaction ends */
    pl_action_setvar(c->tx, c->rule, apr_pstrdup(c->tx->pool, name),
                     apr_pstrdup(c->tx->pool, value));
    return 0;
}

/* os.exit() would end the web server's process. */
static int os_exit_refused(lua_State *L)
{
    return luaL_error(L, "os.exit() is not available to scripts in a web server");
}

/* coroutine.create() and .wrap(), charged a hook interval: a new thread
 * starts with a fresh hook count, so that a script making coroutines
 * that each end before their first hook would otherwise run unbounded.
 * The original function is upvalue 1. */
static int coroutine_charged(lua_State *L)
{
    budget_spend(L, ctx_of(L), LUA_HOOK_EVERY);
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_insert(L, 1);
    lua_call(L, lua_gettop(L) - 1, LUA_MULTRET);
    return lua_gettop(L);
}

/* setmetatable() without __gc: Lua runs finalizers with hooks off, so one
 * that loops would hang the process (at the latest in lua_close).  The
 * original function is upvalue 1. */
static int setmetatable_checked(lua_State *L)
{
    if (lua_type(L, 2) == LUA_TTABLE) {
        int gc = lua_getfield(L, 2, "__gc") != LUA_TNIL;

        lua_pop(L, 1);
        if (gc)
            return luaL_error(L, "__gc metamethods are not available to scripts in a web server");
    }
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_insert(L, 1);
    lua_call(L, lua_gettop(L) - 1, LUA_MULTRET);
    return lua_gettop(L);
}

static const luaL_Reg m_functions[] = {
    { "log",     m_log },
    { "getvar",  m_getvar },
    { "getvars", m_getvars },
    { "setvar",  m_setvar },
    { NULL,      NULL }
};

/* ------------------------------------------------------------------------
 * Static functions: states and runs
 * --------------------------------------------------------------------- */

/* Protected: the libraries 2.9 opens, less what would let a script end
 * the process or lift its bounds (os.exit, debug.sethook, finalizers),
 * m, and the names of Lua 5.1 that 2.9's scripts use most (unpack,
 * loadstring). */
static int state_setup(lua_State *L)
{
    luaL_openlibs(L);
    lua_getglobal(L, "os");
    lua_pushcfunction(L, os_exit_refused);
    lua_setfield(L, -2, "exit");
    lua_pop(L, 1);
    lua_getglobal(L, "debug");
    lua_pushnil(L);
    lua_setfield(L, -2, "sethook");
    lua_pushnil(L);
    lua_setfield(L, -2, "setmetatable");
    lua_pop(L, 1);
    lua_getglobal(L, "setmetatable");
    lua_pushcclosure(L, setmetatable_checked, 1);
    lua_setglobal(L, "setmetatable");
    lua_getglobal(L, "coroutine");
    lua_getfield(L, -1, "create");
    lua_pushcclosure(L, coroutine_charged, 1);
    lua_setfield(L, -2, "create");
    lua_getfield(L, -1, "wrap");
    lua_pushcclosure(L, coroutine_charged, 1);
    lua_setfield(L, -2, "wrap");
    lua_pop(L, 1);
    lua_getglobal(L, "table");
    lua_getfield(L, -1, "unpack");
    lua_setglobal(L, "unpack");
    lua_pop(L, 1);
    lua_getglobal(L, "load");
    lua_setglobal(L, "loadstring");
    luaL_newlib(L, m_functions);
    lua_setglobal(L, "m");
    return 0;
}

/*
 * Protected: one run of the chunk at index 1.  The chunk gets a fresh
 * global table (its _ENV upvalue) and runs to define main(); as 2.9, an
 * error there is ignored when main() got defined and no limit caused it
 * (2.9 would then report calling a nil main).  Then main(param).
 */
static int run_protected(lua_State *L)
{
    pl_lua_ctx *c = ctx_of(L);
    int rc, nargs = 0;

    lua_createtable(L, 0, 4);                   /* 2: the run's globals */
    lua_createtable(L, 0, 1);
    lua_pushglobaltable(L);
    lua_setfield(L, -2, "__index");
    lua_setmetatable(L, 2);
    lua_pushvalue(L, 2);
    if (lua_setupvalue(L, 1, 1) == NULL)
        lua_pop(L, 1);
    lua_pushvalue(L, 1);
    rc = lua_pcall(L, 0, 0, 0);                  /* 3: its error, if any */
    lua_getfield(L, 2, "main");
    if (rc != LUA_OK) {
        if (c->exhausted || rc == LUA_ERRMEM || lua_type(L, -1) != LUA_TFUNCTION) {
            lua_pop(L, 1);
            return lua_error(L);
        }
        pl_debug(c->tx, 4, "Lua: Error while loading %s (ignored): %s", c->script->name,
                 error_text(L, 3));
    }
    if (c->param != NULL) {
        lua_pushstring(L, c->param);
        nargs = 1;
    }
    lua_call(L, nargs, 1);
    return 1;
}

/* Transaction pool cleanup.  Finalizers that lua_close runs are bounded by
 * a fresh budget and find no transaction. */
static apr_status_t ctx_close(void *data)
{
    pl_lua_ctx *c = data;

    if (c->L != NULL) {
        c->tx = NULL;
        budget_reset(c);
        lua_close(c->L);
        c->L = NULL;
    }
    return APR_SUCCESS;
}

/* The transaction's Lua state, made on first use. */
static pl_lua_ctx *ctx_get(pl_tx *tx, char **msg)
{
    pl_lua_ctx *c = tx->lua;
    int rc;

    if (c != NULL)
        return c;
    c = apr_pcalloc(tx->pool, sizeof(*c));
    c->tx = tx;
    c->targets = apr_hash_make(tx->pool);
    if (apr_pool_create(&c->scratch, tx->pool) != APR_SUCCESS
            || (c->L = lua_newstate(state_alloc, c)) == NULL) {
        *msg = "Lua: Failed to create a Lua state.";
        return NULL;
    }
    *(pl_lua_ctx **)lua_getextraspace(c->L) = c;
    lua_atpanic(c->L, state_panic);
    apr_pool_cleanup_register(tx->pool, c, ctx_close, apr_pool_cleanup_null);
    budget_reset(c);
    lua_pushcfunction(c->L, state_setup);
    if ((rc = lua_pcall(c->L, 0, 0, 0)) != LUA_OK) {
        *msg = apr_psprintf(tx->pool, "Lua: Failed to set up a Lua state: %s",
                            error_text(c->L, -1));
        return NULL;
    }
    tx->lua = c;
    return c;
}

/* ------------------------------------------------------------------------
 * Public functions
 * --------------------------------------------------------------------- */

int pl_lua_is_script(const char *path)
{
    apr_size_t n = path ? strlen(path) : 0;

    return n > 4 && strcmp(path + n - 4, ".lua") == 0;
}

const char *pl_lua_compile(apr_pool_t *p, const char *path, pl_lua_script **out)
{
    lua_State *L = luaL_newstate();
    pl_lua_script *s;
    dump_buf b = { NULL, 0, 0 };
    const char *err = NULL;

    *out = NULL;
    if (L == NULL)
        return apr_psprintf(p, "Failed to compile script %s: cannot create a Lua state", path);
    /* source only: a binary chunk could hold bytecode the VM does not check */
    if (luaL_loadfilex(L, path, "t") != LUA_OK) {
        const char *e = lua_tostring(L, -1);
        err = apr_psprintf(p, "Failed to compile script %s: %s", path, e ? e : "?");
    } else if (lua_dump(L, dump_write, &b, 0) != 0 || b.len == 0) {
        err = apr_psprintf(p, "Failed to compile script %s: out of memory", path);
    }
    lua_close(L);
    if (err == NULL) {
        s = apr_pcalloc(p, sizeof(*s));
        s->name = apr_pstrdup(p, path);
        s->chunkname = apr_pstrcat(p, "=", path, NULL);
        s->code = apr_pmemdup(p, b.data, b.len);
        s->len = b.len;
        *out = s;
    }
    free(b.data);
    return err;
}

int pl_lua_run(pl_tx *tx, pl_rule *rule, const pl_lua_script *s, const char *param,
               char **msg)
{
    apr_time_t t0 = apr_time_now();
    pl_lua_ctx *c;
    lua_State *L;
    const char *text;
    int rc;

    *msg = NULL;
    pl_debug(tx, 8, "Lua: Executing script: %s", s->name);
    if ((c = ctx_get(tx, msg)) == NULL)
        return -1;
    L = c->L;
    c->rule = rule;
    c->script = s;
    c->param = param;
    lua_settop(L, 0);
    budget_reset(c);
    lua_pushcfunction(L, run_protected);
    rc = luaL_loadbufferx(L, s->code, s->len, s->chunkname, "b");
    if (rc != LUA_OK) {
        *msg = apr_psprintf(tx->pool, "Lua: Failed to restore script with %i.", rc);
        lua_settop(L, 0);
        return -1;
    }
    rc = lua_pcall(L, 1, 1, 0);
    if (rc != LUA_OK) {
        *msg = apr_psprintf(tx->pool, "Lua: Script execution failed: %s", error_text(L, -1));
        pl_debug(tx, 8, "%s", *msg);
        lua_settop(L, 0);
        return -1;
    }
    /* 2.9 takes what lua_tostring() gives: strings and numbers match */
    if ((text = value_text(L, -1, NULL)) != NULL)
        *msg = apr_pstrdup(tx->pool, text);
    lua_settop(L, 0);
    pl_debug(tx, 8, "Lua: Script completed in %" APR_TIME_T_FMT " usec, returning: %s.",
             apr_time_now() - t0, *msg ? *msg : "(null)");
    return *msg != NULL;
}
