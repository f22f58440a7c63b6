"""The reference of linprobe's timing figure: the same probe in PyTorch,
on the features linprobe --export-npy wrote. Standardised features,
multinomial logistic regression, mean cross-entropy + wd/2 ||W||^2, fitted
by torch.optim.LBFGS (strong Wolfe line search) for the same number of
iterations; the weight decay given (no sweep). Prints "seconds top1".
Usage: linprobe_torch.py PREFIX WD ITERATIONS THREADS"""
import sys
import time

import numpy as np
import torch

prefix, wd, iters, threads = sys.argv[1], float(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
torch.set_num_threads(threads)
x = torch.from_numpy(np.load(prefix + "_train_x.npy"))
y = torch.from_numpy(np.load(prefix + "_train_y.npy"))
xt = torch.from_numpy(np.load(prefix + "_test_x.npy"))
yt = torch.from_numpy(np.load(prefix + "_test_y.npy"))
start = time.time()
mean, sd = x.mean(0), x.std(0, unbiased=False)
sd[sd < 1e-6] = 1
x, xt = (x - mean) / sd, (xt - mean) / sd
head = torch.nn.Linear(x.shape[1], int(y.max()) + 1)
torch.nn.init.zeros_(head.weight)
torch.nn.init.zeros_(head.bias)
opt = torch.optim.LBFGS(head.parameters(), lr=1, max_iter=iters, history_size=10,
                        line_search_fn="strong_wolfe", tolerance_grad=1e-6,
                        tolerance_change=1e-9)


def closure():
    opt.zero_grad()
    loss = torch.nn.functional.cross_entropy(head(x), y) + 0.5 * wd * head.weight.pow(2).sum()
    loss.backward()
    return loss


opt.step(closure)
with torch.no_grad():
    top1 = (head(xt).argmax(1) == yt).float().mean().item()
print(f"{time.time() - start:.2f} {top1:.4f}")
