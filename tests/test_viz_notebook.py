"""Notebooks first: a notebook executed by a real Jupyter kernel (nbclient + ipykernel) shows every
picture inline by itself: the graph, the backward view and its slider, a plot (no
``%matplotlib inline``), the explorer, and the model summary."""

import base64
import os

import pytest

import minigrad as mg

nbformat = pytest.importorskip("nbformat", reason="nbformat is not installed (the test extra has it)")
nbclient = pytest.importorskip("nbclient", reason="nbclient is not installed (the test extra has it)")
pytest.importorskip("ipykernel", reason="ipykernel is not installed (the test extra has it)")
needs_dot = pytest.mark.skipif(not mg.viz.dot_available(), reason="graphviz `dot` is not installed")

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

CELLS = [
    # the setup a learner types: nothing about display backends
    """import minigrad as mg
import minigrad.nn as nn
mg.manual_seed(0)
model = nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 2))
loss = (model(mg.randn(5, 3)) ** 2).mean()
loss.backward(retain_graph=True)""",
    "mg.viz.draw_graph(loss, params=model, show_data=True)",
    "mg.viz.draw_backward(loss, params=model)",
    "mg.viz.backprop_steps(loss, params=model)",
    "mg.viz.plot_history({'train loss': [1.0, 0.6, 0.4, 0.3], 'val loss': [1.1, 0.8, 0.6, 0.55]})",
    "mg.viz.explore(loss, params=model)",
    "mg.nn.summary(model, (5, 3), verbose=0)",
]


@needs_dot
def test_an_executed_notebook_shows_every_picture_inline(tmp_path, monkeypatch):
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in CELLS])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    # the kernel (this Python, through ipykernel) imports this checkout's minigrad
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([ROOT, os.environ.get("PYTHONPATH", "")]))
    client = nbclient.NotebookClient(nb, timeout=240, kernel_name="python3",
                                     resources={"metadata": {"path": str(tmp_path)}})
    client.execute()
    nbformat.write(nb, tmp_path / "tour.ipynb")
    outputs = [c.outputs for c in nb.cells]
    assert all(o.output_type != "error" for out in outputs for o in out), outputs

    def data(k):
        (result,) = [o for o in outputs[k] if o.output_type == "execute_result"]
        return result.data

    graph, backward, steps, plot, explorer, summary = (data(k) for k in range(1, 7))
    # graphs: SVG that shrinks to the notebook column, with the values and gradients on it
    assert graph["image/svg+xml"].count('style="max-width:100%;height:auto"') == 1
    assert "data μ=" in graph["image/svg+xml"] and "grad ‖·‖ =" in graph["image/svg+xml"]
    assert "#1" in backward["image/svg+xml"]
    assert "mg-slider" in steps["text/html"]
    # the plot displays by itself: a PNG, not "<Figure size ... with 2 Axes>" alone
    png = base64.b64decode(plot["image/png"])
    assert png.startswith(b"\x89PNG") and len(png) > 5000
    assert explorer["text/html"].startswith("<iframe srcdoc=")
    assert "Total params: 26" in summary["text/plain"]
    _page_for_eyes(tmp_path / "tour.html", graph, backward, plot, explorer)


def _page_for_eyes(path, graph, backward, plot, explorer):
    """The outputs in a 900-pixel column, as a notebook shows them (to look at in a browser)."""
    parts = [graph["image/svg+xml"], backward["image/svg+xml"],
             f'<img src="data:image/png;base64,{plot["image/png"]}">', explorer["text/html"]]
    body = "".join(f'<div style="margin:1em 0">{p}</div>' for p in parts)
    path.write_text(f'<html><body style="width:900px;margin:0 auto">{body}</body></html>', encoding="utf-8")

