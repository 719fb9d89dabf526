/*
 * detect_test.c - tests of the @detectSQLi / @detectXSS detectors
 * (apache2/sqli.c, apache2/xss.c), standalone.
 *
 * Build and run (from the repository root):
 *   cc -O2 -Wall -Wextra -Werror -Iapache2 $(apr-1-config --cflags --cppflags --includes) \
 *      $(pkg-config --cflags libpcre2-8) -o /tmp/detect_test tests/detect_test.c \
 *      apache2/sqli.c apache2/xss.c $(apr-1-config --link-ld)
 *   /tmp/detect_test
 *
 * Cases, every one checked against the detector it names:
 *   - ModSecurity's operator vectors op/detectSQLi.json and op/detectXSS.json
 *     from $PALISADE_SHARED or ../shared (skipped when absent);
 *   - tests/data/sqli_crs.txt and xss_crs.txt: payloads of the CRS 3.3.4
 *     regression tests of rules 942100/942101 and 941100/941101, extracted
 *     by tests/extract_detect_cases.py ("<expect>\t<hex>" lines);
 *   - tests/data/benign.txt: values that neither detector may flag;
 *   - the fingerprints below, which ModSecurity logs and TX:0 holds.
 * A miss listed in tests/data/detect_known_misses.txt ("<sqli|xss>\t<hex>\t
 * reason") counts as skipped, not failed.  Ends with "N passed, M failed".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "palisade.h"

#define CASE_MAX   65536
#define MAX_KNOWN   64

typedef struct {
    char   kind[8];
    char   hex[1024];
} known_t;

static known_t known[MAX_KNOWN];
static int nknown;
static int passed, failed, skipped;
static const char *datadir;

/* Expected fingerprints: the letters follow libinjection's, which CRS
 * users see in logs. */
static const struct {
    const char *input;
    const char *fp;
} fingerprints[] = {
    {"1234 OR 1=1", "1&1"},
    {"-1839' or '1'='1", "s&sos"},
    {"EmptyValue' and 526=527", "s&1"},
    {"foo') UNION ALL select NULL --", "s)UEv"},
    {"sleep(20)", "f(1)"},
    {"1 union select 1", "1UE1"},
    {"admin'--", "sc"},
    {"1' order by 1", "sB1"},
    {NULL, NULL}
};

/* ------------------------------------------------------------------------
 * Helpers
 * --------------------------------------------------------------------- */

static void to_hex(const char *s, size_t n, char *out, size_t outlen)
{
    static const char digits[] = "0123456789abcdef";
    size_t i;

    for (i = 0; i < n && 2 * i + 2 < outlen; i++) {
        out[2 * i] = digits[(unsigned char)s[i] >> 4];
        out[2 * i + 1] = digits[(unsigned char)s[i] & 15];
    }
    out[2 * i] = '\0';
}

static size_t from_hex(const char *h, char *out, size_t max)
{
    size_t n = 0;

    while (h[0] && h[1] && n < max) {
        char b[3] = { h[0], h[1], 0 };
        out[n++] = (char)strtol(b, NULL, 16);
        h += 2;
    }
    return n;
}

static void print_input(const char *s, size_t n)
{
    size_t i;

    putchar('"');
    for (i = 0; i < n && i < 200; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c < 0x7f && c != '\\' && c != '"') {
            putchar(c);
        } else {
            printf("\\x%02x", c);
        }
    }
    printf(i < n ? "\"..." : "\"");
}

static int is_known(const char *kind, const char *s, size_t n)
{
    char hex[1024];
    int i;

    if (2 * n + 1 > sizeof(hex)) {
        return 0;
    }
    to_hex(s, n, hex, sizeof(hex));
    for (i = 0; i < nknown; i++) {
        if (strcmp(known[i].kind, kind) == 0 && strcmp(known[i].hex, hex) == 0) {
            return 1;
        }
    }
    return 0;
}

/* Runs one case: kind "sqli" or "xss", expect 0/1. */
static void check(const char *source, const char *kind, const char *s,
                  size_t n, int expect)
{
    char fp[9];
    int got = strcmp(kind, "sqli") == 0 ? pl_detect_sqli(s, n, fp)
                                         : pl_detect_xss(s, n);

    if (got == expect) {
        passed++;
        return;
    }
    if (is_known(kind, s, n)) {
        skipped++;
        return;
    }
    failed++;
    printf("FAIL %s %s: expected %d, got %d", source, kind, expect, got);
    if (got && strcmp(kind, "sqli") == 0) {
        printf(" (fingerprint %s)", fp);
    }
    printf(": ");
    print_input(s, n);
    putchar('\n');
}

static FILE *open_data(const char *name)
{
    char path[4096];

    snprintf(path, sizeof(path), "%s/%s", datadir, name);
    return fopen(path, "r");
}

static void strip_eol(char *line)
{
    size_t n = strlen(line);

    while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r')) {
        line[--n] = '\0';
    }
}

/* ------------------------------------------------------------------------
 * Data files
 * --------------------------------------------------------------------- */

static void load_known(void)
{
    FILE *f = open_data("detect_known_misses.txt");
    char line[4096];

    if (f == NULL) {
        return;
    }
    while (fgets(line, sizeof(line), f) && nknown < MAX_KNOWN) {
        char *kind = line, *hex, *end;

        strip_eol(line);
        if (line[0] == '#' || line[0] == '\0' || (hex = strchr(line, '\t')) == NULL) {
            continue;
        }
        *hex++ = '\0';
        if ((end = strchr(hex, '\t')) != NULL) {
            *end = '\0';
        }
        snprintf(known[nknown].kind, sizeof(known[nknown].kind), "%s", kind);
        snprintf(known[nknown].hex, sizeof(known[nknown].hex), "%s", hex);
        nknown++;
    }
    fclose(f);
}

/* "<expect>\t<hex>" lines. */
static int run_case_file(const char *name, const char *kind)
{
    static char line[2 * CASE_MAX + 16], buf[CASE_MAX];
    FILE *f = open_data(name);
    int cases = 0;

    if (f == NULL) {
        printf("FAIL cannot open %s/%s\n", datadir, name);
        failed++;
        return 0;
    }
    while (fgets(line, sizeof(line), f)) {
        char *tab;

        strip_eol(line);
        if (line[0] == '#' || (tab = strchr(line, '\t')) == NULL) {
            continue;
        }
        check(name, kind, buf, from_hex(tab + 1, buf, sizeof(buf)), line[0] == '1');
        cases++;
    }
    fclose(f);
    return cases;
}

static int run_benign(void)
{
    static char line[CASE_MAX];
    FILE *f = open_data("benign.txt");
    int cases = 0;

    if (f == NULL) {
        printf("FAIL cannot open %s/benign.txt\n", datadir);
        failed++;
        return 0;
    }
    while (fgets(line, sizeof(line), f)) {
        strip_eol(line);
        if (line[0] == '#' || line[0] == '\0') {
            continue;
        }
        check("benign.txt", "sqli", line, strlen(line), 0);
        check("benign.txt", "xss", line, strlen(line), 0);
        cases++;
    }
    fclose(f);
    return cases;
}

/* ------------------------------------------------------------------------
 * ModSecurity's vectors: a minimal reader for their JSON layout
 * ({"cases": [{"input": "...", "ret": N, ...}, ...], ...})
 * --------------------------------------------------------------------- */

typedef struct {
    const char *p, *end;
} json_t;

static void json_ws(json_t *j)
{
    while (j->p < j->end && strchr(" \t\r\n", *j->p)) {
        j->p++;
    }
}

/* Decodes a string (\uXXXX below 0x100 is one byte, as the README says);
 * out may be NULL to skip it.  Returns its length or -1. */
static long json_string(json_t *j, char *out, size_t max)
{
    size_t n = 0;

    if (j->p >= j->end || *j->p != '"') {
        return -1;
    }
    j->p++;
    while (j->p < j->end && *j->p != '"') {
        int c = (unsigned char)*j->p++;
        if (c == '\\' && j->p < j->end) {
            c = *j->p++;
            switch (c) {
            case 'n': c = '\n'; break;
            case 't': c = '\t'; break;
            case 'r': c = '\r'; break;
            case 'b': c = '\b'; break;
            case 'f': c = '\f'; break;
            case 'u': {
                char h[5] = { 0 };
                if (j->end - j->p < 4) {
                    return -1;
                }
                memcpy(h, j->p, 4);
                j->p += 4;
                c = (int)strtol(h, NULL, 16) & 0xff;
                break;
            }
            default: break;
            }
        }
        if (out != NULL && n < max) {
            out[n] = (char)c;
        }
        n++;
    }
    if (j->p >= j->end) {
        return -1;
    }
    j->p++;
    return (long)n;
}

/* Skips any value. */
static int json_skip(json_t *j)
{
    int depth = 0;

    json_ws(j);
    do {
        if (j->p >= j->end) {
            return -1;
        }
        if (*j->p == '"') {
            if (json_string(j, NULL, 0) < 0) {
                return -1;
            }
            continue;
        }
        if (*j->p == '{' || *j->p == '[') {
            depth++;
        } else if (*j->p == '}' || *j->p == ']') {
            depth--;
        }
        j->p++;
        if (depth == 0) {
            while (j->p < j->end && !strchr(",}] \t\r\n", *j->p)) {
                j->p++;
            }
        }
    } while (depth > 0);
    return 0;
}

static int run_vectors(const char *shared, const char *file, const char *kind)
{
    static char text[1 << 20], input[CASE_MAX];
    char path[4096];
    json_t j;
    size_t n;
    int cases = 0;
    FILE *f;

    snprintf(path, sizeof(path), "%s/modsec-vectors/op/%s", shared, file);
    if ((f = fopen(path, "r")) == NULL) {
        printf("FAIL cannot open %s\n", path);
        failed++;
        return 0;
    }
    n = fread(text, 1, sizeof(text), f);
    fclose(f);
    j.p = text;
    j.end = text + n;
    /* find "cases": [ */
    j.p = strstr(text, "\"cases\"");
    if (j.p == NULL || (j.p = strchr(j.p, '[')) == NULL) {
        printf("FAIL %s: no cases\n", path);
        failed++;
        return 0;
    }
    j.p++;
    for (;;) {
        long ilen = -1;
        int ret = -1;

        json_ws(&j);
        if (j.p >= j.end || *j.p == ']') {
            break;
        }
        if (*j.p == ',') {
            j.p++;
            continue;
        }
        if (*j.p != '{') {
            break;
        }
        j.p++;
        for (;;) {
            char key[32];
            long klen;

            json_ws(&j);
            if (j.p < j.end && *j.p == ',') {
                j.p++;
                continue;
            }
            if (j.p >= j.end || *j.p == '}') {
                j.p++;
                break;
            }
            klen = json_string(&j, key, sizeof(key) - 1);
            if (klen < 0) {
                printf("FAIL %s: bad JSON\n", path);
                failed++;
                return cases;
            }
            key[klen < 31 ? klen : 31] = '\0';
            json_ws(&j);
            j.p++;                                  /* ':' */
            json_ws(&j);
            if (strcmp(key, "input") == 0) {
                ilen = json_string(&j, input, sizeof(input));
            } else if (strcmp(key, "ret") == 0) {
                ret = atoi(j.p);
                json_skip(&j);
            } else if (json_skip(&j) < 0) {
                break;
            }
        }
        if (ilen >= 0 && ret >= 0) {
            check(file, kind, input, (size_t)ilen, ret);
            cases++;
        }
    }
    return cases;
}

static const char *find_shared(void)
{
    static const char *const tries[] = { "../shared", "../../shared", NULL };
    const char *env = getenv("PALISADE_SHARED");
    char path[4096];
    FILE *f;
    int i;

    if (env != NULL) {
        return env;
    }
    for (i = 0; tries[i]; i++) {
        snprintf(path, sizeof(path), "%s/modsec-vectors/op/detectSQLi.json", tries[i]);
        if ((f = fopen(path, "r")) != NULL) {
            fclose(f);
            return tries[i];
        }
    }
    return NULL;
}

static const char *find_datadir(void)
{
    static char path[4096];
    const char *src = getenv("PALISADE_SRCDIR");
    FILE *f;

    if (src != NULL) {
        snprintf(path, sizeof(path), "%s/tests/data", src);
        return path;
    }
    if ((f = fopen("tests/data/benign.txt", "r")) != NULL) {
        fclose(f);
        return "tests/data";
    }
    return "data";                                  /* run from tests/ */
}

int main(void)
{
    const char *shared = find_shared();
    char fp[9];
    int i;

    datadir = find_datadir();
    load_known();

    if (shared == NULL) {
        printf("modsec-vectors: skipped (no ../shared)\n");
    } else {
        printf("modsec-vectors: %d detectSQLi, %d detectXSS cases\n",
               run_vectors(shared, "detectSQLi.json", "sqli"),
               run_vectors(shared, "detectXSS.json", "xss"));
    }
    printf("crs: %d sqli, %d xss cases\n",
           run_case_file("sqli_crs.txt", "sqli"),
           run_case_file("xss_crs.txt", "xss"));
    printf("benign: %d values\n", run_benign());

    for (i = 0; fingerprints[i].input; i++) {
        const char *in = fingerprints[i].input;
        if (pl_detect_sqli(in, strlen(in), fp) && strcmp(fp, fingerprints[i].fp) == 0) {
            passed++;
        } else {
            failed++;
            printf("FAIL fingerprint of \"%s\": expected %s, got %s\n",
                   in, fingerprints[i].fp, fp);
        }
    }
    /* the fingerprint is empty when nothing is found */
    if (!pl_detect_sqli("hello", 5, fp) && fp[0] == '\0') {
        passed++;
    } else {
        failed++;
        printf("FAIL fingerprint of a miss is not empty\n");
    }

    if (skipped > 0) {
        printf("%d passed, %d failed, %d skipped\n", passed, failed, skipped);
    } else {
        printf("%d passed, %d failed\n", passed, failed);
    }
    return failed > 0;
}
