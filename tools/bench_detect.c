/*
 * bench_detect.c - checks per second of the @detectSQLi and @detectXSS
 * detectors (apache2/sqli.c, apache2/xss.c) on one core.
 *
 * Build and run (from the repository root):
 *   cc -O2 -Wall -Wextra -Werror -Iapache2 $(apr-1-config --cflags --cppflags --includes) \
 *      $(pkg-config --cflags libpcre2-8) -o /tmp/bench_detect tools/bench_detect.c \
 *      apache2/sqli.c apache2/xss.c $(apr-1-config --link-ld)
 *   /tmp/bench_detect [seconds-per-set]
 *
 * Inputs are short parameter values (benign and attacks mixed); the score
 * is total checks divided by CPU time.  libinjection's own speed gate was
 * 450,000 SQLi checks per second.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "palisade.h"

static const char *const inputs[] = {
    "1234", "John Smith", "O'Brien", "select a car", "don't stop",
    "user@example.com", "https://example.com/a?b=c", "2023-10-05",
    "It's 5 o'clock somewhere", "{\"name\": \"John\", \"age\": 30}",
    "1234 OR 1=1", "-1839' or '1'='1", "foo') UNION ALL select NULL --",
    "sleep(20)", "admin'--", "1; drop table users",
    "<b>bold</b>", "<script>alert(1)</script>", "\" onerror=\"alert(1)",
    "Mozilla/5.0 (X11; Linux x86_64; rv:109.0) Gecko/20100101 Firefox/118.0",
};
#define NINPUTS (sizeof(inputs) / sizeof(inputs[0]))

static double cpu_seconds(void)
{
    return (double)clock() / CLOCKS_PER_SEC;
}

static double bench(int sqli, double secs)
{
    size_t lens[NINPUTS], i;
    unsigned long n = 0;
    volatile int sink = 0;
    double t0 = cpu_seconds(), t;
    char fp[9];

    for (i = 0; i < NINPUTS; i++) {
        lens[i] = strlen(inputs[i]);
    }
    do {
        int k;
        for (k = 0; k < 1000; k++) {
            for (i = 0; i < NINPUTS; i++) {
                sink += sqli ? pl_detect_sqli(inputs[i], lens[i], fp)
                             : pl_detect_xss(inputs[i], lens[i]);
            }
        }
        n += 1000 * NINPUTS;
        t = cpu_seconds() - t0;
    } while (t < secs);
    (void)sink;
    return n / t;
}

int main(int argc, char **argv)
{
    double secs = argc > 1 ? atof(argv[1]) : 1.0;

    printf("detectSQLi: %.0f checks/s\n", bench(1, secs));
    printf("detectXSS:  %.0f checks/s\n", bench(0, secs));
    return 0;
}
