"""The DeepHebb training step of ghlsim's `ghl bench`, in PyTorch.

Builds the same network as ghlsim (ALGORITHM.md §5) and runs the same step:
forward, cross-entropy, backward, and for rule "ghl" the Oja-SWTA eligibility
H = yᵀ·patches − (Σ y⊙u)⊙W with y = softmax(t_inv·u) over channels, normalised
by its layer max, replacing each conv gradient by |Ĥ| ⊙ sign(∂L/∂W) before a
plain SGD step with coupled weight decay (ALGORITHM.md §3); rule "bp" is SGD
with momentum 0.9. The correlation yᵀ·patches is a conv weight-gradient
(torch.nn.grad.conv2d_weight), as a PyTorch user would write it.

Protocol (driven by ghl bench so that steps interleave with ghlsim's):
  argv: width batch rule threads seed
  prints "ready" after building and two warm-up steps; then for each input
  line "step" runs one step and prints its wall time in seconds; "rss" prints
  the peak resident memory in MB; "isa" prints, on one line, the
  instruction sets PyTorch's kernels use (cpu_isa); end of input exits.
  ghl bench --isa restricts them through ONEDNN_MAX_CPU_ISA and
  ATEN_CPU_CAPABILITY in the environment.
"""
import ctypes
import os
import resource
import sys
import tempfile
import time

import torch
import torch.nn as nn


def peak_rss_mb():
    """This process's peak resident memory in MB: VmHWM, which starts afresh
    at exec. (ru_maxrss does not: Linux carries the parent's peak across
    fork and exec, so it would report ghl bench's own peak.)"""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


import torch.nn.functional as F

BLOCKS = [(96, 5, 2, 1.0, "max"), (384, 3, 1, 0.65, "max"), (1536, 3, 1, 0.25, "avg")]


class DeepHebb(nn.Module):
    def __init__(self, width, classes=10):
        super().__init__()
        self.bns, self.convs, self.t_inv, self.pads, self.pools = nn.ModuleList(), nn.ModuleList(), [], [], []
        cin = 3
        for out, k, p, t, pool in BLOCKS:
            c = max(1, round(out * width))
            self.bns.append(nn.BatchNorm2d(cin, affine=False))
            conv = nn.Conv2d(cin, c, k, padding=p, bias=False)
            nn.init.kaiming_normal_(conv.weight, mode="fan_in", nonlinearity="relu")
            self.convs.append(conv)
            self.t_inv.append(t)
            self.pads.append(p)
            self.pools.append(pool)
            cin = c
        self.drop = nn.Dropout(0.5)
        self.fc = nn.Linear(cin * 16, classes)
        self.saved = []

    def forward(self, x):
        self.saved = []
        for bn, conv, pool in zip(self.bns, self.convs, self.pools):
            x = bn(x)
            u = conv(x)
            self.saved.append((x.detach(), u.detach()))
            x = F.relu(u)
            x = F.max_pool2d(x, 4, 2, 1) if pool == "max" else F.avg_pool2d(x, 2, 2)
        return self.fc(self.drop(torch.flatten(x, 1)))


def aten_capability():
    """The ISA of ATen's vectorised CPU kernels (ATEN_CPU_CAPABILITY's
    choice): torch.backends.cpu.get_cpu_capability() in newer PyTorch,
    torch._C._get_cpu_capability() where present; PyTorch 1.13 has neither
    and names it in torch.__config__.show() ("CPU capability usage: AVX2")."""
    for get in (lambda: torch.backends.cpu.get_cpu_capability(), lambda: torch._C._get_cpu_capability()):
        try:
            return str(get())
        except (AttributeError, RuntimeError):
            pass
    try:
        for line in torch.__config__.show().splitlines():
            if "CPU capability usage:" in line:
                return line.split(":", 1)[1].strip()
    except (AttributeError, RuntimeError):
        pass
    return "unknown"


def onednn_isa():
    """The ISA oneDNN (the convolutions) dispatches to, from the header its
    verbose mode prints once per process ("onednn_verbose,info,cpu,isa:Intel
    AVX2"); stdout is redirected at the file-descriptor level meanwhile, so
    the header never reaches ghl bench. Call it before any other conv."""
    if not torch.backends.mkldnn.is_available():
        return "unavailable"
    if not hasattr(torch.backends.mkldnn, "verbose"):
        return "unknown"
    text = ""
    sys.stdout.flush()
    saved = os.dup(1)
    try:
        with tempfile.TemporaryFile() as f:
            os.dup2(f.fileno(), 1)
            try:
                with torch.backends.mkldnn.verbose(1):
                    F.conv2d(torch.zeros(2, 16, 8, 8), torch.zeros(16, 16, 3, 3), padding=1)
                ctypes.CDLL(None).fflush(None)
            finally:
                os.dup2(saved, 1)
            f.seek(0)
            text = f.read().decode(errors="replace")
    except (OSError, RuntimeError, AssertionError):
        pass
    finally:
        os.close(saved)
    for line in text.splitlines():
        _, sep, isa = line.partition(",info,cpu,isa:")
        if sep:
            isa = isa.strip()
            return isa[len("Intel "):] if isa.startswith("Intel ") else isa
    return "unknown"


def main():
    width, batch, rule, threads, seed = float(sys.argv[1]), int(sys.argv[2]), sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
    torch.set_num_threads(threads)
    isa = f"ATen {aten_capability()}, oneDNN {onednn_isa()}"
    torch.manual_seed(seed)
    net = DeepHebb(width)
    net.train()
    if rule == "ghl":
        opt = torch.optim.SGD([{"params": net.convs.parameters(), "lr": 1e-2, "weight_decay": 5e-2},
                               {"params": net.fc.parameters(), "lr": 5e-3, "weight_decay": 0}], lr=1e-2)
    else:
        opt = torch.optim.SGD(net.parameters(), lr=1e-2, momentum=0.9, weight_decay=5e-4)
    x = torch.randn(batch, 3, 32, 32)
    y = torch.randint(0, 10, (batch,))

    def step():
        opt.zero_grad(set_to_none=False)
        loss = F.cross_entropy(net(x), y)
        loss.backward()
        if rule == "ghl":
            with torch.no_grad():
                for conv, (xin, u), t, p in zip(net.convs, net.saved, net.t_inv, net.pads):
                    w = conv.weight
                    yy = torch.softmax(t * u, dim=1)
                    a = torch.nn.grad.conv2d_weight(xin, w.shape, yy, padding=p)
                    s = (yy * u).sum(dim=(0, 2, 3))
                    h = a - s.view(-1, 1, 1, 1) * w
                    h = h.abs_().div_(h.abs().max() + 1e-30)
                    w.grad = h.mul_(torch.sign(w.grad))
        opt.step()

    step()
    step()
    print("ready", flush=True)
    for line in sys.stdin:
        cmd = line.strip()
        if cmd == "step":
            t0 = time.perf_counter()
            step()
            print(f"{time.perf_counter() - t0:.6f}", flush=True)
        elif cmd == "isa":
            print(isa, flush=True)
        elif cmd == "rss":
            print(f"{peak_rss_mb():.1f}", flush=True)


if __name__ == "__main__":
    main()
