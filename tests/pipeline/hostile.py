"""The hostile corpus and its sweep (issue 12), run by test_hostile.sh.

Valid seeds of every input kind are made with the tools themselves (record
streams at each stage: images, boxes and segments, grid and boxcount, mask,
emb; a tiny MAE checkpoint) and with mkfixtures (PNG, JPEG, IDX, CIFAR,
STL-10), then mutated: truncations and byte flips at seeded positions,
crafted fields (wrong types and sizes, huge or negative numbers, missing
and duplicate keys, non-UTF-8 strings), crafted stream structure (length
claims far beyond the data, nesting, headers and end markers), lying image
headers and lying checkpoints (shapes, dtypes, offsets, config, values).

TABLE below maps each case to the tools that read it and what each must do:
  fail  exit 1 with one stderr line naming the file (and the record when
        the case says which), nothing at the -o path, no temporary left;
  ok    exit 0 with a well-formed output and a quiet stderr;
  any   ok or fail;
and always: no signal, no timeout, no allocation beyond the memory cap.
One PASS/FAIL line per case group; a FAIL names each failing case on stderr.

usage: hostile.py BIN TESTBIN TMPDIR SAN"""
import concurrent.futures
import json
import os
import random
import re
import resource
import shutil
import signal
import struct
import subprocess
import sys
import time
import zlib

from msgpack_lite import F32, Map, Raw, pack, unpack_all

BIN, TESTBIN, T, SAN = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4] == "1"
CORPUS = os.path.join(T, "corpus")
RUNS = os.path.join(T, "runs")
RNG = random.Random(12)
TIMES = {}  # the sample of positions and bytes is fixed

# A tool gets TIMEOUT seconds (a hang shows as a timeout, not a stuck suite;
# generous because the machine may be loaded and the sanitizers slow).
TIMEOUT = 60 if SAN else 20
# The memory cap (address space, ulimit -v) catches an allocation of a
# gigabyte that a header claims. The MAE tools and linprobe map OpenBLAS's
# buffers (and the CUDA libraries when built with them): measured to need
# about 1.1 GB of address space, they get 1.5 GB; the others 600 MB. Under
# ASan the shadow memory reserves terabytes of address space, so the cap
# is ASan's own max_allocation_size_mb instead: a single allocation above
# it aborts with a report (allocator_may_return_null=0), which this sweep
# sees as a signal or an exit status other than 1.
CAP_BLAS = 1500 << 20
CAP_SMALL = 600 << 20
BLAS_TOOLS = HEAVY = ("mae-", "linprobe")
ASAN_OPTIONS = "max_allocation_size_mb=400:allocator_may_return_null=0"

TINY = ["--img-size", "16", "--in-chans", "3", "--patch", "4", "--dim", "16", "--depth", "1",
        "--heads", "2", "--dec-dim", "12", "--dec-depth", "1", "--dec-heads", "3"]


def tool(name):
    return os.path.join(BIN, name)


def sh(argv, **kw):
    """Runs a seed-making command; a failure stops the sweep (the seeds
    must be valid for the cases to mean anything)."""
    p = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, **kw)
    if p.returncode != 0:
        sys.exit("seed command failed: %s\n%s" % (" ".join(argv), p.stderr.decode()))
    return p.stdout


def write(path, data):
    with open(path, "wb") as f:
        f.write(data)


def read(path):
    with open(path, "rb") as f:
        return f.read()


# ---------------------------------------------------------------- seeds

def make_seeds():
    os.makedirs(CORPUS)
    s = os.path.join(T, "seeds")
    os.makedirs(s)
    header = {"maskpipe": 1, "provenance": [["hostile.py"]]}
    recs = []
    for i in range(8):
        px = bytes((x * 7 + y * 13 + ch * 50 + i * 31) % 256
                   for y in range(16) for x in range(16) for ch in range(3))
        recs.append({"id": "h:%d" % i, "label": i % 2,
                     "img": {"w": 16, "h": 16, "c": 3, "px": px}})
    write(s + "/plain.rec", stream(header, recs))
    seeds = {"img": s + "/img.rec", "box": s + "/box.rec", "grid": s + "/grid.rec",
             "mask": s + "/mask.rec", "emb": s + "/emb.rec", "ck": s + "/ck.st",
             "cache": s + "/cache.rec", "fx": s + "/fx"}
    sh([tool("rec-head"), "-n", "100", "-o", seeds["img"], s + "/plain.rec"])
    sh([tool("ssearch-boxes"), "-q", "--emit-segments", "-o", seeds["box"], seeds["img"]])
    sh([tool("patchify"), "-p", "4", "-o", seeds["grid"], seeds["box"]])
    sh([tool("mask-gen"), "-S", "random", "-o", seeds["mask"], seeds["grid"]])
    sh([tool("mae-train")] + TINY + ["-q", "-b", "2", "--steps", "2", "-o", seeds["ck"],
                                      seeds["mask"]])
    sh([tool("mae-embed"), "-q", "-o", seeds["emb"], seeds["ck"], seeds["mask"]])
    sh([tool("rec-cut"), "-k", "id,boxes", "-o", seeds["cache"], seeds["box"]])
    sh([os.path.join(TESTBIN, "mkfixtures"), seeds["fx"]])
    return seeds


def stream(header, recs, end=True):
    """A plain msgpack stream: the header, the records, the end marker."""
    out = pack(header) if header is not None else b""
    out += b"".join(pack(r) for r in recs)
    if end and header is not None:
        out += pack({"maskpipe_end": len(recs)})
    return out


def decode_stream(path):
    """(header, records) of a zstd stream the tools wrote."""
    maps = unpack_all(sh(["zstd", "-dcq", path]))
    assert "maskpipe" in maps[0] and "maskpipe_end" in maps[-1]
    return maps[0], maps[1:-1]


# ---------------------------------------------------------------- tools

# What each tool is run as: argv for input I, checkpoint C, output dir D,
# and the output it writes (a file in D or stdout) and its kind, which says
# how a success's output is checked.
def command(t, i, c, d):
    o = lambda ext: os.path.join(d, "out." + ext)
    table = {
        "rec-cat": (["--full", i], None, "jsonl"),
        "rec-head": (["-n", "100", "-o", o("rec"), i], o("rec"), "rec"),
        "rec-count": ([i], None, "count"),
        "rec-cut": (["-d", "label", "-o", o("rec"), i], o("rec"), "rec"),
        "rec-join": (["-f", "boxes", "-o", o("rec"), c, i], o("rec"), "rec"),
        "rec-join-cache": (["-o", o("rec"), i, c], o("rec"), "rec"),
        "rec-shuffle": (["-o", o("rec"), i], o("rec"), "rec"),
        "rec-repeat": (["-n", "2", "-o", o("rec"), i], o("rec"), "rec"),
        "rec-png": (["-b", "2", "--sheet", o("png"), i], o("png"), "png"),
        "rec-png-dir": (["--by-label", "-o", d, i], d, "dir"),
        "ssearch-boxes": (["-q", "-o", o("rec"), i], o("rec"), "rec"),
        "patchify": (["-p", "4", "-o", o("rec"), i], o("rec"), "rec"),
        "mask-gen": (["-S", "random", "-o", o("rec"), i], o("rec"), "rec"),
        "mask-gen-objbox": (["-S", "objbox", "-o", o("rec"), i], o("rec"), "rec"),
        "mask-stats": ([i], None, "text"),
        "mask-stats-dir": (["-d", d, i], d, "dir"),
        "mask-viz": (["-o", o("png"), i], o("png"), "png"),
        "mae-train": (TINY + ["-q", "-b", "2", "--steps", "1", "-o", o("st"), i], o("st"), "st"),
        "mae-train-resume": (["-q", "-b", "2", "--steps", "3", "--resume", c, "-o", o("st"), i],
                             o("st"), "st"),
        "mae-embed": (["-q", "-o", o("rec"), c, i], o("rec"), "rec"),
        "mae-recon": (["-q", "-o", o("rec"), c, i], o("rec"), "rec"),
        "mae-finetune": (["-q", "-e", "1", "-b", "2", "--train", i, "-o", o("json"), c, i],
                         o("json"), "json"),
        "linprobe": (["-q", "--wd", "1e-3", "--max-iter", "5", "--train", i, "-o", o("json"), i],
                     o("json"), "json"),
        "linprobe-pixels": (["-q", "--pixels", "--wd", "1e-3", "--max-iter", "5", "--train", i,
                             "-o", o("json"), i], o("json"), "json"),
    }
    if t.startswith("img-decode"):
        # img-decode takes its format options from the case: "img-decode:-f cifar10"
        extra = t.split(":", 1)[1].split() if ":" in t else []
        return [tool("img-decode"), "-q"] + extra + ["-o", o("rec"), i], o("rec"), "rec"
    args, out, kind = table[t]
    name = {"rec-join-cache": "rec-join", "mask-gen-objbox": "mask-gen",
            "mask-stats-dir": "mask-stats", "rec-png-dir": "rec-png",
            "mae-train-resume": "mae-train", "linprobe-pixels": "linprobe"}.get(t, t)
    return [tool(name)] + args, out, kind


# Every tool that reads a record stream, as run on the mask stage's seed
# (its records have every field but emb); linprobe reads emb, so it runs on
# streams of the emb stage (STREAM_EMB).
STREAM_ALL = ["rec-cat", "rec-head", "rec-count", "rec-cut", "rec-join", "rec-join-cache",
              "rec-shuffle", "rec-repeat", "rec-png", "ssearch-boxes", "patchify", "mask-gen",
              "mask-gen-objbox", "mask-stats", "mask-viz", "mae-train", "mae-embed", "mae-recon",
              "mae-finetune", "linprobe-pixels"]
STREAM_EMB = ["linprobe"]
CKPT_TOOLS = ["mae-embed", "mae-recon", "mae-finetune", "mae-train-resume"]


# ---------------------------------------------------------------- cases

class Case:
    def __init__(self, group, name, data, expect, record=None, ext="rec", names=None,
                 prepare=None):
        self.group, self.name, self.data = group, name, data
        self.expect = expect      # tool -> "fail" or "any"
        self.record = record      # the record a message must name, or None
        self.ext = ext
        self.path = os.path.join(CORPUS, "%s.%s" % (name, ext))
        self.names = names        # what the message must name (default: the file)
        self.prepare = prepare    # makes a case that is not one file


def expect_all(tools, verdict):
    return {t: verdict for t in tools}


def truncations(data, n_random):
    """Cut points: the first bytes, the middle, the last bytes, and a
    seeded sample."""
    pts = {1, 4, 8, len(data) // 3, len(data) // 2, len(data) - 4, len(data) - 1}
    pts |= {RNG.randrange(1, len(data)) for _ in range(n_random)}
    return sorted(p for p in pts if 0 < p < len(data))


def flips(data, n, lo=0, hi=None):
    """n seeded (position, xor) pairs in data[lo:hi]."""
    hi = len(data) if hi is None else hi
    return [(RNG.randrange(lo, hi), RNG.randrange(1, 256)) for _ in range(n)]


def flip(data, pos, x):
    b = bytearray(data)
    b[pos] ^= x
    return bytes(b)


def stream_cases(seeds):
    cases = []
    for stage, tools in (("mask", STREAM_ALL), ("emb", STREAM_EMB)):
        data = read(seeds[stage])
        fail = expect_all(tools, "fail")
        for p in truncations(data, 2):
            cases.append(Case("stream truncated", "%s-trunc-%d" % (stage, p), data[:p], fail))
        # every byte of a zstd frame is covered by the frame checksum or is
        # structure whose damage the decoder sees, except the window size
        # (a larger one decodes the same): "any" for the frame header
        for pos, x in flips(data, 8):
            cases.append(Case("stream byte flip", "%s-flip-%d-%02x" % (stage, pos, x),
                              flip(data, pos, x), fail if pos >= 6 else expect_all(tools, "any")))
    return cases


def crafted_stream_cases(seeds):
    """Stream structure: each case must fail in every reader."""
    hdr, recs = decode_stream(seeds["mask"])
    good = pack(hdr) + pack(recs[0])
    end1 = pack({"maskpipe_end": 1})
    fail = expect_all(STREAM_ALL, "fail")
    big = b"\xc6\xff\xff\xff\xff"  # bin32 claiming 4 GiB - 1
    crafted = {
        "empty": b"",
        "garbage": bytes(RNG.randrange(256) for _ in range(300)),
        "not-a-map": good + pack([1, 2, 3]),
        "bin32-4g-claim": good + b"\x81\xa1x" + big + b"abc",
        "str32-4g-claim": good + b"\x81\xa1x" + b"\xdb\xff\xff\xff\xff" + b"abc",
        "map32-4g-entries": good + b"\xdf\xff\xff\xff\xff" + b"\xa1x\x01",
        "array32-4g-items": good + b"\x81\xa1x" + b"\xdd\xff\xff\xff\xff" + b"\x01\x02",
        "bin32-1g-claim": good + b"\x81\xa1x" + b"\xc6\x40\x00\x00\x00" + b"abc",
        "nested-100": good + b"\x81\xa1x" + b"\x91" * 100 + b"\x01" + end1,
        "nested-maps-100": good + b"\x81\xa1x" + b"\x81\xa1y" * 100 + b"\x01" + end1,
        "int-key": good + pack(Map([(1, 2)] + list(recs[1].items()))) + pack({"maskpipe_end": 2}),
        "duplicate-key": good + pack(Map(list(recs[1].items()) + [("img", recs[1]["img"])])) +
        pack({"maskpipe_end": 2}),
        "header-version-2": pack(dict(hdr, maskpipe=2)) + pack(recs[0]) + end1,
        "header-version-str": pack(dict(hdr, maskpipe="1")) + pack(recs[0]) + end1,
        "no-end-marker": good,
        "end-count-wrong": good + pack({"maskpipe_end": 5}),
        "end-count-negative": good + pack({"maskpipe_end": -1}),
        "end-count-str": good + pack({"maskpipe_end": "1"}),
        "record-after-end": good + end1 + pack(recs[1]),
        "header-before-end": good + pack(hdr) + pack(recs[1]) + end1,
        "skippable-4g": b"\x50\x2a\x4d\x18\xff\xff\xff\xff" + b"x" * 16,
        "zstd-of-garbage": sh(["zstd", "-qc", "--no-check"],
                              input=bytes(RNG.randrange(256) for _ in range(500))),
        "zstd-bad-magic": b"\x28\xb5\x2f\xfe" + read(seeds["mask"])[4:],
        "zstd-window-huge": zstd_huge_window(),
    }
    return [Case("stream crafted", "stream-" + k, v, fail) for k, v in crafted.items()]


def zstd_huge_window():
    """A zstd frame header asking for a 3.75 TiB window (Window_Descriptor
    0xF8: exponent 41 + 10... beyond any decoder's limit), then garbage."""
    return b"\x28\xb5\x2f\xfd" + b"\x00" + b"\xf8" + b"\x01\x00\x00" + b"x" * 8


def header_cases(seeds):
    """Header facts that end up in file names and reports."""
    hdr, recs = decode_stream(seeds["mask"])
    cases = []
    for name, key, value in (
            ("strategy-long", "mask_strategy", "../../" + "x" * 300),
            ("strategy-dots", "mask_strategy", ".."),
            ("strategy-not-utf8", "mask_strategy", Raw(b"\xa3\xff/.")),
            ("strategy-int", "mask_strategy", 7),
            ("classes-climbing", "classes", ["../../up", "/abs"]),
            ("classes-long", "classes", ["y" * 5000, "z"]),
            ("classes-not-utf8", "classes", [Raw(b"\xa2\xff\xfe"), "b"]),
            ("classes-not-strs", "classes", [1, 2]),
            ("classes-str", "classes", "ab")):
        h = Map([(k, v) for k, v in hdr.items() if k != key] + [(key, value)])
        tools = ["mask-stats", "mask-stats-dir"] if key == "mask_strategy" else ["rec-png-dir"]
        # a strategy name or a class name of any bytes makes a file name of
        # the allowed characters, cut to length (rec_path.h): all succeed,
        # or refuse a header whose fact has the wrong type
        verdict = "any" if "not-" in name or name.endswith(("int", "str")) else "ok"
        cases.append(Case("header facts", "header-" + name, pack(h) + b"".join(
            pack(r) for r in recs[:2]) + pack({"maskpipe_end": 2}),
            dict(expect_all(tools, verdict), **{"rec-cat": "any"})))
    # a heat map larger than an image may be: refused, naming the stream
    w = 60000
    wide = {"id": "w", "img": {"w": w, "h": 1, "c": 1, "px": bytes(w)},
            "grid": {"p": 1, "gh": 1, "gw": w}, "mask": bytes(w // 8)}
    cases.append(Case("too large to draw", "heatmap-too-wide", stream(hdr, [wide]),
                      {"mask-stats-dir": "fail", "mask-stats": "ok"}))
    return cases


# Who reads which field, as the tools are run here (command above).
READ_IMG = ["ssearch-boxes", "patchify", "mask-viz", "rec-png", "mae-train", "mae-embed",
            "mae-recon", "mae-finetune", "linprobe-pixels"]
READ_BOXES = ["patchify", "mask-viz", "rec-png"]
READ_SEGMENTS = ["patchify"]
READ_GRID = ["mask-gen", "mask-gen-objbox", "mask-stats", "mask-viz", "mae-train", "mae-recon"]
READ_BOXCOUNT = ["mask-gen-objbox"]
READ_MASK = ["mask-stats", "mask-viz", "mae-train", "mae-recon"]
READ_LABEL = ["mae-finetune", "linprobe-pixels"]
READ_ID = ["rec-join", "rec-join-cache"]
# tools that only pass fields through: two are enough to see a crafted
# field does not upset the reader and writer
PASS = ["rec-cat", "rec-cut"]


def field_cases(seeds):
    """Record 1 of a plain stream gets one crafted field; the tools that
    read the field must fail naming record 1, the others may pass."""
    hdr, recs = decode_stream(seeds["mask"])
    _, erecs = decode_stream(seeds["emb"])
    r = recs[1]
    img, grid = r["img"], r["grid"]

    def with_img(**kv):
        d = dict(img)
        for k, v in kv.items():
            if v is DROP:
                del d[k]
            else:
                d[k] = v
        return d

    def with_grid(**kv):
        return dict(grid, **kv)

    seg = r["segments"]
    cases = {
        # img: types, sizes, claims
        "img-missing": ("img", DROP, READ_IMG),
        "img-str": ("img", "16x16", READ_IMG),
        "img-nil": ("img", None, READ_IMG),
        "img-array": ("img", [16, 16, 3, img["px"]], READ_IMG),
        "img-w-negative": ("img", with_img(w=-1), READ_IMG),
        "img-w-zero": ("img", with_img(w=0), READ_IMG),
        "img-w-2^31": ("img", with_img(w=1 << 31), READ_IMG),
        "img-w-2^64-1": ("img", with_img(w=(1 << 64) - 1), READ_IMG),
        "img-w-70000": ("img", with_img(w=70000), READ_IMG),
        "img-w-str": ("img", with_img(w="16"), READ_IMG),
        "img-w-float": ("img", with_img(w=16.0), READ_IMG),
        "img-w-missing": ("img", with_img(w=DROP), READ_IMG),
        "img-c-0": ("img", with_img(c=0), READ_IMG),
        "img-c-2": ("img", with_img(c=2), READ_IMG),
        "img-c-4": ("img", with_img(c=4), READ_IMG),
        "img-65536-square": ("img", with_img(w=65536, h=65536), READ_IMG),
        "img-px-short": ("img", with_img(px=img["px"][:-1]), READ_IMG),
        "img-px-long": ("img", with_img(px=img["px"] + b"\0"), READ_IMG),
        "img-px-empty": ("img", with_img(px=b""), READ_IMG),
        "img-px-str": ("img", with_img(px="x" * len(img["px"])), READ_IMG),
        "img-px-missing": ("img", with_img(px=DROP), READ_IMG),
        "img-duplicate-w": ("img", Map(list(img.items()) + [("w", 8)]), READ_IMG),
        "img-extra-key": ("img", with_img(z=1), []),
        # boxes
        "boxes-str": ("boxes", "0,0,4,4", READ_BOXES),
        "boxes-map": ("boxes", {"x": 0}, READ_BOXES),
        "box-3-ints": ("boxes", [[0, 0, 4]], READ_BOXES),
        "box-5-ints": ("boxes", [[0, 0, 4, 4, 4]], READ_BOXES),
        "box-w-negative": ("boxes", [[0, 0, -4, 4]], READ_BOXES),
        "box-float": ("boxes", [[0.5, 0, 4, 4]], READ_BOXES),
        "box-str-coord": ("boxes", [["0", 0, 4, 4]], READ_BOXES),
        "box-int64-max": ("boxes", [[(1 << 63) - 1, 0, (1 << 63) - 1, 4]], READ_BOXES),
        "box-int64-min": ("boxes", [[-(1 << 63), -(1 << 63), 4, 4]], READ_BOXES),
        "box-uint64-max": ("boxes", [[0, 0, (1 << 64) - 1, 4]], READ_BOXES),
        "box-outside": ("boxes", [[1000, 1000, 4, 4]], []),
        "boxes-20000": ("boxes", [[x % 16, x // 16 % 16, 1, 1] for x in range(20000)], []),
        "boxes-empty": ("boxes", [], []),
        # segments
        "segments-str": ("segments", "x", READ_SEGMENTS),
        "segments-label-n": ("segments", dict(seg, px=struct.pack("<I", seg["n"]) * 256),
                             READ_SEGMENTS),
        "segments-n-zero": ("segments", dict(seg, n=0), READ_SEGMENTS),
        "segments-n-2^32": ("segments", dict(seg, n=1 << 32), READ_SEGMENTS),
        "segments-w-8": ("segments", dict(seg, w=8), READ_SEGMENTS),
        "segments-px-short": ("segments", dict(seg, px=seg["px"][:-1]), READ_SEGMENTS),
        # grid
        "grid-missing": ("grid", DROP, READ_GRID),
        "grid-str": ("grid", "4", READ_GRID),
        "grid-p-zero": ("grid", with_grid(p=0), READ_GRID),
        "grid-p-negative": ("grid", with_grid(p=-4), READ_GRID),
        "grid-gh-zero": ("grid", with_grid(gh=0), READ_GRID),
        "grid-gh-2^31": ("grid", with_grid(gh=1 << 31), READ_GRID),
        "grid-65536-square": ("grid", with_grid(gh=65536, gw=65536), READ_GRID),
        "grid-5x5-on-16px": ("grid", with_grid(gh=5, gw=5), READ_GRID),
        # a patch size the image does not have: mask-stats never looks at
        # the image (nor at p), the others must see the grid does not fit
        "grid-p-8": ("grid", with_grid(p=8), [t for t in READ_GRID if t != "mask-stats"]),
        # the same number of patches as the others, in another shape
        "grid-2x8": ("grid", with_grid(gh=2, gw=8), READ_GRID),
        "grid-duplicate-p": ("grid", Map(list(grid.items()) + [("p", 2)]), READ_GRID),
        "grid-extra-key": ("grid", with_grid(z=1), []),
        # boxcount
        "boxcount-missing": ("boxcount", DROP, READ_BOXCOUNT),
        "boxcount-short": ("boxcount", r["boxcount"][:-2], READ_BOXCOUNT),
        "boxcount-odd": ("boxcount", r["boxcount"][:-1], READ_BOXCOUNT),
        "boxcount-str": ("boxcount", "x" * 32, READ_BOXCOUNT),
        "boxcount-max": ("boxcount", b"\xff" * 32, []),
        # mask
        "mask-missing": ("mask", DROP, READ_MASK),
        "mask-short": ("mask", r["mask"][:1], READ_MASK),
        "mask-long": ("mask", r["mask"] + b"\0", READ_MASK),
        "mask-empty": ("mask", b"", READ_MASK),
        "mask-str": ("mask", "xx", READ_MASK),
        "mask-int": ("mask", 65535, READ_MASK),
        "mask-all-hidden": ("mask", b"\xff\xff", []),
        "mask-all-visible": ("mask", b"\0\0", []),
        # label
        "label-str": ("label", "1", READ_LABEL),
        "label-float": ("label", 1.0, READ_LABEL),
        "label-negative": ("label", -1, READ_LABEL),
        "label-2^40": ("label", 1 << 40, READ_LABEL),
        "label-int64-min": ("label", -(1 << 63), READ_LABEL),
        # id
        "id-missing": ("id", DROP, READ_ID),
        "id-int": ("id", 17, READ_ID),
        "id-not-utf8": ("id", Raw(b"\xa4h:\xff\xfe"), []),
        "id-100k": ("id", "x" * 100000, []),
        "id-empty": ("id", "", []),
        # epoch (mask-gen draws with it)
        "epoch-str": ("epoch", "0", []),
        "epoch-negative": ("epoch", -1, []),
        "epoch-2^63": ("epoch", 1 << 63, []),
    }
    out = []
    for name, (key, value, readers) in cases.items():
        rec = dict(r)
        if value is DROP:
            rec.pop(key)
        else:
            rec[key] = value
        data = stream(hdr, [recs[0], rec] + recs[2:4])
        tools = sorted(set(readers) | set(PASS) | {"rec-join"} | set(READ_IMG[:3]))
        expect = {t: ("fail" if t in readers else "any") for t in tools}
        out.append(Case("field " + key, "field-" + name, data, expect, record=1))

    # records whose key is not UTF-8, or empty: any reader may take them,
    # but what it writes must be well-formed (rec-cat: valid JSON)
    for name, key in (("key-not-utf8", Raw(b"\xa2\xff\xfe")), ("key-empty", "")):
        rec = Map(list(r.items()) + [(key, 1)])
        out.append(Case("field key", "field-" + name, stream(hdr, [recs[0], rec] + recs[2:]),
                        expect_all(STREAM_ALL, "any"), record=1))

    er = erecs[1]
    emb = {
        "emb-missing": DROP,
        "emb-str": "x" * 64,
        "emb-63-bytes": er["emb"][:-1],
        "emb-60-bytes": er["emb"][:-4],
        "emb-empty": b"",
        "emb-nan": struct.pack("<f", float("nan")) + er["emb"][4:],
        "emb-inf": struct.pack("<f", float("inf")) + er["emb"][4:],
    }
    for name, value in emb.items():
        rec = dict(er)
        if value is DROP:
            rec.pop("emb")
        else:
            rec["emb"] = value
        out.append(Case("field emb", "field-" + name, stream(hdr, [erecs[0], rec] + erecs[2:]),
                        {"linprobe": "fail"}, record=1))
    return out


DROP = object()


# ---------------------------------------------------------------- checkpoints

def st_split(data):
    n = struct.unpack("<Q", data[:8])[0]
    return json.loads(data[8:8 + n]), data[8 + n:]


def st_join(header, body, pad=True):
    h = json.dumps(header, separators=(",", ":")).encode()
    if pad:
        h += b" " * (-len(h) % 8)
    return struct.pack("<Q", len(h)) + h + body


def ckpt_cases(seeds):
    data = read(seeds["ck"])
    hdr, body = st_split(data)
    hlen = struct.unpack("<Q", data[:8])[0]
    fail = expect_all(CKPT_TOOLS, "fail")
    anyv = expect_all(CKPT_TOOLS, "any")
    cases = []
    for p in [4, 8, 8 + hlen // 2, 8 + hlen - 1, 8 + hlen, 8 + hlen + 1, len(data) - 1] + \
            [RNG.randrange(8 + hlen, len(data)) for _ in range(2)]:
        cases.append(Case("checkpoint truncated", "ck-trunc-%d" % p, data[:p], fail, ext="st"))
    # flips in the tensor bytes change weights, not validity; in the header
    # they make bad JSON or a different name, shape or number
    for pos, x in flips(data, 4, 8 + hlen) + flips(data, 4, 8, 8 + hlen):
        cases.append(Case("checkpoint byte flip", "ck-flip-%d-%02x" % (pos, x),
                          flip(data, pos, x), anyv, ext="st"))

    def edit(f):
        h = json.loads(json.dumps(hdr))
        f(h)
        return st_join(h, body)

    def tensor(h, name="pos_embed"):
        return h[name]

    names = [k for k in hdr if k != "__metadata__"]
    last = max(names, key=lambda k: hdr[k]["data_offsets"][1])
    crafted = {
        "header-len-2^63": struct.pack("<Q", 1 << 63) + data[8:],
        "header-len-beyond": struct.pack("<Q", len(data)) + data[8:],
        "header-len-0": struct.pack("<Q", 0) + data[8:],
        "header-len-1": struct.pack("<Q", 1) + data[8:],
        "header-not-json": st_join_raw(b"{not json" + b" " * 7, body),
        "header-array": st_join_raw(b"[1,2,3]" + b" ", body),
        "header-nul": st_join_raw(b"\0" * 16, body),
        "dtype-F16": edit(lambda h: tensor(h).update(dtype="F16")),
        "dtype-BF16": edit(lambda h: tensor(h).update(dtype="BF16")),
        "dtype-I64": edit(lambda h: tensor(h).update(dtype="I64")),
        "dtype-missing": edit(lambda h: tensor(h).pop("dtype")),
        "dtype-int": edit(lambda h: tensor(h).update(dtype=7)),
        "shape-wrong": edit(lambda h: tensor(h).update(shape=[1, 16, 17])),
        "shape-negative": edit(lambda h: tensor(h).update(shape=[-1, 17, -16])),
        "shape-2^40-squared": edit(lambda h: tensor(h).update(shape=[1 << 40, 1 << 40])),
        "shape-2^64": edit(lambda h: tensor(h).update(shape=[1 << 64])),
        "shape-float": edit(lambda h: tensor(h).update(shape=[1.5, 17, 16])),
        "shape-9-dims": edit(lambda h: tensor(h).update(shape=[1] * 7 + [17, 16])),
        "shape-missing": edit(lambda h: tensor(h).pop("shape")),
        "offsets-reversed": edit(lambda h: tensor(h).update(
            data_offsets=tensor(h)["data_offsets"][::-1])),
        "offsets-beyond": edit(lambda h: h[last].update(
            data_offsets=[h[last]["data_offsets"][0], len(body) + 4])),
        "offsets-2^64": edit(lambda h: tensor(h).update(data_offsets=[0, 1 << 64])),
        "offsets-negative": edit(lambda h: tensor(h).update(data_offsets=[-64, 1024])),
        "offsets-overlap": edit(lambda h: tensor(h, "cls_token").update(
            data_offsets=tensor(h)["data_offsets"][:1] +
            [tensor(h)["data_offsets"][0] + 64])),
        "offsets-three": edit(lambda h: tensor(h).update(
            data_offsets=tensor(h)["data_offsets"] + [0])),
        "trailing-garbage": data + b"\0" * 16,
        "gap-uncovered": edit(lambda h: h[last].update(
            data_offsets=[h[last]["data_offsets"][0] + 4, h[last]["data_offsets"][1]],
            shape=[h[last]["shape"][0] - 1] if len(h[last]["shape"]) == 1 else h[last]["shape"])),
        "tensor-renamed": edit(lambda h: h.update(pos_embedX=h.pop("pos_embed"))),
        "tensor-missing": edit(lambda h: h.pop("cls_token") and h.update(
            junk={"dtype": "U8", "shape": [64], "data_offsets": [0, 64]})),
        "meta-embed-dim-abc": edit(lambda h: h["__metadata__"].update(embed_dim="abc")),
        "meta-embed-dim-huge": edit(lambda h: h["__metadata__"].update(embed_dim="99999999999")),
        "meta-embed-dim-2^31": edit(lambda h: h["__metadata__"].update(embed_dim="2147483648")),
        # a config whose model is gigabytes, in a file of kilobytes: the
        # loader must see the tensors do not match before allocating it
        "meta-dim-4096-depth-64": edit(lambda h: h["__metadata__"].update(
            embed_dim="4096", depth="64", decoder_embed_dim="4096", decoder_depth="64",
            decoder_num_heads="4")),
        "meta-dim-65536": edit(lambda h: h["__metadata__"].update(embed_dim="65536")),
        "meta-depth-0": edit(lambda h: h["__metadata__"].update(depth="0")),
        "meta-depth-negative": edit(lambda h: h["__metadata__"].update(depth="-1")),
        "meta-heads-3": edit(lambda h: h["__metadata__"].update(num_heads="3")),
        "meta-patch-5": edit(lambda h: h["__metadata__"].update(patch_size="5")),
        "meta-img-size-0": edit(lambda h: h["__metadata__"].update(img_size="0")),
        "meta-depth-missing": edit(lambda h: h["__metadata__"].pop("depth")),
        "meta-number": edit(lambda h: h["__metadata__"].update(depth=1)),
        "meta-not-map": edit(lambda h: h.update(__metadata__=[1])),
        "meta-missing": edit(lambda h: h.pop("__metadata__")),
        "step-huge": edit(lambda h: h["__metadata__"].update(
            {"optimizer.step": "99999999999999999999"})),
        "step-2^62": edit(lambda h: h["__metadata__"].update(
            {"optimizer.step": str(1 << 62)})),
        "step-negative": edit(lambda h: h["__metadata__"].update({"optimizer.step": "-1"})),
        "step-str": edit(lambda h: h["__metadata__"].update({"optimizer.step": "x"})),
        "duplicate-tensor": st_join_raw(dup_json_key(hdr, "cls_token"), body),
        "nan-weight": put_floats(data, hlen, hdr, "pos_embed", float("nan")),
        "inf-weight": put_floats(data, hlen, hdr, "cls_token", float("inf")),
    }
    for k, v in crafted.items():
        expect = fail
        if k.startswith("step-"):
            # only a resume reads the step
            expect = dict(anyv, **{"mae-train-resume": "fail"})
        cases.append(Case("checkpoint crafted", "ck-" + k, v, expect, ext="st"))
    return cases


def st_join_raw(h, body):
    return struct.pack("<Q", len(h)) + h + body


def dup_json_key(hdr, name):
    """The header with the tensor `name` written twice."""
    h = json.dumps(hdr, separators=(",", ":"))
    entry = '"%s":%s' % (name, json.dumps(hdr[name], separators=(",", ":")))
    h = h.replace(entry, entry + "," + entry, 1).encode()
    return h + b" " * (-len(h) % 8)


def put_floats(data, hlen, hdr, name, value):
    """The checkpoint with the first float of tensor `name` set to value."""
    b = bytearray(data)
    at = 8 + hlen + hdr[name]["data_offsets"][0]
    b[at:at + 4] = struct.pack("<f", value)
    return bytes(b)


# ---------------------------------------------------------------- images

def png_chunk(kind, body):
    return struct.pack(">I", len(body)) + kind + body + \
        struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)


def png_ihdr(data, **kv):
    """The PNG with IHDR fields changed (its CRC made right again)."""
    w, h, depth, ctype, comp, filt, inter = struct.unpack(">IIBBBBB", data[16:29])
    f = dict(w=w, h=h, depth=depth, ctype=ctype, comp=comp, filt=filt, inter=inter)
    f.update(kv)
    body = struct.pack(">IIBBBBB", f["w"], f["h"], f["depth"], f["ctype"], f["comp"],
                       f["filt"], f["inter"])
    return data[:8] + png_chunk(b"IHDR", body) + data[33:]


def jpeg_sof(data, w=None, h=None, comps=None):
    """The JPEG with its frame header's size or component count changed."""
    i = 2
    b = bytearray(data)
    while i < len(b):
        marker, n = b[i + 1], struct.unpack(">H", b[i + 2:i + 4])[0]
        if marker in (0xC0, 0xC1, 0xC2):
            if h is not None:
                b[i + 5:i + 7] = struct.pack(">H", h)
            if w is not None:
                b[i + 7:i + 9] = struct.pack(">H", w)
            if comps is not None:
                b[i + 9] = comps
            return bytes(b)
        i += 2 + n
    raise ValueError("no SOF")


def image_cases(seeds):
    fx = seeds["fx"]
    cases = []
    dec = "img-decode"
    fail, anyv = {dec: "fail"}, {dec: "any"}
    for name in ("png/rgb-8-33x17.png", "png/gray-16-33x17-adam7.png",
                 "png/palette-4-33x17.png", "jpeg/rgb.jpg", "jpeg/rgb-progressive.jpg",
                 "jpeg/gray.jpg"):
        data = read(os.path.join(fx, name))
        ext = name.rsplit(".", 1)[1]
        base = name.split("/")[1].rsplit(".", 1)[0]
        for p in truncations(data, 3):
            # a JPEG cut within its EOI marker has its whole image
            expect = anyv if ext == "jpg" and p >= len(data) - 2 else fail
            cases.append(Case(ext + " truncated", "%s-trunc-%d" % (base, p), data[:p], expect,
                              ext=ext))
        for pos, x in flips(data, 6):
            # PNG: a CRC error is fatal in critical chunks, ignored in
            # ancillary ones; JPEG has no checksum: a flip may go unseen
            cases.append(Case(ext + " byte flip", "%s-flip-%d-%02x" % (base, pos, x),
                              flip(data, pos, x), anyv, ext=ext))
    png = read(os.path.join(fx, "png/rgb-8-33x17.png"))
    for k, kv in {"w-0": dict(w=0), "w-2^31-1": dict(w=(1 << 31) - 1), "w-65537": dict(w=65537),
                  "60000-square": dict(w=60000, h=60000), "depth-3": dict(depth=3),
                  "ctype-5": dict(ctype=5), "interlace-2": dict(inter=2),
                  "filter-1": dict(filt=1), "h-17000": dict(h=17000),
                  "16000-square": dict(w=16000, h=16000)}.items():
        cases.append(Case("png crafted", "png-ihdr-" + k, png_ihdr(png, **kv), fail, ext="png"))
    for seed in ("rgb", "rgb-progressive"):
        # a progressive decoder holds every coefficient of the image: the
        # size must be refused before libjpeg allocates for it
        jpg = read(os.path.join(fx, "jpeg/%s.jpg" % seed))
        for k, kv in {"w-0": dict(w=0), "h-0": dict(h=0), "65500-square": dict(w=65500, h=65500),
                      "w-65535": dict(w=65535), "20000-square": dict(w=20000, h=20000),
                      "16000-square": dict(w=16000, h=16000),
                      "2000-square": dict(w=2000, h=2000), "h-40": dict(h=40),
                      "comps-2": dict(comps=2), "comps-0": dict(comps=0)}.items():
            cases.append(Case("jpeg crafted", "jpeg-%s-sof-%s" % (seed, k), jpeg_sof(jpg, **kv),
                              fail, ext="jpg"))

    # IDX: images with the labels beside them (--labels)
    imgs = read(os.path.join(fx, "idx/mini-images-idx3-ubyte"))
    labels_path = os.path.join(fx, "idx/mini-labels-idx1-ubyte")
    labels = read(labels_path)
    idx = "img-decode:-f idx --labels " + labels_path
    n, rows, cols = struct.unpack(">III", imgs[4:16])
    crafted = {
        "count-2^32-1": imgs[:4] + struct.pack(">III", 0xFFFFFFFF, rows, cols) + imgs[16:],
        "rows-2^31": imgs[:4] + struct.pack(">III", n, 1 << 31, cols) + imgs[16:],
        "rows-70000": imgs[:4] + struct.pack(">III", n, 70000, cols) + imgs[16:],
        "65536-square": imgs[:4] + struct.pack(">III", n, 65536, 65536) + imgs[16:],
        "rows-0": imgs[:4] + struct.pack(">III", n, 0, cols) + imgs[16:],
        "type-float": imgs[:2] + b"\x0d" + imgs[3:],
        "dims-4": imgs[:3] + b"\x04" + imgs[4:] + b"\0\0\0\1",
        "dims-0": imgs[:3] + b"\x00",
        "trailing": imgs + b"\0",
    }
    for k, v in crafted.items():
        cases.append(Case("idx crafted", "idx-" + k, v, {idx: "fail"}, ext="idx"))
    for p in truncations(imgs, 2):
        cases.append(Case("idx truncated", "idx-trunc-%d" % p, imgs[:p], {idx: "fail"}, ext="idx"))
    for k, v in {"short": labels[:-1], "long": labels + b"\0",
                 "magic": b"\0\0\x08\x03" + labels[4:],
                 "count-2^32-1": labels[:4] + b"\xff\xff\xff\xff" + labels[8:],
                 "type-float": labels[:2] + b"\x0d" + labels[3:]}.items():
        # the labels file is the case; the images file is the good one
        path = os.path.join(CORPUS, "idx-labels-%s.idx" % k)
        cases.append(Case("idx labels crafted", "idx-labels-" + k, v,
                          {"img-decode:-f idx --labels " + path: "fail"}, ext="idx",
                          names=[os.path.basename(path)],
                          prepare=("swap", os.path.join(fx, "idx/mini-images-idx3-ubyte"))))
    gz = zlib.compress(imgs)  # zlib, not gzip: the reader must refuse it cleanly
    cases.append(Case("idx crafted", "idx-zlib-not-gzip", gz, {idx: "fail"}, ext="idx"))

    for fmt, name, size in (("cifar10", "cifar10/data_batch_1.bin", 3073),
                            ("cifar100", "cifar100/train.bin", 3074)):
        data = read(os.path.join(fx, name))
        t = "img-decode:-f " + fmt
        for p in truncations(data, 2) + [0]:
            # a cut between records leaves a shorter valid file; an empty
            # one holds no image and is refused
            expect = "any" if p and p % size == 0 else "fail"
            cases.append(Case(fmt + " truncated", "%s-trunc-%d" % (fmt, p), data[:p],
                              {t: expect}, ext="bin"))
        bad_label = bytearray(data)
        bad_label[size] = 200
        cases.append(Case(fmt + " crafted", fmt + "-label-200", bytes(bad_label), {t: "fail"},
                          ext="bin"))
        if fmt == "cifar100":
            bad = bytearray(data)
            bad[0] = 20
            cases.append(Case(fmt + " crafted", fmt + "-coarse-20", bytes(bad), {t: "fail"},
                              ext="bin"))

    stl = read(os.path.join(fx, "stl10/train_X.bin"))
    stl_y = os.path.join(fx, "stl10/train_y.bin")
    t = "img-decode:-f stl10 --labels " + stl_y
    for p in (1, 27647, 27649, len(stl) - 1):
        cases.append(Case("stl10 truncated", "stl-trunc-%d" % p, stl[:p], {t: "fail"}, ext="bin"))
    for k, v in {"label-0": b"\x00\x01", "label-11": b"\x01\x0b", "labels-short": b"\x01",
                 "labels-long": b"\x01\x02\x03", "labels-empty": b""}.items():
        path = os.path.join(CORPUS, "stl-%s.bin" % k)
        cases.append(Case("stl10 labels crafted", "stl-" + k, v,
                          {"img-decode:-f stl10 --labels " + path: "fail"}, ext="bin",
                          names=[os.path.basename(path)],
                          prepare=("swap", os.path.join(fx, "stl10/train_X.bin"))))

    # an ImageFolder tree with one bad image: the message names that file
    def tree(bad_name, bad_data):
        def prepare(case):
            d = case.path
            os.makedirs(os.path.join(d, "a"))
            shutil.copy(os.path.join(fx, "png/rgb-8-7x5.png"), os.path.join(d, "a/good.png"))
            write(os.path.join(d, "a", bad_name), bad_data)
        return prepare
    cases.append(Case("tree", "tree-truncated-png", None, fail, ext="d", names=["bad.png"],
                      prepare=tree("bad.png", png[:50])))
    cases.append(Case("tree", "tree-idx-named-jpg", None, fail, ext="d", names=["bad.jpg"],
                      prepare=tree("bad.jpg", imgs)))
    cases.append(Case("tree", "tree-empty-png", None, fail, ext="d", names=["bad.png"],
                      prepare=tree("bad.png", b"")))
    cases.append(Case("tree", "tree-huge-png", None, fail, ext="d", names=["bad.png"],
                      prepare=tree("bad.png", png_ihdr(png, w=60000, h=60000))))
    return cases


def special_cases(seeds):
    """Inputs that are not regular files."""
    cases = []

    def mkdir(case):
        os.makedirs(case.path)
    cases.append(Case("special file", "special-directory", None,
                      expect_all(STREAM_ALL, "fail"), ext="d", prepare=mkdir))
    return cases


# ---------------------------------------------------------------- running

def limit(cap):
    def f():
        os.setsid()
        if not SAN:
            resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    return f


def well_formed(kind, out, stdout):
    """Why a success's output is not well-formed, or None."""
    if kind == "dir":  # PNG files (rec-png) and their numbers (mask-stats)
        for top, _, files in os.walk(out):
            for f in files:
                path = os.path.join(top, f)
                if not f.endswith((".png", ".txt")):
                    return "left %s" % path
                if f.endswith(".png") and well_formed("png", path, b""):
                    return "%s is not a PNG" % path
        return None
    if kind == "rec":
        p = subprocess.run([tool("rec-count"), out], stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE)
        return None if p.returncode == 0 else "output unreadable: " + p.stderr.decode().strip()
    if kind == "png":
        return None if read(out)[:8] == b"\x89PNG\r\n\x1a\n" else "output not a PNG"
    if kind == "st":
        try:
            st_split(read(out))
            return None
        except ValueError as e:
            return "output not safetensors: %s" % e
    try:
        if kind == "json":
            json.loads(read(out).decode())
        elif kind == "jsonl":
            for line in stdout.decode().splitlines():
                json.loads(line)
        elif kind == "count":
            if not re.fullmatch(rb"\d+\n", stdout):
                return "count output %r" % stdout[:60]
        elif kind == "text":
            stdout.decode()
    except (ValueError, UnicodeDecodeError) as e:
        return "output not well-formed %s: %s" % (kind, e)
    return None


def run_one(case, t, seeds, n):
    d = os.path.join(RUNS, str(n))
    os.makedirs(d)
    if t in CKPT_TOOLS and case.ext == "st":
        inp, ck = seeds["mask"], case.path
        named = os.path.basename(case.path)
    else:
        inp = case.path
        ck = seeds["ck"] if t.startswith("mae-") else seeds["cache"]
        if t == "rec-join-cache":
            ck = seeds["mask"]
        named = os.path.basename(case.path)
    if case.names:
        named = case.names[0]
    if isinstance(case.prepare, tuple):  # the case is a labels file
        inp = case.prepare[1]
    argv, out, kind = command(t, inp, ck, d)
    env = dict(os.environ, MASKPIPE_ZSTD_LEVEL="1")
    if SAN:
        env["ASAN_OPTIONS"] = ASAN_OPTIONS
    cap = CAP_BLAS if t.startswith(BLAS_TOOLS) else CAP_SMALL
    t0 = time.monotonic()
    p = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
                         preexec_fn=limit(cap), cwd=d)
    try:
        stdout, stderr = p.communicate(timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        os.killpg(p.pid, signal.SIGKILL)
        p.communicate()
        return "timeout after %d s" % TIMEOUT, argv
    rc = p.returncode
    TIMES[t] = TIMES.get(t, 0) + time.monotonic() - t0
    left = sorted(os.listdir(d))
    err = stderr.decode(errors="replace")
    lines = err.splitlines()
    why = None
    if rc < 0:
        why = "killed by signal %d" % -rc
    elif rc == 0 and case.expect[t] == "fail":
        why = "exit 0, expected 1"
    elif rc == 1 and case.expect[t] == "ok":
        why = "exit 1, expected 0"
    elif rc not in (0, 1):
        why = "exit %d" % rc
    elif rc == 1:
        if len(lines) != 1:
            why = "%d stderr lines, expected 1" % len(lines)
        elif "out of memory" in err:
            # (under the memory cap) no input here is large: the tool
            # believed a claim
            why = "ran out of memory"
        elif named not in err:
            why = "message does not name %s" % named
        elif case.record is not None and "record %d" % case.record not in err:
            why = "message does not name record %d" % case.record
        elif left:
            why = "left %s after failing" % left
    else:
        if err.strip():
            why = "exit 0 but stderr says something"
        elif kind != "dir" and [f for f in left if not (out and f == os.path.basename(out))]:
            why = "left %s" % left
        elif out and not os.path.exists(out):
            why = "exit 0 without output"
        else:
            why = well_formed(kind, out, stdout)
    shutil.rmtree(d)
    return (why + (": " + lines[0][:300] if lines and why else "")) if why else None, argv


def main():
    os.makedirs(RUNS)
    seeds = make_seeds()
    cases = (stream_cases(seeds) + crafted_stream_cases(seeds) + field_cases(seeds) +
             header_cases(seeds) + ckpt_cases(seeds) + image_cases(seeds) +
             special_cases(seeds))
    # HOSTILE_ONLY=word runs the groups whose name has it (when debugging)
    cases = [c for c in cases if os.environ.get("HOSTILE_ONLY", "") in c.group]
    for c in cases:
        if c.prepare and not isinstance(c.prepare, tuple):
            c.prepare(c)
            continue
        write(c.path, c.data)
    corpus_before = sorted(os.listdir(CORPUS))
    jobs = []
    turn = 0
    for c in cases:
        heavy = [t for t in sorted(c.expect) if t.startswith(HEAVY)]
        if len(heavy) > 1:
            # the MAE tools and linprobe take a few tenths of a second each
            # to start (BLAS, and the CUDA libraries when built with them):
            # a case runs the one or two of them that its field is for, else
            # one in turn, so that each still sees every kind of case
            fails = [t for t in heavy if c.expect[t] == "fail"]
            if 1 <= len(fails) <= 2:
                heavy = fails
            else:
                pool = fails or heavy
                heavy = [pool[turn % len(pool)]]
                turn += 1
        jobs += [(c, t) for t in sorted(c.expect) if not t.startswith(HEAVY) or t in heavy]
    if SAN:
        # a sanitized tool starts several times slower: the sanitized pass
        # takes every other run (every group and nearly every case still),
        # the normal pass all of them
        jobs = jobs[::2]
    groups = {}
    for c in cases:
        groups.setdefault(c.group, [])
    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
        futs = [(c, t, pool.submit(run_one, c, t, seeds, n)) for n, (c, t) in enumerate(jobs)]
        for c, t, f in futs:
            why, argv = f.result()
            groups[c.group].append((c, t, why, argv))
    failed = 0
    for g, results in groups.items():
        bad = [r for r in results if r[2]]
        failed |= bool(bad)
        n_cases = len({r[0].name for r in results})
        if not bad:
            print("PASS hostile %s: %d cases, %d runs" % (g, n_cases, len(results)))
            continue
        print("FAIL hostile %s: %d of %d runs (%s)" % (
            g, len(bad), len(results), ", ".join(sorted({"%s/%s" % (c.name, t)
                                                         for c, t, _, _ in bad}))[:2000]))
        for c, t, why, argv in bad:
            print("  %s / %s: %s\n    %s" % (c.name, t, why, " ".join(argv)), file=sys.stderr)
    if sorted(os.listdir(CORPUS)) != corpus_before:
        print("FAIL hostile: files appeared beside the inputs: %s" %
              sorted(set(os.listdir(CORPUS)) - set(corpus_before)))
        failed = 1
    else:
        print("PASS hostile: nothing written beside the inputs (%d runs)" % len(jobs))
    if os.environ.get("HOSTILE_TIMES"):
        for t, s in sorted(TIMES.items(), key=lambda x: -x[1]):
            print("%8.1f s %s" % (s, t), file=sys.stderr)
    return failed


sys.exit(main())
