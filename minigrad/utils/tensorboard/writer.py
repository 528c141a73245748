"""``SummaryWriter``: PyTorch's TensorBoard logger, writing event files with the ``tensorboard``
package (no TensorFlow, no PyTorch).

Each ``add_*`` call turns its values into a ``Summary`` protocol buffer (the format TensorBoard's
plugins read) and queues it as an ``Event`` of an event file under ``log_dir``; a background
thread of ``tensorboard``'s ``EventFileWriter`` writes them out every ``flush_secs`` seconds or
``max_queue`` events. ``tensorboard --logdir runs`` shows them.
"""

import io
import os
import socket
import sys
import time
from datetime import datetime

import numpy as np

try:
    from tensorboard.compat.proto import (
        attr_value_pb2,
        event_pb2,
        graph_pb2,
        node_def_pb2,
        summary_pb2,
        tensor_pb2,
        tensor_shape_pb2,
        versions_pb2,
    )
    from tensorboard.plugins.hparams import api_pb2, plugin_data_pb2
    from tensorboard.plugins.hparams import metadata as hparams_metadata
    from tensorboard.plugins.text import plugin_data_pb2 as text_pb2
    from tensorboard.summary.writer.event_file_writer import EventFileWriter
except ImportError as err:  # pragma: no cover - depends on the installation
    raise ImportError("minigrad.utils.tensorboard needs the tensorboard package: "
                      "pip install tensorboard (or 'minigrad[tensorboard]')") from err

__all__ = ["SummaryWriter"]


def _numpy(value):
    """Host NumPy values of a Tensor, array, number or list (an explicit copy to the host)."""
    if hasattr(value, "detach") and hasattr(value, "numpy"):
        return value.detach().cpu().numpy()
    return np.asarray(value)


def _scalar(value, what):
    a = _numpy(value)
    if a.size != 1:
        raise ValueError(f"{what}: expected one value, got shape {a.shape}")
    return float(a.reshape(()))


# TensorFlow's histogram buckets: ±1e-12 · 1.1^k up to 1e20, and 0 (PyTorch's bins="tensorflow")
def _tensorflow_bins():
    pos = []
    v = 1e-12
    while v < 1e20:
        pos.append(v)
        v *= 1.1
    return [-x for x in reversed(pos)] + [0.0] + pos


_TF_BINS = None


def _histogram(values, bins, max_bins):
    """A ``HistogramProto``: counts per bucket, trimmed to the buckets that hold values.

    TensorBoard reads only each bucket's right edge, so one empty bucket is kept on the left.
    """
    values = values.reshape(-1).astype(np.float64)
    if values.size == 0:
        raise ValueError("add_histogram: the input has no element")
    counts, limits = np.histogram(values, bins=bins)
    if max_bins is not None and len(counts) > max_bins:
        k = -(-len(counts) // max_bins)  # merge k neighbouring buckets
        pad = (-len(counts)) % k
        counts = np.pad(counts, (0, pad)).reshape(-1, k).sum(axis=1)
        limits = np.append(limits[:-1:k], limits[-1])
    nonzero = np.flatnonzero(counts)
    start, end = int(nonzero[0]), int(nonzero[-1]) + 1
    counts = counts[start - 1:end] if start > 0 else np.concatenate([[0], counts[:end]])
    limits = limits[start:end + 1]
    return summary_pb2.HistogramProto(
        min=values.min(), max=values.max(), num=values.size, sum=values.sum(),
        sum_squares=values.dot(values), bucket_limit=limits.tolist(), bucket=counts.tolist())


def _hwc(img, dataformats):
    """An image array as height × width × channels (1, 3 or 4 channels)."""
    dataformats = dataformats.upper()
    if img.ndim != len(dataformats):
        raise ValueError(f"add_image: dataformats={dataformats!r} needs a {len(dataformats)}-d image, "
                         f"got shape {img.shape}")
    if "C" not in dataformats:
        img = img[..., None]
        dataformats += "C"
    img = np.transpose(img, [dataformats.index(c) for c in "HWC"])
    if img.shape[2] == 2 or img.shape[2] > 4:
        raise ValueError(f"add_image: an image has 1, 3 or 4 channels, got {img.shape[2]}")
    return img


def _png(img):
    """PNG bytes of an H×W×C image; floats are taken in [0, 1], integers in [0, 255] (PyTorch)."""
    from PIL import Image
    scale = 1 if img.dtype == np.uint8 else 255
    img = (img.astype(np.float32) * scale).clip(0, 255).astype(np.uint8)
    mode = {1: "L", 3: "RGB", 4: "RGBA"}[img.shape[2]]
    buf = io.BytesIO()
    Image.fromarray(img[..., 0] if mode == "L" else img, mode).save(buf, format="PNG")
    return summary_pb2.Summary.Image(height=img.shape[0], width=img.shape[1],
                                     colorspace=img.shape[2], encoded_image_string=buf.getvalue())


def _figure_rgba(figure):
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    canvas = figure.canvas if isinstance(figure.canvas, FigureCanvasAgg) else FigureCanvasAgg(figure)
    canvas.draw()
    return np.asarray(canvas.buffer_rgba()).copy()


def _plugin_summary(tag, plugin, content, tensor=None):
    meta = summary_pb2.SummaryMetadata(plugin_data=summary_pb2.SummaryMetadata.PluginData(
        plugin_name=plugin, content=content))
    return summary_pb2.Summary(value=[summary_pb2.Summary.Value(tag=tag, metadata=meta, tensor=tensor)])


class SummaryWriter:
    """Writes TensorBoard event files under ``log_dir`` (PyTorch's ``SummaryWriter``).

    Args:
        log_dir: the directory; default ``runs/<Mon DD_HH-MM-SS>_<hostname><comment>``.
        comment: appended to the default ``log_dir``.
        purge_step: on a resumed run, TensorBoard drops events of this step and later.
        max_queue: events held before a write.
        flush_secs: seconds between writes.
        filename_suffix: appended to every event file's name.

    >>> import tempfile
    >>> with SummaryWriter(tempfile.mkdtemp()) as w:
    ...     for step in range(3):
    ...         w.add_scalar("loss", 1.0 / (step + 1), step)
    """

    def __init__(self, log_dir=None, comment="", purge_step=None, max_queue=10, flush_secs=120,
                 filename_suffix=""):
        if not log_dir:
            stamp = datetime.now().strftime("%b%d_%H-%M-%S")
            log_dir = os.path.join("runs", f"{stamp}_{socket.gethostname()}{comment}")
        self.log_dir = os.fspath(log_dir)
        self.purge_step = purge_step
        self.max_queue, self.flush_secs, self.filename_suffix = max_queue, flush_secs, filename_suffix
        self._writers = {}
        self._main = self._writer(self.log_dir)
        if purge_step is not None:
            self._main.add_event(event_pb2.Event(step=purge_step, file_version="brain.Event:2"))
            self._main.add_event(event_pb2.Event(
                step=purge_step, session_log=event_pb2.SessionLog(status=event_pb2.SessionLog.START)))

    def _writer(self, logdir):
        w = self._writers.get(logdir)
        if w is None:
            w = self._writers[logdir] = EventFileWriter(logdir, self.max_queue, self.flush_secs,
                                                        self.filename_suffix)
        return w

    def _add(self, summary, step, walltime, writer=None):
        event = event_pb2.Event(summary=summary, wall_time=time.time() if walltime is None else walltime)
        if step is not None:
            event.step = int(step)
        (writer or self._main).add_event(event)

    def get_logdir(self):
        return self.log_dir

    # --- what training loops log --------------------------------------------------------------
    def add_scalar(self, tag, scalar_value, global_step=None, walltime=None, new_style=False,
                   double_precision=False):
        """One value of the series ``tag`` at ``global_step`` (a Tensor, array or number)."""
        v = _scalar(scalar_value, f"add_scalar({tag!r})")
        if new_style:
            tensor = tensor_pb2.TensorProto(double_val=[v], dtype="DT_DOUBLE") if double_precision \
                else tensor_pb2.TensorProto(float_val=[v], dtype="DT_FLOAT")
            summary = _plugin_summary(tag, "scalars", b"", tensor)
        else:
            summary = summary_pb2.Summary(value=[summary_pb2.Summary.Value(tag=tag, simple_value=v)])
        self._add(summary, global_step, walltime)

    def add_scalars(self, main_tag, tag_scalar_dict, global_step=None, walltime=None):
        """Several series on one chart: each key is written to its own run
        ``log_dir/<main_tag>_<key>`` under the tag ``main_tag`` (as PyTorch does)."""
        walltime = time.time() if walltime is None else walltime
        for key, value in tag_scalar_dict.items():
            logdir = os.path.join(self.log_dir, main_tag.replace("/", "_") + "_" + key)
            v = _scalar(value, f"add_scalars({main_tag!r}, {key!r})")
            summary = summary_pb2.Summary(value=[summary_pb2.Summary.Value(tag=main_tag, simple_value=v)])
            self._add(summary, global_step, walltime, self._writer(logdir))

    def add_histogram(self, tag, values, global_step=None, bins="tensorflow", walltime=None,
                      max_bins=None):
        """The distribution of ``values`` (weights, gradients, activations) at ``global_step``.

        ``bins`` is ``"tensorflow"`` (TensorFlow's exponential buckets, PyTorch's default), a
        NumPy rule (``"auto"``, ``"fd"``...), a count, or the bucket edges.
        """
        global _TF_BINS
        if isinstance(bins, str) and bins == "tensorflow":
            if _TF_BINS is None:
                _TF_BINS = _tensorflow_bins()
            bins = _TF_BINS
        hist = _histogram(_numpy(values), bins, max_bins)
        self._add(summary_pb2.Summary(value=[summary_pb2.Summary.Value(tag=tag, histo=hist)]),
                  global_step, walltime)

    def add_image(self, tag, img_tensor, global_step=None, walltime=None, dataformats="CHW"):
        """One image: floats in [0, 1] or uint8 in [0, 255], laid out as ``dataformats``
        (``"CHW"``, ``"HWC"``, ``"HW"``), 1, 3 or 4 channels."""
        image = _png(_hwc(_numpy(img_tensor), dataformats))
        self._add(summary_pb2.Summary(value=[summary_pb2.Summary.Value(tag=tag, image=image)]),
                  global_step, walltime)

    def add_figure(self, tag, figure, global_step=None, close=True, walltime=None):
        """A matplotlib figure (or a list of them, tagged ``tag/0``, ``tag/1``...) as an image."""
        figures = figure if isinstance(figure, (list, tuple)) else [figure]
        for k, fig in enumerate(figures):
            image = _png(_figure_rgba(fig))
            name = tag if len(figures) == 1 and not isinstance(figure, (list, tuple)) else f"{tag}/{k}"
            self._add(summary_pb2.Summary(value=[summary_pb2.Summary.Value(tag=name, image=image)]),
                      global_step, walltime)
            if close and "matplotlib.pyplot" in sys.modules:
                sys.modules["matplotlib.pyplot"].close(fig)

    def add_text(self, tag, text_string, global_step=None, walltime=None):
        """Text (Markdown in TensorBoard's Text tab) under ``tag/text_summary``."""
        tensor = tensor_pb2.TensorProto(
            dtype="DT_STRING", string_val=[text_string.encode("utf-8")],
            tensor_shape=tensor_shape_pb2.TensorShapeProto(dim=[tensor_shape_pb2.TensorShapeProto.Dim(size=1)]))
        summary = _plugin_summary(tag + "/text_summary", "text",
                                  text_pb2.TextPluginData(version=0).SerializeToString(), tensor)
        self._add(summary, global_step, walltime)

    def add_hparams(self, hparam_dict, metric_dict, hparam_domain_discrete=None, run_name=None,
                    global_step=None):
        """One trial of a hyper-parameter search for TensorBoard's HParams tab: the values tried
        and the metrics reached, written to the run ``log_dir/<run_name or time>``."""
        if type(hparam_dict) is not dict or type(metric_dict) is not dict:
            raise TypeError("hparam_dict and metric_dict should be dictionary.")
        domains = hparam_domain_discrete or {}
        start = plugin_data_pb2.SessionStartInfo()
        infos = []
        for name, value in hparam_dict.items():
            if value is None:
                continue
            if hasattr(value, "detach"):
                value = _scalar(value, f"add_hparams({name!r})")
            if isinstance(value, bool):
                start.hparams[name].bool_value, kind, field = value, "DATA_TYPE_BOOL", "bool_value"
            elif isinstance(value, (int, float)):
                start.hparams[name].number_value, kind, field = value, "DATA_TYPE_FLOAT64", "number_value"
            elif isinstance(value, str):
                start.hparams[name].string_value, kind, field = value, "DATA_TYPE_STRING", "string_value"
            else:
                raise ValueError(f"add_hparams: {name}={value!r}: a value is an int, float, str, bool or "
                                 "one-element Tensor")
            info = api_pb2.HParamInfo(name=name, type=api_pb2.DataType.Value(kind))
            if name in domains:
                for d in domains[name]:
                    setattr(info.domain_discrete.values.add(), field, d)
            infos.append(info)
        experiment = api_pb2.Experiment(
            hparam_infos=infos,
            metric_infos=[api_pb2.MetricInfo(name=api_pb2.MetricName(tag=k)) for k in metric_dict])
        end = plugin_data_pb2.SessionEndInfo(status=api_pb2.Status.Value("STATUS_SUCCESS"))
        version = hparams_metadata.PLUGIN_DATA_VERSION
        run = os.path.join(self.log_dir, run_name or str(time.time()))
        with SummaryWriter(run) as w:
            for tag, data in ((hparams_metadata.EXPERIMENT_TAG, dict(experiment=experiment)),
                              (hparams_metadata.SESSION_START_INFO_TAG, dict(session_start_info=start)),
                              (hparams_metadata.SESSION_END_INFO_TAG, dict(session_end_info=end))):
                content = plugin_data_pb2.HParamsPluginData(version=version, **data).SerializeToString()
                w._add(_plugin_summary(tag, hparams_metadata.PLUGIN_NAME, content), global_step, None)
            for k, v in metric_dict.items():
                w.add_scalar(k, v, global_step)

    def add_graph(self, model, input_to_model=None, verbose=False, use_strict_trace=True):
        """The graph of ``model(input_to_model)`` for TensorBoard's Graphs tab: one node per op
        and per parameter, named by the module that ran it (``features/0/Conv2d``), so
        TensorBoard nests them as the modules are. (``verbose`` and ``use_strict_trace`` are
        PyTorch's tracer options, accepted; minigrad records the graph as it runs.)"""
        from ...autograd.grad_mode import enable_grad
        inputs = input_to_model if isinstance(input_to_model, (tuple, list)) else (input_to_model,)
        with enable_grad():
            out = model(*inputs)
        outs = out if isinstance(out, (tuple, list)) else (out,)
        graph = _graph_def(model, [o for o in outs if getattr(o, "grad_fn", None) is not None])
        self._main.add_event(event_pb2.Event(graph_def=graph.SerializeToString(), wall_time=time.time()))

    # --- files --------------------------------------------------------------------------------
    def flush(self):
        """Write every queued event to disk now."""
        for w in self._writers.values():
            w.flush()

    def close(self):
        """Flush and close every event file (a later ``add_*`` is an error)."""
        for w in self._writers.values():
            w.flush()
            w.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def _sources(fn):
    """What ``fn`` reads: the nodes and leaf tensors behind its ``next_functions`` (a leaf shows
    there as its ``AccumulateGrad``, whose ``variable`` it is)."""
    edges = getattr(fn, "next_functions", ())
    return [getattr(node, "variable", node) for node, _ in edges if node is not None]


def _graph_def(model, outputs):
    """A TensorFlow ``GraphDef`` of the recorded graph, walked through ``grad_fn`` and
    ``next_functions`` (PyTorch's public view of the graph), nodes named by module scope."""
    is_module = hasattr(model, "named_modules")  # add_graph also takes a plain function
    module_names = {id(m): name for name, m in model.named_modules()} if is_module else {}
    param_names = {id(p): name for name, p in model.named_parameters()} if is_module else {}
    names, nodes, counts = {}, [], {}  # tensor/node id -> GraphDef name; (scope, op) -> count

    def shape_attr(shapes):
        return attr_value_pb2.AttrValue(list=attr_value_pb2.AttrValue.ListValue(shape=[
            tensor_shape_pb2.TensorShapeProto(dim=[tensor_shape_pb2.TensorShapeProto.Dim(size=int(d))
                                                   for d in s]) for s in shapes]))

    def scope_of(fn):
        for m in reversed(getattr(fn, "scope", ()) or ()):  # the innermost named module
            if module_names.get(id(m)):
                return module_names[id(m)].replace(".", "/")
        return ""

    order, done = [], set()
    stack = [(o.grad_fn, False) for o in outputs]
    while stack:  # iterative post-order: inputs are named before the ops that read them
        fn, expanded = stack.pop()
        if id(fn) in done:
            continue
        if expanded:
            done.add(id(fn))
            order.append(fn)
            continue
        stack.append((fn, True))
        for source in _sources(fn):
            if id(source) not in done:
                stack.append((source, False))
    n_inputs = 0
    for fn in order:
        if not hasattr(fn, "next_functions"):  # a leaf tensor: a parameter or an input
            name = param_names.get(id(fn))
            if name is None:
                full = fn.name or f"input_{n_inputs}"
                n_inputs += 1
            else:
                full = name.replace(".", "/")
            names[id(fn)] = full
            nodes.append(node_def_pb2.NodeDef(name=full, op="Parameter" if name else "Input",
                                              attr={"_output_shapes": shape_attr([fn.shape])}))
            continue
        op = fn.op_name  # the forward's name (Linear, Relu), as the Graphs tab should read
        scope = scope_of(fn)
        k = counts[(scope, op)] = counts.get((scope, op), -1) + 1
        full = f"{scope}/{op}_{k}" if scope else f"{op}_{k}"
        names[id(fn)] = full
        inputs = [names[id(source)] for source in _sources(fn)]
        nodes.append(node_def_pb2.NodeDef(name=full, op=op, input=inputs,
                                          attr={"_output_shapes": shape_attr([s for s, _ in fn.out_meta])}))
    return graph_pb2.GraphDef(node=nodes, versions=versions_pb2.VersionDef(producer=22))
