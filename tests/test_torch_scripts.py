"""The promise of DESIGN §1: a short PyTorch program that uses only the subset
runs unchanged with ``import tinygrad_edu as torch`` and gives the same numbers.

Each script below is plain PyTorch. It runs twice, with ``torch`` bound to
tinygrad_edu and to PyTorch, and what it leaves in ``out`` must agree (float32
tolerance). Without torch installed the comparison is skipped, but the scripts
still have to run on tinygrad_edu.
"""
from __future__ import annotations

import json
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

import tinygrad_edu

try:
    import torch as real_torch
except ImportError:  # torch is a test oracle only
    real_torch = None

SCRIPTS = {
    "autograd": """
x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
w = torch.tensor([[0.5], [-1.0]], requires_grad=True)
h = x * w + 1                      # (2, 3): broadcasting
h.retain_grad()
y = (h.tanh() ** 2).sum() + torch.exp(-x).mean()
y.backward()
y2 = (x * x).sum()
y2.backward()                      # accumulates into x.grad
with torch.no_grad():
    x -= 0.1 * x.grad
out = [y.item(), x.grad.tolist(), w.grad.tolist(), h.grad.tolist(), x.tolist(),
       x.requires_grad, h.is_leaf, y.grad_fn is not None]
""",
    "higher_order": """
x = torch.tensor([0.5, -1.5], requires_grad=True)
y = (x ** 3 + x.sin() * x).sum()
(g,) = torch.autograd.grad(y, x, create_graph=True)
(gg,) = torch.autograd.grad(g.sum(), x)
out = [g.tolist(), gg.tolist()]
""",
    "regression": """
torch.manual_seed(0)
x = torch.linspace(-1, 1, 20).reshape(20, 1)
y = 3 * x + 0.5
model = torch.nn.Linear(1, 1)
torch.nn.init.constant_(model.weight, 0.1)
torch.nn.init.zeros_(model.bias)
opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
loss_fn = torch.nn.MSELoss()
losses = []
for step in range(30):
    opt.zero_grad()
    loss = loss_fn(model(x), y)
    loss.backward()
    opt.step()
    losses.append(loss.item())
out = [losses, model.weight.item(), model.bias.item()]
""",
    "classifier": """
x = torch.linspace(-2, 2, 48).reshape(12, 4)
labels = torch.tensor([0, 1, 2, 1, 0, 2, 2, 1, 0, 0, 1, 2])
model = torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.ReLU(), torch.nn.Linear(8, 3))
state = {name: torch.linspace(-0.5, 0.5, p.numel()).reshape(p.shape)
         for name, p in model.named_parameters()}
model.load_state_dict(state)
opt = torch.optim.Adam(model.parameters(), lr=0.05)
sched = torch.optim.lr_scheduler.StepLR(opt, step_size=5, gamma=0.5)
loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(x, labels), batch_size=4)
loss_fn = torch.nn.CrossEntropyLoss()
history = []
for epoch in range(8):
    model.train()
    for xb, yb in loader:
        opt.zero_grad()
        loss = loss_fn(model(xb), yb)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), max_norm=1.0)
        opt.step()
        history.append(loss.item())
    sched.step()
model.eval()
with torch.no_grad():
    logits = model(x)
    probs = torch.nn.functional.softmax(logits, dim=1)
    accuracy = (logits.argmax(dim=1) == labels).float().mean().item()
out = [history, probs.tolist(), accuracy, list(model.state_dict().keys()),
       sum(p.numel() for p in model.parameters()), sched.get_last_lr()]
""",
    "tensor_ops": """
a = torch.arange(12, dtype=torch.float32).reshape(3, 4)
b = torch.ones(4, 2) * 0.5
c = a @ b
d = torch.cat([a, a * 2], dim=0).view(2, 3, 4).permute(2, 0, 1).flatten(1)
m, idx = a.max(dim=1)
out = [c.tolist(), d.shape == (4, 6), d.sum().item(), m.tolist(), idx.tolist(),
       a.mean(dim=0, keepdim=True).tolist(), a.std().item(), a[1:, ::2].tolist(),
       torch.where(a > 5, a, torch.zeros_like(a)).tolist(), a.T.shape == (4, 3),
       torch.stack([a[0], a[1]]).unsqueeze(0).shape == (1, 2, 4),
       torch.softmax(a, dim=-1)[0].tolist(), torch.clamp(a, 2, 9).tolist(),
       a.numel(), a.dtype == torch.float32]
""",
    "custom_module": """
class Net(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = torch.nn.Linear(3, 5)
        self.drop = torch.nn.Dropout(0.5)
        self.fc2 = torch.nn.Linear(5, 1)

    def forward(self, x):
        return self.fc2(self.drop(torch.nn.functional.relu(self.fc1(x))))

net = Net()
for p in net.parameters():
    torch.nn.init.constant_(p, 0.2)
with torch.no_grad():
    net.fc1.weight[0] = torch.tensor([0.3, -0.4, 0.1])
net.eval()  # Dropout is off: the two libraries see the same network
x = torch.tensor([[1.0, 2.0, -1.0], [0.5, -0.5, 2.0], [-1.0, 0.0, 1.0], [2.0, 1.0, 0.0]])
target = torch.tensor([[1.0], [0.0], [1.0], [0.0]])
opt = torch.optim.AdamW(net.parameters(), lr=0.05, weight_decay=0.1)
loss_fn = torch.nn.BCEWithLogitsLoss()
losses = []
for step in range(15):
    opt.zero_grad(set_to_none=False)
    loss = loss_fn(net(x), target)
    loss.backward()
    opt.step()
    losses.append(loss.item())
names = [n for n, _ in net.named_parameters()]
out = [losses, names, [type(m).__name__ for m in net.children()],
       net(x).detach().numpy().tolist(), net.training, net.fc1.weight.grad.shape == (5, 3)]
""",
    "data_updates": """
# .data as older tutorials use it: updates outside autograd, on memory the
# parameter shares; a change through .data is not seen by autograd
w = torch.tensor([[0.5, -1.0], [2.0, 0.25]], requires_grad=True)
b = torch.zeros(2, requires_grad=True)
x = torch.tensor([[1.0, 2.0], [-1.0, 0.5], [0.0, 3.0]])
y = torch.tensor([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
losses = []
for step in range(5):
    loss = ((x @ w + b - y) ** 2).mean()
    loss.backward()
    losses.append(loss.item())
    w.data -= 0.1 * w.grad.data            # in place through the view
    b.data = b.data - 0.1 * b.grad         # assigning a new Tensor
    w.grad.data.zero_()
    b.grad.zero_()
d = w.data
flags = [d.requires_grad, d.is_leaf, d.grad_fn is None, w.requires_grad, w.is_leaf,
         w.data.numpy().tolist() == w.detach().numpy().tolist()]
d.mul_(2)                                  # reaches w
s = w * w                                  # saves w
w.data.add_(1.0)                           # not recorded: backward doesn't raise
s.sum().backward()
h = (x @ w).tanh()
out = [losses, w.tolist(), b.tolist(), flags, w.grad.tolist(), h.data.tolist(),
       h.data.requires_grad, h.data.grad_fn is None, repr(b), w.data.dtype == torch.float32]
""",
    "indexing_and_math": """
x = torch.linspace(-2, 2, 12).reshape(3, 4).requires_grad_()
idx = torch.tensor([[0, 3], [2, 2], [1, 0]])
g = x.gather(1, idx)
s = torch.zeros(3, 4).scatter_add(1, idx, g * 2)
y = (torch.flip(x, [0]).roll(1, 1) * x.log1p().nan_to_num()).sum() + s.sum()
y = y + torch.atan2(x, x.abs() + 1).sum() + x.expm1().mean() + torch.logaddexp(x, -x).sum()
y = y + x.clamp_min(0).square().sum() + torch.diff(x, dim=1).pow(2).sum() + x.diag().sum()
y.backward()
top = x.argsort(dim=1, descending=True)[:, :2]
out = [y.item(), x.grad.tolist(), torch.take_along_dim(x, top, 1).tolist(),
       x.floor().tolist(), torch.round(x, decimals=1).tolist(), x.frac().tolist(),
       x.index_select(0, torch.tensor([2, 0])).tolist(), [t.tolist() for t in x.unbind(1)],
       torch.hstack([x, x]).shape[1], torch.tensordot(x, x.T, dims=1).tolist(),
       torch.logical_and(x > 0, x < 1).tolist(), torch.isclose(x, x + 1e-9).all().item(),
       x.movedim(0, 1).shape[0], x.unflatten(1, (2, 2)).shape[2], torch.count_nonzero(x).item()]
""",
    "lstm_sequence": """
class Tagger(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.embed = torch.nn.Embedding(6, 4)
        self.lstm = torch.nn.LSTM(4, 5, num_layers=2, batch_first=True, bidirectional=True)
        self.gru = torch.nn.GRUCell(10, 3)
        self.out = torch.nn.Linear(3, 2)
    def forward(self, tokens):
        seq, (h, c) = self.lstm(self.embed(tokens))
        state = torch.zeros(tokens.shape[0], 3)
        for t in range(seq.shape[1]):
            state = self.gru(seq[:, t], state)
        return self.out(state), h, c
model = Tagger()
with torch.no_grad():
    for p in model.parameters():
        p.copy_(torch.linspace(-0.4, 0.4, p.numel()).reshape(p.shape))
tokens = torch.tensor([[1, 2, 3, 0], [5, 4, 3, 2], [0, 0, 1, 1]])
labels = torch.tensor([0, 1, 1])
opt = torch.optim.Adam(model.parameters(), lr=0.01)
losses = []
for step in range(4):
    opt.zero_grad()
    logits, h, c = model(tokens)
    loss = torch.nn.functional.cross_entropy(logits, labels)
    loss.backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    opt.step()
    losses.append(loss.item())
out = [losses, list(h.shape), c.sum().item(), model.lstm.weight_hh_l1_reverse.sum().item()]
""",
    "transformer_language_model": """
import math
class PositionalEncoding(torch.nn.Module):
    def __init__(self, d_model, max_len=50):
        super().__init__()
        position = torch.arange(max_len).unsqueeze(1)
        div_term = torch.exp(torch.arange(0, d_model, 2) * (-math.log(10000.0) / d_model))
        pe = torch.zeros(max_len, 1, d_model)
        pe[:, 0, 0::2] = torch.sin(position * div_term)
        pe[:, 0, 1::2] = torch.cos(position * div_term)
        self.register_buffer("pe", pe)
    def forward(self, x):
        return x + self.pe[:x.size(0)]
class LM(torch.nn.Module):
    def __init__(self, ntoken=11, d_model=8):
        super().__init__()
        self.embedding = torch.nn.Embedding(ntoken, d_model)
        self.pos = PositionalEncoding(d_model)
        layer = torch.nn.TransformerEncoderLayer(d_model, 2, 16, dropout=0.0)
        self.encoder = torch.nn.TransformerEncoder(layer, 2)
        self.linear = torch.nn.Linear(d_model, ntoken)
        self.d_model = d_model
    def forward(self, src, mask):
        x = self.pos(self.embedding(src) * math.sqrt(self.d_model))
        return self.linear(self.encoder(x, mask))
model = LM()
with torch.no_grad():
    for p in model.parameters():
        p.copy_(torch.linspace(-0.3, 0.3, p.numel()).reshape(p.shape))
data = torch.tensor([[1, 4], [2, 5], [3, 6], [4, 7], [5, 8], [6, 9]])
src, tgt = data[:-1], data[1:]
mask = torch.nn.Transformer.generate_square_subsequent_mask(src.size(0))
opt = torch.optim.SGD(model.parameters(), lr=0.5)
sched = torch.optim.lr_scheduler.StepLR(opt, 1, gamma=0.95)
losses = []
for step in range(3):
    opt.zero_grad()
    out = model(src, mask)
    loss = torch.nn.functional.cross_entropy(out.view(-1, 11), tgt.reshape(-1))
    loss.backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), 0.5)
    opt.step()
    sched.step()
    losses.append(loss.item())
out = [losses, model.encoder.layers[1].norm2.weight.tolist()]
""",
    "conv1d_training": """
class Net(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = torch.nn.Conv1d(2, 4, 3, padding=1)
        self.norm = torch.nn.GroupNorm(2, 4)
        self.act = torch.nn.Mish()
        self.pool = torch.nn.MaxPool1d(2)
        self.head = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(12, 3), torch.nn.PReLU())
    def forward(self, x):
        return self.head(self.pool(self.act(self.norm(self.conv(x)))))
model = Net()
with torch.no_grad():
    for p in model.parameters():
        p.copy_(torch.linspace(-0.5, 0.5, p.numel()).reshape(p.shape))
x = torch.linspace(-1, 1, 48).reshape(4, 2, 6)
y = torch.tensor([0, 2, 1, 2])
data = torch.utils.data.TensorDataset(x, y)
loader = torch.utils.data.DataLoader(data, batch_sampler=torch.utils.data.BatchSampler(
    torch.utils.data.SequentialSampler(data), 3, drop_last=False))
opt = torch.optim.NAdam(model.parameters(), lr=0.05)
sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=0.1, total_steps=12)
plateau_opt = torch.optim.RAdam(model.parameters(), lr=0.01)
plateau = torch.optim.lr_scheduler.ReduceLROnPlateau(plateau_opt, patience=1)
losses, lrs = [], []
for epoch in range(6):
    for xb, yb in loader:
        opt.zero_grad()
        loss = torch.nn.functional.cross_entropy(model(xb), yb) + torch.nn.functional.kl_div(
            model(xb).log_softmax(1), torch.full((len(xb), 3), 1 / 3), reduction="batchmean")
        loss.backward()
        opt.step()
        sched.step()
        losses.append(loss.item())
    plateau.step(losses[-1])
    lrs.append(sched.get_last_lr()[0])
out = [losses, lrs, plateau.get_last_lr(), torch.nn.utils.parameters_to_vector(model.parameters()).tolist()]
""",
}


def run(script: str, lib) -> list:
    namespace = {"torch": lib}
    exec(script, namespace)
    return namespace["out"]


def same(ours, theirs, where="out"):
    if isinstance(theirs, (list, tuple)):
        assert isinstance(ours, (list, tuple)) and len(ours) == len(theirs), where
        for i, (o, t) in enumerate(zip(ours, theirs)):
            same(o, t, f"{where}[{i}]")
    elif isinstance(theirs, (bool, str)) or theirs is None:
        assert ours == theirs, f"{where}: {ours!r} != {theirs!r}"
    else:
        np.testing.assert_allclose(ours, theirs, rtol=2e-5, atol=1e-6, err_msg=where)


@pytest.mark.parametrize("name", list(SCRIPTS))
def test_pytorch_script_runs_unchanged(name):
    ours = run(SCRIPTS[name], tinygrad_edu)
    if real_torch is None:
        pytest.skip("torch is not installed: the script ran, nothing to compare with")
    same(ours, run(SCRIPTS[name], real_torch))


# ---------------------------------------------------------------- whole files, as written
# Scripts as a tutorial has them: their own imports (torch.nn as nn, torch.utils.data,
# ...), the device block, a --epochs flag. Each runs in a fresh process twice:
# `python -m tinygrad_edu script.py` and `python script.py` (PyTorch). The last line
# each prints is `out` as JSON.
ROOT = Path(__file__).resolve().parents[1]

FILE_SCRIPTS = {
    "device_and_data": """
        import argparse
        import json

        import torch
        import torch.nn as nn
        import torch.nn.functional as F
        from torch import optim
        from torch.utils.data import DataLoader, TensorDataset

        parser = argparse.ArgumentParser()
        parser.add_argument("--epochs", type=int, default=1)
        args = parser.parse_args()

        device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
        print(f"Using {device} device")

        x = torch.linspace(-2, 2, 40).reshape(20, 2)
        y = x[:, :1] * 1.5 - x[:, 1:] * 0.5
        model = nn.Sequential(nn.Linear(2, 4), nn.Tanh(), nn.Linear(4, 1)).to(device)
        for p in model.parameters():  # an older tutorial's way: through .data, outside autograd
            p.data = torch.linspace(-0.5, 0.5, p.numel()).reshape(p.shape)
        opt = optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
        loader = DataLoader(TensorDataset(x, y), batch_size=5)
        losses = []
        for epoch in range(args.epochs):
            for xb, yb in loader:
                xb, yb = xb.to(device), yb.to(device)
                opt.zero_grad()
                loss = F.mse_loss(model(xb), yb)
                loss.backward()
                opt.step()
                losses.append(loss.item())
        model[0].weight.data.mul_(0.5)          # in place, through .data
        model[2].bias.data.fill_(0.25)
        with torch.no_grad():
            after = model(x[:3]).tolist()
        g = torch.Generator().manual_seed(0)
        shuffled = DataLoader(TensorDataset(torch.arange(6)), batch_size=6, shuffle=True, generator=g)
        (batch,) = next(iter(shuffled))
        print(x.shape, model[0].weight.size(), x.device)
        out = [losses, after, str(x.shape), repr(x[0].shape), str(x.device), repr(x.device),
               str(device), x.to(device).device == device, sorted(batch.tolist()),
               torch.cuda.is_available(), torch.backends.mps.is_available(), __name__]
        print(json.dumps(out))
    """,
    "samplers_and_schedules": """
        import json

        import torch
        import torch.nn as nn
        from torch.optim.lr_scheduler import LambdaLR, MultiStepLR
        from torch.utils.data import ConcatDataset, DataLoader, TensorDataset
        from torch.nn.utils.rnn import pad_sequence
        from torch.utils.data.sampler import BatchSampler, SequentialSampler

        x = torch.linspace(-1, 1, 32).reshape(16, 2)
        y = (x[:, :1] - x[:, 1:]).tanh()
        data = ConcatDataset([TensorDataset(x[:10], y[:10]), TensorDataset(x[10:], y[10:])])
        loader = DataLoader(data, sampler=SequentialSampler(data), batch_size=4)
        model = nn.Sequential(nn.Linear(2, 8), nn.ELU(), nn.Linear(8, 1), nn.Softsign())
        with torch.no_grad():
            for p in model.parameters():
                p.copy_(torch.linspace(-0.3, 0.3, p.numel()).reshape(p.shape))
        opt = torch.optim.Adamax(model.parameters(), lr=0.05)
        warmup = LambdaLR(opt, lambda e: min(1.0, (e + 1) / 3))
        losses = []
        for epoch in range(5):
            for xb, yb in loader:
                opt.zero_grad()
                loss = nn.functional.smooth_l1_loss(model(xb), yb)
                loss.backward()
                opt.step()
                losses.append(loss.item())
            warmup.step()
        steps = MultiStepLR(torch.optim.Adadelta(model.parameters()), milestones=[2, 4], gamma=0.5)
        for _ in range(5):
            steps.optimizer.step()
            steps.step()
        padded = pad_sequence([torch.ones(2), torch.ones(3) * 2], batch_first=True)
        out = [losses, warmup.get_last_lr(), steps.get_last_lr(), len(loader), padded.tolist(),
               [list(b) for b in BatchSampler(SequentialSampler(range(5)), 2, drop_last=True)]]
        print(json.dumps(out))
    """,
    "new_functions": """
        import json

        import torch

        x = torch.tensor([[0.5, -1.0, 2.0, 1.5], [3.0, 0.25, -2.0, 1.0]], requires_grad=True)
        w = torch.tensor([[1.0, 2.0], [0.5, -1.0], [2.0, 0.0], [-1.0, 1.0]], requires_grad=True)
        vals, idx = x.sort(dim=1, descending=True)
        top = torch.topk(x, 2, dim=1)
        scores = torch.einsum("ik,kj->ij", x, w)
        causal = torch.ones(2, 2).tril().bool()
        att = (x @ x.T).masked_fill(~causal, float("-inf")).softmax(dim=-1)
        loss = (vals[:, 0].sum() + top.values.prod() + x.cumsum(dim=1).sum()
                + torch.cumprod(x, 1)[:, -1].sum() + scores.pow(2).mean() + (att * 2).sum(axis=1).sum()
                + x[range(2)].triu(diagonal=1).sum() + torch.sum(input=x, dim=0, keepdims=True).max())
        loss.backward()
        with torch.inference_mode():
            pred = x.argmax(axis=1)
            frozen = (x * 2).requires_grad
        sample = torch.normal(torch.zeros(3, 1), torch.ones(2))
        out = [loss.item(), x.grad.tolist(), w.grad.tolist(), idx.tolist(), top.indices.tolist(),
               pred.tolist(), str(scores.shape), list(x.shape), x.shape.numel(), frozen,
               torch.randperm(5).sort().values.tolist(), att.tolist(), str(sample.shape),
               torch.argsort(x.detach(), dim=0).tolist()]
        print(json.dumps(out))
    """,
    "quickstart": """
        # PyTorch's "Quickstart" tutorial, with a small synthetic dataset and fixed
        # weights in place of FashionMNIST and a random start
        import json

        import torch
        from torch import nn
        from torch.utils.data import DataLoader, TensorDataset

        X = torch.linspace(-7, 7, 96 * 16).reshape(96, 1, 4, 4).sin()
        y = (X.mean(dim=(1, 2, 3)) > 0).long()
        training_data, test_data = TensorDataset(X[:64], y[:64]), TensorDataset(X[64:], y[64:])
        batch_size = 16
        train_dataloader = DataLoader(training_data, batch_size=batch_size)
        test_dataloader = DataLoader(test_data, batch_size=batch_size)
        for X, y in test_dataloader:
            print(f"Shape of X [N, C, H, W]: {X.shape}")
            print(f"Shape of y: {y.shape}")
            break

        device = torch.accelerator.current_accelerator().type if torch.accelerator.is_available() else "cpu"
        print(f"Using {device} device")

        class NeuralNetwork(nn.Module):
            def __init__(self):
                super().__init__()
                self.flatten = nn.Flatten()
                self.linear_relu_stack = nn.Sequential(
                    nn.Linear(4 * 4, 32), nn.ReLU(), nn.Linear(32, 32), nn.ReLU(), nn.Linear(32, 2))

            def forward(self, x):
                x = self.flatten(x)
                logits = self.linear_relu_stack(x)
                return logits

        model = NeuralNetwork().to(device)
        with torch.no_grad():
            for p in model.parameters():
                p.copy_(torch.linspace(-0.3, 0.3, p.numel()).reshape(p.shape).cos() - 0.8)
        print(model)
        loss_fn = nn.CrossEntropyLoss()
        optimizer = torch.optim.SGD(model.parameters(), lr=1e-2)

        def train(dataloader, model, loss_fn, optimizer):
            size = len(dataloader.dataset)
            model.train()
            for batch, (X, y) in enumerate(dataloader):
                X, y = X.to(device), y.to(device)
                pred = model(X)
                loss = loss_fn(pred, y)
                loss.backward()
                optimizer.step()
                optimizer.zero_grad()
                if batch % 2 == 0:
                    loss, current = loss.item(), (batch + 1) * len(X)
                    print(f"loss: {loss:>7f}  [{current:>5d}/{size:>5d}]")

        def test(dataloader, model, loss_fn):
            size = len(dataloader.dataset)
            num_batches = len(dataloader)
            model.eval()
            test_loss, correct = 0, 0
            with torch.no_grad():
                for X, y in dataloader:
                    X, y = X.to(device), y.to(device)
                    pred = model(X)
                    test_loss += loss_fn(pred, y).item()
                    correct += (pred.argmax(1) == y).type(torch.float).sum().item()
            test_loss /= num_batches
            correct /= size
            print(f"Test Error: \\n Accuracy: {(100*correct):>0.1f}%, Avg loss: {test_loss:>8f} \\n")
            return test_loss

        for t in range(2):
            print(f"Epoch {t+1}\\n-------------------------------")
            train(train_dataloader, model, loss_fn, optimizer)
            last = test(test_dataloader, model, loss_fn)
        print("Done!")
        torch.save(model.state_dict(), "model.pth")
        model = NeuralNetwork().to(device)
        model.load_state_dict(torch.load("model.pth", weights_only=True))
        print(json.dumps([last, model(X[:2]).tolist()]))
    """,
}


NUMBER = re.compile(r"-?\d+\.\d+(?:e[-+]?\d+)?")


def same_print(ours: list, theirs: list) -> None:
    """The same printed lines, each number (with a decimal point) to float32 rounding."""
    assert len(ours) == len(theirs), (ours, theirs)
    for o, t in zip(ours, theirs):
        assert NUMBER.split(o) == NUMBER.split(t), f"{o!r} != {t!r}"
        np.testing.assert_allclose([float(v) for v in NUMBER.findall(o)],
                                   [float(v) for v in NUMBER.findall(t)], rtol=1e-5, err_msg=o)


def run_file(tmp_path: Path, text: str, ours: bool, *args: str) -> subprocess.CompletedProcess:
    """Run the script ``text`` on tinygrad_edu (``ours``) or on PyTorch."""
    script = tmp_path / "script.py"
    script.write_text(textwrap.dedent(text))
    runner = ["-m", "tinygrad_edu"] if ours else []
    return subprocess.run([sys.executable, *runner, str(script), *args], cwd=tmp_path,
                          capture_output=True, text=True, timeout=180,
                          env={"PYTHONPATH": str(ROOT), "OPENBLAS_NUM_THREADS": "1",
                               "PATH": "/usr/bin:/bin"})


@pytest.mark.parametrize("name", list(FILE_SCRIPTS))
def test_pytorch_file_runs_unchanged_with_python_m_tinygrad_edu(tmp_path, name):
    res = run_file(tmp_path, FILE_SCRIPTS[name], True, "--epochs", "2")
    assert res.returncode == 0, res.stderr
    ours = json.loads(res.stdout.splitlines()[-1])
    if real_torch is None:
        pytest.skip("torch is not installed: the script ran, nothing to compare with")
    res_torch = run_file(tmp_path, FILE_SCRIPTS[name], False, "--epochs", "2")
    assert res_torch.returncode == 0, res_torch.stderr
    same_print(res.stdout.splitlines()[:-1], res_torch.stdout.splitlines()[:-1])
    same(ours, json.loads(res_torch.stdout.splitlines()[-1]))


def test_a_script_that_asks_for_a_gpu_fails_as_under_a_cpu_build_of_pytorch(tmp_path):
    code = "import torch\nx = torch.ones(2)\nprint('made')\nx = x.cuda()\n"
    for ours in ([True, False] if real_torch is not None else [True]):
        res = run_file(tmp_path, code, ours)
        assert res.returncode == 1 and res.stdout == "made\n", res.stderr
        assert "CUDA" in res.stderr.splitlines()[-1]


def test_a_script_using_what_tinygrad_edu_lacks_fails_naming_it(tmp_path):
    res = run_file(tmp_path, "import torch.nn as nn\nlayer = nn.Conv3d(1, 1, 3)\n", True)
    assert res.returncode == 1 and "tinygrad_edu has no torch.nn.Conv3d" in res.stderr.splitlines()[-1]

