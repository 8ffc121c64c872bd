"""What PyTorch scripts meet first: the device API of a CPU-only build, ``Size``,
``Generator``, the newer functions (sort, topk, cumsum, einsum, ...), torch's
other argument names, and the ``python -m tinygrad_edu`` runner's errors.
Every op goes through ``check_op`` (NumPy, gradcheck in float64, torch)."""
from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

import tinygrad_edu as tg
from tinygrad_edu._device import NoGPUError

from conftest import HAS_TORCH, check_op, rand, requires_torch

ROOT = Path(__file__).resolve().parents[1]
LIBS = [tg] + ([pytest.importorskip("torch")] if HAS_TORCH else [])


# ---------------------------------------------------------------- ops, three ways
def _distinct(*shape, seed=0):
    """Values without ties (so the order, and with it the gradient, is defined)."""
    n = int(np.prod(shape))
    return np.random.default_rng(seed).permutation(n).reshape(shape) * 0.5 - n / 4 + 0.1


@pytest.mark.parametrize("shape, dim, descending", [
    ((5,), -1, False), ((3, 4), 1, True), ((3, 4), 0, False), ((2, 3, 4), 1, True)])
def test_sort_values_and_gradient_match_torch(shape, dim, descending):
    check_op(lambda x: x.sort(dim=dim, descending=descending).values,
             lambda x: np.flip(np.sort(x, axis=dim), axis=dim) if descending else np.sort(x, axis=dim),
             [_distinct(*shape)])


@pytest.mark.parametrize("shape, k, dim, largest", [
    ((6,), 3, -1, True), ((3, 5), 2, 1, False), ((4, 3), 4, 0, True), ((2, 3, 4), 1, 2, True)])
def test_topk_values_and_gradient_match_torch(shape, k, dim, largest):
    check_op(lambda x: x.topk(k, dim=dim, largest=largest).values, None, [_distinct(*shape)])


@requires_torch
@pytest.mark.parametrize("descending", [False, True])
def test_sort_argsort_topk_indices_match_torch_with_ties_in_stable_order(descending):
    data = [[3.0, 1.0, 3.0, 2.0, 1.0], [0.0, 0.0, 5.0, 4.0, 5.0]]

    def orders(L):
        x = L.tensor(data)
        return (x.sort(dim=1, descending=descending, stable=True).indices.tolist(),
                L.argsort(x, dim=1, descending=descending, stable=True).tolist(),
                L.sort(x, 0, descending).indices.tolist(), x.sort(1, descending).values.tolist(),
                L.topk(L.tensor(data[1][1:]), 2, largest=not descending).values.tolist())

    ours, theirs = orders(tg), orders(LIBS[1])
    assert ours == theirs
    t = tg.tensor(data).topk(2, dim=1)
    assert t.indices.dtype == np.int64 and not t.indices.requires_grad
    with pytest.raises(tg.TensorError, match="topk"):
        tg.ones(3).topk(4)


@pytest.mark.parametrize("name", ["cumsum", "cumprod"])
@pytest.mark.parametrize("shape, dim", [((5,), 0), ((3, 4), 1), ((3, 4), -2), ((2, 3, 4), 1)])
def test_cumsum_cumprod_match_torch(name, shape, dim):
    check_op(lambda x: getattr(x, name)(dim), lambda x: getattr(np, name)(x, axis=dim),
             [rand(*shape, low=0.5, high=1.5) * np.sign(rand(*shape, seed=3))])


def test_cumprod_gradient_is_exact_where_the_input_has_zeros():
    x = np.array([[2.0, 0.0, 3.0, -1.5], [0.0, 1.5, 0.0, 2.0]])
    check_op(lambda t: t.cumprod(dim=1), lambda a: np.cumprod(a, axis=1), [x])


@pytest.mark.parametrize("equation, shapes", [
    ("ij,jk->ik", [(2, 3), (3, 4)]), ("bij,bjk->bik", [(2, 2, 3), (2, 3, 2)]),
    ("i,i->", [(4,), (4,)]), ("i,j->ij", [(3,), (2,)]), ("ij->j", [(3, 4)]),
    ("ij->ji", [(2, 3)]), ("ij,kj", [(2, 3), (4, 3)]), ("ijk,k->ij", [(2, 3, 4), (4,)])])
def test_einsum_matches_torch(equation, shapes):
    inputs = [rand(*s, seed=i) for i, s in enumerate(shapes)]
    check_op(lambda *xs: tg.einsum(equation, *xs), lambda *xs: np.einsum(equation, *xs), inputs,
             torch_fn=lambda *xs: __import__("torch").einsum(equation, *xs))


def test_einsum_refuses_what_it_does_not_support_by_name():
    x = tg.ones(3, 3)
    for eq, word in [("ii->i", "diagonal"), ("...i->i", "ellipsis"), ("ij,jk->ik", "operands")]:
        with pytest.raises(tg.TensorError, match=word):
            tg.einsum(eq, x)


def test_masked_fill_tril_triu_match_torch():
    mask = rand(3, 4, seed=5) > 0
    check_op(lambda x: x.masked_fill(tg.tensor(mask), -1.5),
             lambda x: np.where(mask, -1.5, x), [rand(3, 4)],
             torch_fn=lambda x: x.masked_fill(__import__("torch").tensor(mask), -1.5))
    for d in (-1, 0, 2):
        check_op(lambda x: x.tril(d), lambda x: np.tril(x, d), [rand(2, 3, 4)])
        check_op(lambda x: tg.triu(x, diagonal=d), lambda x: np.triu(x, d), [rand(4, 3)],
                 torch_fn=lambda x: __import__("torch").triu(x, diagonal=d))
    with pytest.raises(tg.TensorError, match="tril"):
        tg.ones(3).tril()


@requires_torch
def test_normal_gives_no_gradient_to_mean_and_std_as_torch():
    import torch
    for L in LIBS:
        m, s = L.zeros(2, 3, requires_grad=True), L.ones(3, requires_grad=True)
        y = L.normal(m, s)
        assert y.requires_grad and tuple(y.shape) == (2, 3)
        y.sum().backward()
        assert m.grad.tolist() == [[0.0] * 3] * 2 and s.grad.tolist() == [0.0] * 3
    for args, kwargs in [((tg.zeros(2, 1), tg.ones(3)), {}), ((tg.zeros(4), 2.0), {}),
                         ((1.0, tg.ones(2, 2)), {}), ((0.0, 1.0), {"size": (3, 2)})]:
        targs = [torch.tensor(a.numpy()) if isinstance(a, tg.Tensor) else a for a in args]
        ours, theirs = tg.normal(*args, **kwargs), torch.normal(*targs, **kwargs)
        assert ours.shape == tuple(theirs.shape) and ours.dtype == np.float32


def test_normal_samples_have_the_asked_mean_and_std_and_refuse_a_negative_std():
    g = tg.Generator().manual_seed(0)
    y = tg.normal(tg.full((20000,), 3.0), tg.full((20000,), 2.0), generator=g)
    assert abs(y.mean().item() - 3.0) < 0.05 and abs(y.std().item() - 2.0) < 0.05
    with pytest.raises(tg.TensorError, match="std"):
        tg.normal(tg.zeros(2), tg.tensor([1.0, -1.0]))
    with pytest.raises(TypeError, match="size"):
        tg.normal(0.0, 1.0)


# ---------------------------------------------------------------- Generator, randperm
def test_a_generator_repeats_its_draws_and_leaves_the_package_stream_alone():
    tg.manual_seed(1)
    expected = tg.rand(3).tolist()
    tg.manual_seed(1)
    g = tg.Generator().manual_seed(7)
    draws = [tg.rand(2, generator=g), tg.randn(2, generator=g), tg.randint(0, 9, (4,), generator=g),
             tg.randperm(6, generator=g), tg.normal(0.0, 1.0, size=(2,), generator=g)]
    assert tg.rand(3).tolist() == expected  # the package stream did not move
    g.manual_seed(7)
    again = [tg.rand(2, generator=g), tg.randn(2, generator=g), tg.randint(0, 9, (4,), generator=g),
             tg.randperm(6, generator=g), tg.normal(0.0, 1.0, size=(2,), generator=g)]
    assert [d.tolist() for d in draws] == [a.tolist() for a in again]
    assert g.initial_seed() == 7 and isinstance(tg.Generator().manual_seed(3), tg.Generator)
    with pytest.raises(TypeError, match="Generator"):
        tg.rand(2, generator=3)


def test_randperm_is_a_permutation_of_int64_as_torch():
    for L in LIBS:
        p = L.randperm(10)
        assert sorted(p.tolist()) == list(range(10)) and str(p.dtype).endswith("int64")
        assert str(L.randperm(4, dtype=L.float32).dtype).endswith("float32")


def test_dataloader_with_a_generator_shuffles_the_same_way_twice():
    ds = tg.utils.data.TensorDataset(tg.arange(10))

    def order(seed):
        loader = tg.utils.data.DataLoader(ds, batch_size=10, shuffle=True,
                                          generator=tg.Generator().manual_seed(seed))
        return [b[0].tolist() for b in loader]

    assert order(3) == order(3) and order(3) != order(4)
    g = tg.Generator().manual_seed(5)
    loader = tg.utils.data.DataLoader(ds, batch_size=10, shuffle=True, generator=g)
    first = next(iter(loader))[0].tolist()
    g.manual_seed(5)  # reseeding the generator repeats the order, as in torch
    assert next(iter(loader))[0].tolist() == first


# ---------------------------------------------------------------- Size
def test_size_prints_as_torch_and_is_a_tuple():
    for L in LIBS:
        x = L.zeros(2, 3)
        assert repr(x.shape) == str(x.size()) == "torch.Size([2, 3])"
        assert str(L.zeros(()).shape) == "torch.Size([])"
        assert x.shape == (2, 3) and isinstance(x.shape, tuple) and x.size(1) == 3
        assert str(x.shape[1:]) == "torch.Size([3])" and x.shape[0] == 2
        assert str(x.shape + (4,)) == "torch.Size([2, 3, 4])" and x.shape.numel() == 6
    assert tg.Size([2, 3]) == (2, 3)


# ---------------------------------------------------------------- devices
def test_the_device_object_behaves_as_torch_device():
    for L in LIBS:
        d = L.device("cpu")
        assert (repr(d), str(d), d.type, d.index) == ("device(type='cpu')", "cpu", "cpu", None)
        assert repr(L.device("cpu:0")) == "device(type='cpu', index=0)" and str(L.device("cpu", 0)) == "cpu:0"
        assert d == L.device("cpu") and d != L.device("cpu:0") and len({d, L.device("cpu")}) == 1
        assert (d == "cpu") is False  # as torch: a string is not a device
        x = L.zeros(2)
        assert x.device == d and str(x.device) == "cpu" and repr(x.device) == "device(type='cpu')"
        assert L.device("cuda").type == "cuda"  # naming a GPU is fine; using one is not
        with pytest.raises(RuntimeError, match="device"):
            L.device("gpu")


def test_device_is_accepted_on_creation_and_to_with_the_cpu():
    d = tg.device("cpu")
    made = [tg.zeros(2, device=d), tg.ones(2, device="cpu"), tg.full((2,), 1.0, device="cpu:0"),
            tg.eye(2, device=d), tg.arange(3, device=d), tg.linspace(0, 1, 3, device=d),
            tg.rand(2, device=d), tg.randn(2, device=d), tg.randint(0, 3, (2,), device=d),
            tg.randperm(3, device=d), tg.tensor([1.0], device=d), tg.empty(2, device=d),
            tg.zeros_like(tg.ones(2), device=d), tg.normal(0.0, 1.0, size=(2,), device=d)]
    assert all(t.device == d for t in made)
    x = tg.ones(2, requires_grad=True)
    assert x.to(d) is x and x.to("cpu") is x and x.cpu() is x and x.to(device=d) is x
    assert x.to(d, tg.float64).dtype == np.float64
    model = tg.nn.Linear(2, 1)
    assert model.to(d) is model and model.cpu() is model and model.to(device="cpu") is model
    tg.set_default_device("cpu")
    assert tg.get_default_device() == d


@pytest.mark.parametrize("make", [
    lambda L: L.zeros(2).cuda(), lambda L: L.zeros(2).to("cuda"),
    lambda L: L.zeros(2).to(L.device("cuda:0")), lambda L: L.zeros(2, device="cuda"),
    lambda L: L.nn.Linear(2, 2).cuda(), lambda L: L.nn.Linear(2, 2).to("cuda")])
def test_a_gpu_raises_as_torch_built_without_cuda(make):
    for L in LIBS[1:]:
        with pytest.raises(AssertionError, match="CUDA"):
            make(L)
    with pytest.raises(RuntimeError, match="CUDA") as info:  # a RuntimeError and an AssertionError
        make(tg)
    assert isinstance(info.value, (NoGPUError, AssertionError)) and "CPU only" in str(info.value)


def test_no_accelerator_is_available():
    assert tg.cuda.is_available() is False and tg.cuda.device_count() == 0
    assert tg.backends.mps.is_available() is False and tg.backends.cudnn.is_available() is False
    assert tg.zeros(1).is_cuda is False
    assert tg.accelerator.is_available() is False and tg.accelerator.current_accelerator() is None
    with pytest.raises(RuntimeError, match="CPU only"):
        tg.set_default_device("cuda")
    with pytest.raises(RuntimeError, match="CPU only"):
        tg.Generator(device="mps")


# ---------------------------------------------------------------- argument names
def test_numpy_and_torch_argument_names_work_where_torch_takes_them():
    a = [[1.0, -2.0, 3.0], [4.0, 0.5, -6.0]]
    results = []
    for L in LIBS:
        x = L.tensor(a)
        results.append([
            x.sum(axis=0, keepdims=True).tolist(), L.sum(input=x, dim=1).tolist(),
            L.mean(x, axis=1).tolist(), x.argmax(axis=1).tolist(), L.argmax(x, axis=0).tolist(),
            x.max(axis=1)[0].tolist(), L.max(x, axis=0).indices.tolist(), x.std(axis=1).tolist(),
            L.matmul(input=x, other=x.T).tolist(), L.add(x, other=x, alpha=2).tolist(),
            L.maximum(x, other=x * 0).tolist(), x.cumsum(axis=1).tolist(),
            x.amax(axis=1, keepdims=True).tolist(), L.softmax(x, axis=1).tolist(),
            x[range(2)].tolist(), x[:, range(1, 3)].tolist(), L.cat([x, x], axis=1).tolist(),
            L.stack([x, x], axis=2).tolist(), x.unsqueeze(axis=0).squeeze(axis=0).tolist(),
            L.pow(x, exponent=2).tolist()])
    if len(results) == 2:
        for i, (ours, theirs) in enumerate(zip(*results)):
            np.testing.assert_allclose(ours, theirs, rtol=1e-6, err_msg=f"result {i}")
    with pytest.raises(TypeError, match="dim= and axis="):
        tg.ones(2).sum(dim=0, axis=0)


def test_indexing_with_a_range_has_the_gradient_of_a_list():
    check_op(lambda x: x[range(1, 3)], lambda x: x[[1, 2]], [rand(4, 2)])


# ---------------------------------------------------------------- inference_mode
def test_inference_mode_records_nothing_as_context_and_decorator():
    x = tg.ones(2, requires_grad=True)
    with tg.inference_mode():
        assert tg.is_inference_mode_enabled() and not (x * 2).requires_grad
    assert not tg.is_inference_mode_enabled() and (x * 2).requires_grad

    @tg.inference_mode()
    def f(t):
        return t * 2

    @tg.inference_mode
    def g(t):
        return t * 2

    assert not f(x).requires_grad and not g(x).requires_grad
    with tg.inference_mode(False):
        assert (x * 2).requires_grad


# ---------------------------------------------------------------- the runner
def _run_script(tmp_path, text, *args):
    script = tmp_path / "script.py"
    script.write_text(textwrap.dedent(text))
    return subprocess.run([sys.executable, "-m", "tinygrad_edu", str(script), *args],
                          cwd=tmp_path, capture_output=True, text=True, timeout=120,
                          env={"PYTHONPATH": str(ROOT), "OPENBLAS_NUM_THREADS": "1",
                               "PATH": "/usr/bin:/bin"})


def test_the_runner_gives_the_script_torch_argv_main_and_its_folder(tmp_path):
    (tmp_path / "helper.py").write_text("VALUE = 42\n")
    res = _run_script(tmp_path, """
        import sys
        import torch
        import torch.nn as nn
        import torch.nn.functional as F
        from torch.utils.data import DataLoader, TensorDataset
        from torch import optim
        import torch.optim.lr_scheduler
        import torch.nn.init, torch.autograd
        torch.backends.cudnn.deterministic = True
        import helper
        print(torch.__name__, torch.Tensor.__module__, nn.Linear.__module__, F.relu.__module__)
        print(DataLoader.__module__, optim.SGD.__module__, __name__, sys.argv[1:], helper.VALUE)
        print(hasattr(torch.nn, "Conv3d"), torch.zeros(2, 3).shape)
    """, "--epochs", "2")
    assert res.returncode == 0, res.stderr
    lines = res.stdout.splitlines()
    assert lines[0] == "torch tinygrad_edu.tensor tinygrad_edu.nn.layers tinygrad_edu.nn.functional"
    assert "tinygrad_edu.utils.data" in lines[1] and "__main__ ['--epochs', '2'] 42" in lines[1]
    assert lines[2] == "False torch.Size([2, 3])"


@pytest.mark.parametrize("code, error", [
    ("import torch\ntorch.nn.Conv3d(1, 1, 3)", "MissingTorchAPI: tinygrad_edu has no torch.nn.Conv3d"),
    ("import torch\ntorch.fft.fft(torch.zeros(2))", "MissingTorchAPI: tinygrad_edu has no torch.fft"),
    ("import torch\nassert not hasattr(torch, 'fft')\nprint(torch.fft)", "has no torch.fft"),
    ("import torch.distributed", "ModuleNotFoundError: tinygrad_edu has no torch.distributed"),
    ("from torch.nn import Conv3d", "ImportError: cannot import name 'Conv3d' from 'torch.nn'"),
    ("import torch\ntorch.zeros(2).cuda()", "CUDA"),
])
def test_the_runner_names_what_tinygrad_edu_lacks(tmp_path, code, error):
    res = _run_script(tmp_path, code)
    assert res.returncode == 1 and error in res.stderr, res.stderr


def test_the_runner_changes_torch_for_its_run_only():
    from tinygrad_edu._as_torch import torch_is_tinygrad_edu
    before = sys.modules.get("torch")
    with torch_is_tinygrad_edu():
        import torch
        assert torch.zeros(1).__class__ is tg.Tensor
    assert sys.modules.get("torch") is before
    # importing the package alone installs nothing: only the runner does
    assert not any(type(f).__name__ == "_TorchFinder" for f in sys.meta_path)


def test_the_runner_without_a_script_prints_its_usage():
    res = subprocess.run([sys.executable, "-m", "tinygrad_edu"], capture_output=True, text=True,
                         timeout=60, env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})
    assert res.returncode == 2 and "usage: python -m tinygrad_edu SCRIPT.py" in res.stdout


# ---------------------------------------------------------------- out=
def test_out_receives_the_result_as_torch_and_refuses_what_autograd_would_record():
    results = []
    for L in LIBS:
        a, b = L.tensor([[1.0, 2.0], [3.0, 4.0]]), L.tensor([[0.5, -1.0], [2.0, 1.0]])
        outs = [L.zeros(2, 2) for _ in range(5)]
        returned = [L.matmul(a, b, out=outs[0]), L.mul(a, b, out=outs[1]),
                    L.add(a, b, alpha=2, out=outs[2]), L.sub(a, b, out=outs[3]),
                    L.div(a, b, out=outs[4])]
        assert all(r is o for r, o in zip(returned, outs))
        results.append([o.tolist() for o in outs])
        with pytest.raises(RuntimeError, match="out="):
            L.mul(a.requires_grad_(), b, out=L.zeros(2, 2))
    assert all(r == results[0] for r in results)
    with pytest.raises(tg.TensorError, match="shape"):
        tg.add(tg.ones(2), 1.0, out=tg.zeros(3))
