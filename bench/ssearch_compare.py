#!/usr/bin/python3
"""The OpenCV side of bench/ssearch.sh (for /usr/bin/python3: Debian's cv2).

  ssearch_compare.py prep DIR SEED N
      write DIR/speed/*.png, N 64x64 colour images (skimage.data's photos,
      then seeded random crops of them, resized with INTER_AREA), and
      DIR/agree{64,96,160}/*.png, the whole photos with the longer side
      rescaled to 64, 96 or 160 pixels (INTER_AREA, aspect kept)
  ssearch_compare.py time DIR PASSES
      OpenCV 4.x Selective Search on every PNG of DIR, one thread,
      setBaseImage + switchToSingleStrategy(100, 0.8) or
      switchToSelectiveSearch{Fast,Quality} + process per image; prints
      "single MS fast MS quality MS" (ms/image, the best of PASSES passes)
  ssearch_compare.py single DIR
      the single strategy on every PNG of DIR, read with imread: the whole
      job, for timing as a process (start-up and PNG decoding included)
  ssearch_compare.py agree DIR NAME...
      for each DIR/agreeS, OpenCV single, fast and quality against our boxes in
      DIR/agreeS/NAME.jsonl (rec-cat output); prints tab-separated rows:
      pair, recall of A by B, recall of B by A, boxes per image A/B

PNGs are written by cv2.imwrite from BGR arrays, so img-decode (RGB) and
OpenCV (BGR) see the same pixels.
"""
import json
import os
import sys
import time

import cv2
import numpy as np
import skimage.data

SIZES = (64, 96, 160)
IOU = 0.5


def photos():
    """skimage.data's colour photos that load without network, as RGB."""
    out = []
    # cat() is chelsea(); logo() is RGBA clip art; stereo_motorcycle is a pair
    for name in ("astronaut", "coffee", "chelsea", "rocket", "immunohistochemistry",
                 "hubble_deep_field", "colorwheel", "retina", "stereo_motorcycle"):
        try:
            img = getattr(skimage.data, name)()
        except Exception as e:  # a data file that needs pooch/network
            print(f"ssearch_compare: skipping {name}: {type(e).__name__}", file=sys.stderr)
            continue
        if isinstance(img, tuple):
            img = img[0]
        if img.ndim == 3 and img.shape[2] == 3 and img.dtype == np.uint8:
            out.append((name, img))
    return out


def write_png(path, rgb):
    if not cv2.imwrite(path, cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR)):
        sys.exit(f"ssearch_compare: cannot write {path}")


def prep(root, seed, n):
    rng = np.random.default_rng(seed)
    ph = photos()
    speed = os.path.join(root, "speed")
    os.makedirs(speed)
    for i, (name, img) in enumerate(ph):
        if i < n:
            write_png(os.path.join(speed, f"{i:04d}-{name}.png"),
                      cv2.resize(img, (64, 64), interpolation=cv2.INTER_AREA))
    for i in range(len(ph), n):
        name, img = ph[rng.integers(len(ph))]
        h, w = img.shape[:2]
        side = int(rng.uniform(0.25, 1.0) * min(h, w))
        cw = min(w, int(side * rng.uniform(0.75, 1.33)))
        y, x = rng.integers(h - side + 1), rng.integers(w - cw + 1)
        crop = img[y:y + side, x:x + cw]
        write_png(os.path.join(speed, f"{i:04d}-{name}-crop.png"),
                  cv2.resize(crop, (64, 64), interpolation=cv2.INTER_AREA))
    for s in SIZES:
        d = os.path.join(root, f"agree{s}")
        os.makedirs(d)
        for name, img in ph:
            h, w = img.shape[:2]
            f = s / max(h, w)
            size = (max(1, round(w * f)), max(1, round(h * f)))
            write_png(os.path.join(d, f"{name}.png"),
                      cv2.resize(img, size, interpolation=cv2.INTER_AREA))


def pngs(d):
    names = sorted(f for f in os.listdir(d) if f.endswith(".png"))
    return names, [cv2.imread(os.path.join(d, f), cv2.IMREAD_COLOR) for f in names]


# switchToSingleStrategy(k, sigma): HSV, one segmentation, colour + texture
# + size + fill; ssearch-boxes with the options bench/ssearch.sh gives it
SINGLE_K, SINGLE_SIGMA = 100, 0.8


def opencv_boxes(ss, bgr, mode):
    ss.setBaseImage(bgr)
    if mode == "single":
        ss.switchToSingleStrategy(SINGLE_K, SINGLE_SIGMA)
    elif mode == "fast":
        ss.switchToSelectiveSearchFast()
    else:
        ss.switchToSelectiveSearchQuality()
    return ss.process()


def time_opencv(d, passes):
    cv2.setNumThreads(1)
    _, imgs = pngs(d)
    ss = cv2.ximgproc.segmentation.createSelectiveSearchSegmentation()
    out = []
    for mode in ("single", "fast", "quality"):
        best = None
        for _ in range(passes):
            start = time.perf_counter()
            for bgr in imgs:
                opencv_boxes(ss, bgr, mode)
            t = time.perf_counter() - start
            best = t if best is None or t < best else best
        out.append(f"{mode} {best * 1000 / len(imgs):.3f}")
    print(" ".join(out))


def single_process(d):
    cv2.setNumThreads(1)
    ss = cv2.ximgproc.segmentation.createSelectiveSearchSegmentation()
    n = 0
    for name in sorted(f for f in os.listdir(d) if f.endswith(".png")):
        n += len(opencv_boxes(ss, cv2.imread(os.path.join(d, name), cv2.IMREAD_COLOR), "single"))
    print(n)


def recall(a, b):
    """Number of boxes of a ([x,y,w,h] rows) with a box of b at IoU >= 0.5."""
    if len(a) == 0 or len(b) == 0:
        return 0
    a = np.asarray(a, dtype=np.float64)[:, None, :]
    b = np.asarray(b, dtype=np.float64)[None, :, :]
    iw = np.minimum(a[..., 0] + a[..., 2], b[..., 0] + b[..., 2]) - np.maximum(a[..., 0], b[..., 0])
    ih = np.minimum(a[..., 1] + a[..., 3], b[..., 1] + b[..., 3]) - np.maximum(a[..., 1], b[..., 1])
    inter = np.clip(iw, 0, None) * np.clip(ih, 0, None)
    union = a[..., 2] * a[..., 3] + b[..., 2] * b[..., 3] - inter
    return int(((inter / union) >= IOU).any(axis=1).sum())


def ours(path):
    boxes = {}
    with open(path) as f:
        for line in f:
            r = json.loads(line)
            if "boxes" in r:
                boxes[r["id"]] = r["boxes"]
    return boxes


def agree(root, names):
    cv2.setNumThreads(1)
    ss = cv2.ximgproc.segmentation.createSelectiveSearchSegmentation()
    # pairs (A, B): A and B name a method; "cv-fast", "cv-quality" or one of names
    pairs = [("ours-cvsingle", "cv-single"), ("ours-cvfast", "cv-fast"),
             ("ours-cvquality", "cv-quality"), ("cv-fast", "cv-quality"),
             ("ours-fast", "cv-fast"), ("ours-quality", "cv-quality")]
    counts_out = []
    for s in SIZES:
        d = os.path.join(root, f"agree{s}")
        files, imgs = pngs(d)
        boxes = {m: [opencv_boxes(ss, bgr, m).tolist() for bgr in imgs]
                 for m in ("single", "fast", "quality")}
        boxes = {"cv-" + m: v for m, v in boxes.items()}
        for n in names:
            got = ours(os.path.join(d, n + ".jsonl"))
            missing = [f for f in files if f not in got]
            if missing:
                sys.exit(f"ssearch_compare: no boxes of {n} for {missing} in {d}")
            boxes[n] = [got[f] for f in files]
        for a, b in pairs:
            if a not in boxes or b not in boxes:
                continue
            na = sum(len(x) for x in boxes[a])
            nb = sum(len(x) for x in boxes[b])
            ab = sum(recall(x, y) for x, y in zip(boxes[a], boxes[b]))
            ba = sum(recall(y, x) for x, y in zip(boxes[a], boxes[b]))
            print(f"{s}px: {a} by {b} | {b} by {a}\t{ab / na:.3f}\t{ba / nb:.3f}\t"
                  f"{na / len(files):.0f}/{nb / len(files):.0f}")
        counts_out.append((s, files, boxes))
    # the boxes per image of every method, for reading the rows above
    with open(os.path.join(root, "counts.txt"), "w") as f:
        for s, files, boxes in counts_out:
            for i, name in enumerate(files):
                f.write(f"{s}\t{name}\t" + "\t".join(
                    f"{m}={len(v[i])}" for m, v in boxes.items()) + "\n")


def main(argv):
    if len(argv) >= 4 and argv[1] == "prep":
        prep(argv[2], int(argv[3]), int(argv[4]))
    elif len(argv) == 4 and argv[1] == "time":
        time_opencv(argv[2], int(argv[3]))
    elif len(argv) == 3 and argv[1] == "single":
        single_process(argv[2])
    elif len(argv) >= 3 and argv[1] == "agree":
        agree(argv[2], argv[3:])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv)
