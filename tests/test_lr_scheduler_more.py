"""The schedules added to ``optim/lr_scheduler.py`` against torch's, step for step:
learning rates (and OneCycleLR's momentum) over many steps with two param groups,
explicit epochs, resuming, state_dict keys and round trips, and argument errors."""
from __future__ import annotations

import warnings

import numpy as np
import pytest

import tinygrad_edu as tg
from tinygrad_edu import optim
from tinygrad_edu.optim import lr_scheduler


class Halving:
    """A callable object as lr_lambda (its attributes go in the state_dict)."""

    def __init__(self) -> None:
        self.rate = 0.5

    def __call__(self, epoch: int) -> float:
        return self.rate ** (epoch // 3)


SCHEDULES = [
    ("LambdaLR", lambda: dict(lr_lambda=lambda e: 1 / (1 + e))),
    ("LambdaLR", lambda: dict(lr_lambda=[lambda e: 0.9 ** e, Halving()])),
    ("MultiplicativeLR", lambda: dict(lr_lambda=lambda e: 0.95)),
    ("MultiStepLR", lambda: dict(milestones=[3, 8, 8, 20], gamma=0.5)),
    ("ConstantLR", lambda: dict()),
    ("ConstantLR", lambda: dict(factor=0.5, total_iters=10)),
    ("LinearLR", lambda: dict()),
    ("LinearLR", lambda: dict(start_factor=0.1, end_factor=0.6, total_iters=12)),
    ("CosineAnnealingWarmRestarts", lambda: dict(T_0=5)),
    ("CosineAnnealingWarmRestarts", lambda: dict(T_0=3, T_mult=2, eta_min=0.01)),
    ("OneCycleLR", lambda: dict(max_lr=1.0, total_steps=40)),
    ("OneCycleLR", lambda: dict(max_lr=[0.5, 2.0], epochs=4, steps_per_epoch=10,
                                anneal_strategy="linear", three_phase=True)),
    ("OneCycleLR", lambda: dict(max_lr=0.3, total_steps=40, pct_start=0.5, div_factor=5.0,
                                final_div_factor=100.0, cycle_momentum=False)),
    ("PolynomialLR", lambda: dict()),
    ("PolynomialLR", lambda: dict(total_iters=20, power=2.0)),
]
IDS = [f"{n}-{i}" for i, (n, _) in enumerate(SCHEDULES)]


def _pair(name, kwargs, opt_name="SGD", opt_kwargs=None):
    torch = pytest.importorskip("torch")
    opt_kwargs = opt_kwargs or {"lr": 0.1, "momentum": 0.9}
    w, v = tg.zeros(2, requires_grad=True), tg.zeros(1, requires_grad=True)
    tw, tv = torch.zeros(2, requires_grad=True), torch.zeros(1, requires_grad=True)
    opt = getattr(optim, opt_name)([{"params": [w]}, {"params": [v], "lr": 0.3}], **opt_kwargs)
    topt = getattr(torch.optim, opt_name)([{"params": [tw]}, {"params": [tv], "lr": 0.3}], **opt_kwargs)
    return (opt, getattr(lr_scheduler, name)(opt, **kwargs()),
            topt, getattr(torch.optim.lr_scheduler, name)(topt, **kwargs()))


def _same(opt, sched, topt, tsched, what):
    np.testing.assert_allclose(sched.get_last_lr(), tsched.get_last_lr(), rtol=1e-12, atol=1e-15,
                               err_msg=what)
    assert sched.last_epoch == tsched.last_epoch, what
    for key in ("momentum", "betas"):
        if key in topt.param_groups[0]:
            np.testing.assert_allclose([g[key] for g in opt.param_groups],
                                       [g[key] for g in topt.param_groups], rtol=1e-12, err_msg=what)


@pytest.mark.parametrize("name, kwargs", SCHEDULES, ids=IDS)
def test_schedule_matches_torch_step_for_step(name, kwargs):
    opt, sched, topt, tsched = _pair(name, kwargs)
    _same(opt, sched, topt, tsched, "after construction")
    for step in range(39):
        opt.step()
        topt.step()
        sched.step()
        tsched.step()
        _same(opt, sched, topt, tsched, f"step {step + 1}")
        assert [g["lr"] for g in opt.param_groups] == sched.get_last_lr()


@pytest.mark.parametrize("name, kwargs", [c for c in SCHEDULES if c[0] != "OneCycleLR"],
                         ids=[i for i, c in zip(IDS, SCHEDULES) if c[0] != "OneCycleLR"])
def test_explicit_epochs_match_torch(name, kwargs):
    opt, sched, topt, tsched = _pair(name, kwargs)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # (torch's: epoch= is deprecated)
        for epoch in (4, 9, 2, 15, 30):
            sched.step(epoch)
            tsched.step(epoch)
            _same(opt, sched, topt, tsched, f"epoch {epoch}")


def test_warm_restarts_with_fractional_epochs_as_torch():
    opt, sched, topt, tsched = _pair("CosineAnnealingWarmRestarts", lambda: dict(T_0=4, T_mult=2))
    for epoch in range(12):
        for i in range(5):
            sched.step(epoch + i / 5)
            tsched.step(epoch + i / 5)
            _same(opt, sched, topt, tsched, f"epoch {epoch + i / 5}")


def test_one_cycle_cycles_adams_beta1_as_torch():
    opt, sched, topt, tsched = _pair("OneCycleLR", lambda: dict(max_lr=0.01, total_steps=20),
                                     "Adam", {"lr": 0.001})
    for step in range(20):
        _same(opt, sched, topt, tsched, f"step {step}")
        opt.step()
        topt.step()
        sched.step()
        tsched.step()
    with pytest.raises(ValueError, match="Tried to step 21 times"):
        sched.step()


@pytest.mark.parametrize("kwargs", [dict(), dict(mode="max", patience=2, factor=0.5, cooldown=2),
                                    dict(patience=0, threshold=0.1, threshold_mode="abs",
                                         min_lr=[0.05, 0.2]),
                                    dict(patience=1, eps=0.05, factor=0.9, min_lr=0.02)])
def test_reduce_on_plateau_matches_torch(kwargs):
    torch = pytest.importorskip("torch")
    opt, sched, topt, tsched = _pair("ReduceLROnPlateau", lambda: kwargs)
    rng = np.random.default_rng(0)
    metrics = np.concatenate([np.linspace(1, 0.5, 10), 0.5 + 0.01 * rng.standard_normal(60)])
    for i, m in enumerate(metrics):
        sched.step(tg.tensor(m) if i % 2 else m)
        tsched.step(torch.tensor(m) if i % 2 else m)
        _same(opt, sched, topt, tsched, f"epoch {i + 1}")
        assert sched.num_bad_epochs == tsched.num_bad_epochs and sched.best == tsched.best


@pytest.mark.parametrize("name, kwargs", SCHEDULES + [("ReduceLROnPlateau", lambda: dict())],
                         ids=IDS + ["ReduceLROnPlateau"])
def test_state_dict_has_torchs_keys_and_round_trips(name, kwargs):
    opt, sched, topt, tsched = _pair(name, kwargs)
    for _ in range(7):
        opt.step()
        sched.step(1.0) if name == "ReduceLROnPlateau" else sched.step()
    sd = sched.state_dict()
    # (every key torch keeps, but its private flags for warnings and compile)
    torch_keys = {k for k in tsched.state_dict() if not k.startswith(("_get_lr_called", "_initial"))}
    assert torch_keys - set(sd) <= {"_is_initial"} and "optimizer" not in sd
    opt2, sched2, _, _ = _pair(name, kwargs)
    opt2.load_state_dict(opt.state_dict())
    sched2.load_state_dict(sd)
    for _ in range(8):
        for s in (sched, sched2):
            s.step(1.0) if name == "ReduceLROnPlateau" else s.step()
        assert sched2.get_last_lr() == sched.get_last_lr()


def test_lambda_state_dict_keeps_callable_objects_only():
    opt = optim.SGD([{"params": [tg.zeros(1, requires_grad=True)]},
                     {"params": [tg.zeros(1, requires_grad=True)]}], lr=1.0)
    half = Halving()
    sched = lr_scheduler.LambdaLR(opt, [lambda e: 1.0, half])
    assert sched.state_dict()["lr_lambdas"] == [None, {"rate": 0.5}]
    half.rate = 0.1
    sched.load_state_dict({**sched.state_dict(), "lr_lambdas": [None, {"rate": 0.25}]})
    assert half.rate == 0.25


BAD = [
    (lambda opt: lr_scheduler.LambdaLR(opt, [lambda e: 1.0] * 3), ValueError, "Expected 2 lr_lambdas, but got 3"),
    (lambda opt: lr_scheduler.ConstantLR(opt, factor=1.5), ValueError, "between 0 and 1"),
    (lambda opt: lr_scheduler.LinearLR(opt, start_factor=0), ValueError, "Starting multiplicative factor"),
    (lambda opt: lr_scheduler.CosineAnnealingWarmRestarts(opt, T_0=0), ValueError, "T_0"),
    (lambda opt: lr_scheduler.CosineAnnealingWarmRestarts(opt, T_0=2, T_mult=1.5), ValueError, "T_mult"),
    (lambda opt: lr_scheduler.OneCycleLR(opt, 1.0), ValueError, "either total_steps OR"),
    (lambda opt: lr_scheduler.OneCycleLR(opt, 1.0, total_steps=10, pct_start=1.5), ValueError, "pct_start"),
    (lambda opt: lr_scheduler.OneCycleLR(opt, 1.0, total_steps=10, anneal_strategy="exp"), ValueError,
     "anneal_strategy"),
    (lambda opt: lr_scheduler.ReduceLROnPlateau(opt, factor=1.0), ValueError, "Factor should be < 1.0"),
    (lambda opt: lr_scheduler.ReduceLROnPlateau(opt, mode="avg"), ValueError, "mode avg is unknown"),
    (lambda opt: lr_scheduler.ReduceLROnPlateau(opt, min_lr=[0.1]), ValueError, "Expected 2 min_lrs"),
    (lambda opt: lr_scheduler.MultiStepLR(object(), [1]), TypeError, "is not an Optimizer"),
]


@pytest.mark.parametrize("make, kind, match", BAD, ids=[m for _, _, m in BAD])
def test_bad_arguments_raise(make, kind, match):
    opt = optim.SGD([{"params": [tg.zeros(1, requires_grad=True)]},
                     {"params": [tg.zeros(1, requires_grad=True)]}], lr=1.0, momentum=0.9)
    with pytest.raises(kind, match=match):
        make(opt)


def test_one_cycle_needs_momentum_when_cycling_it():
    opt = optim.Adagrad([tg.zeros(1, requires_grad=True)], lr=1.0)
    with pytest.raises(ValueError, match="optimizer must support momentum"):
        lr_scheduler.OneCycleLR(opt, 1.0, total_steps=10)


def _combined(L, kind, opt):
    """A warm-up then a decay (SequentialLR), or both at once (ChainedScheduler)."""
    S = L.optim.lr_scheduler
    if kind == "sequential":
        return S.SequentialLR(opt, [S.LinearLR(opt, start_factor=0.1, total_iters=4),
                                    S.CosineAnnealingLR(opt, T_max=10),
                                    S.ExponentialLR(opt, gamma=0.9)], milestones=[4, 15])
    if kind == "sequential-step-milestone":
        return S.SequentialLR(opt, [S.ConstantLR(opt, factor=0.5, total_iters=3),
                                    S.StepLR(opt, step_size=2, gamma=0.5)], milestones=[3])
    return S.ChainedScheduler([S.ConstantLR(opt, factor=0.2, total_iters=3), S.ExponentialLR(opt, gamma=0.9)])


@pytest.mark.parametrize("kind", ["sequential", "sequential-step-milestone", "chained"])
def test_combined_schedules_match_torch(kind):
    torch = pytest.importorskip("torch")
    opts, scheds = [], []
    for L in (tg, torch):
        w, v = L.zeros(2, requires_grad=True), L.zeros(1, requires_grad=True)
        opt = L.optim.SGD([{"params": [w]}, {"params": [v], "lr": 0.3}], lr=0.1)
        opts.append(opt)
        scheds.append(_combined(L, kind, opt))
    (opt, sched), (topt, tsched) = zip(opts, scheds)
    np.testing.assert_allclose(sched.get_last_lr(), tsched.get_last_lr(), rtol=1e-12)
    for step in range(25):
        opt.step()
        topt.step()
        sched.step()
        tsched.step()
        np.testing.assert_allclose(sched.get_last_lr(), tsched.get_last_lr(), rtol=1e-12, atol=1e-15,
                                   err_msg=f"step {step + 1}")
        assert [g["lr"] for g in opt.param_groups] == sched.get_last_lr()
    sd = sched.state_dict()
    assert {k for k in tsched.state_dict() if not k.startswith("_get_lr")} - set(sd) <= {"_is_initial"}
    assert len(sd["_schedulers"]) == len(tsched.state_dict()["_schedulers"])


def test_combined_schedules_check_their_arguments():
    opt = optim.SGD([tg.zeros(1, requires_grad=True)], lr=1.0)
    other = optim.SGD([tg.zeros(1, requires_grad=True)], lr=1.0)
    a = lr_scheduler.ExponentialLR(opt, 0.9)
    with pytest.raises(ValueError, match="one more than the number of milestone points"):
        lr_scheduler.SequentialLR(opt, [a], milestones=[3])
    with pytest.raises(ValueError, match="same optimizer"):
        lr_scheduler.ChainedScheduler([a, lr_scheduler.ExponentialLR(other, 0.9)])
    with pytest.raises(ValueError, match="does not support `ReduceLROnPlateau`"):
        lr_scheduler.SequentialLR(opt, [a, lr_scheduler.ReduceLROnPlateau(opt)], milestones=[2])
    with pytest.raises(ValueError, match="at least one scheduler"):
        lr_scheduler.ChainedScheduler([])
