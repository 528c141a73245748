"""Hostile and damaged checkpoints, special files and killed saves.

A seeded fuzz run throws truncations, byte flips, header bombs, duplicate fields, odd dtypes and
shapes (safetensors) and truncations, flips and hostile pickles (PyTorch's zip format) at
``mg.load``. Every case must end, within a time bound, in either a correct load or a ValueError
that names the file; no payload may run (each would create a marker file).
"""

import errno
import io
import json
import os
import random
import signal
import struct
import subprocess
import sys
import threading
import time
import tracemalloc
import zipfile
from pathlib import Path

import pytest

import minigrad as mg

DATA = Path(__file__).parent / "data" / "torch"
SEED = 20261207


def header_file(header, data=b""):
    text = json.dumps(header).encode() if not isinstance(header, bytes) else header
    return struct.pack("<Q", len(text)) + text + data


def structure_file(structure):
    return header_file({"__metadata__": {"minigrad.structure": structure}})


def entry(dtype="F32", shape=(2,), offsets=(0, 8)):
    return {"dtype": dtype, "shape": list(shape) if isinstance(shape, tuple) else shape,
            "data_offsets": list(offsets) if isinstance(offsets, tuple) else offsets}


def good_safetensors():
    buf = io.BytesIO()
    obj = {"w": mg.arange(6.0).reshape(2, 3), "b": mg.zeros(2, dtype=mg.int64), "k": {1: "x", "y": [1.5]}}
    mg.save(obj, buf)
    return buf.getvalue()


def torch_zip(pkl, members=(), compress=zipfile.ZIP_STORED):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=compress) as z:
        z.writestr("archive/data.pkl", pkl)
        for name, data in members:
            z.writestr("archive/" + name, data)
    return buf.getvalue()


def cases(marker):
    """(kind, bytes) pairs, the same on every run."""
    rng = random.Random(SEED)
    out = []
    safe, torch_file = good_safetensors(), (DATA / "model.pt").read_bytes()
    for kind, blob in (("safetensors", safe), ("torch", torch_file)):
        for cut in sorted(rng.sample(range(len(blob)), 60)):
            out.append((f"{kind} truncated at {cut}", blob[:cut]))
        for _ in range(120):
            flipped = bytearray(blob)
            for _ in range(rng.choice([1, 1, 2, 8])):
                flipped[rng.randrange(len(blob))] = rng.randrange(256)
            out.append((f"{kind} byte flips", bytes(flipped)))
    # header bombs: each would cost gigabytes if parsed into Python objects
    empty_tensor = b'"t%07d":{"dtype":"F32","shape":[0],"data_offsets":[0,0]}'
    out += [("96 MB header of empty lists", header_file(b'{"a":[' + b"[]," * (32 << 20) + b'[]]}')),
            ("74 MB of empty tensors",
             header_file(b"{" + b",".join(empty_tensor % i for i in range(1_200_000)) + b"}")),
            ("structure of 2M empty dicts", structure_file("[" + ",".join(["{}"] * (2 << 20)) + "]")),
            ("header length 2**63", struct.pack("<Q", 2 ** 63) + b"{}"),
            ("header length past the end", struct.pack("<Q", 10 ** 6) + b"{}"),
            ("deep JSON", header_file(b"[" * 100_000 + b"]" * 100_000)),
            ("deep structure", structure_file("[" * 50_000 + "]" * 50_000))]
    # duplicate fields, at every level
    a, b = json.dumps(entry()).encode(), json.dumps(entry(offsets=(8, 16))).encode()
    out += [("duplicate tensor", header_file(b'{"a":' + a + b',"a":' + b + b"}", b"\0" * 16)),
            ("duplicate field", header_file(b'{"a":{"dtype":"F32","dtype":"I32","shape":[2],'
                                            b'"data_offsets":[0,8]}}', b"\0" * 8)),
            ("duplicate metadata", header_file(b'{"__metadata__":{"k":"1","k":"2"}}')),
            ("duplicate structure key", structure_file('{"__tuple__":[],"__tuple__":[1]}'))]
    for dtype in (["F32"], {"F32": 1}, 5, None, True, "f32", "BF16", "F8_E4M3", "C64", "", "F32 ", "U64"):
        out.append((f"dtype {dtype!r}", header_file({"a": entry(dtype=dtype)}, b"\0" * 8)))
    for shape in ([2 ** 63], [2 ** 62, 2 ** 62], [0, 2 ** 70], [1] * 65, [-1], [1.5], "2", [[2]], [True],
                  None, [2, 2 ** 64], [0] * 100, {"a": 1}):
        out.append((f"shape {str(shape)[:20]}", header_file({"a": entry(shape=shape)}, b"\0" * 8)))
    for offsets in ([0, 2 ** 64], [-8, 0], [8, 0], [0], [0, 8, 16], ["0", "8"], [0.0, 8.0], None, [0, 7]):
        out.append((f"offsets {offsets}", header_file({"a": entry(offsets=offsets)}, b"\0" * 8)))
    # hostile pickles in the zip path: each payload would create ``marker``
    touch = f"touch {marker}"
    for module, name in (("os", "system"), ("posix", "system"), ("subprocess", "getoutput"),
                         ("builtins", "eval"), ("builtins", "exec"), ("__builtin__", "eval"),
                         ("pty", "spawn"), ("torch", "load"),
                         ("pickle", "loads"), ("importlib", "import_module"), ("runpy", "run_path"),
                         ("shutil", "rmtree"), ("webbrowser", "open"), ("code", "interact")):
        arg = f"__import__('os').system({touch!r})" if name in ("eval", "exec") else touch
        pkl = b"\x80\x02c" + f"{module}\n{name}\n".encode() + pickle_str(arg) + b"\x85R."
        out.append((f"pickle calls {module}.{name}", torch_zip(pkl)))
        out.append((f"pickle INSTs {module}.{name}", torch_zip(b"\x80\x02(" + pickle_str(arg) + b"i"
                                                              + f"{module}\n{name}\n.".encode())))
        out.append((f"pickle NEWOBJs {module}.{name}", torch_zip(b"\x80\x02c" + f"{module}\n{name}\n".encode()
                                                                 + b")\x81.")))
    out += [("pickle of 3M empty lists", torch_zip(b"\x80\x02" + b"]" * (3 << 20) + b".")),
            ("pickle of a 2**40 broadcast", torch_zip(
                b"\x80\x02ctorch._utils\n_rebuild_tensor_v2\n((X\x07\x00\x00\x00storagectorch\nFloatStorage\n"
                b"X\x01\x00\x00\x000X\x03\x00\x00\x00cpuK\x01tQK\x00\x8a\x06\x00\x00\x00\x00\x00\x01\x85K\x00\x85"
                b"\x89ccollections\nOrderedDict\n)RtR.", [("data/0", b"\0" * 4)])),
            ("compressed zip bomb", torch_zip(b"\x80\x02]." + b" " * (50 << 20), (), zipfile.ZIP_DEFLATED)),
            ("legacy torch pickle", b"\x80\x02\x8a\x0al\xfc\x9cF\xf9 j\xa8P\x19.")]
    return out


def pickle_str(text):
    data = text.encode()
    return b"X" + struct.pack("<I", len(data)) + data


@pytest.fixture(scope="module")
def fuzz_report(tmp_path_factory):
    marker = tmp_path_factory.mktemp("fuzz") / "payload-ran"
    report = {"cases": 0, "clear errors": 0, "loaded": 0, "unclear": [], "slow": [], "worst s": 0.0,
              "worst MiB": 0.0}
    all_cases = cases(marker)
    tracemalloc.start()
    try:
        for kind, blob in all_cases:
            report["cases"] += 1
            tracemalloc.reset_peak()
            before = tracemalloc.get_traced_memory()[0]
            start = time.perf_counter()
            try:
                mg.load(io.BytesIO(blob))
                report["loaded"] += 1
            except ValueError as e:
                if str(e).startswith("mg.load('BytesIO'): "):
                    report["clear errors"] += 1
                else:
                    report["unclear"].append((kind, f"ValueError: {e}"[:200]))
            except Exception as e:  # noqa: BLE001 - the point is to catch whatever escapes
                report["unclear"].append((kind, f"{type(e).__name__}: {e}"[:200]))
            seconds = time.perf_counter() - start
            peak = tracemalloc.get_traced_memory()[1] - before
            report["worst s"] = max(report["worst s"], seconds)
            report["worst MiB"] = max(report["worst MiB"], peak / 2 ** 20)
            if seconds > 5 or peak > 64 * 2 ** 20 + 2 * len(blob):
                report["slow"].append((kind, f"{seconds:.1f} s, peak {peak / 2 ** 20:.0f} MiB for "
                                             f"{len(blob) / 2 ** 20:.1f} MiB"))
    finally:
        tracemalloc.stop()
    report["payload ran"] = marker.exists()
    print(f"\ncheckpoint fuzz: {report['cases']} cases, {report['clear errors']} clear ValueErrors, "
          f"{report['loaded']} loaded (byte flips that stay valid), worst {report['worst s']:.2f} s and "
          f"{report['worst MiB']:.0f} MiB")
    return report


@pytest.mark.slow
def test_fuzz_every_case_ends_in_a_load_or_a_clear_error(fuzz_report):
    assert fuzz_report["cases"] >= 400
    assert not fuzz_report["unclear"], fuzz_report["unclear"]
    assert fuzz_report["clear errors"] >= 0.8 * fuzz_report["cases"]


@pytest.mark.slow
def test_fuzz_work_is_bounded_by_the_file(fuzz_report):
    assert not fuzz_report["slow"], fuzz_report["slow"]


@pytest.mark.slow
def test_fuzz_no_payload_ever_runs(fuzz_report):
    assert not fuzz_report["payload ran"]


# --- what is read: only regular files, never blocking ----------------------------------------------------
@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs")
def test_a_fifo_is_refused_without_blocking(tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    result = {}
    thread = threading.Thread(target=lambda: result.update(error=_error_of(lambda: mg.load(fifo))),
                              daemon=True)
    thread.start()
    thread.join(5)
    assert not thread.is_alive(), "mg.load blocked on a FIFO"
    assert isinstance(result["error"], ValueError) and "FIFO" in str(result["error"]) and str(fifo) in str(
        result["error"])


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="no /dev/zero")
def test_dev_zero_is_refused_at_once():
    with pytest.raises(ValueError, match=r"mg.load\('/dev/zero'\): a device; checkpoints are read from"):
        mg.load("/dev/zero")


def test_a_directory_is_refused(tmp_path):
    with pytest.raises(IsADirectoryError, match="is a directory"):
        mg.load(tmp_path)


def test_text_mode_files_and_string_io_are_refused_clearly(tmp_path):
    with pytest.raises(TypeError, match="text mode.*'rb'"):
        mg.load(io.StringIO("abc"))
    mg.save({"a": 1}, tmp_path / "f")
    with open(tmp_path / "f") as f, pytest.raises(TypeError, match="text mode"):
        mg.load(f)
    with pytest.raises(TypeError, match="text mode.*'wb'"):
        mg.save({"a": 1}, io.StringIO())


def test_errors_name_the_path_the_user_gave(tmp_path):
    bad = tmp_path / "bad.safetensors"
    bad.write_bytes(b"\x08\0\0\0\0\0\0\0{\"a\":1}")
    with pytest.raises(ValueError, match=r"mg.load\('.*bad.safetensors'\)"):
        mg.load(bad)
    with pytest.raises(FileNotFoundError, match=r"mg.save could not write '.*missing/ckpt'") as info:
        mg.save({}, tmp_path / "missing" / "ckpt")
    assert ".tmp" not in str(info.value)


def test_a_full_disk_names_the_checkpoint_not_the_temporary_file(tmp_path, monkeypatch):
    def full(fd):
        raise OSError(errno.ENOSPC, "No space left on device")
    monkeypatch.setattr(os, "fsync", full)
    with pytest.raises(OSError, match=r"mg.save could not write '.*ckpt': No space left") as info:
        mg.save({"w": mg.ones(3)}, tmp_path / "ckpt")
    assert info.value.errno == errno.ENOSPC and ".tmp" not in str(info.value)
    monkeypatch.undo()
    assert os.listdir(tmp_path) == []


def test_duplicate_fields_are_rejected_naming_them():
    blob = header_file(b'{"a":{"dtype":"F32","shape":[2],"dtype":"I32","data_offsets":[0,8]}}', b"\0" * 8)
    with pytest.raises(ValueError, match="duplicate key 'dtype'"):
        mg.load(io.BytesIO(blob))


def test_a_list_dtype_is_a_value_error():
    with pytest.raises(ValueError, match=r"unknown dtype \['F32'\] for tensor 'a'"):
        mg.load(io.BytesIO(header_file({"a": entry(dtype=["F32"])}, b"\0" * 8)))


@pytest.mark.parametrize("shape", [[0, 2 ** 70], [1] * 65, [0, 2 ** 62]])
def test_absurd_shapes_name_the_tensor(shape):
    with pytest.raises(ValueError, match="tensor 'a' has an impossible shape"):
        mg.load(io.BytesIO(header_file({"a": entry(shape=shape, offsets=(0, 0))})))


# --- saving: symlinks, killed saves ----------------------------------------------------------------------
def test_saving_through_a_symlink_writes_its_target(tmp_path):
    target = tmp_path / "real" / "ckpt"
    target.parent.mkdir()
    mg.save({"v": 1}, target)
    link = tmp_path / "latest"
    link.symlink_to(target)
    mg.save({"v": 2}, link)
    assert link.is_symlink() and mg.load(target) == {"v": 2} and mg.load(link) == {"v": 2}
    assert os.listdir(target.parent) == ["ckpt"]


def test_stale_temporary_files_of_dead_writers_are_removed_by_the_next_save(tmp_path):
    from minigrad.serialization import _temp_prefix
    path = tmp_path / "ckpt"
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True,
                          text=True).stdout.strip()
    prefix = _temp_prefix(str(path))
    stale = tmp_path / f"{prefix}{dead}.abc123.tmp"
    alive = tmp_path / f"{prefix}1.abc123.tmp"  # pid 1 is alive: a save in progress elsewhere
    other = tmp_path / f".other.{prefix.split('.')[2]}.{dead}.x.tmp"  # another checkpoint's
    for p in (stale, alive, other):
        p.write_bytes(b"partial")
    mg.save({"v": 1}, path)
    assert sorted(os.listdir(tmp_path)) == sorted(["ckpt", alive.name, other.name])


KILLED_SAVER = """
import sys, minigrad as mg
path, version = sys.argv[1], int(sys.argv[2])
w = mg.full((6_000_000,), float(version))  # 24 MB: a save takes long enough to be killed inside it
print("ready", flush=True)
while True:
    mg.save({"version": version, "w": w}, path)
"""


@pytest.mark.slow
def test_kill_9_during_saves_leaves_a_loadable_file_and_no_pile_of_temporaries(tmp_path):
    path = tmp_path / "ckpt"
    env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parents[1]))
    mg.save({"version": 0, "w": mg.zeros(1)}, path)
    rng = random.Random(SEED)
    kills = 12
    for version in range(1, kills + 1):
        proc = subprocess.Popen([sys.executable, "-c", KILLED_SAVER, str(path), str(version)], env=env,
                                stdout=subprocess.PIPE, text=True)
        assert proc.stdout.readline().strip() == "ready"
        time.sleep(rng.uniform(0.0, 0.4))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        proc.stdout.close()
        loaded = mg.load(path)
        assert loaded["version"] in range(version + 1)  # the old file or a new one, never torn
        assert loaded["w"].numpy().min() == loaded["w"].numpy().max() == float(loaded["version"]) or \
            loaded["version"] == 0
        temps = [n for n in os.listdir(tmp_path) if n.endswith(".tmp")]
        assert len(temps) <= 1, temps  # each save removed the temporary file of the one killed before
    mg.save({"version": "final"}, path)
    assert os.listdir(tmp_path) == ["ckpt"]


def _error_of(call):
    try:
        call()
    except Exception as e:  # noqa: BLE001
        return e
    return None
