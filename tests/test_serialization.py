"""tg.save / tg.load: .npz without pickle, atomic writes, clear errors on bad files."""
from __future__ import annotations

import ast
import os
import shutil
import stat
import subprocess
import sys
import zipfile
from collections import OrderedDict
from pathlib import Path

import numpy as np
import pytest

import tinygrad_edu as tg
from tinygrad_edu import nn, optim


def make_model() -> nn.Module:
    tg.manual_seed(0)
    return nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2))


def assert_same_tensors(a: dict, b: dict) -> None:
    assert list(a) == list(b)
    for k in a:
        assert isinstance(b[k], tg.Tensor), k
        assert b[k].dtype == a[k].dtype and b[k].shape == a[k].shape, k
        np.testing.assert_array_equal(b[k].data, a[k].data, err_msg=k)


def test_module_state_dict_round_trip(tmp_path: Path) -> None:
    model = make_model()
    path = tmp_path / "model.npz"
    tg.save(model.state_dict(), path)
    loaded = tg.load(path)
    assert isinstance(loaded, OrderedDict)
    assert list(loaded) == ["0.weight", "0.bias", "2.weight", "2.bias"]
    assert_same_tensors(model.state_dict(), loaded)
    other = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2))
    other.load_state_dict(tg.load(path))
    x = tg.randn(3, 4)
    np.testing.assert_array_equal(other(x).data, model(x).data)


def test_file_is_plain_npz_without_pickle(tmp_path: Path) -> None:
    model = make_model()
    path = tmp_path / "model.npz"
    tg.save(model.state_dict(), path)
    with np.load(path, allow_pickle=False) as npz:
        assert "0.weight" in npz.files
        np.testing.assert_array_equal(npz["0.weight"], model[0].weight.data)
        assert all(npz[name].dtype != object for name in npz.files)
    with zipfile.ZipFile(path) as z:
        assert all(name.endswith(".npy") for name in z.namelist())


def test_optimizer_state_dict_round_trip(tmp_path: Path) -> None:
    model = make_model()
    opt = optim.Adam([{"params": list(model[0].parameters())},
                      {"params": list(model[2].parameters()), "lr": 0.1}], amsgrad=True)
    x, y = tg.randn(5, 4), tg.randn(5, 2)
    for _ in range(3):
        opt.zero_grad()
        ((model(x) - y) ** 2).mean().backward()
        opt.step()
    sd = opt.state_dict()
    tg.save(sd, tmp_path / "opt.npz")
    loaded = tg.load(tmp_path / "opt.npz")
    assert loaded["param_groups"] == sd["param_groups"]  # numbers, tuples, bools, lists
    assert isinstance(loaded["param_groups"][0]["betas"], tuple)
    assert sorted(loaded["state"]) == [0, 1, 2, 3]  # int keys stay ints
    for i, s in sd["state"].items():
        assert loaded["state"][i]["step"] == s["step"] == 3
        assert_same_tensors({k: v for k, v in s.items() if k != "step"},
                            {k: v for k, v in loaded["state"][i].items() if k != "step"})


def test_nested_plain_objects_round_trip(tmp_path: Path) -> None:
    obj = {
        "weights": {"a": tg.tensor([1.0, 2.0]), "b": tg.tensor([[1, 2]]),
                    "mask": tg.tensor([True, False])},
        "raw": np.arange(6, dtype=np.int32).reshape(2, 3),
        "lr": 0.5, "epoch": 7, "name": "run/1", "none": None, "flag": True,
        "nan": float("nan"), "inf": float("-inf"), "np_number": np.float32(1.5),
        3: [1, (2, 3.0), {"x": []}], (1, "a"): "tuple key",
        "scalar": tg.tensor(2.5, dtype=tg.float64),
        "trainable": tg.tensor([1.0], requires_grad=True),
    }
    path = tmp_path / "obj"
    tg.save(obj, path)
    out = tg.load(path)
    assert list(out) == list(obj)
    assert_same_tensors(obj["weights"], out["weights"])
    assert isinstance(out["raw"], np.ndarray) and out["raw"].dtype == np.int32
    np.testing.assert_array_equal(out["raw"], obj["raw"])
    assert (out["lr"], out["epoch"], out["name"], out["none"], out["flag"]) == (
        0.5, 7, "run/1", None, True)
    assert np.isnan(out["nan"]) and out["inf"] == float("-inf") and out["np_number"] == 1.5
    assert out[3] == [1, (2, 3.0), {"x": []}] and out[(1, "a")] == "tuple key"
    assert out["scalar"].shape == () and out["scalar"].item() == 2.5
    assert out["trainable"].requires_grad and not out["scalar"].requires_grad


def test_path_is_written_exactly_as_given(tmp_path: Path) -> None:
    for name in ("ckpt.pt", "no_suffix", "model.npz"):
        tg.save({"w": tg.ones(2)}, str(tmp_path / name))
        assert (tmp_path / name).exists()
    assert sorted(os.listdir(tmp_path)) == ["ckpt.pt", "model.npz", "no_suffix"]


def test_unsupported_objects_raise_type_error(tmp_path: Path) -> None:
    with pytest.raises(TypeError, match="can't save a object"):
        tg.save({"bad": object()}, tmp_path / "x")
    with pytest.raises(TypeError, match="dtype"):
        tg.save({"strings": np.array(["a", "b"])}, tmp_path / "x")
    with pytest.raises(TypeError, match="state_dict"):
        tg.save(make_model(), tmp_path / "x")
    assert not (tmp_path / "x").exists()
    assert os.listdir(tmp_path) == []


# ---------------------------------------------------------------- atomic write
def test_crash_in_replace_leaves_old_file_intact(tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "model.npz"
    tg.save({"w": tg.tensor([1.0, 2.0])}, path)
    old = path.read_bytes()

    def crash(*args: object) -> None:
        raise OSError("simulated crash before the rename")

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(OSError, match="simulated"):
        tg.save({"w": tg.tensor([3.0, 4.0, 5.0])}, path)
    assert path.read_bytes() == old
    assert os.listdir(tmp_path) == ["model.npz"]  # no temporary file left behind
    monkeypatch.undo()
    assert tg.load(path)["w"].tolist() == [1.0, 2.0]


def test_crash_mid_write_leaves_old_file_intact(tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "model.npz"
    tg.save({"w": tg.tensor([1.0, 2.0])}, path)
    old = path.read_bytes()
    real_savez = np.savez

    def half_write(file: object, **arrays: object) -> None:
        file.write(b"PK\x03\x04 half an archive")  # type: ignore[attr-defined]
        raise KeyboardInterrupt

    monkeypatch.setattr(np, "savez", half_write)
    with pytest.raises(KeyboardInterrupt):
        tg.save({"w": tg.tensor([3.0, 4.0, 5.0])}, path)
    monkeypatch.setattr(np, "savez", real_savez)
    assert path.read_bytes() == old
    assert os.listdir(tmp_path) == ["model.npz"]


def test_overwrite_replaces_the_file(tmp_path: Path) -> None:
    path = tmp_path / "m.npz"
    tg.save({"w": tg.tensor([1.0])}, path)
    tg.save({"w": tg.tensor([2.0]), "b": tg.tensor([3.0])}, path)
    assert {k: v.tolist() for k, v in tg.load(path).items()} == {"w": [2.0], "b": [3.0]}


# ---------------------------------------------------------------- bad files
def _good_file(tmp_path: Path) -> Path:
    path = tmp_path / "good.npz"
    tg.save(make_model().state_dict(), path)
    return path


@pytest.mark.parametrize("keep", [0.9, 0.5, 0.1, 10])
def test_truncated_file_raises_naming_the_path(tmp_path: Path, keep: float) -> None:
    data = _good_file(tmp_path).read_bytes()
    bad = tmp_path / "truncated.npz"
    bad.write_bytes(data[:int(len(data) * keep)] if keep < 1 else data[:int(keep)])
    with pytest.raises(ValueError, match="truncated.npz"):
        tg.load(bad)


def test_corrupt_bytes_raise(tmp_path: Path) -> None:
    data = bytearray(_good_file(tmp_path).read_bytes())
    for i in range(100, len(data) - 200, 7):
        data[i] ^= 0xFF  # flip bits across the stored arrays and headers
    bad = tmp_path / "corrupt.npz"
    bad.write_bytes(bytes(data))
    with pytest.raises(ValueError, match="corrupt.npz"):
        tg.load(bad)


def test_one_flipped_bit_in_the_data_raises(tmp_path: Path) -> None:
    path = tmp_path / "bitrot.npz"
    tg.save({"w": tg.zeros(1000)}, path)
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 1  # inside w's 4000 bytes: caught by the zip CRC
    path.write_bytes(bytes(data))
    with pytest.raises(ValueError, match="bitrot.npz.*corrupt"):
        tg.load(path)


def test_foreign_files_raise_naming_the_path(tmp_path: Path) -> None:
    text = tmp_path / "notes.txt"
    text.write_text("hello, not an archive")
    plain_npz = tmp_path / "plain.npz"
    np.savez(plain_npz, a=np.ones(3))
    npy = tmp_path / "array.npy"
    np.save(npy, np.ones(3))
    empty = tmp_path / "empty.npz"
    empty.write_bytes(b"")
    other_zip = tmp_path / "other.zip"
    with zipfile.ZipFile(other_zip, "w") as z:
        z.writestr("readme.txt", "just a zip")
    for path in (text, plain_npz, npy, empty, other_zip):
        with pytest.raises(ValueError, match=path.name) as info:
            tg.load(path)
        assert "tinygrad_edu" in str(info.value) or "corrupt" in str(info.value)


def test_wrong_structure_record_raises(tmp_path: Path) -> None:
    path = tmp_path / "forged.npz"
    np.savez(path, __tinygrad_edu__=np.frombuffer(b'{"format": "other"}', dtype=np.uint8))
    with pytest.raises(ValueError, match="forged.npz"):
        tg.load(path)
    np.savez(path, __tinygrad_edu__=np.frombuffer(b"{not json", dtype=np.uint8))
    with pytest.raises(ValueError, match="forged.npz"):
        tg.load(path)


def test_missing_file() -> None:
    with pytest.raises(FileNotFoundError, match="nowhere.npz"):
        tg.load("/nonexistent/dir/nowhere.npz")


def _current_umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def test_save_gives_the_usual_mode_without_touching_the_umask(tmp_path, monkeypatch):
    """os.umask is process-wide (another thread could create files under the
    wrong mask meanwhile), so saving must not set it, even for a moment."""
    expected = 0o666 & ~_current_umask()
    path = tmp_path / "model.npz"

    def no_umask(mask):
        raise AssertionError("tg.save changed the process umask")
    monkeypatch.setattr(os, "umask", no_umask)
    tg.save({"w": tg.ones(2)}, path)
    assert os.stat(path).st_mode & 0o777 == expected
    os.chmod(path, 0o640)  # an existing file keeps its mode, as open(path, "wb") would
    tg.save({"w": tg.zeros(2)}, path)
    assert os.stat(path).st_mode & 0o777 == 0o640
    assert not [p for p in os.listdir(tmp_path) if p != "model.npz"]  # no temp file left
    np.testing.assert_array_equal(tg.load(path)["w"].data, [0, 0])


@pytest.mark.parametrize("kwargs", [{"map_location": "cpu"}, {"map_location": None},
                                    {"weights_only": True}, {"weights_only": False},
                                    {"map_location": "cpu", "weights_only": True}])
def test_load_takes_torchs_keyword_arguments(tmp_path: Path, kwargs: dict) -> None:
    # torch.load(path, map_location="cpu", weights_only=True) is how checkpoints
    # are loaded; here everything is on the CPU and nothing in a file is run.
    model = make_model()
    tg.save(model.state_dict(), tmp_path / "m.pt")
    assert_same_tensors(model.state_dict(), tg.load(tmp_path / "m.pt", **kwargs))


def test_save_and_load_a_file_object(tmp_path: Path) -> None:
    import io
    model = make_model()
    buffer = io.BytesIO()
    tg.save(model.state_dict(), buffer)
    buffer.seek(0)
    assert_same_tensors(model.state_dict(), tg.load(buffer))
    with open(tmp_path / "m.pt", "wb") as f:
        tg.save({"epoch": 3, "w": tg.ones(2)}, f)
    with open(tmp_path / "m.pt", "rb") as f:
        loaded = tg.load(f)
    assert loaded["epoch"] == 3 and loaded["w"].tolist() == [1.0, 1.0]
    with pytest.raises(ValueError, match="not a tinygrad_edu save file"):
        tg.load(io.BytesIO(b"garbage"))


def test_parameters_come_back_as_parameters_like_torch(tmp_path: Path) -> None:
    # torch.load gives back an nn.Parameter for a saved Parameter (as in a
    # state_dict(keep_vars=True)), and a plain tensor for a plain tensor.
    model = make_model()
    model[2].bias.requires_grad_(False)
    tg.save({"sd": model.state_dict(keep_vars=True), "t": tg.ones(2, requires_grad=True)},
            tmp_path / "p.pt")
    loaded = tg.load(tmp_path / "p.pt")
    assert all(isinstance(v, nn.Parameter) for v in loaded["sd"].values())
    assert [v.requires_grad for v in loaded["sd"].values()] == [True, True, True, False]
    assert type(loaded["t"]) is tg.Tensor and loaded["t"].requires_grad
    assert_same_tensors(model.state_dict(), loaded["sd"])


# ---------------------------------------------------------------- hardening: keys
ROOT = Path(__file__).resolve().parents[1]
NASTY_KEYS = ["allow_pickle", "file", "args", "kwds", "a\x00b", "\x00", "k" * 70_000,
              "\ud800", "lone \udfff surrogate", "x/y", "__tinygrad_edu__", "", "~0", "0.w~1",
              "caf\u00e9", "\U0001f600", "\ud800\udc00", "a.npy", "."]


def test_any_string_key_round_trips(tmp_path: Path) -> None:
    # each of these keys once made np.savez write a file tg.load rejects, or raise
    # TypeError / struct.error / UnicodeEncodeError; the real keys now live in the JSON
    path = tmp_path / "keys.npz"
    tg.save({"w": tg.ones(2)}, path)
    obj = {k: tg.tensor([float(i)]) for i, k in enumerate(NASTY_KEYS)}
    obj["nested"] = {k: np.arange(i) for i, k in enumerate(NASTY_KEYS)}
    tg.save(obj, path)
    out = tg.load(path)
    assert list(out) == list(obj) and list(out["nested"]) == NASTY_KEYS
    for i, k in enumerate(NASTY_KEYS):
        assert out[k].tolist() == [float(i)] and out["nested"][k].tolist() == list(range(i))
    with zipfile.ZipFile(path) as z:  # plain names stay readable, the others are ~i
        names = z.namelist()
    assert "allow_pickle.npy" not in names and "file.npy" not in names
    assert "nested.caf\u00e9.npy" not in names and "nested.0.w~1.npy" not in names
    assert max(len(n) for n in names) <= 104


def _nested(depth: int) -> list:
    obj: list = []
    for _ in range(depth):
        obj = [obj]
    return obj


@pytest.mark.parametrize("bad", [
    {"deep": _nested(950)},                     # was RecursionError
    {"w": tg.ones(2), "bad": object()},         # refused after w was encoded
    {frozenset([1]): tg.ones(2)},               # a key that can't be saved
    {(1, tg.ones(1)): 1},                       # a tensor inside a tuple key
    {"s": np.array(["a"])},                     # a dtype that can't be saved
    {"r": np.zeros(2, dtype=[("a", "f4")])},    # a structured dtype
])
def test_refused_objects_leave_the_old_file_untouched(tmp_path: Path, bad: dict) -> None:
    path = tmp_path / "model.npz"
    tg.save({"w": tg.tensor([1.0, 2.0])}, path)
    old = path.read_bytes()
    with pytest.raises((TypeError, ValueError), match="tg.save"):
        tg.save(bad, path)
    assert path.read_bytes() == old and os.listdir(tmp_path) == ["model.npz"]


def test_nesting_up_to_the_limit_round_trips(tmp_path: Path) -> None:
    tg.save({"deep": _nested(99)}, tmp_path / "d.npz")
    assert tg.load(tmp_path / "d.npz") == {"deep": _nested(99)}
    with pytest.raises(ValueError, match="nested more than 100 deep"):
        tg.save({"deep": _nested(101)}, tmp_path / "d.npz")


# ---------------------------------------------------------------- hardening: paths
def test_symlink_is_written_through_like_torch(tmp_path: Path) -> None:
    target, link = tmp_path / "real.npz", tmp_path / "link.npz"
    tg.save({"w": tg.ones(2)}, target)
    link.symlink_to("real.npz")  # a relative link, as users make them
    tg.save({"w": tg.zeros(3)}, link)
    assert link.is_symlink() and os.readlink(link) == "real.npz"
    assert tg.load(target)["w"].tolist() == [0.0, 0.0, 0.0]
    assert sorted(os.listdir(tmp_path)) == ["link.npz", "real.npz"]
    torch = pytest.importorskip("torch")  # torch.save opens the path: the same outcome
    torch.save(torch.ones(1), link)
    assert link.is_symlink() and torch.load(target).tolist() == [1.0]


def test_dangling_symlink_creates_its_target(tmp_path: Path) -> None:
    link = tmp_path / "link.npz"
    link.symlink_to(tmp_path / "new.npz")
    tg.save({"w": tg.ones(1)}, link)
    assert link.is_symlink() and tg.load(tmp_path / "new.npz")["w"].tolist() == [1.0]


def test_fifo_device_and_directory_are_refused(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    with pytest.raises(ValueError, match="pipe is a FIFO"):
        tg.save({"w": tg.ones(1)}, fifo)
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    link = tmp_path / "to_pipe"
    link.symlink_to(fifo)
    with pytest.raises(ValueError, match="FIFO"):
        tg.save({"w": tg.ones(1)}, link)
    with pytest.raises(IsADirectoryError, match="tg.save"):
        tg.save({"w": tg.ones(1)}, tmp_path)
    assert sorted(os.listdir(tmp_path)) == ["pipe", "to_pipe"]


def test_device_file_is_refused(tmp_path: Path) -> None:
    null = tmp_path / "null"  # a /dev/null of our own: the real one is never at risk
    try:
        os.mknod(null, 0o666 | stat.S_IFCHR, os.makedev(1, 3))
    except (PermissionError, AttributeError):
        pytest.skip("making a device file needs root")
    with pytest.raises(ValueError, match="character device"):
        tg.save({"w": tg.ones(1)}, null)
    assert stat.S_ISCHR(os.lstat(null).st_mode) and os.listdir(tmp_path) == ["null"]


def test_empty_path_is_refused_before_anything_is_written(tmp_path, monkeypatch) -> None:
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    for path in ("", "sub/", str(tmp_path / "missing" / "m.npz")):
        with pytest.raises(FileNotFoundError, match="tg.save"):
            tg.save({"w": tg.ones(1)}, path)
    assert os.listdir(tmp_path) == ["work"] and os.listdir(work) == []


READ_ONLY_CHILD = """
import sys
import tinygrad_edu as tg
path, outcome = sys.argv[1], []
for attempt in sys.argv[2:]:
    try:
        open(path, "wb") if attempt == "open" else tg.save({"w": tg.zeros(2)}, path)
        outcome.append("written")
    except PermissionError as e:
        outcome.append("PermissionError: " + str(e))
print(outcome)
"""


def run_unprivileged(path: Path, *attempts: str) -> list[str]:
    """Try ``open(path, "wb")`` / ``tg.save`` in a child that can't override file
    permissions: as root, one without CAP_DAC_OVERRIDE (setpriv), as open() sees it."""
    drop: list[str] = []
    if os.geteuid() == 0:
        if shutil.which("setpriv") is None:
            pytest.skip("running as root, and setpriv (to drop CAP_DAC_OVERRIDE) is missing")
        drop = ["setpriv", "--bounding-set=-dac_override", "--inh-caps=-dac_override", "--"]
    proc = subprocess.run(drop + [sys.executable, "-c", READ_ONLY_CHILD, str(path), *attempts],
                          text=True, capture_output=True, env=_child_env(), timeout=60)
    assert proc.returncode == 0, proc.stderr
    return ast.literal_eval(proc.stdout)


def test_read_only_file_is_refused_like_open(tmp_path: Path) -> None:
    path = tmp_path / "ro.npz"
    tg.save({"w": tg.ones(2)}, path)
    os.chmod(path, 0o444)
    old = path.read_bytes()
    opened, saved = run_unprivileged(path, "open", "save")
    assert opened.startswith("PermissionError") and "ro.npz" in saved
    assert saved.startswith("PermissionError: [Errno 13] tg.save: permission denied")
    assert path.read_bytes() == old and os.listdir(tmp_path) == ["ro.npz"]
    assert os.stat(path).st_mode & 0o777 == 0o444


def test_read_only_folder_is_reported(tmp_path: Path) -> None:
    folder = tmp_path / "ro"
    folder.mkdir()
    tg.save({"w": tg.ones(2)}, folder / "m.npz")
    old = (folder / "m.npz").read_bytes()
    os.chmod(folder, 0o555)
    try:
        [saved] = run_unprivileged(folder / "m.npz", "save")
    finally:
        os.chmod(folder, 0o755)
    assert saved.startswith("PermissionError: [Errno 13] tg.save: permission denied: the "
                            f"folder {folder} is read-only")
    assert (folder / "m.npz").read_bytes() == old and os.listdir(folder) == ["m.npz"]


@pytest.mark.parametrize("mode", [0o600, 0o640, 0o755, 0o444])
def test_replaced_file_keeps_its_mode(tmp_path: Path, mode: int) -> None:
    if mode == 0o444 and os.geteuid() != 0:
        pytest.skip("only root may write a read-only file (as with open)")
    path = tmp_path / "m.npz"
    tg.save({"w": tg.ones(2)}, path)
    os.chmod(path, mode)
    tg.save({"w": tg.zeros(2)}, path)  # as root, 0o444 is written, as open() would
    assert os.stat(path).st_mode & 0o777 == mode
    assert tg.load(path)["w"].tolist() == [0.0, 0.0]


def _child_env() -> dict:
    return dict(os.environ, PYTHONPATH=str(ROOT), OPENBLAS_NUM_THREADS="1")


KILLED_WRITER = """
import sys, time
import numpy as np
import tinygrad_edu as tg

def stall(file, **arrays):  # write part of the archive, then hang until killed
    file.write(b"PK\\x03\\x04 a large save, half written")
    file.flush()
    print("writing", flush=True)
    time.sleep(120)

np.savez = stall
tg.save({"w": tg.ones(3)}, sys.argv[1])
"""


def test_temp_file_of_a_killed_save_is_removed_by_the_next_save(tmp_path: Path) -> None:
    path = tmp_path / "model.npz"
    tg.save({"w": tg.ones(1)}, path)
    child = subprocess.Popen([sys.executable, "-c", KILLED_WRITER, str(path)],
                             stdout=subprocess.PIPE, env=_child_env())
    try:
        assert child.stdout.readline() == b"writing\n"
        temps = [n for n in os.listdir(tmp_path) if n != "model.npz"]
        assert len(temps) == 1 and f".tmp-{child.pid}-" in temps[0]
        tg.save({"w": tg.ones(1)}, tmp_path / "other.npz")  # its writer runs: it stays
        assert temps[0] in os.listdir(tmp_path)
    finally:
        child.kill()  # SIGKILL: no cleanup runs in the child
        child.wait()
        child.stdout.close()
    assert temps[0] in os.listdir(tmp_path)  # left behind by the kill -9
    tg.save({"w": tg.zeros(1)}, tmp_path / "other.npz")  # any save to the folder
    assert sorted(os.listdir(tmp_path)) == ["model.npz", "other.npz"]
    assert tg.load(path)["w"].tolist() == [1.0]


def test_only_temp_files_of_dead_writers_are_removed(tmp_path: Path) -> None:
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()  # its pid now names no process
    stale = f".m.npz.tmp-{dead.pid}-0123abcd"
    keep = [f".notes.tmp-{dead.pid}-zzzzzzzz", f"model.tmp-{dead.pid}-0123abcd",
            ".x.tmp-abc-0123abcd", f".y.tmp-{dead.pid}-0123abc",
            ".z.tmp-1-0123abcd"]  # pid 1 runs: its writer is alive
    for name in keep + [stale]:
        (tmp_path / name).write_text("mine")
    (tmp_path / f".d.tmp-{dead.pid}-0123abcd").mkdir()  # a folder is never removed
    keep.append(f".d.tmp-{dead.pid}-0123abcd")
    tg.save({"w": tg.ones(1)}, tmp_path / "m.npz")
    assert sorted(os.listdir(tmp_path)) == sorted(keep + ["m.npz"])


# ---------------------------------------------------------------- hardening: sharing
def test_shared_tensors_stay_shared_like_torch(tmp_path: Path) -> None:
    w = tg.tensor([[1.0, 2.0], [3.0, 4.0]])
    p = nn.Parameter(tg.zeros(3))
    base = np.arange(10, dtype=np.float64)
    obj = {"enc": w, "dec": w,                          # the same Tensor twice
           "row": tg.Tensor(w.data[1]),                 # a Tensor viewing w's memory
           "params": [p, p], "p_data": p.data,          # a Parameter and its array
           "base": base, "odd": base[1::2], "rev": base[::-1], "bytes": base.view(np.uint8)}
    tg.save(obj, tmp_path / "shared.npz")
    out = tg.load(tmp_path / "shared.npz")
    for k in ("row", "p_data", "base", "odd", "rev", "bytes"):
        got, want = (np.asarray(out[k].data if k == "row" else out[k]),
                     np.asarray(obj[k].data if k == "row" else obj[k]))
        assert got.dtype == want.dtype and got.tolist() == want.tolist(), k
    assert out["enc"] is out["dec"] and out["params"][0] is out["params"][1]
    assert isinstance(out["params"][0], nn.Parameter) and out["params"][0].requires_grad
    assert np.shares_memory(out["row"].data, out["enc"].data)
    assert np.shares_memory(out["p_data"], out["params"][0].data)
    out["base"][3] = -1.0  # tied: a change through one shows through the others
    assert out["odd"][1] == -1.0 and out["rev"][6] == -1.0
    assert out["bytes"].view(np.float64)[3] == -1.0
    with np.load(tmp_path / "shared.npz", allow_pickle=False) as npz:
        assert len(npz.files) == 4  # w, p, base: each buffer once, and the JSON
    torch = pytest.importorskip("torch")  # torch keeps both kinds of sharing too
    t = torch.arange(4.0)
    torch.save({"a": t, "b": t, "v": t[1:]}, tmp_path / "t.pt")
    tout = torch.load(tmp_path / "t.pt")
    assert tout["a"] is tout["b"]
    assert tout["v"].untyped_storage().data_ptr() == tout["a"].untyped_storage().data_ptr()
