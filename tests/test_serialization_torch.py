"""mg.load of checkpoints written by PyTorch's torch.save (zip format), through the allowlist unpickler.

The files in tests/data/torch/ were written by PyTorch 2.13 (benchmarks/torch_reference/make_checkpoints.py
shows how); torch is not needed here. Hostile archives are built with zipfile and pickle.
"""

import io
import os
import pickle
import zipfile
from collections import OrderedDict
from pathlib import Path

import numpy as np
import pytest

import minigrad as mg
import minigrad.nn as nn

DATA = Path(__file__).parent / "data" / "torch"


def base(dtype=np.float32):
    return (np.arange(12, dtype=np.float64).reshape(3, 4) / 4).astype(dtype)


@pytest.fixture(scope="module")
def tensors():
    return mg.load(DATA / "tensors.pt")


@pytest.mark.parametrize("key,dtype,expected", [
    ("f32", mg.float32, base()), ("f64", mg.float64, base(np.float64)), ("f16", mg.float16, base(np.float16)),
    ("bf16", mg.float32, base()),  # minigrad has no bfloat16: widened exactly to float32
    ("i64", mg.int64, np.arange(-3, 3)), ("i32", mg.int32, np.arange(4)), ("i16", mg.int16, np.arange(3)),
    ("i8", mg.int8, [-128, 0, 127]), ("u8", mg.uint8, [0, 255]), ("bool", mg.bool, [True, False, True]),
    ("scalar", mg.float32, 7.5), ("empty", mg.float32, np.zeros((0, 3))),
    ("transposed", mg.float32, base().T), ("strided", mg.float32, base()[1:, ::2]),
    ("column", mg.float32, base()[:, 1]), ("same", mg.float32, base()),
])
def test_tensor_values_dtypes_and_views(tensors, key, dtype, expected):
    t = tensors[key]
    assert type(t) is mg.Tensor and t.dtype == dtype and not t.requires_grad
    expected = np.asarray(expected)
    assert t.shape == expected.shape
    np.testing.assert_array_equal(t.numpy(), expected)


def test_views_are_copies_and_the_same_view_is_one_tensor(tensors):
    assert tensors["f32"] is tensors["same"]  # identical view of one storage, as tied weights are saved
    tensors["transposed"].numpy()[0, 0] = 99.0  # a copy: the base is untouched
    assert tensors["f32"].numpy()[0, 0] == 0.0


def test_parameters_and_requires_grad(tensors):
    assert type(tensors["param"]) is nn.Parameter and tensors["param"].requires_grad
    assert type(tensors["frozen"]) is nn.Parameter and not tensors["frozen"].requires_grad
    assert type(tensors["grad"]) is mg.Tensor and tensors["grad"].requires_grad and tensors["grad"].is_leaf


def test_plain_values_and_containers(tensors):
    assert tensors["numbers"] == [1, -2.5, 3 + 4j, True, None, "text", b"\x00\xffbytes"]
    assert tensors["tuple"] == (1, (2, 3)) and tensors["set"] == {1, 2} and tensors["big"] == 2 ** 70
    assert tensors["dtype"] is mg.float16 and tensors["size"] == (2, 3) and tensors["device"] == "cpu"
    nested = tensors["nested"]
    assert type(nested) is OrderedDict and nested["a"]["b"][0].tolist() == [1.0, 2.0]


def test_a_pytorch_state_dict_runs_in_the_same_minigrad_model():
    ckpt = mg.load(DATA / "model.pt")
    assert type(ckpt["model"]) is OrderedDict and ckpt["epoch"] == 3
    net = nn.Sequential(nn.Linear(4, 3), nn.BatchNorm1d(3), nn.ReLU(), nn.Linear(3, 2))
    net.load_state_dict(ckpt["model"])
    net.eval()
    np.testing.assert_allclose(net(ckpt["x"]).detach().numpy(), ckpt["y"].numpy(), rtol=1e-6, atol=1e-6)
    assert net[1].num_batches_tracked.item() == 1


def test_tied_weights_come_back_as_one_tensor():
    sd = mg.load(DATA / "tied.pt")
    assert list(sd) == ["emb.weight", "head.weight"] and sd["emb.weight"] is sd["head.weight"]


def test_a_bare_tensor_from_a_file_object_and_map_location():
    with open(DATA / "tensor.pt", "rb") as f:
        t = mg.load(f, map_location="cpu")
    np.testing.assert_array_equal(t.numpy(), base())


def test_a_non_seekable_stream_is_read():
    class Stream(io.RawIOBase):
        def __init__(self, data):
            self.data = io.BytesIO(data)

        def readable(self):
            return True

        def readinto(self, b):
            return self.data.readinto(b)
    t = mg.load(Stream((DATA / "tensor.pt").read_bytes()))
    np.testing.assert_array_equal(t.numpy(), base())


def test_legacy_pytorch_file_is_refused_with_the_way_out():
    with pytest.raises(ValueError, match=r"legacy PyTorch file.*re-save it"):
        mg.load(DATA / "legacy.pt")


def test_saving_a_module_still_says_to_save_its_state_dict():
    with pytest.raises(TypeError, match=r"save its \.state_dict\(\) instead"):
        mg.save(nn.Linear(2, 2), io.BytesIO())


# --- hostile archives ----------------------------------------------------------------------------------
def archive(pkl, members=None, prefix="archive/", compress=zipfile.ZIP_STORED):
    """A torch.save-shaped zip around the pickle bytes ``pkl``."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=compress) as z:
        z.writestr(prefix + "data.pkl", pkl)
        z.writestr(prefix + "byteorder", "little")
        for name, data in (members or {}).items():
            z.writestr(prefix + name, data)
        z.writestr(prefix + "version", "3\n")
    return buf.getvalue()


class Global:
    """Pickles as a reference to ``module.name`` called with ``args``."""

    def __init__(self, module, name, *args):
        self.module, self.name, self.args = module, name, args

    def __reduce__(self):
        fn = type("f", (), {"__module__": self.module, "__qualname__": self.name})
        return fn, self.args


def global_pickle(module, name, *args):
    """A protocol-2 pickle calling ``module.name(*args)`` (GLOBAL + REDUCE), written by hand."""
    body = pickle.dumps(args, protocol=2)[2:-1]  # the args tuple without PROTO and STOP
    return b"\x80\x02c" + f"{module}\n{name}\n".encode() + body + b"R."


@pytest.mark.parametrize("module,name,args", [
    ("os", "system", ("touch {marker}",)),
    ("posix", "system", ("touch {marker}",)),
    ("builtins", "eval", ("open({marker!r}, 'w')",)),
    ("builtins", "exec", ("open({marker!r}, 'w')",)),
    ("__builtin__", "eval", ("open({marker!r}, 'w')",)),
    ("subprocess", "call", (["touch", "{marker}"],)),
    ("builtins", "getattr", ("x", "upper")),
    ("torch", "load", ("{marker}",)),
    ("numpy.core.multiarray", "_reconstruct", ()),
    ("collections", "Counter", ()),
    ("torch.serialization", "_get_layout", ("torch.strided",)),
])
def test_globals_outside_the_allowlist_are_never_called(tmp_path, module, name, args):
    marker = str(tmp_path / "pwned")
    args = tuple(a.format(marker=marker) if isinstance(a, str) else [x.format(marker=marker) for x in a]
                 if isinstance(a, list) else a for a in args)
    path = tmp_path / "evil.pt"
    path.write_bytes(archive(global_pickle(module, name, *args)))
    refused = rf"mg.load\(.*evil.pt'\): PyTorch checkpoint refused: the pickle asks for {module}.{name},"
    with pytest.raises(ValueError, match=refused + " which is not on the allowlist"):
        mg.load(path)
    assert not os.path.exists(marker)


def storage_pid(kind="FloatStorage", key="0", numel=3):
    return b"(X\x07\x00\x00\x00storagectorch\n" + kind.encode() + b"\nX" + len(key).to_bytes(4, "little") + \
        key.encode() + b"X\x03\x00\x00\x00cpuK" + bytes([numel]) + b"tQ"


def rebuild(pid, offset=b"K\x00", size=b"K\x03\x85", stride=b"K\x01\x85"):
    return (b"\x80\x02ctorch._utils\n_rebuild_tensor_v2\n(" + pid + offset + size + stride +
            b"\x89ccollections\nOrderedDict\n)RtR.")


FLOATS = np.arange(3, dtype="<f4").tobytes()


def test_the_hand_built_tensor_pickle_loads():
    t = mg.load(io.BytesIO(archive(rebuild(storage_pid()), {"data/0": FLOATS})))
    assert t.tolist() == [0.0, 1.0, 2.0]


@pytest.mark.parametrize("blob,message", [
    (archive(rebuild(storage_pid(key="9")), {"data/0": FLOATS}), "no member 'archive/data/9'"),
    (archive(rebuild(storage_pid(numel=9)), {"data/0": FLOATS}), "less than its 9 elements"),
    (archive(rebuild(storage_pid(), offset=b"K\x02"), {"data/0": FLOATS}), "past the end"),
    (archive(rebuild(storage_pid(), size=b"K\x02K\x02\x86", stride=b"K\x01\x85"), {"data/0": FLOATS}),
     "malformed layout"),
    (archive(rebuild(storage_pid(kind="ComplexFloatStorage")), {"data/0": FLOATS}), "ComplexFloatStorage"),
    (archive(rebuild(b"X\x01\x00\x00\x00xQ"), {"data/0": FLOATS}), "unknown persistent id"),
    (archive(rebuild(storage_pid()), {"data/0": FLOATS}, compress=zipfile.ZIP_DEFLATED), "compressed"),
    (archive(rebuild(storage_pid()), {"data/0": FLOATS}, prefix="a/b/"), "no single <folder>/data.pkl"),
    # a 2**40-element broadcast of a 3-element storage: refused, never materialised
    (archive(rebuild(storage_pid(), size=b"\x8a\x06\x00\x00\x00\x00\x00\x01\x85", stride=b"K\x00\x85"),
             {"data/0": FLOATS}), "expand to more than"),
    (archive(b"\x80\x02" + b"]" * (3 << 20) + b"."), "would build about"),
    (archive(b"\x80\x02ctorch\nbfloat16\n."), "torch.bfloat16, which minigrad does not have"),
    (archive(b"\x80\x02ctorch._utils\n_rebuild_tensor_v2\n."), "a type or function itself"),
    (archive(b"\x80\x02(X\x04\x00\x00\x00trueios\nsystem\n."), "os.system"),  # INST opcode
    (archive(b"\x80\x02cbuiltins\nobject\n)\x81."), "builtins.object"),  # NEWOBJ
    (archive(b"\x80\x02ccollections\nOrderedDict\n)R}X\x01\x00\x00\x00a\x88sb."), None),  # harmless BUILD
    (archive(b"\x80\x02" + b"\x80\x02(" * 10 + b"."), "damaged pickle"),
    (b"PK\x03\x04" + b"\0" * 100, "damaged zip"),
])
def test_malformed_archives_are_refused_clearly(blob, message):
    if message is None:
        mg.load(io.BytesIO(blob))
        return
    with pytest.raises(ValueError, match=r"mg.load\('BytesIO'\): PyTorch checkpoint refused: .*" + message):
        mg.load(io.BytesIO(blob))


def test_a_tensor_subclass_state_is_refused():
    pkl = rebuild(storage_pid())[:-1]  # without STOP: the tensor on the stack
    pkl += b"}X\x01\x00\x00\x00aK\x01sb."  # BUILD with a state dict
    with pytest.raises(ValueError, match="sets attributes on a tensor"):
        mg.load(io.BytesIO(archive(pkl, {"data/0": FLOATS})))


def test_a_torchscript_archive_is_named():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("m/constants.pkl", b"")
        z.writestr("m/code/m.py", b"")
    with pytest.raises(ValueError, match="TorchScript"):
        mg.load(io.BytesIO(buf.getvalue()))
