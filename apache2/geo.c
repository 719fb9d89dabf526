/*
 * Geolocation for @geoLookup: SecGeoLookupDB opens a database, a lookup
 * fills the transaction's GEO collection (COUNTRY_CODE, COUNTRY_CODE3,
 * COUNTRY_NAME, COUNTRY_CONTINENT, REGION, CITY, POSTAL_CODE, LATITUDE,
 * LONGITUDE, DMA_CODE, AREA_CODE).
 *
 * Two formats:
 *   - MaxMind's legacy GeoIP ".dat" files, the only format ModSecurity
 *     2.9.7 reads, with our own reader: country edition and city editions
 *     (revisions 0 and 1).  The file is mapped read-only once at
 *     configuration time, so lookups need no lock.
 *   - MaxMind DB files (.mmdb, GeoIP2 / GeoLite2) through libmaxminddb,
 *     when Palisade was built with it.  Their fields are mapped onto the
 *     legacy ones: continent.code, subdivisions[0].iso_code as REGION,
 *     location.metro_code as DMA_CODE; COUNTRY_CODE3 comes from the legacy
 *     country table; AREA_CODE does not exist there and stays 0.
 *
 * Values are formatted as 2.9 does: latitude and longitude are single
 * precision floats printed with "%f", codes as integers.
 */
#include "palisade.h"

#include <apr_mmap.h>
#include <apr_network_io.h>

#include <arpa/inet.h>
#include <string.h>

#ifdef PL_HAVE_MAXMINDDB
#include <maxminddb.h>
#endif

/* ------------------------------------------------------------------------
 * Constants
 * --------------------------------------------------------------------- */

/* Legacy format: database editions (the byte after the 0xFFFFFF trailer
 * mark; values from 106 on are the same editions plus 105). */
enum {
    ED_COUNTRY = 1, ED_CITY_REV1 = 2, ED_REGION_REV1 = 3, ED_ISP = 4, ED_ORG = 5,
    ED_CITY_REV0 = 6, ED_REGION_REV0 = 7, ED_PROXY = 8, ED_ASNUM = 9, ED_NETSPEED = 10
};

#define COUNTRY_BEGIN     16776960u   /* first leaf value of a country edition */
#define STATE_BEGIN_REV0  16700000u
#define STATE_BEGIN_REV1  16000000u
#define RECORD_BYTES      3           /* one trie record; a node holds two */
#define TRAILER_SCAN      20          /* bytes searched backwards for the mark */
#define CITY_RECORD_LEN   50          /* bytes of a city record read at once */
#define COUNTRIES         256

/* The MaxMind DB metadata marker and how far from the end it may be. */
#define MMDB_MARKER       "\xab\xcd\xefMaxMind.com"
#define MMDB_MARKER_LEN   14
#define MMDB_META_MAX     (128 * 1024)

enum { GEO_LEGACY, GEO_MMDB };

/* ------------------------------------------------------------------------
 * Types
 * --------------------------------------------------------------------- */

struct pl_geodb {
    const char          *path;
    int                  kind;         /* GEO_LEGACY, GEO_MMDB */
    const unsigned char *data;         /* legacy: the whole file */
    apr_size_t           size;
    int                  edition;      /* legacy: ED_* */
    apr_uint32_t         segments;     /* legacy: first leaf value */
#ifdef PL_HAVE_MAXMINDDB
    MMDB_s               mmdb;
#endif
};

/* One lookup result, before it goes into the GEO collection. */
typedef struct geo_rec {
    const char *country_code, *country_code3, *country_name, *continent;
    const char *region, *city, *postal_code;
    float       latitude, longitude;
    int         dma_code, area_code;
} geo_rec;

/* A legacy country: the edition's number is the index of this table. */
typedef struct country {
    const char *code, *code3, *name, *continent;
} country;

/* ------------------------------------------------------------------------
 * Data: the legacy country numbering, with the texts ModSecurity 2.9.7
 * reports for each (checked number by number against mod_security2).
 * --------------------------------------------------------------------- */

static const country countries[COUNTRIES] = {
    { "--", "--", "N/A", "--" },   /* 0 */
    { "AP", "AP", "Asia/Pacific Region", "AS" },
    { "EU", "EU", "Europe", "EU" },
    { "AD", "AND", "Andorra", "EU" },
    { "AE", "ARE", "United Arab Emirates", "AS" },
    { "AF", "AFG", "Afghanistan", "AS" },
    { "AG", "ATG", "Antigua and Barbuda", "SA" },
    { "AI", "AIA", "Anguilla", "SA" },
    { "AL", "ALB", "Albania", "EU" },
    { "AM", "ARM", "Armenia", "AS" },
    { "AN", "ANT", "Netherlands Antilles", "SA" },   /* 10 */
    { "AO", "AGO", "Angola", "AF" },
    { "AQ", "AQ", "Antarctica", "AN" },
    { "AR", "ARG", "Argentina", "SA" },
    { "AS", "ASM", "American Samoa", "OC" },
    { "AT", "AUT", "Austria", "EU" },
    { "AU", "AUS", "Australia", "OC" },
    { "AW", "ABW", "Aruba", "SA" },
    { "AZ", "AZE", "Azerbaijan", "AS" },
    { "BA", "BIH", "Bosnia and Herzegovina", "EU" },
    { "BB", "BRB", "Barbados", "SA" },   /* 20 */
    { "BD", "BGD", "Bangladesh", "AS" },
    { "BE", "BEL", "Belgium", "EU" },
    { "BF", "BFA", "Burkina Faso", "AF" },
    { "BG", "BGR", "Bulgaria", "EU" },
    { "BH", "BHR", "Bahrain", "AS" },
    { "BI", "BDI", "Burundi", "AF" },
    { "BJ", "BEN", "Benin", "AF" },
    { "BM", "BMU", "Bermuda", "SA" },
    { "BN", "BRN", "Brunei Darussalam", "AS" },
    { "BO", "BOL", "Bolivia", "SA" },   /* 30 */
    { "BR", "BRA", "Brazil", "SA" },
    { "BS", "BHS", "Bahamas", "SA" },
    { "BT", "BTN", "Bhutan", "AS" },
    { "BV", "BV", "Bouvet Island", "AF" },
    { "BW", "BWA", "Botswana", "AF" },
    { "BY", "BLR", "Belarus", "EU" },
    { "BZ", "BLZ", "Belize", "SA" },
    { "CA", "CAN", "Canada", "NA" },
    { "CC", "CC", "Cocos (Keeling) Islands", "AS" },
    { "CD", "COD", "Congo, The Democratic Republic of the", "AF" },   /* 40 */
    { "CF", "CAF", "Central African Republic", "AF" },
    { "CG", "COG", "Congo", "AF" },
    { "CH", "CHE", "Switzerland", "EU" },
    { "CI", "CIV", "Cote D'Ivoire", "AF" },
    { "CK", "COK", "Cook Islands", "OC" },
    { "CL", "CHL", "Chile", "SA" },
    { "CM", "CMR", "Cameroon", "AF" },
    { "CN", "CHN", "China", "AS" },
    { "CO", "COL", "Colombia", "SA" },
    { "CR", "CRI", "Costa Rica", "SA" },   /* 50 */
    { "CU", "CUB", "Cuba", "SA" },
    { "CV", "CPV", "Cape Verde", "AF" },
    { "CX", "CX", "Christmas Island", "AS" },
    { "CY", "CYP", "Cyprus", "AS" },
    { "CZ", "CZE", "Czechia", "EU" },
    { "DE", "DEU", "Germany", "EU" },
    { "DJ", "DJI", "Djibouti", "AF" },
    { "DK", "DNK", "Denmark", "EU" },
    { "DM", "DMA", "Dominica", "SA" },
    { "DO", "DOM", "Dominican Republic", "SA" },   /* 60 */
    { "DZ", "DZA", "Algeria", "AF" },
    { "EC", "ECU", "Ecuador", "SA" },
    { "EE", "EST", "Estonia", "EU" },
    { "EG", "EGY", "Egypt", "AF" },
    { "EH", "ESH", "Western Sahara", "AF" },
    { "ER", "ERI", "Eritrea", "AF" },
    { "ES", "ESP", "Spain", "EU" },
    { "ET", "ETH", "Ethiopia", "AF" },
    { "FI", "FIN", "Finland", "EU" },
    { "FJ", "FJI", "Fiji", "OC" },   /* 70 */
    { "FK", "FLK", "Falkland Islands (Malvinas)", "SA" },
    { "FM", "FSM", "Micronesia, Federated States of", "OC" },
    { "FO", "FRO", "Faroe Islands", "EU" },
    { "FR", "FRA", "France", "EU" },
    { "FX", "FX", "France, Metropolitan", "EU" },
    { "GA", "GAB", "Gabon", "AF" },
    { "GB", "GBR", "United Kingdom", "EU" },
    { "GD", "GRD", "Grenada", "SA" },
    { "GE", "GEO", "Georgia", "AS" },
    { "GF", "GUF", "French Guiana", "SA" },   /* 80 */
    { "GH", "GHA", "Ghana", "AF" },
    { "GI", "GIB", "Gibraltar", "EU" },
    { "GL", "GRL", "Greenland", "SA" },
    { "GM", "GMB", "Gambia", "AF" },
    { "GN", "GIN", "Guinea", "AF" },
    { "GP", "GLP", "Guadeloupe", "SA" },
    { "GQ", "GNQ", "Equatorial Guinea", "AF" },
    { "GR", "GRC", "Greece", "EU" },
    { "GS", "GS", "South Georgia and the South Sandwich Islands", "SA" },
    { "GT", "GTM", "Guatemala", "SA" },   /* 90 */
    { "GU", "GUM", "Guam", "OC" },
    { "GW", "GNB", "Guinea-Bissau", "AF" },
    { "GY", "GUY", "Guyana", "SA" },
    { "HK", "HKG", "Hong Kong", "AS" },
    { "HM", "HM", "Heard Island and McDonald Islands", "AF" },
    { "HN", "HND", "Honduras", "SA" },
    { "HR", "HRV", "Croatia", "EU" },
    { "HT", "HTI", "Haiti", "SA" },
    { "HU", "HUN", "Hungary", "EU" },
    { "ID", "IDN", "Indonesia", "AS" },   /* 100 */
    { "IE", "IRL", "Ireland", "EU" },
    { "IL", "ISR", "Israel", "AS" },
    { "IN", "IND", "India", "AS" },
    { "IO", "IO", "British Indian Ocean Territory", "AS" },
    { "IQ", "IRQ", "Iraq", "AS" },
    { "IR", "IRN", "Iran, Islamic Republic of", "AS" },
    { "IS", "ISL", "Iceland", "EU" },
    { "IT", "ITA", "Italy", "EU" },
    { "JM", "JAM", "Jamaica", "SA" },
    { "JO", "JOR", "Jordan", "AS" },   /* 110 */
    { "JP", "JPN", "Japan", "AS" },
    { "KE", "KEN", "Kenya", "AF" },
    { "KG", "KGZ", "Kyrgyzstan", "AS" },
    { "KH", "KHM", "Cambodia", "AS" },
    { "KI", "KIR", "Kiribati", "OC" },
    { "KM", "COM", "Comoros", "AF" },
    { "KN", "KNA", "Saint Kitts and Nevis", "SA" },
    { "KP", "PRK", "Korea, Democratic People's Republic of", "AS" },
    { "KR", "KOR", "Korea, Republic of", "AS" },
    { "KW", "KWT", "Kuwait", "AS" },   /* 120 */
    { "KY", "CYM", "Cayman Islands", "SA" },
    { "KZ", "KAZ", "Kazakhstan", "AS" },
    { "LA", "LAO", "Lao People's Democratic Republic", "AS" },
    { "LB", "LBN", "Lebanon", "AS" },
    { "LC", "LCA", "Saint Lucia", "SA" },
    { "LI", "LIE", "Liechtenstein", "EU" },
    { "LK", "LKA", "Sri Lanka", "AS" },
    { "LR", "LBR", "Liberia", "AF" },
    { "LS", "LSO", "Lesotho", "AF" },
    { "LT", "LTU", "Lithuania", "EU" },   /* 130 */
    { "LU", "LUX", "Luxembourg", "EU" },
    { "LV", "LVA", "Latvia", "EU" },
    { "LY", "LBY", "Libyan Arab Jamahiriya", "AF" },
    { "MA", "MAR", "Morocco", "AF" },
    { "MC", "MCO", "Monaco", "EU" },
    { "MD", "MDA", "Moldova, Republic of", "EU" },
    { "MG", "MDG", "Madagascar", "AF" },
    { "MH", "MHL", "Marshall Islands", "OC" },
    { "MK", "MKD", "Macedonia", "EU" },
    { "ML", "MLI", "Mali", "AF" },   /* 140 */
    { "MM", "MMR", "Myanmar", "AS" },
    { "MN", "MNG", "Mongolia", "AS" },
    { "MO", "MAC", "Macau", "AS" },
    { "MP", "MNP", "Northern Mariana Islands", "OC" },
    { "MQ", "MTQ", "Martinique", "SA" },
    { "MR", "MRT", "Mauritania", "AF" },
    { "MS", "MSR", "Montserrat", "SA" },
    { "MT", "MLT", "Malta", "EU" },
    { "MU", "MUS", "Mauritius", "AF" },
    { "MV", "MDV", "Maldives", "AS" },   /* 150 */
    { "MW", "MWI", "Malawi", "AF" },
    { "MX", "MEX", "Mexico", "NA" },
    { "MY", "MYS", "Malaysia", "AS" },
    { "MZ", "MOZ", "Mozambique", "AF" },
    { "NA", "NAM", "Namibia", "AF" },
    { "NC", "NCL", "New Caledonia", "OC" },
    { "NE", "NER", "Niger", "AF" },
    { "NF", "NFK", "Norfolk Island", "OC" },
    { "NG", "NGA", "Nigeria", "AF" },
    { "NI", "NIC", "Nicaragua", "SA" },   /* 160 */
    { "NL", "NLD", "Netherlands", "EU" },
    { "NO", "NOR", "Norway", "EU" },
    { "NP", "NPL", "Nepal", "AS" },
    { "NR", "NRU", "Nauru", "OC" },
    { "NU", "NIU", "Niue", "OC" },
    { "NZ", "NZL", "New Zealand", "OC" },
    { "OM", "OMN", "Oman", "AS" },
    { "PA", "PAN", "Panama", "SA" },
    { "PE", "PER", "Peru", "SA" },
    { "PF", "PYF", "French Polynesia", "OC" },   /* 170 */
    { "PG", "PNG", "Papua New Guinea", "OC" },
    { "PH", "PHL", "Philippines", "AS" },
    { "PK", "PAK", "Pakistan", "AS" },
    { "PL", "POL", "Poland", "EU" },
    { "PM", "SPM", "Saint Pierre and Miquelon", "SA" },
    { "PN", "PCN", "Pitcairn Islands", "OC" },
    { "PR", "PRI", "Puerto Rico", "SA" },
    { "PS", "PSE", "Palestinian Territory", "AS" },
    { "PT", "PRT", "Portugal", "EU" },
    { "PW", "PLW", "Palau", "OC" },   /* 180 */
    { "PY", "PRY", "Paraguay", "SA" },
    { "QA", "QAT", "Qatar", "AS" },
    { "RE", "REU", "Reunion", "AF" },
    { "RO", "ROU", "Romania", "EU" },
    { "RU", "RUS", "Russian Federation", "AS" },
    { "RW", "RWA", "Rwanda", "AF" },
    { "SA", "SAU", "Saudi Arabia", "AS" },
    { "SB", "SLB", "Solomon Islands", "OC" },
    { "SC", "SYC", "Seychelles", "AF" },
    { "SD", "SDN", "Sudan", "AF" },   /* 190 */
    { "SE", "SWE", "Sweden", "EU" },
    { "SG", "SGP", "Singapore", "AS" },
    { "SH", "SHN", "Saint Helena", "AF" },
    { "SI", "SVN", "Slovenia", "EU" },
    { "SJ", "SJM", "Svalbard and Jan Mayen", "EU" },
    { "SK", "SVK", "Slovakia", "EU" },
    { "SL", "SLE", "Sierra Leone", "AF" },
    { "SM", "SMR", "San Marino", "EU" },
    { "SN", "SEN", "Senegal", "AF" },
    { "SO", "SOM", "Somalia", "AF" },   /* 200 */
    { "SR", "SUR", "Suriname", "SA" },
    { "ST", "STP", "Sao Tome and Principe", "AF" },
    { "SV", "SLV", "El Salvador", "SA" },
    { "SY", "SYR", "Syrian Arab Republic", "AS" },
    { "SZ", "SWZ", "Swaziland", "AF" },
    { "TC", "TCA", "Turks and Caicos Islands", "SA" },
    { "TD", "TCD", "Chad", "AF" },
    { "TF", "TF", "French Southern Territories", "AF" },
    { "TG", "TGO", "Togo", "AF" },
    { "TH", "THA", "Thailand", "AS" },   /* 210 */
    { "TJ", "TJK", "Tajikistan", "AS" },
    { "TK", "TKL", "Tokelau", "OC" },
    { "TM", "TKM", "Turkmenistan", "AS" },
    { "TN", "TUN", "Tunisia", "AF" },
    { "TO", "TON", "Tonga", "OC" },
    { "TL", "TLS", "Timor-Leste", "AS" },
    { "TR", "TUR", "Turkey", "AS" },
    { "TT", "TTO", "Trinidad and Tobago", "SA" },
    { "TV", "TUV", "Tuvalu", "OC" },
    { "TW", "TWN", "Taiwan", "AS" },   /* 220 */
    { "TZ", "TZA", "Tanzania, United Republic of", "AF" },
    { "UA", "UKR", "Ukraine", "EU" },
    { "UG", "UGA", "Uganda", "AF" },
    { "UM", "UM", "United States Minor Outlying Islands", "OC" },
    { "US", "USA", "United States", "NA" },
    { "UY", "URY", "Uruguay", "SA" },
    { "UZ", "UZB", "Uzbekistan", "AS" },
    { "VA", "VAT", "Holy See (Vatican City State)", "EU" },
    { "VC", "VCT", "Saint Vincent and the Grenadines", "SA" },
    { "VE", "VEN", "Venezuela", "SA" },   /* 230 */
    { "VG", "VGB", "Virgin Islands, British", "SA" },
    { "VI", "VIR", "Virgin Islands, U.S.", "SA" },
    { "VN", "VNM", "Vietnam", "AS" },
    { "VU", "VUT", "Vanuatu", "OC" },
    { "WF", "WLF", "Wallis and Futuna", "OC" },
    { "WS", "WSM", "Samoa", "OC" },
    { "YE", "YEM", "Yemen", "AS" },
    { "YT", "YT", "Mayotte", "AF" },
    { "RS", "SRB", "Serbia", "EU" },
    { "ZA", "ZAF", "South Africa", "AF" },   /* 240 */
    { "ZM", "ZMB", "Zambia", "AF" },
    { "ME", "MNE", "Montenegro", "EU" },
    { "ZW", "ZWE", "Zimbabwe", "AF" },
    { "A1", "A1", "Anonymous Proxy", "--" },
    { "A2", "A2", "Satellite Provider", "--" },
    { "O1", "O1", "Other", "--" },
    { "AX", "ALA", "Aland Islands", "EU" },
    { "GG", "GGY", "Guernsey", "EU" },
    { "IM", "IMN", "Isle of Man", "EU" },
    { "JE", "JEY", "Jersey", "EU" },   /* 250 */
    { "BL", "BLM", "Saint Barth\xc3\xa9lemy", "--" },
    { "BQ", "BES", "Bonaire, Sint Eustatius and Saba", "--" },
    { "CW", "CUW", "Cura\xc3\xa7" "ao", "--" },
    { "MF", "MAF", "Saint Martin (French part)", "--" },
    { "SS", "SSD", "South Sudan", "AF" },
};

/* ------------------------------------------------------------------------
 * Static function prototypes
 * --------------------------------------------------------------------- */

static void        rec_defaults(geo_rec *rec);
static const char *code3_of(const char *code);
static void        fill_collection(pl_tx *tx, const geo_rec *rec);
static apr_uint32_t le24(const unsigned char *b);

static int         is_mmdb(apr_pool_t *p, apr_file_t *f, apr_off_t size);
static const char *legacy_open(apr_pool_t *p, pl_geodb *db, apr_file_t *f, apr_off_t size);
static int         legacy_lookup(pl_tx *tx, const pl_geodb *db, const char *target,
                                 geo_rec *rec, char **msg);
static void        legacy_city(pl_tx *tx, const pl_geodb *db, const unsigned char *r,
                               geo_rec *rec);

#ifdef PL_HAVE_MAXMINDDB
static apr_status_t mmdb_cleanup(void *data);
static const char *mmdb_string(apr_pool_t *p, MMDB_entry_s *e, const char *const *path);
static double      mmdb_number(MMDB_entry_s *e, const char *const *path);
static int         mmdb_lookup(pl_tx *tx, const pl_geodb *db, const char *target,
                               geo_rec *rec, char **msg);
#endif

/* ------------------------------------------------------------------------
 * Shared helpers
 * --------------------------------------------------------------------- */

/* What 2.9 reports before anything is found (and keeps for missing fields). */
static void rec_defaults(geo_rec *rec)
{
    memset(rec, 0, sizeof(*rec));
    rec->country_code = countries[0].code;
    rec->country_code3 = countries[0].code3;
    rec->country_name = countries[0].name;
    rec->continent = countries[0].continent;
    rec->region = rec->city = rec->postal_code = "";
}

/* The legacy three-letter code of a two-letter one ("" when unknown). */
static const char *code3_of(const char *code)
{
    int i;

    for (i = 1; i < COUNTRIES; i++)
        if (strcmp(countries[i].code, code) == 0)
            return countries[i].code3;
    return "";
}

static void fill_collection(pl_tx *tx, const geo_rec *rec)
{
    pl_coll *geo = apr_hash_get(tx->colls, "GEO", APR_HASH_KEY_STRING);
    const char *v;

    if (geo == NULL) {
        geo = pl_coll_create(tx->pool, "GEO", 1);
        apr_hash_set(tx->colls, "GEO", APR_HASH_KEY_STRING, geo);
    }
#define SET(key, val) (v = (val), pl_coll_set(geo, key, v, strlen(v)))
    SET("COUNTRY_CODE", rec->country_code);
    SET("COUNTRY_CODE3", rec->country_code3);
    SET("COUNTRY_NAME", rec->country_name);
    SET("COUNTRY_CONTINENT", rec->continent);
    SET("REGION", rec->region);
    SET("CITY", rec->city);
    SET("POSTAL_CODE", rec->postal_code);
    /* apr's %f of the float widened to double, as 2.9 prints it */
    SET("LATITUDE", apr_psprintf(tx->pool, "%f", rec->latitude));
    SET("LONGITUDE", apr_psprintf(tx->pool, "%f", rec->longitude));
    SET("DMA_CODE", apr_itoa(tx->pool, rec->dma_code));
    SET("AREA_CODE", apr_itoa(tx->pool, rec->area_code));
#undef SET
}

static apr_uint32_t le24(const unsigned char *b)
{
    return (apr_uint32_t)b[0] | ((apr_uint32_t)b[1] << 8) | ((apr_uint32_t)b[2] << 16);
}

/* ------------------------------------------------------------------------
 * Legacy GeoIP .dat
 * --------------------------------------------------------------------- */

/*
 * Maps the file and reads its trailer: 0xFFFFFF, the edition byte and, for
 * city and organisation editions, the number of trie nodes (3 bytes).  The
 * mark is searched from 3 bytes before the end backwards, as libGeoIP and
 * 2.9 do; without one the file is a country edition.
 */
static const char *legacy_open(apr_pool_t *p, pl_geodb *db, apr_file_t *f, apr_off_t size)
{
    apr_mmap_t *mm = NULL;
    apr_size_t pos;
    int i;

    if (size < 6)
        return apr_psprintf(p, "Could not open geo database \"%s\": file too short", db->path);
    if (apr_mmap_create(&mm, f, 0, (apr_size_t)size, APR_MMAP_READ, p) == APR_SUCCESS) {
        db->data = mm->mm;
    } else {
        unsigned char *buf = apr_palloc(p, (apr_size_t)size);
        apr_off_t zero = 0;

        if (apr_file_seek(f, APR_SET, &zero) != APR_SUCCESS
                || apr_file_read_full(f, buf, (apr_size_t)size, NULL) != APR_SUCCESS)
            return apr_psprintf(p, "Could not open geo database \"%s\": read error", db->path);
        db->data = buf;
    }
    db->size = (apr_size_t)size;
    db->edition = ED_COUNTRY;
    db->segments = COUNTRY_BEGIN;

    for (i = 0, pos = db->size - 3; i < TRAILER_SCAN && pos > 0; i++, pos--) {
        const unsigned char *t = db->data + pos;

        if (t[0] != 0xff || t[1] != 0xff || t[2] != 0xff)
            continue;
        if (pos + 3 < db->size)
            db->edition = t[3] >= 106 ? t[3] - 105 : t[3];
        if (db->edition == ED_REGION_REV0)
            db->segments = STATE_BEGIN_REV0;
        else if (db->edition == ED_REGION_REV1)
            db->segments = STATE_BEGIN_REV1;
        else if (db->edition == ED_CITY_REV0 || db->edition == ED_CITY_REV1
                 || db->edition == ED_ORG || db->edition == ED_ISP
                 || db->edition == ED_ASNUM)
            db->segments = pos + 7 <= db->size ? le24(t + 4) : 0;
        break;
    }
    if (db->edition == ED_PROXY || db->edition == ED_NETSPEED)
        db->segments = COUNTRY_BEGIN;
    return NULL;
}

/* Decodes a city record (country number already checked). */
static void legacy_city(pl_tx *tx, const pl_geodb *db, const unsigned char *r, geo_rec *rec)
{
    apr_size_t off = 1, n;
    const char **fields[3];
    int i;
    apr_uint32_t v;

    fields[0] = &rec->region;
    fields[1] = &rec->city;
    fields[2] = &rec->postal_code;
    /* three NUL-terminated strings, then three 3-byte numbers; a field cut
     * by the 50-byte window reads as empty (2.9 reads past its buffer) */
    for (i = 0; i < 3; i++) {
        if (off >= CITY_RECORD_LEN) {
            *fields[i] = "";
            continue;
        }
        n = strnlen((const char *)r + off, CITY_RECORD_LEN - off);
        *fields[i] = apr_pstrmemdup(tx->pool, (const char *)r + off, n);
        off += n + 1;
    }
    /* r has 16 zero bytes after the window, so these reads stay inside */
    if (off > CITY_RECORD_LEN)
        off = CITY_RECORD_LEN;
    rec->latitude = (float)((double)le24(r + off) / 10000 - 180);
    rec->longitude = (float)((double)le24(r + off + 3) / 10000 - 180);
    if (db->edition == ED_CITY_REV1 && strcmp(rec->country_code, "US") == 0) {
        v = le24(r + off + 6);
        rec->dma_code = (int)(v / 1000);
        rec->area_code = (int)(v % 1000);
    }
}

/*
 * Walks the trie from the most significant bit of the IPv4 address: each
 * node is two 3-byte records (bit 0, bit 1); a record at or above
 * db->segments ends the walk.  Country editions store the country number
 * above COUNTRY_BEGIN; city editions point at a record in the data that
 * follows the trie.
 */
static int legacy_lookup(pl_tx *tx, const pl_geodb *db, const char *target,
                         geo_rec *rec, char **msg)
{
    apr_pool_t *p = tx->pool;
    apr_sockaddr_t *addr;
    apr_uint32_t ip, val = 0;
    unsigned char cbuf[CITY_RECORD_LEN + 16];
    apr_uint64_t at;
    char *ipstr = NULL, err[256];
    apr_status_t rc;
    int level, country;

    /* 2.9 resolves names too, IPv4 only */
    if ((rc = apr_sockaddr_info_get(&addr, target, APR_INET, 0, 0, p)) != APR_SUCCESS
            || (rc = apr_sockaddr_ip_get(&ipstr, addr)) != APR_SUCCESS) {
        *msg = apr_psprintf(p, "Geo lookup for \"%s\" failed: %s",
                            pl_log_escape(p, target, strlen(target)),
                            apr_strerror(rc, err, sizeof(err)));
        return 0;
    }
    ip = ntohl(addr->sa.sin.sin_addr.s_addr);
    pl_debug(tx, 9, "GEO: Using address \"%s\" (0x%08lx). %lu", ipstr,
             (unsigned long)ip, (unsigned long)ip);

    for (level = 31; level >= 0; level--) {
        at = (apr_uint64_t)val * 2 * RECORD_BYTES;
        if (at + 2 * RECORD_BYTES > db->size) {
            val = db->segments;            /* a broken file: no data */
            break;
        }
        val = le24(db->data + at + ((ip >> level) & 1 ? RECORD_BYTES : 0));
        if (val >= db->segments)
            break;
    }
    if (val == db->segments || (val < db->segments && db->edition != ED_COUNTRY)) {
        *msg = apr_psprintf(p, "No geo data for \"%s\").", pl_log_escape(p, target, strlen(target)));
        return 0;
    }

    if (db->edition == ED_COUNTRY || db->edition == ED_PROXY || db->edition == ED_NETSPEED) {
        country = (int)val - (int)db->segments;
    } else if (db->edition == ED_CITY_REV0 || db->edition == ED_CITY_REV1) {
        memset(cbuf, 0, sizeof(cbuf));
        at = (apr_uint64_t)val + (2 * RECORD_BYTES - 1) * (apr_uint64_t)db->segments;
        if (at < db->size)
            memcpy(cbuf, db->data + at,
                   db->size - at < CITY_RECORD_LEN ? db->size - at : CITY_RECORD_LEN);
        country = cbuf[0];
    } else {
        country = 0;                       /* region, ISP, ... editions */
    }
    if (country <= 0 || country >= COUNTRIES) {
        *msg = apr_psprintf(p, "No geo data for \"%s\" (country %d).",
                            pl_log_escape(p, target, strlen(target)), country);
        return 0;
    }
    rec->country_code = countries[country].code;
    rec->country_code3 = countries[country].code3;
    rec->country_name = countries[country].name;
    rec->continent = countries[country].continent;
    if (db->edition == ED_CITY_REV0 || db->edition == ED_CITY_REV1)
        legacy_city(tx, db, cbuf, rec);
    return 1;
}

/* ------------------------------------------------------------------------
 * MaxMind DB
 * --------------------------------------------------------------------- */

#ifdef PL_HAVE_MAXMINDDB
static apr_status_t mmdb_cleanup(void *data)
{
    MMDB_close(&((pl_geodb *)data)->mmdb);
    return APR_SUCCESS;
}

/* A UTF-8 string at path in the entry, NULL when absent. */
static const char *mmdb_string(apr_pool_t *p, MMDB_entry_s *e, const char *const *path)
{
    MMDB_entry_data_s d;

    if (MMDB_aget_value(e, &d, path) != MMDB_SUCCESS || !d.has_data
            || d.type != MMDB_DATA_TYPE_UTF8_STRING)
        return NULL;
    return apr_pstrmemdup(p, d.utf8_string, d.data_size);
}

/* A number at path, 0 when absent. */
static double mmdb_number(MMDB_entry_s *e, const char *const *path)
{
    MMDB_entry_data_s d;

    if (MMDB_aget_value(e, &d, path) != MMDB_SUCCESS || !d.has_data)
        return 0;
    switch (d.type) {
    case MMDB_DATA_TYPE_DOUBLE: return d.double_value;
    case MMDB_DATA_TYPE_FLOAT:  return d.float_value;
    case MMDB_DATA_TYPE_UINT16: return d.uint16;
    case MMDB_DATA_TYPE_UINT32: return d.uint32;
    case MMDB_DATA_TYPE_INT32:  return d.int32;
    default:                    return 0;
    }
}

static int mmdb_lookup(pl_tx *tx, const pl_geodb *db, const char *target,
                       geo_rec *rec, char **msg)
{
    static const char *const p_country[] = { "country", "iso_code", NULL };
    static const char *const p_reg_country[] = { "registered_country", "iso_code", NULL };
    static const char *const p_name[] = { "country", "names", "en", NULL };
    static const char *const p_reg_name[] = { "registered_country", "names", "en", NULL };
    static const char *const p_continent[] = { "continent", "code", NULL };
    static const char *const p_region[] = { "subdivisions", "0", "iso_code", NULL };
    static const char *const p_city[] = { "city", "names", "en", NULL };
    static const char *const p_postal[] = { "postal", "code", NULL };
    static const char *const p_lat[] = { "location", "latitude", NULL };
    static const char *const p_lon[] = { "location", "longitude", NULL };
    static const char *const p_metro[] = { "location", "metro_code", NULL };
    apr_pool_t *p = tx->pool;
    apr_sockaddr_t *addr;
    MMDB_lookup_result_s res;
    const char *s;
    char err[256];
    apr_status_t rc;
    int mmdb_err = MMDB_SUCCESS;

    if ((rc = apr_sockaddr_info_get(&addr, target, APR_UNSPEC, 0, 0, p)) != APR_SUCCESS) {
        *msg = apr_psprintf(p, "Geo lookup for \"%s\" failed: %s",
                            pl_log_escape(p, target, strlen(target)),
                            apr_strerror(rc, err, sizeof(err)));
        return 0;
    }
    res = MMDB_lookup_sockaddr(&db->mmdb, (const struct sockaddr *)&addr->sa, &mmdb_err);
    if (mmdb_err != MMDB_SUCCESS) {
        *msg = apr_psprintf(p, "Geo lookup for \"%s\" failed: %s",
                            pl_log_escape(p, target, strlen(target)), MMDB_strerror(mmdb_err));
        return 0;
    }
    s = res.found_entry ? mmdb_string(p, &res.entry, p_country) : NULL;
    if (s == NULL && res.found_entry)
        s = mmdb_string(p, &res.entry, p_reg_country);
    if (s == NULL) {
        *msg = apr_psprintf(p, "No geo data for \"%s\").", pl_log_escape(p, target, strlen(target)));
        return 0;
    }
    rec->country_code = s;
    rec->country_code3 = code3_of(s);
    if ((s = mmdb_string(p, &res.entry, p_name)) != NULL
            || (s = mmdb_string(p, &res.entry, p_reg_name)) != NULL)
        rec->country_name = s;
    if ((s = mmdb_string(p, &res.entry, p_continent)) != NULL)
        rec->continent = s;
    if ((s = mmdb_string(p, &res.entry, p_region)) != NULL)
        rec->region = s;
    if ((s = mmdb_string(p, &res.entry, p_city)) != NULL)
        rec->city = s;
    if ((s = mmdb_string(p, &res.entry, p_postal)) != NULL)
        rec->postal_code = s;
    rec->latitude = (float)mmdb_number(&res.entry, p_lat);
    rec->longitude = (float)mmdb_number(&res.entry, p_lon);
    rec->dma_code = (int)mmdb_number(&res.entry, p_metro);
    return 1;
}
#endif /* PL_HAVE_MAXMINDDB */

/* ------------------------------------------------------------------------
 * Public interface
 * --------------------------------------------------------------------- */

/* 1 when the file ends in a MaxMind DB metadata section. */
static int is_mmdb(apr_pool_t *p, apr_file_t *f, apr_off_t size)
{
    apr_size_t tail = size < MMDB_META_MAX ? (apr_size_t)size : MMDB_META_MAX, i;
    apr_off_t at = size - (apr_off_t)tail;
    apr_pool_t *tmp;
    unsigned char *buf;
    int found = 0;

    apr_pool_create(&tmp, p);
    buf = apr_palloc(tmp, tail);
    if (apr_file_seek(f, APR_SET, &at) == APR_SUCCESS
            && apr_file_read_full(f, buf, tail, NULL) == APR_SUCCESS) {
        for (i = 0; i + MMDB_MARKER_LEN <= tail && !found; i++)
            found = buf[i] == 0xab && memcmp(buf + i, MMDB_MARKER, MMDB_MARKER_LEN) == 0;
    }
    apr_pool_destroy(tmp);
    return found;
}

const char *pl_geo_open(apr_pool_t *p, const char *path, pl_geodb **out)
{
    pl_geodb *db = apr_pcalloc(p, sizeof(*db));
    apr_file_t *f = NULL;
    apr_finfo_t fi;
    apr_status_t rc;
    const char *err = NULL;
    char ebuf[256];

    db->path = apr_pstrdup(p, path);
    if ((rc = apr_file_open(&f, path, APR_READ | APR_BINARY, APR_OS_DEFAULT, p)) != APR_SUCCESS)
        return apr_psprintf(p, "Could not open geo database \"%s\": %s", path,
                            apr_strerror(rc, ebuf, sizeof(ebuf)));
    if ((rc = apr_file_info_get(&fi, APR_FINFO_SIZE, f)) != APR_SUCCESS) {
        apr_file_close(f);
        return apr_psprintf(p, "Could not open geo database \"%s\": %s", path,
                            apr_strerror(rc, ebuf, sizeof(ebuf)));
    }
    if (is_mmdb(p, f, fi.size)) {
        apr_file_close(f);
        db->kind = GEO_MMDB;
#ifdef PL_HAVE_MAXMINDDB
        rc = MMDB_open(path, MMDB_MODE_MMAP, &db->mmdb);
        if (rc != MMDB_SUCCESS)
            return apr_psprintf(p, "Could not open geo database \"%s\": %s", path,
                                MMDB_strerror((int)rc));
        apr_pool_cleanup_register(p, db, mmdb_cleanup, apr_pool_cleanup_null);
#else
        return apr_psprintf(p, "Could not open geo database \"%s\": MaxMind DB files need "
                            "Palisade built with libmaxminddb (apt-get install "
                            "libmaxminddb-dev, then configure again)", path);
#endif
    } else {
        err = legacy_open(p, db, f, fi.size);
        apr_file_close(f);
        if (err != NULL)
            return err;
    }
    *out = db;
    return NULL;
}

int pl_geo_lookup(pl_tx *tx, const pl_geodb *db, const char *target, char **msg)
{
    pl_coll *geo = apr_hash_get(tx->colls, "GEO", APR_HASH_KEY_STRING);
    geo_rec rec;
    int found;

    rec_defaults(&rec);
    pl_debug(tx, 9, "GEO: Looking up \"%s\".", pl_log_escape(tx->pool, target, strlen(target)));
#ifdef PL_HAVE_MAXMINDDB
    if (db->kind == GEO_MMDB)
        found = mmdb_lookup(tx, db, target, &rec, msg);
    else
#endif
        found = legacy_lookup(tx, db, target, &rec, msg);
    if (!found) {
        pl_debug(tx, 4, "%s", *msg);
        if (geo != NULL)
            pl_coll_clear(geo);
        return 0;
    }
    *msg = apr_psprintf(tx->pool, "Geo lookup for \"%s\" succeeded.",
                        pl_log_escape(tx->pool, target, strlen(target)));
    pl_debug(tx, 9, "GEO: %s={country_code=%s, country_code3=%s, country_name=%s, "
             "country_continent=%s, region=%s, city=%s, postal_code=%s, latitude=%f, "
             "longitude=%f, dma_code=%d, area_code=%d}", target, rec.country_code,
             rec.country_code3, rec.country_name, rec.continent, rec.region, rec.city,
             rec.postal_code, rec.latitude, rec.longitude, rec.dma_code, rec.area_code);
    fill_collection(tx, &rec);
    return 1;
}
