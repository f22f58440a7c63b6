"""PyTorch's side of the MAE figures: the reference model (the one the
parity test checks, tests/pipeline/mae_reference.py) trained with the
reference's batched random masking, and its encoder under no_grad, on
random images of the config's size; prints images per second.

usage: mae_torch.py train|embed IMG CHANS PATCH DIM DEPTH HEADS DDIM DDEPTH DHEADS BATCH STEPS THREADS [fp32|autocast]
(autocast: under torch.autocast("cpu", dtype=torch.bfloat16))
"""
import os
import sys
import time

import torch

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "tests", "pipeline"))
from mae_reference import MAE  # noqa: E402


def batched_forward(model, imgs, ratio=0.75):
    """models_mae.py's forward: random_masking keeps int(L * (1 - ratio))"""
    x = model.patch_embed(imgs) + model.pos_embed[:, 1:, :]
    N, L, D = x.shape
    keep = int(L * (1 - ratio))
    ids_shuffle = torch.argsort(torch.rand(N, L), dim=1)
    ids_restore = torch.argsort(ids_shuffle, dim=1)
    x = torch.gather(x, 1, ids_shuffle[:, :keep].unsqueeze(-1).repeat(1, 1, D))
    mask = torch.ones(N, L)
    mask[:, :keep] = 0
    mask = torch.gather(mask, 1, ids_restore)
    cls = (model.cls_token + model.pos_embed[:, :1, :]).expand(N, -1, -1)
    x = torch.cat([cls, x], dim=1)
    for blk in model.blocks:
        x = blk(x)
    x = model.decoder_embed(model.norm(x))
    tokens = model.mask_token.repeat(N, L + 1 - x.shape[1], 1)
    y = torch.cat([x[:, 1:, :], tokens], dim=1)
    y = torch.gather(y, 1, ids_restore.unsqueeze(-1).repeat(1, 1, x.shape[2]))
    y = torch.cat([x[:, :1, :], y], dim=1) + model.decoder_pos_embed
    for blk in model.decoder_blocks:
        y = blk(y)
    pred = model.decoder_pred(model.decoder_norm(y))[:, 1:, :]
    loss = ((pred - model.patchify(imgs)) ** 2).mean(dim=-1)
    return (loss * mask).sum() / mask.sum()


def main():
    mode = sys.argv[1]
    (img, chans, patch, dim, depth, heads, ddim, ddepth, dheads, batch, steps,
     threads) = map(int, sys.argv[2:14])
    # fp32, or autocast: torch.autocast's bf16 (the products in bfloat16)
    bf16 = len(sys.argv) > 14 and sys.argv[14] == "autocast"
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    c = dict(img_size=img, in_chans=chans, patch_size=patch, embed_dim=dim, depth=depth,
             num_heads=heads, decoder_embed_dim=ddim, decoder_depth=ddepth,
             decoder_num_heads=dheads, mlp_ratio=4, norm_pix_loss=0)
    model = MAE(c)
    imgs = torch.rand(batch, chans, img, img)
    opt = torch.optim.AdamW(model.parameters(), lr=1e-4, betas=(0.9, 0.95), weight_decay=0.05)

    def step():
        if mode == "train":
            opt.zero_grad()
            with torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16):
                loss = batched_forward(model, imgs)
            loss.backward()
            opt.step()
        else:
            with torch.no_grad(), torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16):
                model.encode_all(imgs)

    step()
    start = time.perf_counter()
    for _ in range(steps):
        step()
    print("%.1f" % (steps * batch / (time.perf_counter() - start)))


if __name__ == "__main__":
    main()
