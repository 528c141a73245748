"""mg.viz.explore: the page is loaded in a real headless Chromium and used with real mouse and
keyboard events (the DevTools protocol over a pipe, tests/_browser.py)."""

import re

import pytest
from _browser import Chromium, find_chromium

import minigrad as mg
import minigrad.nn as nn
from minigrad.viz._walk import collect, replay

needs_dot = pytest.mark.skipif(not mg.viz.dot_available(), reason="graphviz `dot` is not installed")
needs_chromium = pytest.mark.skipif(find_chromium() is None,
                                    reason="no chromium on PATH (apt-get install chromium)")


def mlp_loss():
    mg.manual_seed(0)
    model = nn.Sequential(nn.Sequential(nn.Linear(3, 4), nn.Tanh()), nn.Linear(4, 2))
    return model, (model(mg.randn(5, 3)) ** 2).mean()


@needs_dot
def test_the_page_is_one_file_that_fetches_nothing(tmp_path):
    model, loss = mlp_loss()
    page = mg.viz.explore(loss, tmp_path / "g.html", params=model)
    text = (tmp_path / "g.html").read_text()
    assert text == page.html
    urls = set(re.findall(r"""(?:src|href)\s*=\s*["']([^"']+)""", text))
    assert not urls  # no script, style sheet, font or image from anywhere
    assert set(re.findall(r"https?://[^\s\"'<>]+", text)) <= {
        "http://www.w3.org/2000/svg", "http://www.w3.org/1999/xlink"}  # XML namespaces, never fetched
    inline = page._repr_html_()
    assert inline.startswith("<iframe srcdoc=") and "&lt;svg" in inline


@needs_dot
def test_a_non_scalar_root_needs_a_gradient_as_backward_does():
    x = mg.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="gradient="):
        mg.viz.explore(x * 2)
    assert "3 / 3" not in mg.viz.explore(x * 2, gradient=mg.ones(2)).html


@pytest.fixture(scope="module")
def browser():
    b = Chromium(width=1280, height=800)
    yield b
    b.close()


def center_of(browser, selector_js):
    """Viewport centre of the element a JS expression finds."""
    x, y = browser.js(f"(function(){{var e = {selector_js}; var r = e.getBoundingClientRect();"
                      "return [r.x + r.width / 2, r.y + r.height / 2];})()")
    return x, y


def node_with(text):
    return ("Array.from(document.querySelectorAll('.mg-level:not([hidden]) g.node')).find(function(g){"
            f"return g.querySelector('text') && g.querySelector('text').textContent === {text!r};}})")


@needs_dot
@needs_chromium
def test_explorer_in_chromium_click_search_fold_zoom_and_step_backward(tmp_path, browser):
    model, loss = mlp_loss()
    rep = replay(collect(loss))
    path = mg.viz.explore(loss, params=model).save(tmp_path / "explore.html")
    browser.load(path)
    assert browser.js("document.documentElement.dataset.ready") == "1"
    assert browser.requests() == ["file://" + str(path)]  # nothing else was fetched
    browser.screenshot(tmp_path / "loaded.png")

    # click the Tanh box: the panel shows its output's values and gradient
    tanh = "Tanh"  # ops are named by their forward, as in draw_graph
    browser.click(*center_of(browser, node_with(tanh)))
    panel = browser.js_until("document.getElementById('mg-info').innerText", lambda text: tanh in text)
    assert tanh in panel and "output: value" in panel and "output: gradient" in panel
    assert "5×4 float32" in panel
    assert browser.js("document.querySelectorAll('g.node.mg-selected').length") == 1

    # the data, which needs no gradient, is a box too: its panel shows the 5×3 values
    where = center_of(browser, node_with("input"))
    browser.click(*where)
    panel = browser.js_until("document.getElementById('mg-info').innerText", lambda text: "5×3" in text)
    labels = ("Array.from(document.querySelectorAll('.mg-level:not([hidden]) g.node text'))"
              ".map(t => t.textContent)")
    assert "input" in panel.lower() and "5×3 float32" in panel, (where, browser.js(labels))

    # step through backward with the arrow key: step 0 seeds the output, then each step
    # highlights the node the engine runs
    browser.key("ArrowRight", "ArrowRight", 39)
    assert browser.js("document.getElementById('mg-caption').textContent").startswith("step 0/")
    for k in (1, 2):
        browser.key("ArrowRight", "ArrowRight", 39)
        assert browser.js("document.getElementById('mg-caption').textContent").startswith(
            f"step {k}/{len(rep.order)}: #{k} {rep.order[k - 1].name}")
        current = browser.js(
            "Array.from(document.querySelectorAll('.mg-level:not([hidden]) g.node.mg-current'))"
            ".map(function(g){return g.querySelector('text').textContent;})")
        assert current == [rep.order[k - 1].op_name]  # the box shows the forward op
    browser.screenshot(tmp_path / "step2.png")
    browser.click(*center_of(browser, "document.getElementById('mg-prev')"))
    assert browser.js("document.getElementById('mg-step').textContent") == f"1 / {len(rep.order)}"

    # search by typing: the two weights are found, the rest dimmed
    browser.click(*center_of(browser, "document.getElementById('mg-search')"))
    browser.type_text("weight")
    assert browser.js("document.getElementById('mg-found').textContent") == "2 found"
    assert browser.js("document.querySelectorAll('.mg-level:not([hidden]) g.node.mg-match').length") == 2
    browser.key("Enter", "Enter", 13)
    assert "weight" in browser.js("document.getElementById('mg-info').innerText")

    # zoom with the wheel: the view box shrinks around the pointer
    before = browser.js("document.querySelector('.mg-level:not([hidden]) svg').getAttribute('viewBox')")
    browser.page("Input.dispatchMouseEvent", type="mouseWheel", x=400, y=400, deltaX=0, deltaY=-300)
    after = browser.js("document.querySelector('.mg-level:not([hidden]) svg').getAttribute('viewBox')")
    assert float(after.split()[2]) < float(before.split()[2])

    # fold every module into a box, then open the box again from the panel
    browser.click(*center_of(browser, "document.querySelector('#mg-levels button')"))
    boxes = browser.js("Array.from(document.querySelectorAll('.mg-level:not([hidden]) g.node'))"
                       ".map(function(g){return g.textContent;}).join('|')")
    assert "Sequential" in boxes and tanh not in boxes
    browser.screenshot(tmp_path / "folded.png")
    browser.click(*center_of(browser, node_with("Sequential")))
    assert "module" in browser.js("document.getElementById('mg-info').innerText").lower()
    browser.click(*center_of(browser, "document.getElementById('mg-unfold')"))
    assert browser.js("document.querySelector('#mg-levels button.on').textContent") == "1 level open"
