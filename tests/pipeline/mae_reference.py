"""The PyTorch side of the MAE parity test: a small MAE written here from
the reference (facebookresearch/mae models_mae.py and util/pos_embed.py,
with timm's Block), loaded from maskpipe's checkpoint with strict keys, run
on the same records and masks; loss, every gradient and one AdamW step are
compared with what mae-train computed.

usage: mae_reference.py train RECORDS.jsonl INIT.safetensors STEP.safetensors LOSS LR
       mae_reference.py embed RECORDS.jsonl CHECKPOINT cls|mean
(records as rec-cat --full prints them; embed: records with mae-embed's emb)
"""
import json
import struct
import sys

import numpy as np
import torch
import torch.nn as nn

TOL = 1e-4


def read_safetensors(path):
    data = open(path, "rb").read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + n])
    meta = header.pop("__metadata__", {})
    tensors = {}
    for name, t in header.items():
        assert t["dtype"] == "F32"
        a, b = t["data_offsets"]
        tensors[name] = torch.from_numpy(
            np.frombuffer(data[8 + n + a:8 + n + b], dtype="<f4").reshape(t["shape"]).copy())
    return tensors, meta


def sincos_1d(dim, pos):
    omega = 1.0 / 10000 ** (np.arange(dim // 2, dtype=np.float64) / (dim / 2.0))
    out = np.einsum("m,d->md", pos.reshape(-1), omega)
    return np.concatenate([np.sin(out), np.cos(out)], axis=1)


def sincos_2d(dim, grid):
    # util/pos_embed.py: meshgrid(w, h), so the first half encodes the column
    gw, gh = np.meshgrid(np.arange(grid, dtype=np.float64), np.arange(grid, dtype=np.float64))
    emb = np.concatenate([sincos_1d(dim // 2, gw), sincos_1d(dim // 2, gh)], axis=1)
    return np.concatenate([np.zeros([1, dim]), emb], axis=0)


class Attention(nn.Module):
    def __init__(self, dim, heads):
        super().__init__()
        self.heads = heads
        self.qkv = nn.Linear(dim, dim * 3, bias=True)
        self.proj = nn.Linear(dim, dim)

    def forward(self, x):
        B, N, C = x.shape
        qkv = self.qkv(x).reshape(B, N, 3, self.heads, C // self.heads).permute(2, 0, 3, 1, 4)
        q, k, v = qkv[0], qkv[1], qkv[2]
        att = (q @ k.transpose(-2, -1)) * (C // self.heads) ** -0.5
        att = att.softmax(dim=-1)
        return self.proj((att @ v).transpose(1, 2).reshape(B, N, C))


class Mlp(nn.Module):
    def __init__(self, dim, hidden):
        super().__init__()
        self.fc1 = nn.Linear(dim, hidden)
        self.act = nn.GELU()
        self.fc2 = nn.Linear(hidden, dim)

    def forward(self, x):
        return self.fc2(self.act(self.fc1(x)))


class Block(nn.Module):
    def __init__(self, dim, heads, ratio):
        super().__init__()
        self.norm1 = nn.LayerNorm(dim, eps=1e-6)
        self.attn = Attention(dim, heads)
        self.norm2 = nn.LayerNorm(dim, eps=1e-6)
        self.mlp = Mlp(dim, dim * ratio)

    def forward(self, x):
        x = x + self.attn(self.norm1(x))
        return x + self.mlp(self.norm2(x))


class PatchEmbed(nn.Module):
    def __init__(self, chans, patch, dim):
        super().__init__()
        self.proj = nn.Conv2d(chans, dim, kernel_size=patch, stride=patch)

    def forward(self, x):
        return self.proj(x).flatten(2).transpose(1, 2)


class MAE(nn.Module):
    def __init__(self, c):
        super().__init__()
        D, E, r = c["embed_dim"], c["decoder_embed_dim"], c["mlp_ratio"]
        self.p, self.chans = c["patch_size"], c["in_chans"]
        L = (c["img_size"] // self.p) ** 2
        self.patch_embed = PatchEmbed(self.chans, self.p, D)
        self.cls_token = nn.Parameter(torch.zeros(1, 1, D))
        self.pos_embed = nn.Parameter(torch.zeros(1, L + 1, D), requires_grad=False)
        self.blocks = nn.ModuleList([Block(D, c["num_heads"], r) for _ in range(c["depth"])])
        self.norm = nn.LayerNorm(D, eps=1e-6)
        self.decoder_embed = nn.Linear(D, E)
        self.mask_token = nn.Parameter(torch.zeros(1, 1, E))
        self.decoder_pos_embed = nn.Parameter(torch.zeros(1, L + 1, E), requires_grad=False)
        self.decoder_blocks = nn.ModuleList(
            [Block(E, c["decoder_num_heads"], r) for _ in range(c["decoder_depth"])])
        self.decoder_norm = nn.LayerNorm(E, eps=1e-6)
        self.decoder_pred = nn.Linear(E, self.p ** 2 * self.chans)
        self.norm_pix_loss = bool(c["norm_pix_loss"])

    def patchify(self, imgs):
        n, p = imgs.shape[0], self.p
        h = imgs.shape[2] // p
        x = imgs.reshape(n, self.chans, h, p, h, p)
        return torch.einsum("nchpwq->nhwpqc", x).reshape(n, h * h, p * p * self.chans)

    def forward(self, imgs, mask, gen):
        """mask [N, L], 1 hidden; each image keeps its own visible count, so
        the encoder runs image by image, the visible patches in a random
        order as the reference's shuffle leaves them"""
        x = self.patch_embed(imgs) + self.pos_embed[:, 1:, :]
        N, L, _ = x.shape
        latents, keeps = [], []
        for i in range(N):
            keep = torch.nonzero(mask[i] == 0).flatten()
            keep = keep[torch.randperm(len(keep), generator=gen)]
            xi = torch.cat([self.cls_token + self.pos_embed[:, :1, :], x[i:i + 1, keep]], dim=1)
            for blk in self.blocks:
                xi = blk(xi)
            latents.append(self.decoder_embed(self.norm(xi)))
            keeps.append(keep)
        rows = []
        for i in range(N):
            y = self.mask_token.repeat(L, 1, 1).reshape(L, -1).clone()
            y = y.index_copy(0, keeps[i], latents[i][0, 1:])
            rows.append(torch.cat([latents[i][0, :1], y], dim=0))
        y = torch.stack(rows) + self.decoder_pos_embed
        for blk in self.decoder_blocks:
            y = blk(y)
        pred = self.decoder_pred(self.decoder_norm(y))[:, 1:, :]
        target = self.patchify(imgs)
        if self.norm_pix_loss:
            mean = target.mean(dim=-1, keepdim=True)
            var = target.var(dim=-1, keepdim=True)
            target = (target - mean) / (var + 1.e-6) ** .5
        loss = ((pred - target) ** 2).mean(dim=-1)
        return (loss * mask).sum() / mask.sum()


    def encode_all(self, imgs):
        """forward_encoder with every patch visible: the normed tokens"""
        x = self.patch_embed(imgs) + self.pos_embed[:, 1:, :]
        cls = (self.cls_token + self.pos_embed[:, :1, :]).expand(x.shape[0], -1, -1)
        x = torch.cat([cls, x], dim=1)
        for blk in self.blocks:
            x = blk(x)
        return self.norm(x)


def compare(what, ours, theirs, failures):
    scale = theirs.abs().max().item()
    err = (ours - theirs).abs().max().item()
    ok = err <= TOL * max(scale, 1e-12)
    print(("PASS" if ok else "FAIL") + " parity " + what + (
        "" if ok else " (max error %.3g, scale %.3g)" % (err, scale)))
    failures += [] if ok else [what]


def load_model(path):
    tensors, meta = read_safetensors(path)
    c = {k: int(v) for k, v in meta.items() if k not in ("format", "optimizer.step", "train.batch")}
    model = MAE(c)
    weights = {k: v for k, v in tensors.items() if not k.startswith("optimizer.")}
    model.load_state_dict(weights, strict=True)
    return model, weights, c


def read_records(path, grid):
    imgs, masks, embs = [], [], []
    for line in open(path):
        r = json.loads(line)
        im = r["img"]
        px = np.array(im["px"], dtype=np.float32).reshape(im["h"], im["w"], im["c"]) / 255.0
        imgs.append(torch.from_numpy(px).permute(2, 0, 1))
        # rec-cat --full spells the mask bitset out bit by bit
        if "mask" in r:
            masks.append(torch.tensor(r["mask"][:grid * grid], dtype=torch.float32))
        if "emb" in r:
            embs.append(torch.tensor(r["emb"], dtype=torch.float32))
    return torch.stack(imgs), masks, embs


def embed(records_path, ckpt_path, pool):
    model, _, c = load_model(ckpt_path)
    imgs, _, embs = read_records(records_path, c["img_size"] // c["patch_size"])
    failures = []
    with torch.no_grad():
        x = model.encode_all(imgs)
    want = x[:, 0] if pool == "cls" else x[:, 1:].mean(dim=1)
    compare("embedding (" + pool + ")", torch.stack(embs), want, failures)
    return failures


def train(records_path, init_path, step_path, our_loss, lr):
    model, weights, c = load_model(init_path)
    after, _ = read_safetensors(step_path)
    failures = []
    grid = c["img_size"] // c["patch_size"]
    for name, dim in (("pos_embed", c["embed_dim"]), ("decoder_pos_embed", c["decoder_embed_dim"])):
        compare(name + " is the sin-cos embedding",
                weights[name][0], torch.from_numpy(sincos_2d(dim, grid)).float(), failures)

    imgs, masks, _ = read_records(records_path, grid)
    masks = torch.stack(masks)
    loss = model(imgs, masks, torch.Generator().manual_seed(1))
    loss.backward()
    compare("loss", torch.tensor([float(our_loss)]), loss.detach().reshape(1), failures)
    # after one AdamW step, exp_avg = (1 - beta1) * grad
    for name, p in model.named_parameters():
        if p.requires_grad:
            compare("gradient " + name, after["optimizer.exp_avg." + name] / 0.1, p.grad, failures)
    decay = [p for n, p in model.named_parameters()
             if p.requires_grad and p.ndim >= 2 and "token" not in n]
    no_decay = [p for n, p in model.named_parameters()
                if p.requires_grad and not (p.ndim >= 2 and "token" not in n)]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": 0.05},
                             {"params": no_decay, "weight_decay": 0.0}],
                            lr=float(lr), betas=(0.9, 0.95))
    grads = {name: p.grad.clone() for name, p in model.named_parameters() if p.requires_grad}
    opt.step()
    # The step itself, not the weights it changes a little. A first Adam
    # step moves each weight by about lr * sign(grad), so where a gradient
    # is rounding noise (the key biases': softmax ignores a constant added
    # to every key, so theirs is exactly zero in exact arithmetic) the sign
    # is arbitrary: those weights are left out.
    for name, p in model.named_parameters():
        if p.requires_grad:
            g = grads[name].abs()
            sure = g > 1e-3 * g.max()
            compare("adamw step " + name, (after[name] - weights[name])[sure],
                    (p.detach() - weights[name])[sure], failures)
    return failures


if __name__ == "__main__":
    torch.manual_seed(0)
    if sys.argv[1] == "train":
        failed = train(*sys.argv[2:7])
    else:
        failed = embed(*sys.argv[2:5])
    sys.exit(1 if failed else 0)
