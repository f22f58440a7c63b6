"""The PyTorch side of the MAE parity test: a small MAE written here from
the reference (facebookresearch/mae models_mae.py and util/pos_embed.py,
with timm's Block), loaded from maskpipe's checkpoint with strict keys, run
on the same records and masks; loss, every gradient and one AdamW step are
compared with what mae-train computed.

usage: mae_reference.py train RECORDS.jsonl INIT.safetensors STEP.safetensors LOSS LR [PRECISION]
       mae_reference.py embed RECORDS.jsonl CHECKPOINT cls|mean [PRECISION]
(records as rec-cat --full prints them; embed: records with mae-embed's emb)

PRECISION is fp32 (the default), bf16 (every matrix product on operands
rounded to bfloat16, in both passes, as maskpipe's --precision bf16 computes
them: the same numbers, so the same tolerance as fp32), or autocast
(torch.autocast's bf16, which also keeps the products' outputs in bf16:
compared within the bound autocast_tolerance derives).
"""
import json
import struct
import sys

import numpy as np
import torch
import torch.nn as nn

TOL = 1e-4
PRECISION = "fp32"
# bf16 against its emulation here: the same roundings of the same numbers,
# but each side's float32 sums differ in their last bits, and where a value
# lies that close to the half-way point between two bf16 values, the two
# sides round it to neighbours, one bf16 step (2^-7 of it at most) apart.
# Such a flip is rare (the float32 noise, ~2^-24 sqrt(k), over the bf16
# step: ~1e-4 per value rounded; about one per step of the tiny model) but
# reaches every gradient upstream of it: a gradient may then be off by one
# bf16 step of the terms it sums (FLIP_TOL), while the values beyond the
# float32 tolerance stay a minority (FLIP_SHARE; measured 4% with one flip,
# against 78% when the products are not rounded at all).
FLIP_TOL = 2.0 ** -7
FLIP_SHARE = 0.25


def round_bf16(x):
    """to the nearest bfloat16, ties to even, as a float32 tensor"""
    return x.bfloat16().float()


class BF16Matmul(torch.autograd.Function):
    """alpha r(a) @ r(b), r rounding to bf16, accumulated in float32; the
    backward's products round their operands as well: dA = alpha r(dC)
    r(B)^T and dB = alpha r(A)^T r(dC), as maskpipe's backends run them"""

    @staticmethod
    def forward(ctx, a, b, alpha):
        ra, rb = round_bf16(a), round_bf16(b)
        ctx.save_for_backward(ra, rb)
        ctx.alpha = alpha
        return alpha * (ra @ rb)

    @staticmethod
    def backward(ctx, g):
        ra, rb = ctx.saved_tensors
        rg = round_bf16(g)
        return (ctx.alpha * (rg @ rb.transpose(-2, -1)),
                ctx.alpha * (ra.transpose(-2, -1) @ rg), None)


def matmul(a, b, alpha=1.0):
    if PRECISION == "bf16":
        return BF16Matmul.apply(a, b, alpha)
    return (a @ b) * alpha if alpha != 1.0 else a @ b


class Linear(nn.Linear):
    """nn.Linear, its product through matmul"""

    def forward(self, x):
        if PRECISION != "bf16":
            return super().forward(x)
        rows = matmul(x.reshape(-1, x.shape[-1]), self.weight.t())
        return (rows + self.bias).reshape(*x.shape[:-1], -1)


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
        self.qkv = Linear(dim, dim * 3, bias=True)
        self.proj = Linear(dim, dim)

    def forward(self, x):
        B, N, C = x.shape
        qkv = self.qkv(x).reshape(B, N, 3, self.heads, C // self.heads).permute(2, 0, 3, 1, 4)
        q, k, v = qkv[0], qkv[1], qkv[2]
        att = matmul(q, k.transpose(-2, -1), (C // self.heads) ** -0.5)
        att = att.softmax(dim=-1)
        return self.proj(matmul(att, v).transpose(1, 2).reshape(B, N, C))


class Mlp(nn.Module):
    def __init__(self, dim, hidden):
        super().__init__()
        self.fc1 = Linear(dim, hidden)
        self.act = nn.GELU()
        self.fc2 = Linear(hidden, dim)

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
        if PRECISION != "bf16":
            return self.proj(x).flatten(2).transpose(1, 2)
        # the convolution as the product it is: patches [N, L, C p p], in
        # the order of the kernel's weights, times the weights
        w = self.proj.weight
        p = w.shape[-1]
        cols = nn.functional.unfold(x, kernel_size=p, stride=p).transpose(1, 2)
        return matmul(cols.reshape(-1, cols.shape[-1]), w.reshape(w.shape[0], -1).t()).reshape(
            x.shape[0], cols.shape[1], -1) + self.proj.bias


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
        self.decoder_embed = Linear(D, E)
        self.mask_token = nn.Parameter(torch.zeros(1, 1, E))
        self.decoder_pos_embed = nn.Parameter(torch.zeros(1, L + 1, E), requires_grad=False)
        self.decoder_blocks = nn.ModuleList(
            [Block(E, c["decoder_num_heads"], r) for _ in range(c["decoder_depth"])])
        self.decoder_norm = nn.LayerNorm(E, eps=1e-6)
        self.decoder_pred = Linear(E, self.p ** 2 * self.chans)
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


def autocast_tolerance(c, passes):
    """How far maskpipe's bf16 may be from autocast's, relative to the
    largest value: a product of two operands each rounded to bf16 (8
    significant bits, relative error <= 2^-9) is off by <= 2^-8 of its
    size, and autocast rounds the product's output again (2^-9); to first
    order the errors of the products a value passes through in sequence add
    up. The longest chain from the input to the loss: the patch embedding,
    six products per block (qkv, q k^T, P v, proj, fc1, fc2), the decoder
    embedding and the prediction; a gradient goes back through the chain
    again (passes = 2). Each side may be off by that much, in either
    direction: twice it between the two. (A first-order bound on sizes,
    not on cancelling sums: it holds where the values compared are not
    much smaller than the terms that make them, as the loss and the
    largest gradient of each tensor are.)"""
    chain = 1 + 6 * c["depth"] + 1 + 6 * c["decoder_depth"] + 1
    return 2 * passes * chain * (2.0 ** -8 + 2.0 ** -9)


def few_flips(what, beyond, elements, failures):
    """bf16: whether the values beyond TOL are few enough to be flips"""
    ok = beyond <= FLIP_SHARE * elements
    print("%s parity %s: %d of %d values beyond 1e-4 of the largest (at most %d)" % (
        "PASS" if ok else "FAIL", what, beyond, elements, FLIP_SHARE * elements))
    failures += [] if ok else [what + " values beyond 1e-4"]


def compare(what, ours, theirs, failures, tol=None):
    tol = TOL if tol is None else tol
    scale = theirs.abs().max().item()
    err = (ours - theirs).abs().max().item()
    ok = err <= tol * max(scale, 1e-12)
    print(("PASS" if ok else "FAIL") + " parity " + what + (
        " (relative error %.3g, bound %.3g)" % (err / max(scale, 1e-12), tol) if ok
        else " (max error %.3g, scale %.3g, bound %.3g)" % (err, scale, tol)))
    failures += [] if ok else [what]


def load_model(path):
    """the model, its weights, its config, and its input normalisation
    (None, or the per-channel mean and std tensors)"""
    tensors, meta = read_safetensors(path)
    norm = None
    if "input_mean" in meta:
        norm = [torch.tensor([float(v) for v in meta.pop(k).split(",")])
                for k in ("input_mean", "input_std")]
    c = {k: int(v) for k, v in meta.items() if k not in ("format", "optimizer.step", "train.batch")}
    model = MAE(c)
    weights = {k: v for k, v in tensors.items() if not k.startswith("optimizer.")}
    model.load_state_dict(weights, strict=True)
    c["input_norm"] = norm
    return model, weights, c


def normalise(imgs, c):
    """the reference's transforms.Normalize, when the checkpoint has one"""
    if c["input_norm"] is None:
        return imgs
    mean, std = c["input_norm"]
    return (imgs - mean[None, :, None, None]) / std[None, :, None, None]


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
    imgs = normalise(imgs, c)
    failures = []
    with torch.no_grad(), torch.autocast("cpu", dtype=torch.bfloat16,
                                         enabled=PRECISION == "autocast"):
        x = model.encode_all(imgs).float()
    want = x[:, 0] if pool == "cls" else x[:, 1:].mean(dim=1)
    ours = torch.stack(embs)
    compare("embedding (" + pool + ")", ours, want, failures,
            autocast_tolerance(c, 1) if PRECISION == "autocast" else
            FLIP_TOL if PRECISION == "bf16" else None)
    if PRECISION == "bf16":
        beyond = ((ours - want).abs() > TOL * want.abs().max()).sum().item()
        few_flips("embeddings", beyond, ours.numel(), failures)
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
    imgs = normalise(imgs, c)
    masks = torch.stack(masks)
    with torch.autocast("cpu", dtype=torch.bfloat16, enabled=PRECISION == "autocast"):
        loss = model(imgs, masks, torch.Generator().manual_seed(1)).float()
    loss.backward()
    autocast = PRECISION == "autocast"
    compare("loss", torch.tensor([float(our_loss)]), loss.detach().reshape(1), failures,
            autocast_tolerance(c, 1) if autocast else None)
    # after one AdamW step, exp_avg = (1 - beta1) * grad
    beyond, elements = 0, 0
    for name, p in model.named_parameters():
        if p.requires_grad:
            ours = after["optimizer.exp_avg." + name] / 0.1
            compare("gradient " + name, ours, p.grad, failures,
                    autocast_tolerance(c, 2) if autocast else FLIP_TOL if PRECISION == "bf16"
                    else None)
            err = (ours - p.grad).abs() > TOL * p.grad.abs().max()
            beyond, elements = beyond + err.sum().item(), elements + err.numel()
    if PRECISION == "bf16":
        few_flips("gradients", beyond, elements, failures)
    if autocast:
        # a step follows the sign of each gradient (see below): where two
        # bf16 schemes' gradients differ by up to the bound, so may signs
        return failures
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
    # is arbitrary: those weights are left out, and in bf16 those whose
    # gradient a flipped rounding (FLIP_TOL) could turn round.
    noise = 2 * FLIP_TOL if PRECISION == "bf16" else 1e-3
    for name, p in model.named_parameters():
        if p.requires_grad:
            g = grads[name].abs()
            sure = g > noise * g.max()
            compare("adamw step " + name, (after[name] - weights[name])[sure],
                    (p.detach() - weights[name])[sure], failures)
    return failures


if __name__ == "__main__":
    torch.manual_seed(0)
    if sys.argv[1] == "train":
        PRECISION = sys.argv[7] if len(sys.argv) > 7 else "fp32"
        failed = train(*sys.argv[2:7])
    else:
        PRECISION = sys.argv[5] if len(sys.argv) > 5 else "fp32"
        failed = embed(*sys.argv[2:5])
    sys.exit(1 if failed else 0)
