/*
 * Runs the ModSecurity 2.9.7 transformation vectors (every .json file in
 * ../shared/modsec-vectors/tfn) and the regression cases below through the
 * tfn.c table, checking output bytes and the "changed" flag.
 *
 * Build and run from the repository root:
 *   gcc -std=gnu11 -Wall -Wextra -Werror -fPIC -Iapache2 \
 *       $(apr-1-config --cflags --cppflags --includes) $(apu-1-config --includes) \
 *       $(pkg-config --cflags libpcre2-8) \
 *       -o /tmp/tfn_vectors tests/tfn_vectors.c tests/vectors_json.c apache2/tfn.c \
 *       $(apu-1-config --link-ld) $(apr-1-config --link-ld --libs)
 *   /tmp/tfn_vectors
 *
 * The shared folder is $PALISADE_SHARED, else ../shared seen from the
 * repository root (found from the current directory or this file's path).
 * The JSON reader (vectors_json.c) is just enough for those files: each string code point
 * U+0000..U+00FF stands for one byte.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <apr_general.h>
#include <apr_file_info.h>

#include "palisade.h"
#include "vectors_json.h"

static int passed, failed;

/* ------------------------------------------------------------------------
 * Running cases
 * --------------------------------------------------------------------- */

static void print_bytes(const char *label, const char *s, apr_size_t n)
{
    apr_size_t i;

    printf("    %s (%lu): \"", label, (unsigned long)n);
    for (i = 0; i < n && i < 200; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') putchar(c);
        else printf("\\x%02x", c);
    }
    printf("%s\"\n", n > 200 ? "..." : "");
}

/* One case; the input is copied so that it is NUL-terminated, as the
 * engine's values are, and so that a function writing to it is caught by
 * the comparison with the saved copy. */
static void run_case(apr_pool_t *p, const char *where, const char *name,
                     const char *in, apr_size_t len,
                     const char *want, apr_size_t want_len, int want_ret)
{
    const pl_tfndef *def = pl_tfn_find(name);
    char *copy, *out = NULL;
    apr_size_t out_len = 0;
    int rc;

    if (def == NULL || def->fn == NULL) {
        printf("FAIL %s: no transformation \"%s\"\n", where, name);
        failed++;
        return;
    }
    copy = apr_pstrmemdup(p, in, len);
    rc = def->fn(p, copy, len, &out, &out_len);
    if (rc == want_ret && out_len == want_len && memcmp(out, want, want_len) == 0
        && out[out_len] == '\0' && memcmp(copy, in, len) == 0) {
        passed++;
        return;
    }
    failed++;
    printf("FAIL %s: %s rc=%d (want %d)%s%s\n", where, name, rc, want_ret,
           out[out_len] != '\0' ? " output not NUL-terminated" : "",
           memcmp(copy, in, len) != 0 ? " input modified" : "");
    print_bytes("input", in, len);
    print_bytes("got", out, out_len);
    print_bytes("want", want, want_len);
}

static int run_file(apr_pool_t *p, const char *path, const char *fname)
{
    const char *err = NULL;
    jv *root = vj_read_file(p, path, &err), *cases = vj_get(root, "cases");
    int k;

    if (root == NULL || cases == NULL || cases->type != J_ARR) {
        printf("FAIL %s: %s\n", fname, err ? err : "no cases array");
        failed++;
        return -1;
    }
    for (k = 0; k < cases->items->nelts; k++) {
        jv *c = APR_ARRAY_IDX(cases->items, k, jv *);
        jv *name = vj_get(c, "name"), *in = vj_get(c, "input");
        jv *want = vj_get(c, "output"), *ret = vj_get(c, "ret");
        jv *idx = vj_get(c, "index");
        char *where = apr_psprintf(p, "%s #%d", fname, idx ? (int)idx->num : k + 1);

        if (!name || !in || !want || !ret || name->type != J_STR
            || in->type != J_STR || want->type != J_STR) {
            printf("FAIL %s: malformed case\n", where);
            failed++;
            continue;
        }
        run_case(p, where, name->s, in->s, in->n, want->s, want->n, (int)ret->num);
    }
    return cases->items->nelts;
}

/* ------------------------------------------------------------------------
 * Regression cases: input, output and flag recorded from ModSecurity 2.9.7
 * (Debian libapache2-mod-security2, debug log level 9 for the output,
 * multiMatch re-runs of the operator for the flag).  They cover what the
 * upstream vectors do not: cmdline, removeComments(Char), sqlHexDecode,
 * base64DecodeExt, the alias names, and corner cases found by fuzzing
 * against ModSecurity (e.g. normalisePathWin copying a backslash unconverted
 * after "..", a ".." ending the value not flagged as a change, an overlong
 * surrogate getting its lead byte twice).  Bytes are octal escapes.
 * --------------------------------------------------------------------- */

typedef struct extra_case {
    const char *name;
    const char *in;   apr_size_t in_len;
    const char *out;  apr_size_t out_len;
    int ret;
} extra_case;

#define S(lit) lit, sizeof(lit) - 1

static const extra_case extra_cases[] = {
    { "normalisePathWin", S("t\134377../\134x4"), S("t\134x4"), 1 },
    { "normalisePathWin", S("a/..\134\134b"), S("b"), 1 },
    { "normalisePath", S("a/b/.."), S("a"), 0 },
    { "normalisePath", S("/a/../.."), S(""), 1 },
    { "Utf8toUnicode", S("a\000b\303\251"), S("ab%u00e9"), 1 },
    { "Utf8toUnicode", S("\360\215\240\200"), S("%ud800\360\360"), 1 },
    { "Utf8toUnicode", S("\300\200\365\200\200\200\303"), S("%u0000\300\365%u140000"), 1 },
    { "compressWhitespace", S("a\011b"), S("a b"), 0 },
    { "removeComments", S("a/**/"), S("a\000"), 1 },
    { "removeComments", S("x<!--y-->zw--q"), S("xzw"), 1 },
    { "sqlHexDecode", S("0x410x42 0x4"), S("A0x42 0x4"), 1 },
    { "sqlHexDecode", S("a0x00b"), S("a"), 1 },
    { "base64DecodeExt", S("QU=JD"), S("ABC"), 1 },
    { "base64DecodeExt", S("Q U\012J\000D"), S("AB"), 1 },
    { "cmdline", S("C:\134Windows\134 ( \042a\042 , ; b / C"), S("c:windows( a b/ c"), 1 },
    { "htmlEntityDecode", S("&#x41414141414141414141;&#999999999999999999999;"), S("\377\377"), 1 },
    { "escapeSeqDecode", S("\134777\134xZ\134q"), S("\377xZq"), 1 },
    { "jsDecode", S("\134477\134uff41\134x4"), S("'7ax4"), 1 },
    { "cssDecode", S("\134ff41 \1340000ff21x\134\012"), S("a\37721x"), 1 },
    { "urlDecodeUni", S("%uFF21%u004%U0041+%4"), S("A%u004A %4"), 1 },
    { "Utf8toUnicode", S("\3460k\034\260\315\321^Kk\230\321N\003^9\337\352\266\231"), S("0k\034\260^Kk\230N\003^9%uad99"), 1 },
    { "Utf8toUnicode", S("\342\202\254\340\200\200\134x4QUJDl\340\367"), S("%u20ac%u0000\340\134x4QUJDl\367"), 1 },
    { "Utf8toUnicode", S(" \360%uFF413"), S(" %uFF413"), 0 },
    { "Utf8toUnicode", S("/.\134.//.\134///bc///"), S("/.\134.//.\134///bc///"), 0 },
    { "base64Decode", S("0x41420Z\355\240\200<0x002\300&quot;"), S("\323\0365\343m\031"), 1 },
    { "base64Decode", S("/bc////../\134..\134"), S("\375\267\077\377\377"), 1 },
    { "base64Decode", S("==-\301"), S(""), 0 },
    { "base64Decode", S("YWI../\340\3003\303\251)\1340\134x41t"), S("ab"), 1 },
    { "base64DecodeExt", S("\134..//\134"), S("\377"), 1 },
    { "base64DecodeExt", S("\340\200\200\240\364XA"), S("\134"), 1 },
    { "base64DecodeExt", S("--8=b%2&#x \367\340\200\2004%41\134777"), S(""), 0 },
    { "base64DecodeExt", S("a\134a/"), S("i\257"), 1 },
    { "base64DecodeExt", S("e/..FA==\340\200\200"), S("{\361@"), 1 },
    { "base64DecodeExt", S("./\365\200\200\200*m.. "), S("\376"), 1 },
    { "base64DecodeExt", S("--&#x\342<!--&amp;"), S("\305\251\251"), 1 },
    { "base64DecodeExt", S("f&#X40xYWIb  "), S("}~4\305\205\210"), 1 },
    { "base64DecodeExt", S("\247\026\257\077\333H\361r\261\375\233\025\373\322\220)4(\325VRO(\310SS\344"), S("\036\276\025D\344\222"), 1 },
    { "base64DecodeExt", S("4*%uff\360\200\200\200t'\134\012%uFF41=\134..\134"), S("\342\347\337\266\341E\343"), 1 },
    { "base64Encode", S("0x4142QUJD\012o\367 \077./\134ff01p\134"), S("MHg0MTQyUVVKRApv9yA/Li9cZmYwMXBc"), 1 },
    { "base64Encode", S("./bcbc\134bc..bc.////\134a"), S("Li9iY2JjXGJjLi5iYy4vLy8vXGE="), 1 },
    { "base64Encode", S(")aX\310\134uff\365\200\200\2004"), S("KWFYyFx1Zmb1gICANA=="), 1 },
    { "base64Encode", S("\240\240/.\342\202\254n."), S("oKAvLuKCrG4u"), 1 },
    { "cmdline", S("#==//e\364QUJDU\240\240&foo;g /7"), S("#==//e\364qujdu\240\240&foo g/7"), 1 },
    { "cmdline", S("\134uff\3428\134x49X\042--^"), S("uff\3428x49x--"), 1 },
    { "cmdline", S("!"), S("!"), 1 },
    { "cmdline", S("\303\2518\360\237\230\2000"), S("\303\2518\360\237\230\2000"), 1 },
    { "cmdline", S("/.\134\134..././\134\134"), S("/...././"), 1 },
    { "cmdline", S("m\134x4'%412\370/*x"), S("mx4%412\370/*x"), 1 },
    { "cmdline", S("\0349\326\340j\134\246&"), S("\0349\326\340j\246&"), 1 },
    { "cmdline", S("b7\340\200\200o&  E*/\303\251%U"), S("b7\340\200\200o& e*/\303\251%u"), 1 },
    { "cmdline", S("\134/abc"), S("/abc"), 1 },
    { "cmdline", S(" l&quot;&"), S(" l&quot &"), 1 },
    { "compressWhitespace", S("%\303\251  0x-a0x00"), S("%\303\251 0x-a0x00"), 1 },
    { "compressWhitespace", S("+eYQ  &\1340000ff&nbsp\355\240\200\360"), S("+eYQ &\1340000ff&nbsp\355 \200\360"), 1 },
    { "compressWhitespace", S("\030=\252\3507\315\000\240-=i\244"), S("\030=\252\3507\315\000 -=i\244"), 0 },
    { "compressWhitespace", S("q\134477g/*%41"), S("q\134477g/*%41"), 0 },
    { "cssDecode", S(".\134\134\134..a...\134\134./.\134.\134.."), S(".\134..a...\134./...."), 1 },
    { "cssDecode", S("a\13412QUJD&lt\367&0x414219\240\240"), S("a\022QUJD&lt\367&0x414219\240\240"), 1 },
    { "cssDecode", S("\3674\340./..#t"), S("\3674\340./..#t"), 0 },
    { "cssDecode", S("\134..//.//"), S("..//.//"), 1 },
    { "escapeSeqDecode", S("\134...\134\134...abc"), S("...\134...abc"), 1 },
    { "escapeSeqDecode", S("\303\364\134uff\360"), S("\303\364uff\360"), 1 },
    { "escapeSeqDecode", S("%2<&#X4\365\200\200\200o\077 /4./#."), S("%2<&#X4\365\200\200\200o\077 /4./#."), 0 },
    { "escapeSeqDecode", S("\3553 (&#X47\342\360\215\240\200%u\134ff010x00\015.."), S("\3553 (&#X47\342\360\215\240\200%u\014f010x00\015.."), 1 },
    { "hexDecode", S("\134377\365&foo;&amp;"), S("Sw\326\010\213jy"), 1 },
    { "hexDecode", S("\134477"), S("Tw"), 1 },
    { "hexDecode", S("'0X41qx"), S("p\024*"), 1 },
    { "hexDecode", S("U-&#x\011==\240%41==--> (&quot;"), S("\335S\351\335\205A\335\315\320v\276\235"), 1 },
    { "hexEncode", S("\373\023\221\321EQ"), S("fb1391d14551"), 1 },
    { "hexEncode", S(")aX\310\134uff\365\200\200\2004"), S("296158c85c756666f580808034"), 1 },
    { "hexEncode", S("a%U\340\200\200t\011\011..3\077\000"), S("612555e080807409092e2e333f00"), 1 },
    { "hexEncode", S("zd\017"), S("7a640f"), 1 },
    { "htmlEntityDecode", S("a&#X4^m&#X4./ (0x&amp;^"), S("a\004^m\004./ (0x&^"), 1 },
    { "htmlEntityDecode", S("\365\200\200\200/*t;&amp;t\240\240g/..0x4142m"), S("\365\200\200\200/*t;&t\240\240g/..0x4142m"), 1 },
    { "htmlEntityDecode", S("\300"), S("\300"), 0 },
    { "htmlEntityDecode", S("&#65==0X41EUAAu\303"), S("A==0X41EUAAu\303"), 1 },
    { "jsDecode", S("YWI\355\240\200\134\012YWI\240\240A"), S("YWI\355\240\200\012YWI\240\240A"), 1 },
    { "jsDecode", S("&#X40xuA\134uff"), S("&#X40xuAuff"), 1 },
    { "jsDecode", S("\203\336\306\206{"), S("\203\336\306\206{"), 0 },
    { "jsDecode", S("./.\134.\134a./a.../bc.\134.\134"), S("./..\007./a.../bc..\134"), 1 },
    { "length", S("b\370 \370\360\134u&foo;\360\134\012"), S("15"), 1 },
    { "length", S("a\134\134a///.\134"), S("9"), 1 },
    { "length", S("\342\202\254"), S("3"), 1 },
    { "length", S("%UYWI\2400X41&foo;0x"), S("17"), 1 },
    { "lowercase", S("\1340000ff9u\342\202\254YQ"), S("\1340000ff9u\342\202\254yq"), 1 },
    { "lowercase", S("l\371(1E\331\300\224yZ8\011\314\243\330u"), S("l\371(1e\331\300\224yz8\011\314\243\330u"), 1 },
    { "lowercase", S(" (*,\360\237\230\200&foo;&#x<"), S(" (*,\360\237\230\200&foo;&#x<"), 0 },
    { "lowercase", S("==\134777\370'U%uFF41<!-- /\012!./\340\200\200"), S("==\134777\370'u%uff41<!-- /\012!./\340\200\200"), 1 },
    { "md5", S("\134377  Ax%uZ&\340\200\2000E0X41/"), S("\212\000\347\027p\202\354\214\331\327\345O\245>\333\011"), 1 },
    { "md5", S("&foo;\360#==U\360\200\200\200e\3650x--"), S("\012\270\257\244'\327JZ\300\274Kik\027A\255"), 1 },
    { "md5", S(".\134.\134.\134\134....//a\134..bc"), S("9\345\340;,\256\3750C\244\344\273\323\361\377\265"), 1 },
    { "md5", S("/bc...\134.\134.\134abc..bc.."), S("\274\261\313\020\267\3212\333,\226\203\304\367q\315\305"), 1 },
    { "normalisePath", S("abc.../../\134.\134.a...../"), S("../\134.\134.a...../"), 1 },
    { "normalisePath", S("\134...././"), S(""), 1 },
    { "normalisePath", S("a\134a.\134..\134.."), S(""), 0 },
    { "normalisePath", S("\355\240\200  e8s6a\134777X\365/*\240\240"), S("\355\240\200  e8s6a\134777X\365/*\240\240"), 0 },
    { "normalisePathWin", S("\134377\360\215\240\200=*/0x4142/..==\360\215\240\200"), S("/377\360\215\240\200=*/0x4142/..==\360\215\240\200"), 1 },
    { "normalisePathWin", S("\011\011/../..*eF--\367YQ"), S("..*eF--\367YQ"), 1 },
    { "normalisePathWin", S("/\240\240&#\370f<4\360=YWI.."), S(""), 0 },
    { "normalisePathWin", S("2="), S("2="), 0 },
    { "normalizePath", S("\240\240Z#U  ..//..\1340*"), S("..\1340*"), 1 },
    { "normalizePath", S("../.bc//..//"), S("../"), 1 },
    { "normalizePath", S("a/b/.."), S("a"), 0 },
    { "normalizePath", S("\360\215\240\200QUJD>0xx"), S("\360\215\240\200QUJD>0xx"), 0 },
    { "normalizePath", S("//.\134bc../.\134..bc/bc\134.\134\134..\134"), S("/.\134..bc/bc\134.\134\134..\134"), 1 },
    { "normalizePath", S("\134.//\134...abc\134..a"), S("\134./\134...abc\134..a"), 1 },
    { "normalizePath", S("\377\134777)\300\200\134uff\011\011e../&#65U%2"), S("&#65U%2"), 1 },
    { "normalizePath", S(".bc..bca\134.../\134..//"), S("\134../"), 1 },
    { "normalizePath", S("\303\251../17\367/*\310--="), S("17\367/*\310--="), 1 },
    { "normalizePath", S("\134..//.//a.\134"), S("\134../a.\134"), 1 },
    { "normalizePathWin", S("///bc..//a\134//.//\134..../\134/"), S("/"), 1 },
    { "normalizePathWin", S("Z\134ff01(&nbsp./"), S("Z/ff01(&nbsp./"), 1 },
    { "normalizePathWin", S("%U7QUJD..&/.."), S(""), 0 },
    { "normalizePathWin", S("q^'\300x"), S("q^'\300x"), 0 },
    { "normalizePathWin", S("\301\370\134477&#x%uff"), S("\301\370/477&#x%uff"), 1 },
    { "normalizePathWin", S("-->-\303 (e<!--\134x4&amp;8"), S("-->-\303 (e<!--/x4&amp;8"), 1 },
    { "normalizePathWin", S("\360\237\230\200\3420x41420x00/..\134777*"), S("777*"), 1 },
    { "normalizePathWin", S("X\011lg&#3\13412\042Z\355"), S("X\011lg&#3/12\042Z\355"), 1 },
    { "normalizePathWin", S("\134777%a"), S("/777%a"), 1 },
    { "normalizePathWin", S("s3+\365\355\134x41\134u>\377\300\200"), S("s3+\365\355/x41/u>\377\300\200"), 1 },
    { "parityEven7bit", S("\200%uff0x00gF)\303  "), S("\200\245\365ff0x00\347\306\251C\240\240"), 1 },
    { "parityEven7bit", S("=\134477l"), S("\275\134\264\267\267l"), 1 },
    { "parityEven7bit", S("6"), S("6"), 0 },
    { "parityEven7bit", S("\320\364\253t\377\211v{$\030\336\024\302"), S("\320\364\253t\177\211\366{$\030^\024\302"), 1 },
    { "parityOdd7bit", S("\134..\134\360\237\230\200\301-2&#x#-&#x+&amp;"), S("\334\256\256\334\360\237\030\000A\2552&#\370#\255&#\370\253&amp;"), 1 },
    { "parityOdd7bit", S("\364%u\355\240\200\042==q8%\360\215\240\200"), S("t%u\355\240\000\242==\3618%\360\215\240\000"), 1 },
    { "parityOdd7bit", S("aa//"), S("aa//"), 0 },
    { "parityOdd7bit", S("a/.."), S("a/\256\256"), 1 },
    { "parityZero7bit", S("\360\237\230\200x%uff&foo;u\360\200\200\200\303An../&"), S("p\037\030\000x%uff&foo;up\000\000\000CAn../&"), 1 },
    { "parityZero7bit", S("0x00\360\215\240\200\1340000ff\365\200\200\200\134x41"), S("0x00p\015 \000\1340000ffu\000\000\000\134x41"), 1 },
    { "parityZero7bit", S("bc.bc/bcbc//./\134."), S("bc.bc/bcbc//./\134."), 0 },
    { "parityZero7bit", S("//--%u\015\134777.  +\240\240E"), S("//--%u\015\134777.  +  E"), 1 },
    { "removeComments", S("#\134u(&foo;0x00<YQ"), S(""), 1 },
    { "removeComments", S("%0&quot;m\360\200\200\200&amp;Z\134x4\134#\011\011\364"), S("%0&quot;m\360\200\200\200&amp;Z\134x4\134"), 1 },
    { "removeComments", S("\251\020\311\232I=<\244\253\350v\356\026\016\275\301\234CE\206\364\245"), S("\251\020\311\232I=<\244\253\350v\356\026\016\275\301\234CE\206\364\245"), 0 },
    { "removeComments", S("U1\360\215\240\200>E&#&#X4"), S("U1\360\215\240\200>E&"), 1 },
    { "removeComments", S("&#65g%U&\134477\240\134u"), S("&"), 1 },
    { "removeComments", S("b\360\237\230\200\134ff01#\134\012\134777\200\1340000ff"), S("b\360\237\230\200\134ff01"), 1 },
    { "removeComments", S("8\134x4..0\200#(\134u&#x\134..\134\134..\134"), S("8\134x4..0\200"), 1 },
    { "removeComments", S("(=&#\134\012*QUJDF\000\300\200q&#X4"), S("(=&"), 1 },
    { "removeComments", S("\13412\015/*\1340000ff2# /*/\011"), S("\13412\015\011"), 1 },
    { "removeComments", S(">&quot;/.\012\355\240./-->"), S(">&quot;/.\012\355\240./"), 1 },
    { "removeCommentsChar", S("\134u&ltX<!--QUJD\240-->&#x\365=--> /"), S("\134u&ltXQUJD\240&x\365= /"), 1 },
    { "removeCommentsChar", S("\077==\134x4\301xA#"), S("\077==\134x4\301xA"), 1 },
    { "removeCommentsChar", S("\015"), S("\015"), 0 },
    { "removeCommentsChar", S("\342\202\254A&#.\355\134x4%2"), S("\342\202\254A&.\355\134x4%2"), 1 },
    { "removeCommentsChar", S("\134u\342\202\254#\303\251 /\360\200\200\200m\303=1ga"), S("\134u\342\202\254\303\251 /\360\200\200\200m\303=1ga"), 1 },
    { "removeCommentsChar", S("<!--\370 /\1340000ff"), S("\370 /\1340000ff"), 1 },
    { "removeCommentsChar", S("&\365\200\200\200&#xUn"), S("&\365\200\200\200&xUn"), 1 },
    { "removeCommentsChar", S("'&quot;\1340000ff\355\240\200*/"), S("'&quot;\1340000ff\355\240\200"), 1 },
    { "removeCommentsChar", S("\134\012<!--549o\134477/<!--&quot;"), S("\134\012549o\134477/&quot;"), 1 },
    { "removeCommentsChar", S("\134..\134\360\200\200\200-->\370=./2&#X4\134uff"), S("\134..\134\360\200\200\200\370=./2&X4\134uff"), 1 },
    { "removeNulls", S(")\340\240\240%uFF41\1340\000%2"), S(")\340\240\240%uFF41\1340%2"), 1 },
    { "removeNulls", S("\371\331M\300\214@\325\344\201\334vO\000\334$\234\036\004:\232\024D@.\357\227\213\304"), S("\371\331M\300\214@\325\344\201\334vO\334$\234\036\004:\232\024D@.\357\227\213\304"), 1 },
    { "removeNulls", S("b\011\011\355\365../&&#X4\355\240\200\240"), S("b\011\011\355\365../&&#X4\355\240\200\240"), 0 },
    { "removeNulls", S("(&#X\360\200\200\200a7&#%uff\134\012\000=="), S("(&#X\360\200\200\200a7&#%uff\134\012=="), 1 },
    { "removeWhitespace", S("%u\342\202\254./\365/7\301\370=\012&amp;\310"), S("%u\342\202\254./\365/7\301\370=&amp;\310"), 1 },
    { "removeWhitespace", S("QUJD&nbsp5 %uFF415"), S("QUJD&nbsp5%uFF415"), 1 },
    { "removeWhitespace", S("\341\202\315{C"), S("\341\202\315{C"), 0 },
    { "removeWhitespace", S("\011\011A--7=3 ("), S("A--7=3("), 1 },
    { "replaceComments", S("/\13412<!--%41/*g"), S("/\13412<!--%41 "), 1 },
    { "replaceComments", S("\011\011\011\011&#65  /*\011\011f../"), S("\011\011\011\011&#65   "), 1 },
    { "replaceComments", S("\303\251\134\0120x4142Z;\340\011\011&foo;e\1340%Z"), S("\303\251\134\0120x4142Z;\340\011\011&foo;e\1340%Z"), 0 },
    { "replaceComments", S("../*\340\200\200=\1340000ff\077o"), S(".. "), 1 },
    { "replaceNulls", S("\367n#=\000"), S("\367n#= "), 1 },
    { "replaceNulls", S("&;\042%uFF41\300\200YWI\012/.2\000%uFF41"), S("&;\042%uFF41\300\200YWI\012/.2 %uFF41"), 1 },
    { "replaceNulls", S("\030\2156y\361\335j\3156"), S("\030\2156y\361\335j\3156"), 0 },
    { "replaceNulls", S("\000\2217\245\275\376\032R"), S(" \2217\245\275\376\032R"), 1 },
    { "sha1", S("/.\134\134./\134.\134../.\134.\134bc\134.\134.."), S("5\215&\372P\3536\254\276\331z\322p\007\345\275m<\355\322"), 1 },
    { "sha1", S("\301%uff"), S("\257\305\313\025B7\003\345\222\037<\020\300\307\331\006:X\200\370"), 1 },
    { "sha1", S("\365\200\200\200m\015\134ff010X41a\303\251"), S("vX\230\374\003\265\342\317\315\250\035\364\211\022\224L\215O\200L"), 1 },
    { "sha1", S("./.\134"), S("\337\226\213\374\3309\037\017|B\352\314J\017<J4\2144\015"), 1 },
    { "sqlHexDecode", S("a/b/.."), S("a/b/.."), 1 },
    { "sqlHexDecode", S("&../sl\277\134x41&ltu4.&"), S("&../sl\277\134x41&ltu4.&"), 1 },
    { "sqlHexDecode", S("\223"), S("\223"), 1 },
    { "sqlHexDecode", S("\134..\134...\134.\134//aa\134..a./\134"), S("\134..\134...\134.\134//aa\134..a./\134"), 1 },
    { "sqlHexDecode", S("!-0X41=X\134x41  ,%uff*/o\342"), S("!-A=X\134x41  ,%uff*/o\342"), 1 },
    { "sqlHexDecode", S(".\134/\134..\134...\134bcbc\134../.\134"), S(".\134/\134..\134...\134bcbc\134../.\134"), 1 },
    { "sqlHexDecode", S("./\134..//bc/./../.././//\134"), S("./\134..//bc/./../.././//\134"), 1 },
    { "sqlHexDecode", S("\367\0770x000x=\134../8\277\300&nbsp7"), S("\367\077"), 1 },
    { "sqlHexDecode", S("\035^\244"), S("\035^\244"), 1 },
    { "sqlHexDecode", S("\340\200\200\310"), S("\340\200\200\310"), 1 },
    { "trim", S(" \360%uFF413"), S("\360%uFF413"), 1 },
    { "trim", S("==&quot;ns (%U8E\134uff\277    "), S("==&quot;ns (%U8E\134uff\277"), 1 },
    { "trim", S("6\134x41\370*/\360\215\240\200=b\011%Ua"), S("6\134x41\370*/\360\215\240\200=b\011%Ua"), 0 },
    { "trim", S("\012!\240\303'"), S("!\240\303'"), 1 },
    { "trimLeft", S(" --/.%uFF41&#X4\134"), S("--/.%uFF41&#X4\134"), 1 },
    { "trimLeft", S("\0128"), S("8"), 1 },
    { "trimLeft", S("%uff&*\200../YWI\365\200\200\200"), S("%uff&*\200../YWI\365\200\200\200"), 0 },
    { "trimLeft", S("  "), S(""), 1 },
    { "trimRight", S("\200s&YWI1\015"), S("\200s&YWI1"), 1 },
    { "trimRight", S(" "), S(""), 1 },
    { "trimRight", S("e&4e=YWI"), S("e&4e=YWI"), 0 },
    { "trimRight", S("&amp;0x4142\365\200\200\200a\011"), S("&amp;0x4142\365\200\200\200a"), 1 },
    { "urlDecode", S("\240%uff\134u&amp;+.."), S("\240%uff\134u&amp; .."), 1 },
    { "urlDecode", S("\1340#+"), S("\1340# "), 1 },
    { "urlDecode", S("  \011\011\365\200\200\200&lt3"), S("  \011\011\365\200\200\200&lt3"), 0 },
    { "urlDecode", S("\276(k\300a\240\366\042QP\227\275\356a\263E+\247\245\244\345\217\276"), S("\276(k\300a\240\366\042QP\227\275\356a\263E \247\245\244\345\217\276"), 1 },
    { "urlDecodeUni", S("A9\342o%41&amp;6\310\134777\342\342\202\254=="), S("A9\342oA&amp;6\310\134777\342\342\202\254=="), 1 },
    { "urlDecodeUni", S("\310\000\207\376-#)\277\352\307\304uE+\042"), S("\310\000\207\376-#)\277\352\307\304uE \042"), 1 },
    { "urlDecodeUni", S("=\077\277./\355\240\200aF&nbsp\240*/\340\200\200"), S("=\077\277./\355\240\200aF&nbsp\240*/\340\200\200"), 0 },
    { "urlDecodeUni", S("%fa!#\360\215\240\200\012%"), S("\372!#\360\215\240\200\012%"), 1 },
    { "urlEncode", S("(E"), S("%28E"), 1 },
    { "urlEncode", S("\134..\134"), S("%5c%2e%2e%5c"), 1 },
    { "urlEncode", S("a"), S("a"), 0 },
    { "urlEncode", S("%u&quot;"), S("%25u%26quot%3b"), 1 },
};

static void run_extra(apr_pool_t *p)
{
    apr_size_t k;

    for (k = 0; k < sizeof(extra_cases) / sizeof(extra_cases[0]); k++) {
        const extra_case *c = &extra_cases[k];
        char *where = apr_psprintf(p, "extra #%lu", (unsigned long)k + 1);
        run_case(p, where, c->name, c->in, c->in_len, c->out, c->out_len, c->ret);
    }
}

/* Lookup: case-insensitive names, aliases, t:none without a function. */
static void check_lookup(void)
{
    static const char *const names[] = {
        "base64decode", "urlDecodeUni", "CMDLINE", "cmdLine", "utf8toUnicode",
        "Utf8toUnicode", "normalizePath", "normalisePathWin", "normalizepathwin",
        "removeCommentsChar", "sqlHexDecode", "base64DecodeExt", "trimleft"
    };
    const pl_tfndef *none = pl_tfn_find("None");
    apr_size_t k;
    int ok = none != NULL && none->fn == NULL && pl_tfn_find("nosuch") == NULL;

    for (k = 0; k < sizeof(names) / sizeof(names[0]); k++) {
        const pl_tfndef *d = pl_tfn_find(names[k]);
        if (d == NULL || d->fn == NULL) {
            printf("FAIL lookup: %s\n", names[k]);
            ok = 0;
        }
    }
    if (pl_tfn_find("normalizePath")->fn != pl_tfn_find("normalisePath")->fn) {
        printf("FAIL lookup: normalizePath is not an alias\n");
        ok = 0;
    }
    if (ok) passed++; else failed++;
}

/* urlDecodeUni with and without SecUnicodeMapFile code page 20127. */
static void check_unicode_map(apr_pool_t *p, const char *map_path)
{
    apr_pool_t *cp;
    const char *err;

    apr_pool_create(&cp, p);
    run_case(p, "unicode map: none", "urlDecodeUni", S("%u3002%uFF41%u00e9"), S("\002a\351"), 1);
    err = pl_tfn_load_unicode_map(cp, "/nonexistent/unicode.mapping", 20127);
    if (err == NULL || strstr(err, "Could not open unicode map file") == NULL) {
        printf("FAIL unicode map: missing file not reported\n");
        failed++;
    } else {
        passed++;
    }
    if (map_path == NULL) {
        printf("unicode map: /etc/modsecurity/unicode.mapping absent, skipped\n");
        apr_pool_destroy(cp);
        return;
    }
    err = pl_tfn_load_unicode_map(cp, map_path, 20127);
    if (err != NULL) {
        printf("FAIL unicode map: %s\n", err);
        failed++;
        apr_pool_destroy(cp);
        return;
    }
    /* 20127 maps U+FF41 to 'a' and U+00E9 to 'e'; U+3002 is a full stop;
     * unmapped U+4E00 falls back to its low byte */
    run_case(p, "unicode map: 20127", "urlDecodeUni",
             S("%u3002%uFF41%u00e9%u4e00%u0041"), S(".ae\000A"), 1);
    apr_pool_destroy(cp);
    /* the cleanup drops the table with its pool */
    run_case(p, "unicode map: cleared", "urlDecodeUni", S("%u3002"), S("\002"), 1);
}

/* ------------------------------------------------------------------------
 * Locating ../shared
 * --------------------------------------------------------------------- */

static int is_type(apr_pool_t *p, const char *path, apr_filetype_e type)
{
    apr_finfo_t fi;
    return apr_stat(&fi, path, APR_FINFO_TYPE, p) == APR_SUCCESS && fi.filetype == type;
}

static int is_dir(apr_pool_t *p, const char *path)
{
    return is_type(p, path, APR_DIR);
}

static const char *find_shared(apr_pool_t *p)
{
    const char *env = getenv("PALISADE_SHARED");
    const char *src = __FILE__, *slash = strrchr(src, '/');
    const char *tries[4];
    int k;

    if (env != NULL) {
        return is_dir(p, env) ? env : NULL;
    }
    tries[0] = "../shared";          /* from the repository root */
    tries[1] = "../../shared";       /* from tests/ */
    tries[2] = slash ? apr_psprintf(p, "%.*s/../../shared", (int)(slash - src), src) : NULL;
    tries[3] = NULL;
    for (k = 0; k < 3; k++) {
        if (tries[k] != NULL && is_dir(p, apr_pstrcat(p, tries[k], "/modsec-vectors", NULL))) {
            return tries[k];
        }
    }
    return NULL;
}

int main(void)
{
    apr_pool_t *p;
    apr_dir_t *dir;
    apr_finfo_t fi;
    const char *shared, *vdir;
    const char *map = "/etc/modsecurity/unicode.mapping";
    int files = 0, vector_cases = 0;

    apr_app_initialize(NULL, NULL, NULL);
    apr_pool_create(&p, NULL);

    check_lookup();
    run_extra(p);
    check_unicode_map(p, is_type(p, map, APR_REG) ? map : NULL);

    shared = find_shared(p);
    if (shared == NULL) {
        printf("modsec-vectors: skipped (no ../shared)\n");
    } else {
        vdir = apr_pstrcat(p, shared, "/modsec-vectors/tfn", NULL);
        if (apr_dir_open(&dir, vdir, p) != APR_SUCCESS) {
            printf("FAIL cannot open %s\n", vdir);
            failed++;
        } else {
            while (apr_dir_read(&fi, APR_FINFO_NAME | APR_FINFO_TYPE, dir) == APR_SUCCESS) {
                apr_size_t nl = strlen(fi.name);
                int n;
                if (fi.filetype != APR_REG || nl < 5 || strcmp(fi.name + nl - 5, ".json") != 0) {
                    continue;
                }
                n = run_file(p, apr_pstrcat(p, vdir, "/", fi.name, NULL), fi.name);
                if (n > 0) {
                    vector_cases += n;
                    files++;
                }
            }
            apr_dir_close(dir);
            printf("modsec-vectors: %d cases in %d files\n", vector_cases, files);
        }
    }

    printf("%d passed, %d failed\n", passed, failed);
    apr_pool_destroy(p);
    apr_terminate();
    return failed ? 1 : 0;
}
