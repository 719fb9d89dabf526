"""Writers for small geolocation databases, for the tests of @geoLookup.

Two formats:
  - the legacy GeoIP ".dat" format that ModSecurity 2.9 reads itself
    (country edition, and city edition revision 1): a binary trie of
    6-byte nodes (two 3-byte little-endian records), leaves pointing at a
    country number or at a city record, and a trailer naming the edition;
  - the MaxMind DB format (.mmdb, version 2.0): a binary trie of 24-bit
    records, a data section of typed values and a metadata map.

Only the standard library is used.  Networks are given as "a.b.c.d/len"
(IPv4) or IPv6 text; the MaxMind writer builds an IPv6 tree and places
IPv4 networks under ::/96, as MaxMind's own databases do.
"""

import ipaddress
import struct

COUNTRY_BEGIN = 16776960          # leaf values of a country edition
EDITION_COUNTRY = 1
EDITION_CITY_REV1 = 2


# ----------------------------------------------------------------------
# A binary trie shared by both formats
# ----------------------------------------------------------------------

class _Trie:
    """Nodes are [left, right]; a child is a node index (int), a leaf
    ("leaf", value) or None (no data)."""

    def __init__(self, width):
        self.width = width
        self.nodes = [[None, None]]

    def insert(self, bits, depth, leaf):
        node = 0
        for i in range(depth):
            bit = (bits >> (self.width - 1 - i)) & 1
            if i == depth - 1:
                self.nodes[node][bit] = ("leaf", leaf)
                return
            child = self.nodes[node][bit]
            if not isinstance(child, int):
                self.nodes.append([child, child])   # split an inherited leaf
                child = len(self.nodes) - 1
                self.nodes[node][bit] = child
            node = child


def _network(text, width):
    net = ipaddress.ip_network(text, strict=False)
    if width == 128 and net.version == 4:
        bits = int(net.network_address)
        return bits, 96 + net.prefixlen
    if net.version == 4 and width != 32:
        raise ValueError("IPv4 network in a tree of width %d" % width)
    if net.version == 6 and width != 128:
        raise ValueError("IPv6 network in an IPv4 tree")
    return int(net.network_address), net.prefixlen


def _build(width, entries):
    """entries: [(network text, leaf)], shorter prefixes first."""
    trie = _Trie(width)
    for text, leaf in sorted(entries, key=lambda e: _network(e[0], width)[1]):
        bits, depth = _network(text, width)
        if depth == 0:
            raise ValueError("a /0 network is not supported")
        trie.insert(bits, depth, leaf)
    return trie


# ----------------------------------------------------------------------
# Legacy GeoIP .dat
# ----------------------------------------------------------------------

def _le24(v):
    return struct.pack("<I", v)[:3]


def write_legacy_country(path, entries):
    """entries: [("1.2.3.0/24", country_number)] (number 1..255 in
    GeoIP's country order; 0 means "no data")."""
    trie = _build(32, entries)
    out = bytearray()
    for left, right in trie.nodes:
        for child in (left, right):
            if isinstance(child, int):
                out += _le24(child)
            elif child is None:
                out += _le24(COUNTRY_BEGIN)
            else:
                out += _le24(COUNTRY_BEGIN + child[1])
    out += b"\xff\xff\xff" + bytes([EDITION_COUNTRY])
    with open(path, "wb") as f:
        f.write(bytes(out))


def city_record(country, region="", city="", postal="", lat=0.0, lon=0.0,
                dma=0, area=0):
    """One city record (revision 1); dma/area are stored for every country
    (readers use them for the US only)."""
    rec = bytearray([country])
    for s in (region, city, postal):
        rec += s.encode("latin-1") + b"\0"
    rec += _le24(int(round((lat + 180) * 10000)))
    rec += _le24(int(round((lon + 180) * 10000)))
    rec += _le24(dma * 1000 + area)
    return bytes(rec)


def write_legacy_city(path, entries):
    """entries: [("1.2.3.0/24", city_record(...))]."""
    trie = _build(32, entries)
    segments = len(trie.nodes)
    data = bytearray(b"\0")          # offset 0 would read as "no data"
    offsets = {}
    for _, rec in entries:
        if rec not in offsets:
            offsets[rec] = len(data)
            data += rec
    out = bytearray()
    for left, right in trie.nodes:
        for child in (left, right):
            if isinstance(child, int):
                out += _le24(child)
            elif child is None:
                out += _le24(segments)
            else:
                out += _le24(segments + offsets[child[1]])
    out += data
    out += b"\xff\xff\xff" + bytes([EDITION_CITY_REV1]) + _le24(segments)
    with open(path, "wb") as f:
        f.write(bytes(out))


# ----------------------------------------------------------------------
# MaxMind DB (.mmdb)
# ----------------------------------------------------------------------

def _ctrl(type_, size):
    """Control byte(s) for a value of type_ (1..15) and payload size."""
    if size < 29:
        first, ext = size, b""
    elif size < 29 + 256:
        first, ext = 29, bytes([size - 29])
    elif size < 285 + 65536:
        first, ext = 30, struct.pack(">H", size - 285)
    else:
        first, ext = 31, struct.pack(">I", size - 65821)[1:]
    if type_ <= 7:
        return bytes([(type_ << 5) | first]) + ext
    return bytes([first, type_ - 7]) + ext


def _uint(type_, v):
    raw = v.to_bytes((v.bit_length() + 7) // 8, "big") if v else b""
    return _ctrl(type_, len(raw)) + raw


def encode(value):
    """Python value -> MaxMind DB bytes: str, float (double), bool,
    int (uint32, or uint64 when larger), dict (map), list (array), and
    ("uint16", n) for an explicit uint16."""
    if isinstance(value, bool):
        return _ctrl(14, int(value))
    if isinstance(value, tuple) and value[0] == "uint16":
        return _uint(5, value[1])
    if isinstance(value, int):
        return _uint(6 if value < 2 ** 32 else 9, value)
    if isinstance(value, float):
        return _ctrl(3, 8) + struct.pack(">d", value)
    if isinstance(value, str):
        raw = value.encode("utf-8")
        return _ctrl(2, len(raw)) + raw
    if isinstance(value, dict):
        out = _ctrl(7, len(value))
        for k, v in value.items():
            out += encode(str(k)) + encode(v)
        return out
    if isinstance(value, list):
        out = _ctrl(11, len(value))
        for v in value:
            out += encode(v)
        return out
    raise TypeError("cannot encode %r" % (value,))


def write_mmdb(path, entries, database_type="GeoLite2-City", ip_version=6):
    """entries: [(network text, dict)]; the dicts follow GeoIP2's layout
    (country.iso_code, city.names.en, location.latitude ...)."""
    width = 128 if ip_version == 6 else 32
    trie = _build(width, entries)
    node_count = len(trie.nodes)
    data = bytearray()
    offsets = {}
    for _, rec in entries:
        key = repr(rec)
        if key not in offsets:
            offsets[key] = len(data)
            data += encode(rec)
    out = bytearray()
    for left, right in trie.nodes:
        for child in (left, right):
            if isinstance(child, int):
                v = child
            elif child is None:
                v = node_count
            else:
                v = node_count + 16 + offsets[repr(child[1])]
            out += struct.pack(">I", v)[1:]
    out += b"\0" * 16
    out += data
    meta = {
        "binary_format_major_version": ("uint16", 2),
        "binary_format_minor_version": ("uint16", 0),
        "build_epoch": 2 ** 32 + 1,
        "database_type": database_type,
        "description": {"en": "Palisade test database"},
        "ip_version": ("uint16", ip_version),
        "languages": ["en"],
        "node_count": node_count,
        "record_size": ("uint16", 24),
    }
    out += b"\xab\xcd\xefMaxMind.com" + encode(meta)
    with open(path, "wb") as f:
        f.write(bytes(out))


def geoip2_record(country=None, country_name=None, continent=None, region=None,
                  city=None, postal=None, lat=None, lon=None, metro=None):
    """A GeoIP2-City-like record with the fields @geoLookup reads."""
    rec = {}
    if continent:
        rec["continent"] = {"code": continent, "names": {"en": continent}}
    if country:
        rec["country"] = {"iso_code": country, "names": {"en": country_name or country}}
    if region:
        rec["subdivisions"] = [{"iso_code": region, "names": {"en": region}}]
    if city:
        rec["city"] = {"names": {"en": city}}
    if postal:
        rec["postal"] = {"code": postal}
    loc = {}
    if lat is not None:
        loc["latitude"] = float(lat)
    if lon is not None:
        loc["longitude"] = float(lon)
    if metro is not None:
        loc["metro_code"] = ("uint16", metro)
    if loc:
        rec["location"] = loc
    return rec
