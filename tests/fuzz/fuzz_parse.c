/*
 * fuzz_parse.c - libFuzzer harness for the rule parser (apache2/parse.c
 * and what it calls: targets, operators' init, actions, macros): the input
 * is split at NUL bytes into the three words of a SecRule, targets,
 * operator and actions, and given to pl_parse_rule.  Operator texts that
 * name URLs are skipped (libxml2 could fetch a DTD or schema).
 */
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *words[3] = { "", "", "" };
    apr_pool_t *p;
    pl_cmd cmd;
    pl_rule *r = NULL;
    size_t i, start = 0;
    int w = 0;
    char *copy;

    fuzz_init();
    apr_pool_create(&p, fuzz_root);
    copy = fuzz_copy(p, data, size);
    for (i = 0; i <= size && w < 3; i++) {
        if (i == size || copy[i] == '\0') {
            words[w++] = copy + start;
            start = i + 1;
        }
    }
    if (strstr(words[1], "://") != NULL) {
        apr_pool_destroy(p);
        return 0;
    }
    memset(&cmd, 0, sizeof(cmd));
    cmd.pool = p;
    cmd.temp_pool = p;
    cmd.cfg = pl_config_create(p);
    cmd.file = apr_pstrcat(p, fuzz_dir(), "/fuzz.conf", NULL);
    cmd.line = 1;
    cmd.server_level = 1;
    if (pl_parse_rule(&cmd, PL_RT_RULE, words[0], words[1], words[2], &r) == NULL)
        (void)pl_ruleset_add(&cmd, r);
    r = NULL;
    (void)pl_parse_rule(&cmd, PL_RT_ACTION, NULL, NULL, words[2], &r);
    apr_pool_destroy(p);
    return 0;
}
