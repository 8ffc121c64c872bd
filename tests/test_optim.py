"""tg.optim: every optimizer and option follows torch's trajectory step for step;
schedules match torch's; saving mid-training resumes on the same trajectory."""
from __future__ import annotations

from typing import Any, Callable

import numpy as np
import pytest

import tinygrad_edu as tg
from tinygrad_edu import nn, optim
from tinygrad_edu.optim import lr_scheduler
from conftest import HAS_TORCH, dtype_name

STEPS = 25


# ---------------------------------------------------------------- a small MLP
class MLP(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.fc1 = nn.Linear(3, 5)
        self.fc2 = nn.Linear(5, 2)

    def forward(self, x: tg.Tensor) -> tg.Tensor:
        return self.fc2(self.fc1(x).tanh())


def make_model(seed: int = 0) -> MLP:
    """An MLP with float64 weights fixed by ``seed``."""
    model = MLP()
    rng = np.random.default_rng(seed)
    for p in model.parameters():
        p.data = rng.uniform(-1, 1, p.shape)
    return model


def data(seed: int = 1) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    return rng.standard_normal((8, 3)), rng.standard_normal((8, 2))


def loss_of(model: Any, x: Any, y: Any) -> Any:
    return ((model(x) - y) ** 2).mean()


def train(model: MLP, opt: optim.Optimizer, steps: int, seed: int = 1) -> list[list[np.ndarray]]:
    """Run ``steps`` steps; return the parameters after each."""
    x, y = data(seed)
    x, y = tg.Tensor(x), tg.Tensor(y)
    out = []
    for _ in range(steps):
        opt.zero_grad()
        loss_of(model, x, y).backward()
        opt.step()
        out.append([p.detach().numpy().copy() for p in model.parameters()])
    return out


def torch_twin(torch: Any, model: MLP) -> Any:
    """The same MLP in torch, with the same weights (copied with load_state_dict)."""
    class TMLP(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.fc1 = torch.nn.Linear(3, 5)
            self.fc2 = torch.nn.Linear(5, 2)

        def forward(self, x: Any) -> Any:
            return self.fc2(torch.tanh(self.fc1(x)))

    tmodel = TMLP().double()
    tmodel.load_state_dict({k: torch.tensor(v.numpy()) for k, v in model.state_dict().items()})
    return tmodel


def torch_train(torch: Any, tmodel: Any, opt: Any, steps: int, seed: int = 1) -> list:
    x, y = (torch.tensor(a) for a in data(seed))
    out = []
    for _ in range(steps):
        opt.zero_grad()
        loss_of(tmodel, x, y).backward()
        opt.step()
        out.append([p.detach().numpy().copy() for p in tmodel.parameters()])
    return out


# name, our optimizer class, torch's class name, options
CASES = [
    ("SGD", optim.SGD, "SGD", dict(lr=0.1)),
    ("SGD momentum", optim.SGD, "SGD", dict(lr=0.05, momentum=0.9)),
    ("SGD dampening", optim.SGD, "SGD", dict(lr=0.05, momentum=0.9, dampening=0.3)),
    ("SGD nesterov", optim.SGD, "SGD", dict(lr=0.05, momentum=0.8, nesterov=True)),
    ("SGD weight_decay", optim.SGD, "SGD", dict(lr=0.1, weight_decay=0.05)),
    ("SGD all", optim.SGD, "SGD", dict(lr=0.05, momentum=0.7, weight_decay=0.01, nesterov=True)),
    ("SGD maximize", optim.SGD, "SGD", dict(lr=0.01, momentum=0.5, maximize=True)),
    ("Adam", optim.Adam, "Adam", dict(lr=0.01)),
    ("Adam betas eps", optim.Adam, "Adam", dict(lr=0.02, betas=(0.8, 0.9), eps=1e-6)),
    ("Adam weight_decay", optim.Adam, "Adam", dict(lr=0.01, weight_decay=0.1)),
    ("Adam amsgrad", optim.Adam, "Adam", dict(lr=0.01, amsgrad=True)),
    ("Adam amsgrad weight_decay", optim.Adam, "Adam", dict(lr=0.01, amsgrad=True, weight_decay=0.1)),
    ("Adam maximize", optim.Adam, "Adam", dict(lr=0.01, maximize=True)),
    ("AdamW", optim.AdamW, "AdamW", dict(lr=0.01)),
    ("AdamW amsgrad", optim.AdamW, "AdamW", dict(lr=0.01, weight_decay=0.1, amsgrad=True)),
    ("RMSprop", optim.RMSprop, "RMSprop", dict(lr=0.01)),
    ("RMSprop momentum", optim.RMSprop, "RMSprop", dict(lr=0.01, momentum=0.9)),
    ("RMSprop centered", optim.RMSprop, "RMSprop", dict(lr=0.01, centered=True)),
    ("RMSprop weight_decay", optim.RMSprop, "RMSprop", dict(lr=0.01, weight_decay=0.1)),
    ("RMSprop all", optim.RMSprop, "RMSprop",
     dict(lr=0.005, alpha=0.9, momentum=0.5, centered=True, weight_decay=0.05)),
    ("Adagrad", optim.Adagrad, "Adagrad", dict(lr=0.1)),
    ("Adagrad lr_decay", optim.Adagrad, "Adagrad", dict(lr=0.1, lr_decay=0.05)),
    ("Adagrad weight_decay", optim.Adagrad, "Adagrad", dict(lr=0.1, weight_decay=0.1)),
    ("Adagrad initial_accumulator_value", optim.Adagrad, "Adagrad",
     dict(lr=0.1, initial_accumulator_value=0.5)),
    ("Adagrad all", optim.Adagrad, "Adagrad",
     dict(lr=0.1, lr_decay=0.01, weight_decay=0.05, initial_accumulator_value=0.1, eps=1e-8)),
    ("Adamax", optim.Adamax, "Adamax", dict()),
    ("Adamax all", optim.Adamax, "Adamax", dict(lr=0.02, betas=(0.8, 0.99), eps=1e-6,
                                                weight_decay=0.1, maximize=True)),
    ("NAdam", optim.NAdam, "NAdam", dict(lr=0.01)),
    ("NAdam weight_decay momentum_decay", optim.NAdam, "NAdam",
     dict(lr=0.01, weight_decay=0.1, momentum_decay=0.01)),
    ("NAdam decoupled", optim.NAdam, "NAdam", dict(lr=0.01, weight_decay=0.1, decoupled_weight_decay=True)),
    ("RAdam", optim.RAdam, "RAdam", dict(lr=0.01)),
    ("RAdam short warm-up", optim.RAdam, "RAdam", dict(lr=0.01, betas=(0.9, 0.9), weight_decay=0.1)),
    ("RAdam decoupled maximize", optim.RAdam, "RAdam",
     dict(lr=0.01, betas=(0.9, 0.8), weight_decay=0.1, decoupled_weight_decay=True, maximize=True)),
    ("Adadelta", optim.Adadelta, "Adadelta", dict()),
    ("Adadelta all", optim.Adadelta, "Adadelta", dict(lr=0.5, rho=0.8, eps=1e-5, weight_decay=0.1)),
]


def assert_same_trajectory(ours: list, theirs: list) -> None:
    assert len(ours) == len(theirs)
    for step, (a, b) in enumerate(zip(ours, theirs), 1):
        for i, (pa, pb) in enumerate(zip(a, b)):
            np.testing.assert_allclose(pa, pb, rtol=1e-6, atol=1e-12,
                                       err_msg=f"step {step}, parameter {i}")


@pytest.mark.parametrize("name,cls,torch_name,kwargs", CASES, ids=[c[0] for c in CASES])
def test_trajectory_matches_torch(name: str, cls: type, torch_name: str, kwargs: dict) -> None:
    torch = pytest.importorskip("torch")
    model = make_model()
    tmodel = torch_twin(torch, model)
    ours = train(model, cls(model.parameters(), **kwargs), STEPS)
    theirs = torch_train(torch, tmodel, getattr(torch.optim, torch_name)(tmodel.parameters(),
                                                                         **kwargs), STEPS)
    assert_same_trajectory(ours, theirs)


def test_momentum_is_sgd_with_momentum_09() -> None:
    torch = pytest.importorskip("torch")
    model = make_model()
    tmodel = torch_twin(torch, model)
    opt = optim.Momentum(model.parameters())
    assert opt.defaults["momentum"] == 0.9 and opt.defaults["lr"] == 0.01
    ours = train(model, opt, STEPS)
    theirs = torch_train(torch, tmodel, torch.optim.SGD(tmodel.parameters(), lr=0.01,
                                                        momentum=0.9), STEPS)
    assert_same_trajectory(ours, theirs)


def test_momentum_is_the_textbook_update() -> None:
    """v = m*v - lr*g;  p = p + v  (the seeds' Momentum), for a constant lr."""
    model = make_model()
    params = [p.detach().numpy().copy() for p in model.parameters()]
    velocity = [np.zeros_like(p) for p in params]
    opt = optim.Momentum(model.parameters(), lr=0.05, momentum=0.9)
    x, y = (tg.Tensor(a) for a in data())
    for _ in range(10):
        opt.zero_grad()
        loss_of(model, x, y).backward()
        grads = [p.grad.data for p in model.parameters()]
        opt.step()
        for i, g in enumerate(grads):
            velocity[i] = 0.9 * velocity[i] - 0.05 * g
            params[i] = params[i] + velocity[i]
    for p, expected in zip(model.parameters(), params):
        np.testing.assert_allclose(p.data, expected, rtol=1e-10, atol=1e-12)


def test_param_groups_with_their_own_lr_match_torch() -> None:
    torch = pytest.importorskip("torch")
    model = make_model()
    tmodel = torch_twin(torch, model)

    def groups(m: Any) -> list:
        return [{"params": list(m.fc1.parameters()), "lr": 0.1},
                {"params": list(m.fc2.parameters())}]

    opt = optim.SGD(groups(model), lr=0.01, momentum=0.9)
    assert [g["lr"] for g in opt.param_groups] == [0.1, 0.01]
    ours = train(model, opt, STEPS)
    theirs = torch_train(torch, tmodel, torch.optim.SGD(groups(tmodel), lr=0.01, momentum=0.9),
                         STEPS)
    assert_same_trajectory(ours, theirs)


def test_add_param_group_fills_defaults() -> None:
    model = make_model()
    opt = optim.Adam(model.fc1.parameters(), lr=0.01)
    opt.add_param_group({"params": model.fc2.parameters(), "lr": 0.5})
    assert len(opt.param_groups) == 2
    assert opt.param_groups[1]["lr"] == 0.5 and opt.param_groups[1]["betas"] == (0.9, 0.999)
    with pytest.raises(ValueError, match="more than one parameter group"):
        opt.add_param_group({"params": [model.fc1.weight]})


def test_bad_params_are_rejected() -> None:
    w = tg.randn(3, requires_grad=True)
    with pytest.raises(ValueError, match="empty parameter list"):
        optim.SGD([], lr=0.1)
    with pytest.raises(TypeError, match="ordered"):
        optim.SGD({w}, lr=0.1)
    with pytest.raises(TypeError):
        optim.SGD(w, lr=0.1)
    with pytest.raises(ValueError, match="non-leaf"):
        optim.SGD([w * 2], lr=0.1)


@pytest.mark.parametrize("make,message", [
    (lambda ps: optim.SGD(ps, lr=-1), "Invalid learning rate: -1"),
    (lambda ps: optim.SGD(ps, lr=0.1, momentum=-0.5), "Invalid momentum value: -0.5"),
    (lambda ps: optim.SGD(ps, lr=0.1, weight_decay=-1), "Invalid weight_decay value: -1"),
    (lambda ps: optim.SGD(ps, lr=0.1, nesterov=True), "Nesterov momentum requires"),
    (lambda ps: optim.SGD(ps, lr=0.1, momentum=0.9, dampening=0.1, nesterov=True),
     "Nesterov momentum requires"),
    (lambda ps: optim.Momentum(ps, lr=-1), "Invalid learning rate: -1"),
    (lambda ps: optim.Adam(ps, lr=-1), "Invalid learning rate: -1"),
    (lambda ps: optim.Adam(ps, betas=(1.0, 0.999)), "Invalid beta parameter at index 0: 1.0"),
    (lambda ps: optim.Adam(ps, betas=(0.9, -0.1)), "Invalid beta parameter at index 1"),
    (lambda ps: optim.Adam(ps, eps=-1e-8), "Invalid epsilon value"),
    (lambda ps: optim.AdamW(ps, weight_decay=-1), "Invalid weight_decay value: -1"),
    (lambda ps: optim.RMSprop(ps, lr=-1), "Invalid learning rate: -1"),
    (lambda ps: optim.RMSprop(ps, alpha=-1), "Invalid alpha value: -1"),
    (lambda ps: optim.Adagrad(ps, lr=-1), "Invalid learning rate: -1"),
    (lambda ps: optim.Adagrad(ps, lr_decay=-1), "Invalid lr_decay value: -1"),
    (lambda ps: optim.Adagrad(ps, initial_accumulator_value=-1),
     "Invalid initial_accumulator_value value: -1"),
])
def test_arguments_are_validated(make: Callable, message: str) -> None:
    with pytest.raises(ValueError) as info:
        make([tg.randn(2, requires_grad=True)])
    assert message in str(info.value)


def test_every_optimizer_documents_its_update_rule() -> None:
    for cls in (optim.SGD, optim.Momentum, optim.Adam, optim.AdamW, optim.RMSprop, optim.Adagrad):
        assert cls.__doc__ and "p = p" in cls.__doc__, f"{cls.__name__}: no update rule"


def test_zero_grad() -> None:
    w = tg.randn(3, requires_grad=True)
    opt = optim.SGD([w], lr=0.1)
    (w * w).sum().backward()
    opt.zero_grad(set_to_none=False)
    assert w.grad is not None and np.all(w.grad.numpy() == 0)
    opt.zero_grad()
    assert w.grad is None


def test_parameters_without_grad_are_left_alone() -> None:
    a = tg.randn(3, requires_grad=True)
    b = tg.randn(3, requires_grad=True)
    before = b.detach().numpy().copy()
    for cls in (optim.SGD, optim.Adam, optim.RMSprop, optim.Adagrad):
        opt = cls([a, b], lr=0.1)
        a.grad = None
        (a * a).sum().backward()
        opt.step()
        np.testing.assert_array_equal(b.data, before)
        if cls is optim.Adagrad:  # its state is made up front (as torch), and b's stays as made
            assert float(opt.state[b]["step"].item()) == 0.0
            np.testing.assert_array_equal(opt.state[b]["sum"].data, np.zeros(3))
        else:
            assert all(p is a for p in opt.state) or not opt.state


def test_adagrad_makes_its_state_up_front_as_torch() -> None:
    # torch's Adagrad fills its state in __init__: a checkpoint taken before the
    # first step already has each parameter's step (0) and sum (the initial value)
    w = tg.tensor([1.0, 2.0], requires_grad=True)
    opt = optim.Adagrad([w], lr=0.1, initial_accumulator_value=0.5)
    sd = opt.state_dict()
    assert list(sd["state"]) == [0] and list(sd["state"][0]) == ["step", "sum"]
    assert sd["state"][0]["step"].item() == 0.0 and sd["state"][0]["step"].dtype == tg.float32
    np.testing.assert_array_equal(sd["state"][0]["sum"].data, [0.5, 0.5])
    if HAS_TORCH:
        import torch

        tw = torch.tensor([1.0, 2.0], requires_grad=True)
        tsd = torch.optim.Adagrad([tw], lr=0.1, initial_accumulator_value=0.5).state_dict()
        assert list(tsd["state"]) == [0] and list(tsd["state"][0]) == ["step", "sum"]
        assert tsd["state"][0]["step"].item() == 0.0
        np.testing.assert_array_equal(tsd["state"][0]["sum"].numpy(), [0.5, 0.5])
    # a group added later gets its state at its first step
    v = tg.tensor([3.0], requires_grad=True)
    opt.add_param_group({"params": [v]})
    (w.sum() + v.sum()).backward()
    opt.step()
    assert opt.state[v]["step"].item() == 1.0


def test_step_with_closure_returns_the_loss() -> None:
    model = make_model()
    x, y = (tg.Tensor(a) for a in data())
    opt = optim.SGD(model.parameters(), lr=0.1)

    def closure() -> tg.Tensor:
        opt.zero_grad()
        loss = loss_of(model, x, y)
        loss.backward()
        return loss

    first = opt.step(closure).item()
    second = opt.step(closure).item()
    assert second < first


def test_update_is_in_place_and_keeps_dtype() -> None:
    w = tg.randn(4, 3, requires_grad=True)  # float32
    data_before = w.detach().numpy()
    version = w._version
    opt = optim.Adam([w], lr=0.1)
    (w * w).sum().backward()
    opt.step()
    assert w.detach().numpy() is data_before and w.dtype == np.float32
    assert opt.state[w]["exp_avg"].dtype == np.float32
    assert w._version > version


@pytest.mark.parametrize("momentum", [0.0, 0.9])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("lr", [0.1, np.float64(0.1)])
def test_sgd_on_big_parameters_matches_the_plain_update_bit_for_bit(momentum, dtype, lr):
    # A big parameter is updated through cache-sized chunks rather than one
    # temporary of its size: the result must be exactly p - lr * g, whatever
    # the dtype, the kind of lr, or a size that isn't a multiple of a chunk.
    rng = np.random.default_rng(0)
    for shape in [(300, 301), (7, 50000)]:
        w0 = rng.standard_normal(shape).astype(dtype)
        g = rng.standard_normal(shape).astype(dtype)
        w = tg.tensor(w0.copy(), requires_grad=True)
        opt = optim.SGD([w], lr=lr, momentum=momentum)
        for _ in range(2):
            w.grad = tg.tensor(g)
            opt.step()
        expected = w0.copy()
        expected -= lr * g
        expected -= lr * ((momentum * g + g) if momentum else g)  # (momentum: b = 0.9 g + g)
        assert w.dtype == dtype
        np.testing.assert_array_equal(w.data, expected)
        np.testing.assert_array_equal(w.grad.data, g)  # the gradient is left as it was


@pytest.mark.parametrize("cls, torch_name, kwargs", [
    (optim.SGD, "SGD", dict(lr=0.1)),
    (optim.SGD, "SGD", dict(lr=0.05, momentum=0.9, nesterov=True)),
    (optim.RMSprop, "RMSprop", dict(lr=0.01, momentum=0.9)),
])
def test_big_parameters_follow_torchs_trajectory(cls, torch_name, kwargs):
    # (parameters big enough to be updated chunk by chunk)
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(4)
    w0, x = rng.standard_normal((300, 301)) / 20, rng.standard_normal((16, 301))
    w = tg.tensor(w0, requires_grad=True)
    tw = torch.tensor(w0, requires_grad=True)
    opt, topt = cls([w], **kwargs), getattr(torch.optim, torch_name)([tw], **kwargs)
    for _ in range(5):
        opt.zero_grad()
        topt.zero_grad()
        (tg.tensor(x) @ w.T).tanh().sum().backward()
        (torch.tensor(x) @ tw.T).tanh().sum().backward()
        opt.step()
        topt.step()
        np.testing.assert_allclose(w.data, tw.detach().numpy(), rtol=1e-6, atol=1e-12)


def test_sgd_on_a_big_parameter_makes_no_temporary_of_its_size():
    import tracemalloc
    w = tg.randn(1000, 1000, requires_grad=True)  # 4 MB of float32
    (w * 2).sum().backward()
    opt = optim.SGD([w], lr=0.1)
    tracemalloc.start()
    try:
        opt.step()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < w.detach().numpy().nbytes // 4
    np.testing.assert_allclose(w.grad.data, 2.0)


def test_sgd_with_a_gradient_sharing_the_parameters_memory_is_the_plain_update():
    # (a gradient that overlaps the parameter, shifted by one element: updated
    # chunk by chunk, later chunks would read values earlier ones had changed)
    buf = np.random.default_rng(5).standard_normal(90001).astype(np.float32)
    w = tg.tensor(buf[1:].copy(), requires_grad=True)
    w.data = buf[1:]
    w.grad = tg.Tensor(buf[:-1])
    assert np.shares_memory(w.grad.data, w.data)
    expected = buf[1:] - np.float32(0.1) * buf[:-1]
    optim.SGD([w], lr=0.1).step()
    np.testing.assert_array_equal(w.data, expected)


def test_sgd_updates_a_non_contiguous_parameter_in_place():
    w = tg.randn(400, 300, requires_grad=True)
    w.data = w.data.T  # (a transposed view: not C-contiguous)
    assert not w.detach().numpy().flags.c_contiguous
    before = w.detach().numpy().copy()
    data = w.detach().numpy()
    (w * 3).sum().backward()
    optim.SGD([w], lr=0.5).step()
    assert w.detach().numpy() is data
    np.testing.assert_array_equal(w.data, before - np.float32(0.5) * np.float32(3))


def test_step_after_forward_invalidates_pending_backward() -> None:
    """The optimizer bumps the version counter: backward through a graph that
    saved the old weights raises, as in torch."""
    w = tg.randn(3, requires_grad=True)
    y = (w * w).sum()
    (w * 2).sum().backward()
    optim.SGD([w], lr=0.1).step()
    with pytest.raises(RuntimeError):
        y.backward()


def test_hand_written_update_under_no_grad() -> None:
    w = tg.tensor([1.0, -2.0, 3.0], requires_grad=True)
    (w * w).sum().backward()
    with tg.no_grad():
        w -= 0.1 * w.grad
    np.testing.assert_allclose(w.data, [0.8, -1.6, 2.4], rtol=1e-6)
    assert w.is_leaf and w.requires_grad
    with pytest.raises(RuntimeError, match="leaf"):
        w -= 0.1 * w.grad


def test_hand_written_update_raises_like_torch() -> None:
    torch = pytest.importorskip("torch")
    w = torch.tensor([1.0, -2.0, 3.0], requires_grad=True)
    (w * w).sum().backward()
    with torch.no_grad():
        w -= 0.1 * w.grad
    with pytest.raises(RuntimeError):
        w -= 0.1 * w.grad


# ---------------------------------------------------------------- state_dict
def test_state_dict_layout_is_torchs() -> None:
    model = make_model()
    opt = optim.SGD([{"params": list(model.fc1.parameters())},
                     {"params": list(model.fc2.parameters()), "lr": 0.5}], lr=0.1, momentum=0.9)
    train(model, opt, 2)
    sd = opt.state_dict()
    assert set(sd) == {"state", "param_groups"}
    assert [g["params"] for g in sd["param_groups"]] == [[0, 1], [2, 3]]
    assert [g["lr"] for g in sd["param_groups"]] == [0.1, 0.5]
    assert sorted(sd["state"]) == [0, 1, 2, 3]
    assert set(sd["state"][0]) == {"momentum_buffer"}
    # a snapshot: later steps don't change it
    saved = sd["state"][0]["momentum_buffer"].numpy().copy()
    train(model, opt, 1)
    np.testing.assert_array_equal(sd["state"][0]["momentum_buffer"].data, saved)


def test_load_state_dict_checks_group_sizes() -> None:
    model = make_model()
    opt = optim.Adam(model.parameters())
    sd = opt.state_dict()
    other = optim.Adam(list(model.parameters())[:2])
    with pytest.raises(ValueError, match="doesn't match the size"):
        other.load_state_dict(sd)


RESUME_CASES = [
    (optim.SGD, dict(lr=0.05, momentum=0.9, nesterov=True, weight_decay=0.01)),
    (optim.Momentum, dict(lr=0.05)),
    (optim.Adam, dict(lr=0.01, amsgrad=True, weight_decay=0.01)),
    (optim.AdamW, dict(lr=0.01)),
    (optim.RMSprop, dict(lr=0.01, momentum=0.5, centered=True)),
    (optim.Adagrad, dict(lr=0.1, lr_decay=0.01, initial_accumulator_value=0.1)),
]


@pytest.mark.parametrize("cls,kwargs", RESUME_CASES, ids=[c[0].__name__ for c in RESUME_CASES])
def test_saved_mid_training_resumes_on_the_same_trajectory(tmp_path: Any, cls: type,
                                                           kwargs: dict) -> None:
    steady = make_model()
    expected = train(steady, cls(steady.parameters(), **kwargs), STEPS)

    model = make_model()
    opt = cls(model.parameters(), **kwargs)
    first = train(model, opt, 10)
    tg.save(model.state_dict(), tmp_path / "model.npz")
    tg.save(opt.state_dict(), tmp_path / "opt.npz")
    del model, opt

    model = make_model(seed=99)  # different weights: all must come from the files
    opt = cls(model.parameters(), lr=123.0)  # different options too
    model.load_state_dict(tg.load(tmp_path / "model.npz"))
    opt.load_state_dict(tg.load(tmp_path / "opt.npz"))
    rest = train(model, opt, STEPS - 10)
    for step, (a, b) in enumerate(zip(first + rest, expected), 1):
        for pa, pb in zip(a, b):
            np.testing.assert_array_equal(pa, pb, err_msg=f"step {step}")


# ---------------------------------------------------------------- schedules
SCHEDULES = [
    ("StepLR", dict(step_size=7, gamma=0.5)),
    ("StepLR", dict(step_size=1, gamma=0.9)),
    ("ExponentialLR", dict(gamma=0.9)),
    ("CosineAnnealingLR", dict(T_max=10)),
    ("CosineAnnealingLR", dict(T_max=7, eta_min=0.001)),
]


@pytest.mark.parametrize("name,kwargs", SCHEDULES, ids=[f"{n}-{k}" for n, k in SCHEDULES])
def test_schedule_matches_torch_over_30_epochs(name: str, kwargs: dict) -> None:
    torch = pytest.importorskip("torch")
    w = tg.randn(2, requires_grad=True)
    v = tg.randn(2, requires_grad=True)
    opt = optim.SGD([{"params": [w]}, {"params": [v], "lr": 0.3}], lr=0.1)
    sched = getattr(lr_scheduler, name)(opt, **kwargs)
    tw, tv = torch.zeros(2, requires_grad=True), torch.zeros(2, requires_grad=True)
    topt = torch.optim.SGD([{"params": [tw]}, {"params": [tv], "lr": 0.3}], lr=0.1)
    tsched = getattr(torch.optim.lr_scheduler, name)(topt, **kwargs)
    assert sched.get_last_lr() == pytest.approx(tsched.get_last_lr(), rel=1e-12)
    for epoch in range(30):
        opt.step()
        topt.step()
        sched.step()
        tsched.step()
        assert sched.last_epoch == tsched.last_epoch == epoch + 1
        np.testing.assert_allclose(sched.get_last_lr(), tsched.get_last_lr(), rtol=1e-12,
                                   atol=1e-15, err_msg=f"epoch {epoch + 1}")
        assert [g["lr"] for g in opt.param_groups] == sched.get_last_lr()


def test_schedule_closed_forms() -> None:
    opt = optim.SGD([tg.randn(2, requires_grad=True)], lr=1.0)
    sched = lr_scheduler.StepLR(opt, step_size=3, gamma=0.5)
    lrs = [sched.get_last_lr()[0]]
    for _ in range(9):
        sched.step()
        lrs.append(sched.get_last_lr()[0])
    assert lrs == [1.0] * 3 + [0.5] * 3 + [0.25] * 3 + [0.125]
    opt = optim.SGD([tg.randn(2, requires_grad=True)], lr=1.0)
    cos = lr_scheduler.CosineAnnealingLR(opt, T_max=4)
    for epoch in range(1, 5):
        cos.step()
        assert cos.get_last_lr()[0] == pytest.approx((1 + np.cos(np.pi * epoch / 4)) / 2,
                                                     abs=1e-12)


def test_scheduler_state_dict_round_trip(tmp_path: Any) -> None:
    def make() -> tuple:
        opt = optim.SGD([tg.randn(2, requires_grad=True)], lr=0.1)
        return opt, lr_scheduler.CosineAnnealingLR(opt, T_max=6)

    opt, sched = make()
    for _ in range(4):
        sched.step()
    tg.save({"opt": opt.state_dict(), "sched": sched.state_dict()}, tmp_path / "ckpt")
    opt2, sched2 = make()
    ckpt = tg.load(tmp_path / "ckpt")
    opt2.load_state_dict(ckpt["opt"])
    sched2.load_state_dict(ckpt["sched"])
    assert sched2.last_epoch == 4 and sched2.get_last_lr() == sched.get_last_lr()
    for _ in range(10):
        sched.step()
        sched2.step()
        assert sched2.get_last_lr() == sched.get_last_lr()


# ---------------------------------------------------------------- torch parity of the API
_TORCH_ONLY_OPTIONS = ("foreach", "fused", "differentiable", "capturable")


def _torch_repr_without_its_own_options(opt: Any) -> str:
    return "\n".join(line for line in repr(opt).split("\n")
                     if line.strip().split(":")[0] not in _TORCH_ONLY_OPTIONS)


@pytest.mark.parametrize("name,kwargs", [("SGD", dict(lr=0.1, momentum=0.9)), ("Adam", {}),
                                         ("AdamW", dict(amsgrad=True)), ("RMSprop", {}),
                                         ("Adagrad", dict(lr_decay=0.1)), ("Adamax", {}),
                                         ("NAdam", dict(momentum_decay=0.01)), ("RAdam", {}),
                                         ("Adadelta", dict(rho=0.5))])
def test_optimizer_repr_is_torchs(name: str, kwargs: dict) -> None:
    # torch lists each group's options sorted by name, with a blank line between groups
    torch = pytest.importorskip("torch")
    w, b = tg.zeros(2, requires_grad=True), tg.zeros(1, requires_grad=True)
    tw, tb = torch.zeros(2, requires_grad=True), torch.zeros(1, requires_grad=True)
    opt = getattr(optim, name)([{"params": [w]}, {"params": [b], "lr": 0.5}], **kwargs)
    topt = getattr(torch.optim, name)([{"params": [tw]}, {"params": [tb], "lr": 0.5}], **kwargs)
    assert repr(opt) == _torch_repr_without_its_own_options(topt)


# (Adagrad before its first step is left out: torch's fills its state when it
# is made, ours on the first step, so that a parameter without a grad has none.)
@pytest.mark.parametrize("name,kwargs,steps", [
    (name, kwargs, steps) for steps in (0, 1)
    for name, kwargs in [("SGD", dict(lr=0.1)), ("SGD", dict(lr=0.1, momentum=0.9)), ("Adam", {}),
                         ("RMSprop", dict(centered=True)),
                         ("Adagrad", dict(initial_accumulator_value=0.5)), ("Adamax", {}),
                         ("NAdam", {}), ("RAdam", {}), ("Adadelta", {})]
    if not (name == "Adagrad" and steps == 0)])
def test_state_dict_has_torchs_entries_before_and_after_a_step(name: str, kwargs: dict,
                                                               steps: int) -> None:
    torch = pytest.importorskip("torch")
    w = tg.tensor([1.0, -2.0], requires_grad=True)
    tw = torch.tensor([1.0, -2.0], requires_grad=True)
    opt, topt = getattr(optim, name)([w], **kwargs), getattr(torch.optim, name)([tw], **kwargs)
    for _ in range(steps):
        (w * w).sum().backward()
        (tw * tw).sum().backward()
        opt.step()
        topt.step()
    sd, tsd = opt.state_dict(), topt.state_dict()
    assert {k: sorted(v) for k, v in sd["state"].items()} == \
        {k: sorted(v) for k, v in tsd["state"].items()}
    assert len(opt.state) == len(topt.state)
    for key, value in tsd["state"].get(0, {}).items():
        np.testing.assert_allclose(np.asarray(getattr(sd["state"][0][key], "data",
                                                      sd["state"][0][key])),
                                   value.numpy(), rtol=1e-6)


def test_step_lr_accepts_a_float_step_size_like_torch() -> None:
    torch = pytest.importorskip("torch")
    opt = optim.SGD([tg.zeros(1, requires_grad=True)], lr=1.0)
    topt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=1.0)
    sched = lr_scheduler.StepLR(opt, step_size=2.0, gamma=0.5)
    tsched = torch.optim.lr_scheduler.StepLR(topt, step_size=2.0, gamma=0.5)
    for _ in range(5):
        opt.step()
        topt.step()
        sched.step()
        tsched.step()
        assert sched.get_last_lr() == tsched.get_last_lr()


def test_state_dict_lists_every_state_entry_even_an_empty_one_like_torch() -> None:
    torch = pytest.importorskip("torch")
    w, b = tg.zeros(2, requires_grad=True), tg.zeros(1, requires_grad=True)
    tw, tb = torch.zeros(2, requires_grad=True), torch.zeros(1, requires_grad=True)
    opt, topt = optim.SGD([w, b], lr=0.1), torch.optim.SGD([tw, tb], lr=0.1)
    opt.state[b]["note"] = 1  # a user's own entry, and an empty one (state is a defaultdict)
    topt.state[tb]["note"] = 1
    assert opt.state[w] == {} and topt.state[tw] == {}
    assert opt.state_dict()["state"] == topt.state_dict()["state"] == {0: {}, 1: {"note": 1}}


@pytest.mark.parametrize("last_epoch", [0, 2, 3, 7])
@pytest.mark.parametrize("name,kwargs", SCHEDULES, ids=[f"{n}-{k}" for n, k in SCHEDULES])
def test_resumed_schedule_matches_torch(name: str, kwargs: dict, last_epoch: int) -> None:
    # Resuming (last_epoch >= 0, 'initial_lr' in the groups): as in torch 2.13, the
    # step the constructor makes leaves ExponentialLR's and CosineAnnealingLR's
    # current lr as it is (StepLR decays it if the epoch reached is a multiple).
    torch = pytest.importorskip("torch")
    w, tw = tg.zeros(1, requires_grad=True), torch.zeros(1, requires_grad=True)
    opt = optim.SGD([{"params": [w], "initial_lr": 1.0}], lr=0.3)
    topt = torch.optim.SGD([{"params": [tw], "initial_lr": 1.0}], lr=0.3)
    sched = getattr(lr_scheduler, name)(opt, last_epoch=last_epoch, **kwargs)
    tsched = getattr(torch.optim.lr_scheduler, name)(topt, last_epoch=last_epoch, **kwargs)
    for _ in range(12):
        assert sched.last_epoch == tsched.last_epoch
        np.testing.assert_allclose(sched.get_last_lr(), tsched.get_last_lr(), rtol=1e-12)
        opt.step()
        topt.step()
        sched.step()
        tsched.step()


@pytest.mark.parametrize("name", ["Adam", "AdamW", "RMSprop", "Adagrad"])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_step_count_is_a_float32_tensor_like_torch(tmp_path: Any, name: str, dtype: str) -> None:
    # torch keeps 'step' as a 0-d float32 tensor (for any parameter dtype), so
    # opt.state[p]["step"].item() works; saved, loaded and stepped on, it stays one.
    torch = pytest.importorskip("torch")
    w = tg.tensor([1.0, -2.0], dtype=getattr(tg, dtype), requires_grad=True)
    tw = torch.tensor([1.0, -2.0], dtype=getattr(torch, dtype), requires_grad=True)
    opt, topt = getattr(optim, name)([w]), getattr(torch.optim, name)([tw])
    for _ in range(3):
        (w * w).sum().backward()
        (tw * tw).sum().backward()
        opt.step()
        topt.step()
    step, tstep = opt.state[w]["step"], topt.state[tw]["step"]
    assert isinstance(step, tg.Tensor) and step.shape == () and step.dtype == np.float32
    assert step.item() == tstep.item() == 3.0 and str(tstep.dtype) == "torch.float32"
    tg.save(opt.state_dict(), tmp_path / "opt")
    again = getattr(optim, name)([w])
    again.load_state_dict(tg.load(tmp_path / "opt"))
    (w * w).sum().backward()
    again.step()
    assert again.state[w]["step"].item() == 4.0 and again.state[w]["step"].dtype == np.float32
    assert opt.state[w]["step"].item() == 3.0  # the loaded state is a copy


@pytest.mark.parametrize("lib", ["tg", "torch"])
@pytest.mark.parametrize("default", ["float32", "float64"])
def test_step_count_takes_the_default_dtype_and_keeps_a_loaded_one_like_torch(lib, default, default_dtype):
    # torch makes a new 'step' in float64 when that is the default (else float32),
    # for any parameter dtype; a loaded 'step' keeps the dtype it was saved with
    L = tg if lib == "tg" else pytest.importorskip("torch")
    w = L.tensor([1.0, -2.0], dtype=L.float32, requires_grad=True)
    opt = L.optim.Adam([w])
    (w * w).sum().backward()
    opt.step()
    saved = opt.state_dict()  # its step in float32, made under default float32
    default_dtype(default)
    fresh = L.optim.Adam([w])
    (w * w).sum().backward()
    fresh.step()
    assert dtype_name(fresh.state[w]["step"].dtype) == default
    loaded = L.optim.Adam([w])
    loaded.load_state_dict(saved)
    loaded.step()
    assert dtype_name(loaded.state[w]["step"].dtype) == "float32"
    assert loaded.state[w]["step"].item() == 2.0
    default_dtype("float32")
    again = L.optim.Adam([w])
    again.load_state_dict(fresh.state_dict())
    assert dtype_name(again.state[w]["step"].dtype) == default


@pytest.mark.parametrize("name,kwargs", [("SGD", dict(lr=0.1, momentum=0.9)), ("Adam", dict(amsgrad=True)),
                                         ("AdamW", {}), ("RMSprop", dict(centered=True, momentum=0.5)),
                                         ("Adagrad", dict(lr_decay=0.01)), ("Adamax", {}),
                                         ("NAdam", dict(weight_decay=0.1)), ("RAdam", {}),
                                         ("Adadelta", {})])
def test_a_torch_optimizer_state_dict_loads_and_resumes(name: str, kwargs: dict) -> None:
    # state_dicts move across from torch: its tensors are converted (as
    # Module.load_state_dict does), and training goes on on torch's trajectory.
    torch = pytest.importorskip("torch")
    w0 = np.array([[0.5, -1.0], [2.0, 0.25]])
    tw = torch.tensor(w0, requires_grad=True)
    topt = getattr(torch.optim, name)([tw], lr=0.05, **{k: v for k, v in kwargs.items() if k != "lr"})

    def loss(lib, w):
        return ((w @ lib.tensor([1.0, -2.0], dtype=lib.float64)) ** 2).sum() + (w ** 3).sum()

    for _ in range(3):
        topt.zero_grad()
        loss(torch, tw).backward()
        topt.step()
    w = tg.tensor(tw.detach().numpy().copy(), requires_grad=True)
    opt = getattr(optim, name)([w], lr=0.05, **{k: v for k, v in kwargs.items() if k != "lr"})
    opt.load_state_dict(topt.state_dict())
    for _ in range(3):
        for o, lib, p in ((opt, tg, w), (topt, torch, tw)):
            o.zero_grad()
            loss(lib, p).backward()
            o.step()
        np.testing.assert_allclose(w.data, tw.detach().numpy(), rtol=1e-10)


def test_training_under_default_float64_matches_torch(default_dtype):
    # a script that starts with torch.set_default_dtype(torch.float64) runs in float64
    # throughout (data, parameters, gradients, Adam's state) and agrees to float64 rounding
    torch = pytest.importorskip("torch")
    default_dtype("float64")
    losses = {}
    init = None
    for L in (torch, tg):
        L.manual_seed(0)
        model = L.nn.Sequential(L.nn.Linear(2, 8), L.nn.Tanh(), L.nn.Linear(8, 1))
        if init is None:
            init = {k: v.detach().numpy().copy() for k, v in model.state_dict().items()}
        else:
            model.load_state_dict({k: L.tensor(v) for k, v in init.items()})
        x, y = L.tensor([[0.0, 0], [0, 1], [1, 0], [1, 1]]), L.tensor([[0.0], [1], [1], [0]])
        opt = L.optim.Adam(model.parameters(), lr=0.05)
        for _ in range(20):
            opt.zero_grad()
            loss = L.nn.functional.mse_loss(model(x), y)
            loss.backward()
            opt.step()
        assert dtype_name(loss.dtype) == dtype_name(model[0].weight.grad.dtype) == "float64"
        losses[L.__name__] = loss.item()
    np.testing.assert_allclose(losses["tinygrad_edu"], losses["torch"], rtol=1e-12)
