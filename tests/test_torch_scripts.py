"""The promise of DESIGN §1: a short PyTorch program that uses only the subset
runs unchanged with ``import tinygrad_edu as torch`` and gives the same numbers.

Each script below is plain PyTorch. It runs twice, with ``torch`` bound to
tinygrad_edu and to PyTorch, and what it leaves in ``out`` must agree (float32
tolerance). Without torch installed the comparison is skipped, but the scripts
still have to run on tinygrad_edu.
"""
from __future__ import annotations

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
