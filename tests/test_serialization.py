"""mg.save / mg.load: round trips, the safetensors layout, atomic writes, and hostile files."""

import io
import json
import math
import os
import pickle
import struct
from collections import OrderedDict

import numpy as np
import pytest

import minigrad as mg
import minigrad.nn as nn


def host(t):
    return t.detach().cpu().numpy()


def small_net():
    return nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4), nn.ReLU(), nn.Linear(4, 2))


def raw_file(header, data=b"", length=None):
    text = json.dumps(header).encode()
    return struct.pack("<Q", len(text) if length is None else length) + text + data


def load_bytes(blob, **kw):
    return mg.load(io.BytesIO(blob), **kw)


# --- round trips --------------------------------------------------------------------------------------
def test_module_state_dict_round_trip_through_file(tmp_path):
    mg.manual_seed(0)
    net = small_net()
    net(mg.randn(8, 3))  # move the running statistics
    mg.save(net.state_dict(), tmp_path / "net.safetensors")
    other = small_net()
    other.load_state_dict(mg.load(tmp_path / "net.safetensors"))
    net.eval(), other.eval()
    x = mg.randn(5, 3)
    np.testing.assert_array_equal(host(net(x)), host(other(x)))
    assert other[1].num_batches_tracked.item() == 1


def test_loaded_state_dict_keeps_key_order_and_type(tmp_path):
    sd = small_net().state_dict()
    mg.save(sd, tmp_path / "a")
    out = mg.load(tmp_path / "a")
    assert isinstance(out, OrderedDict) and list(out) == list(sd)


def test_optimizer_like_state_round_trips_with_int_keys(tmp_path):
    state = {"state": {0: {"step": mg.tensor(3.0), "exp_avg": mg.ones(2, 2)}, 5: {"momentum_buffer": None}},
             "param_groups": [{"lr": 1e-3, "betas": (0.9, 0.999), "eps": 1e-8, "amsgrad": False,
                               "params": [0, 5], "name": "body", "maximize": None}]}
    mg.save(state, tmp_path / "opt")
    out = mg.load(tmp_path / "opt")
    assert set(out["state"]) == {0, 5}
    assert out["state"][0]["step"].item() == 3.0
    assert host(out["state"][0]["exp_avg"]).tolist() == [[1.0, 1.0], [1.0, 1.0]]
    assert out["state"][5] == {"momentum_buffer": None}
    assert out["param_groups"] == [{"lr": 1e-3, "betas": (0.9, 0.999), "eps": 1e-8, "amsgrad": False,
                                    "params": [0, 5], "name": "body", "maximize": None}]


def test_special_values_round_trip():
    buf = io.BytesIO()
    mg.save({"nan": math.nan, "inf": -math.inf, "big": 2 ** 70, "t": (1, [2, (3,)]), 1.5: "float key",
             "f": np.float32(0.25), "i": np.int64(7), "dtype": mg.float64}, buf)
    out = load_bytes(buf.getvalue())
    assert math.isnan(out["nan"]) and out["inf"] == -math.inf and out["big"] == 2 ** 70
    assert out["t"] == (1, [2, (3,)]) and out[1.5] == "float key"
    assert out["f"] == 0.25 and out["i"] == 7 and out["dtype"] is mg.float64


@pytest.mark.parametrize("dtype", [mg.float16, mg.float32, mg.float64, mg.int32, mg.int64, mg.uint8, mg.bool])
def test_dtypes_preserved(dtype):
    t = mg.tensor([[0, 1, 1], [1, 0, 1]]).to(dtype)
    buf = io.BytesIO()
    mg.save({"t": t}, buf)
    out = load_bytes(buf.getvalue())["t"]
    assert out.dtype == dtype and host(out).tolist() == host(t).tolist()


def test_zero_dim_and_empty_tensors():
    buf = io.BytesIO()
    mg.save([mg.tensor(2.5), mg.zeros(0, 3)], buf)
    a, b = load_bytes(buf.getvalue())
    assert a.shape == () and a.item() == 2.5 and b.shape == (0, 3)


def test_numpy_arrays_come_back_as_numpy():
    buf = io.BytesIO()
    mg.save({"a": np.arange(4, dtype=np.int16)}, buf)
    out = load_bytes(buf.getvalue())["a"]
    assert isinstance(out, np.ndarray) and out.dtype == np.int16 and out.tolist() == [0, 1, 2, 3]


def test_shared_storage_is_written_once_and_stays_shared():
    lin = nn.Linear(2, 2)
    tied = nn.Sequential(lin, nn.Linear(2, 2))
    tied[1].weight = lin.weight
    sd = tied.state_dict()
    buf = io.BytesIO()
    mg.save({"a": sd["0.weight"], "b": sd["0.weight"]}, buf)
    header = json.loads(buf.getvalue()[8:8 + struct.unpack("<Q", buf.getvalue()[:8])[0]])
    assert [k for k in header if k != "__metadata__"] == ["a"]
    out = load_bytes(buf.getvalue())
    assert out["a"] is out["b"]


def test_requires_grad_flag_round_trips():
    buf = io.BytesIO()
    mg.save({"p": nn.Parameter(mg.ones(2)), "c": mg.ones(2)}, buf)
    out = load_bytes(buf.getvalue())
    assert out["p"].requires_grad and not out["c"].requires_grad


def test_loads_to_cpu_by_default_from_other_device(backend, tmp_path):
    t = mg.tensor([1.0, 2.0])
    assert t.device == backend
    mg.save({"t": t}, tmp_path / "x")
    out = mg.load(tmp_path / "x")["t"]
    assert out.device == mg.device("cpu") and out.tolist() == [1.0, 2.0]


def test_map_location_puts_tensors_on_device(backend, tmp_path):
    with mg.use_backend("numpy"):
        mg.save({"t": mg.tensor([1.0, 2.0])}, tmp_path / "x")
    out = mg.load(tmp_path / "x", map_location=backend)["t"]
    assert out.device == backend and out.tolist() == [1.0, 2.0]
    out2 = mg.load(tmp_path / "x", map_location=str(backend))["t"]
    assert out2.device == backend


def test_map_location_rejects_callables():
    buf = io.BytesIO()
    mg.save({}, buf)
    with pytest.raises(TypeError, match="map_location"):
        load_bytes(buf.getvalue(), map_location=lambda s, loc: s)


def test_save_rejects_arbitrary_objects():
    with pytest.raises(TypeError, match="cannot save an object of type object at a.0"):
        mg.save({"a": [object()]}, io.BytesIO())


# --- layout ----------------------------------------------------------------------------------------------
def test_layout_is_safetensors(tmp_path):
    mg.save({"w": mg.tensor([[1.0, 2.0]]), "n": 3}, tmp_path / "f")
    blob = (tmp_path / "f").read_bytes()
    (n,) = struct.unpack("<Q", blob[:8])
    assert n % 8 == 0
    header = json.loads(blob[8:8 + n])
    assert header["w"] == {"dtype": "F32", "shape": [1, 2], "data_offsets": [0, 8]}
    assert np.frombuffer(blob[8 + n:], dtype="<f4").tolist() == [1.0, 2.0]
    assert json.loads(header["__metadata__"]["minigrad.structure"]) == {
        "__dict__": [["w", {"__tensor__": "w"}], ["n", 3]]}


def test_readable_by_the_safetensors_library(tmp_path):
    st = pytest.importorskip("safetensors.numpy")
    net = small_net()
    mg.save(net.state_dict(), tmp_path / "net.safetensors")
    tensors = st.load_file(str(tmp_path / "net.safetensors"))
    assert set(tensors) == set(net.state_dict())
    np.testing.assert_array_equal(tensors["0.weight"], host(net[0].weight))


def test_reads_a_plain_safetensors_file_as_a_dict():
    data = np.arange(6, dtype="<f4").tobytes() + np.array([7], dtype="<i8").tobytes()
    blob = raw_file({"a": {"dtype": "F32", "shape": [2, 3], "data_offsets": [0, 24]},
                     "b": {"dtype": "I64", "shape": [1], "data_offsets": [24, 32]},
                     "__metadata__": {"format": "pt"}}, data)
    out = load_bytes(blob)
    assert list(out) == ["a", "b"]
    assert host(out["a"]).tolist() == [[0, 1, 2], [3, 4, 5]] and out["b"].tolist() == [7]


# --- atomic writes -------------------------------------------------------------------------------------
def test_save_replaces_existing_file_and_leaves_no_temp(tmp_path):
    path = tmp_path / "ckpt"
    mg.save({"v": 1}, path)
    mg.save({"v": 2}, path)
    assert mg.load(path) == {"v": 2}
    assert os.listdir(tmp_path) == ["ckpt"]


def test_failed_save_keeps_old_file_intact(tmp_path, monkeypatch):
    path = tmp_path / "ckpt"
    mg.save({"v": 1}, path)

    def broken_fsync(fd):
        raise OSError("disk full")
    monkeypatch.setattr(os, "fsync", broken_fsync)
    with pytest.raises(OSError, match="disk full"):
        mg.save({"v": 2}, path)
    monkeypatch.undo()
    assert mg.load(path) == {"v": 1}
    assert os.listdir(tmp_path) == ["ckpt"]


def test_saved_file_has_ordinary_permissions(tmp_path):
    umask = os.umask(0o022)
    try:
        mg.save({}, tmp_path / "f")
    finally:
        os.umask(umask)
    assert (tmp_path / "f").stat().st_mode & 0o777 == 0o644


# --- corrupted, truncated and hostile files -----------------------------------------------------------
def good_blob():
    buf = io.BytesIO()
    mg.save({"w": mg.ones(3), "b": mg.zeros(2), "k": {1: "x"}}, buf)
    return buf.getvalue()


@pytest.mark.parametrize("cut", [0, 4, 8, 20, -1, -12])
def test_truncated_file_raises_value_error(cut):
    blob = good_blob()
    with pytest.raises(ValueError):
        load_bytes(blob[:cut])


def test_trailing_bytes_are_rejected():
    with pytest.raises(ValueError, match="cover"):
        load_bytes(good_blob() + b"junk")


def test_huge_header_length_is_rejected():
    with pytest.raises(ValueError, match="exceeds the limit"):
        load_bytes(struct.pack("<Q", 2 ** 63) + b"{}")


def test_header_length_past_end_is_rejected():
    with pytest.raises(ValueError, match="runs past the end"):
        load_bytes(raw_file({}, length=1000))


@pytest.mark.parametrize("text", [b"not json", b"[1, 2]", b'{"a": NaN}', b"\xff\xfe{}"])
def test_bad_header_json_is_rejected(text):
    with pytest.raises(ValueError, match="corrupted safetensors file"):
        load_bytes(struct.pack("<Q", len(text)) + text)


HOSTILE = [
    ({"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8], "extra": 1}}, 8, "exactly dtype"),
    ({"a": {"dtype": "C64", "shape": [1], "data_offsets": [0, 8]}}, 8, "unknown dtype"),
    ({"a": {"dtype": "F32", "shape": [-1], "data_offsets": [0, 4]}}, 4, "non-negative"),
    ({"a": {"dtype": "F32", "shape": [2.0], "data_offsets": [0, 8]}}, 8, "non-negative"),
    ({"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 16]}}, 8, "outside"),
    ({"a": {"dtype": "F32", "shape": [2], "data_offsets": [4, 0]}}, 8, "outside"),
    ({"a": {"dtype": "F32", "shape": [3], "data_offsets": [0, 8]}}, 8, "span"),
    ({"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]},
      "b": {"dtype": "F32", "shape": [2], "data_offsets": [4, 12]}}, 12, "overlaps"),
    ({"a": {"dtype": "F32", "shape": [1], "data_offsets": [4, 8]}}, 8, "gap"),
    ({"__metadata__": {"k": 1}}, 0, "strings to strings"),
    ({"__metadata__": {"minigrad.structure": '{"__tensor__": "zz"}'}}, 0, "missing tensor"),
    ({"__metadata__": {"minigrad.structure": '{"__class__": "os.system"}'}}, 0, "unknown node"),
    ({"__metadata__": {"minigrad.structure": '{"__dict__": [[[1], 2]]}'}}, 0, "invalid dict key"),
    ({"__metadata__": {"minigrad.structure": "[" * 100000 + "]" * 100000}}, 0, "structure"),
    ({"__metadata__": {"minigrad.structure": "{oops"}}, 0, "not valid JSON"),
]


@pytest.mark.parametrize("header,size,message", HOSTILE, ids=[h[2] for h in HOSTILE])
def test_hostile_headers_raise_clear_value_errors(header, size, message):
    with pytest.raises(ValueError, match=message):
        load_bytes(raw_file(header, b"\0" * size))


def test_pickle_payload_is_not_executed(tmp_path):
    marker = tmp_path / "pwned"

    class Exploit:
        def __reduce__(self):
            return (os.system, (f"touch {marker}",))
    path = tmp_path / "evil.pt"
    path.write_bytes(pickle.dumps({"w": Exploit()}))
    with pytest.raises(ValueError):
        mg.load(path)
    assert not marker.exists()


# --- properties ----------------------------------------------------------------------------------------
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_leaves = st.one_of(st.none(), st.booleans(), st.integers(-2 ** 70, 2 ** 70), st.text(max_size=8),
                    st.floats(allow_nan=False), st.sampled_from([math.inf, -math.inf]),
                    st.lists(st.floats(-1e3, 1e3, width=32), min_size=0, max_size=4).map(
                        lambda v: mg.tensor(np.array(v, dtype=np.float32))))
_keys = st.one_of(st.text(max_size=6), st.integers(-5, 5))
_trees = st.recursive(_leaves, lambda inner: st.one_of(st.lists(inner, max_size=3),
                                                      st.tuples(inner, inner),
                                                      st.dictionaries(_keys, inner, max_size=3)),
                      max_leaves=12)


def _same(a, b):
    if isinstance(a, mg.Tensor):
        return isinstance(b, mg.Tensor) and a.dtype == b.dtype and host(a).tolist() == host(b).tolist()
    if isinstance(a, dict):
        return type(b) is dict and list(a) == list(b) and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)):
        return type(a) is type(b) and len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    return type(a) is type(b) and a == b


@settings(max_examples=60, deadline=None)
@given(_trees)
def test_any_nested_structure_round_trips(tree):
    buf = io.BytesIO()
    mg.save(tree, buf)
    assert _same(tree, load_bytes(buf.getvalue()))


@settings(max_examples=150, deadline=None)
@given(st.data())
def test_corrupting_any_byte_gives_value_error_or_a_valid_load(data):
    blob = bytearray(good_blob())
    position = data.draw(st.integers(0, len(blob) - 1))
    blob[position] = data.draw(st.integers(0, 255))
    try:
        load_bytes(bytes(blob))
    except ValueError:
        pass


@pytest.mark.parametrize("key_length", [154, 240, 325])
def test_a_header_whose_length_starts_like_a_pickle_still_loads(key_length):
    # header lengths 640, 896 and 1152 begin with the bytes 0x80 0x02..0x05, a pickle's PROTO opcode
    import io
    import struct
    buffer = io.BytesIO()
    mg.save({"a" * key_length: mg.ones(2)}, buffer)
    data = buffer.getvalue()
    assert data[0] == 0x80 and data[1] in (2, 3, 4, 5), struct.unpack("<Q", data[:8])
    buffer.seek(0)
    assert mg.load(buffer)["a" * key_length].tolist() == [1.0, 1.0]
