"""Reads and alters safetensors checkpoints for the tests, apart from the
C reader (its checks are what the tests are about).

st_edit.py nonfinite FILE             how many tensors hold a NaN or an infinity
st_edit.py nan FILE OUT TENSOR        OUT: FILE with TENSOR's first value NaN
st_edit.py meta FILE OUT KEY VALUE    OUT: FILE with metadata KEY set to VALUE
"""
import json
import math
import struct
import sys


def read(path):
    data = open(path, 'rb').read()
    n = struct.unpack('<Q', data[:8])[0]
    return json.loads(data[8:8 + n]), bytearray(data[8 + n:])


def write(path, head, data):
    text = json.dumps(head).encode()
    text += b' ' * (-len(text) % 8)
    with open(path, 'wb') as f:
        f.write(struct.pack('<Q', len(text)) + text + bytes(data))


def values(t, data):
    begin, end = t['data_offsets']
    return struct.unpack('<%df' % ((end - begin) // 4), data[begin:end])


def main(argv):
    head, data = read(argv[2])
    tensors = {k: t for k, t in head.items() if k != '__metadata__'}
    if argv[1] == 'nonfinite':
        print(sum(any(not math.isfinite(x) for x in values(t, data)) for t in tensors.values()))
    elif argv[1] == 'nan':
        struct.pack_into('<f', data, tensors[argv[4]]['data_offsets'][0], float('nan'))
        write(argv[3], head, data)
    elif argv[1] == 'meta':
        head['__metadata__'][argv[4]] = argv[5]
        write(argv[3], head, data)
    else:
        sys.exit('unknown command ' + argv[1])


main(sys.argv)
