"""The PyTorch side of pipelines/exp_reference.sh: facebookresearch/mae's
pretraining recipe (main_pretrain.py: AdamW with betas (0.9, 0.95) and
weight decay 0.05 on the weights, lr = blr * batch / 256 with a linear
warm-up over whole epochs then a half-cycle cosine to 0, set every
iteration; random masking as models_mae.py's) on the model the parity test
checks (tests/pipeline/mae_reference.py), started from a maskpipe
checkpoint written by `mae-train --steps 0` (so both start from the same
weights, and the inputs are normalised by its input_mean and input_std),
on Fashion-MNIST's IDX images, no augmentation. Writes the trained weights
as a maskpipe checkpoint (the same tensor names and metadata), so that
mae-embed and linprobe judge both the same way, and prints the loss per
epoch and the process's CPU seconds.

usage: reference_torch.py INIT.safetensors OUT.safetensors IMAGES-IDX.gz N EPOCHS BATCH BLR
                          WARMUP_EPOCHS SEED THREADS
(N: the first N images of the file, as img-decode --limit N)
"""
import gzip
import json
import math
import os
import struct
import sys
import time

import numpy as np
import torch

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(here, "..", "tests", "pipeline"))
sys.path.insert(0, os.path.join(here, "..", "bench"))
from mae_reference import load_model, normalise, read_safetensors  # noqa: E402
from mae_torch import batched_forward  # noqa: E402


def read_idx_images(path):
    data = gzip.open(path, "rb").read()
    magic, n, h, w = struct.unpack(">IIII", data[:16])
    assert magic == 2051, "not an IDX image file"
    px = np.frombuffer(data, np.uint8, n * h * w, 16).reshape(n, 1, h, w)
    return torch.from_numpy(px.astype(np.float32) / 255.0)


def write_safetensors(path, tensors, meta):
    header, blobs, at = {"__metadata__": meta}, [], 0
    for name, t in tensors.items():
        b = t.detach().contiguous().float().numpy().astype("<f4").tobytes()
        header[name] = {"dtype": "F32", "shape": list(t.shape), "data_offsets": [at, at + len(b)]}
        blobs.append(b)
        at += len(b)
    text = json.dumps(header).encode()
    text += b" " * (-len(text) % 8)
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + b"".join(blobs))
    os.replace(tmp, path)


def main():
    init, out, images = sys.argv[1:4]
    n, epochs, batch = int(sys.argv[4]), int(sys.argv[5]), int(sys.argv[6])
    blr, warmup = float(sys.argv[7]), float(sys.argv[8])
    seed, threads = int(sys.argv[9]), int(sys.argv[10])
    torch.set_num_threads(threads)
    torch.manual_seed(seed)
    model, _, c = load_model(init)
    _, meta = read_safetensors(init)
    imgs = normalise(read_idx_images(images)[:n], c)
    decay = [p for n, p in model.named_parameters()
             if p.requires_grad and p.ndim >= 2 and "token" not in n]
    no_decay = [p for n, p in model.named_parameters()
                if p.requires_grad and not (p.ndim >= 2 and "token" not in n)]
    lr = blr * batch / 256
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": 0.05},
                             {"params": no_decay, "weight_decay": 0.0}],
                            lr=lr, betas=(0.9, 0.95))
    steps = len(imgs) // batch  # the last short batch dropped, as maskpipe does
    start, cpu0 = time.perf_counter(), time.process_time()
    for epoch in range(epochs):
        order = torch.randperm(len(imgs))
        total = 0.0
        for i in range(steps):
            t = epoch + i / steps
            # util/lr_sched.adjust_learning_rate
            now = lr * t / warmup if t < warmup else \
                lr * 0.5 * (1 + math.cos(math.pi * (t - warmup) / (epochs - warmup)))
            for g in opt.param_groups:
                g["lr"] = now
            loss = batched_forward(model, imgs[order[i * batch:(i + 1) * batch]])
            opt.zero_grad()
            loss.backward()
            opt.step()
            total += loss.item()
        print("epoch %d loss %.4f" % (epoch + 1, total / steps), flush=True)
    print("seconds %.1f cpu %.1f" % (time.perf_counter() - start, time.process_time() - cpu0))
    write_safetensors(out, model.state_dict(), meta)


main()
