"""A minimal msgpack codec for the pipeline tests, which check the tools'
streams with code that is not the code under test. Debian's python3 has no
msgpack module. The encoder serves the hostile corpus (hostile.py), which
needs values no well-behaved packer writes (duplicate keys, raw bytes in
place of a value, length claims larger than the data), so it takes them as
given; the decoder is strict, as a reader of the format must be: a
truncated value or a key given twice is an error (ValueError)."""
import struct


class Raw:
    """Bytes written as they are, in place of a packed value."""
    def __init__(self, b):
        self.b = b


class F32(float):
    """A float written as float32 (a plain float is written as float64)."""


class Map:
    """A map as its list of (key, value) pairs: keys may repeat."""
    def __init__(self, pairs):
        self.pairs = list(pairs)


def _head(n, fix, fix_max, c8, c16, c32):
    if fix is not None and n <= fix_max:
        return bytes([fix | n])
    if c8 is not None and n < 1 << 8:
        return bytes([c8, n])
    if n < 1 << 16:
        return bytes([c16]) + struct.pack(">H", n)
    return bytes([c32]) + struct.pack(">I", n)


def _int(v):
    if 0 <= v < 128:
        return bytes([v])
    if -32 <= v < 0:
        return struct.pack("b", v)
    if v >= 0:
        for code, fmt, bits in ((0xCC, ">B", 8), (0xCD, ">H", 16), (0xCE, ">I", 32),
                                (0xCF, ">Q", 64)):
            if v < 1 << bits:
                return bytes([code]) + struct.pack(fmt, v)
    for code, fmt, bits in ((0xD0, ">b", 8), (0xD1, ">h", 16), (0xD2, ">i", 32),
                            (0xD3, ">q", 64)):
        if v >= -(1 << (bits - 1)):
            return bytes([code]) + struct.pack(fmt, v)
    raise ValueError(v)


def pack(v):
    if isinstance(v, Raw):
        return v.b
    if v is None:
        return b"\xc0"
    if v is True:
        return b"\xc3"
    if v is False:
        return b"\xc2"
    if isinstance(v, int):
        return _int(v)
    if isinstance(v, F32):
        return b"\xca" + struct.pack(">f", v)
    if isinstance(v, float):
        return b"\xcb" + struct.pack(">d", v)
    if isinstance(v, str):
        b = v.encode()
        return _head(len(b), 0xA0, 31, 0xD9, 0xDA, 0xDB) + b
    if isinstance(v, (bytes, bytearray)):
        return _head(len(v), None, 0, 0xC4, 0xC5, 0xC6) + bytes(v)
    if isinstance(v, (list, tuple)):
        return _head(len(v), 0x90, 15, None, 0xDC, 0xDD) + b"".join(pack(x) for x in v)
    pairs = v.pairs if isinstance(v, Map) else list(v.items())
    return _head(len(pairs), 0x80, 15, None, 0xDE, 0xDF) + \
        b"".join(pack(k) + pack(x) for k, x in pairs)


def unpack_all(data):
    """Every value of a msgpack byte string: maps as dicts (in order), bins
    as bytes, strs as str."""
    out, pos = [], 0
    while pos < len(data):
        v, pos = _unpack(data, pos)
        out.append(v)
    return out


def _take(d, p, n):
    """The n bytes at p, which must all be there."""
    if p + n > len(d):
        raise ValueError("truncated msgpack")
    return d[p:p + n]


def _unpack(d, p):
    b = _take(d, p, 1)[0]
    p += 1
    if b <= 0x7F:
        return b, p
    if b >= 0xE0:
        return b - 256, p
    if 0x80 <= b <= 0x8F:
        return _map(d, p, b & 15)
    if 0x90 <= b <= 0x9F:
        return _array(d, p, b & 15)
    if 0xA0 <= b <= 0xBF:
        return _take(d, p, b & 31).decode(), p + (b & 31)
    if b == 0xC0:
        return None, p
    if b in (0xC2, 0xC3):
        return b == 0xC3, p
    sizes = {0xC4: 1, 0xC5: 2, 0xC6: 4, 0xD9: 1, 0xDA: 2, 0xDB: 4}
    if b in sizes:
        n = int.from_bytes(_take(d, p, sizes[b]), "big")
        p += sizes[b]
        s = _take(d, p, n)
        return (s.decode() if b >= 0xD9 else bytes(s)), p + n
    fixed = {0xCA: ">f", 0xCB: ">d", 0xCC: ">B", 0xCD: ">H", 0xCE: ">I", 0xCF: ">Q",
             0xD0: ">b", 0xD1: ">h", 0xD2: ">i", 0xD3: ">q"}
    if b in fixed:
        n = struct.calcsize(fixed[b])
        v = struct.unpack(fixed[b], _take(d, p, n))[0]
        return (F32(v) if b == 0xCA else v), p + n
    if b in (0xDC, 0xDD):
        n = 2 if b == 0xDC else 4
        return _array(d, p + n, int.from_bytes(_take(d, p, n), "big"))
    if b in (0xDE, 0xDF):
        n = 2 if b == 0xDE else 4
        return _map(d, p + n, int.from_bytes(_take(d, p, n), "big"))
    raise ValueError("msgpack type 0x%02x not handled" % b)


def _array(d, p, n):
    out = []
    for _ in range(n):
        v, p = _unpack(d, p)
        out.append(v)
    return out, p


def _map(d, p, n):
    out = {}
    for _ in range(n):
        k, p = _unpack(d, p)
        v, p = _unpack(d, p)
        if k in out:
            raise ValueError("duplicate key %r" % (k,))
        out[k] = v
    return out, p
