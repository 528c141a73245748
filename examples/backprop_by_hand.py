"""Backpropagation by hand and by minigrad: the classic 2-2-2 sigmoid network, step by step.

The classic worked example: inputs x1 = 0.05, x2 = 0.10, hidden bias
b1 = 0.35, output bias b2 = 0.60 (biases not trained), targets T1 = 0.01, T2 = 0.99, weights
w1..w4 (input -> hidden) = 0.15, 0.20, 0.25, 0.30, w5..w8 (hidden -> output) = 0.40, 0.45, 0.50,
0.55, error E = sum 1/2 (T - y)^2, learning rate 0.5.

Every weight is its own scalar tensor, so the recorded graph is the network's usual diagram. The
script prints the forward values, then for each weight the chain-rule expression evaluated by hand
(plain Python floats) beside the gradient minigrad's backward() found, then the updated weight,
and draws the graph with every gradient written on it.

    python examples/backprop_by_hand.py            # writes runs/backprop_by_hand/graph.svg

Printed copies of this example disagree with themselves: some state the learning rate as 0.15 and
w8 as 0.56 and print dE/dw5 = 0.082187, while the results they print follow lr = 0.5, w8 = 0.55 and
dE/dw5 = 0.082167041; this script uses the values the results follow (docs/errata.md lists the
other misprints).
"""

import argparse
import math
import os

# Small arrays: one BLAS thread avoids thread start-up costs and competing for a few cores. Set
# before NumPy loads; a value exported by the user wins.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import minigrad as mg  # noqa: E402

X = (0.05, 0.10)
B1, B2 = 0.35, 0.60
T = (0.01, 0.99)
W0 = {"w1": 0.15, "w2": 0.20, "w3": 0.25, "w4": 0.30, "w5": 0.40, "w6": 0.45, "w7": 0.50, "w8": 0.55}
LR = 0.5


def forward(w, x1, x2):
    """The network written out, one scalar op at a time, as its diagram draws it."""
    net_h1 = w["w1"] * x1 + w["w2"] * x2 + B1
    net_h2 = w["w3"] * x1 + w["w4"] * x2 + B1
    out_h1, out_h2 = net_h1.sigmoid(), net_h2.sigmoid()
    net_y1 = w["w5"] * out_h1 + w["w6"] * out_h2 + B2
    net_y2 = w["w7"] * out_h1 + w["w8"] * out_h2 + B2
    out_y1, out_y2 = net_y1.sigmoid(), net_y2.sigmoid()
    error = 0.5 * (T[0] - out_y1) ** 2 + 0.5 * (T[1] - out_y2) ** 2
    return {"net_h1": net_h1, "out_h1": out_h1, "net_h2": net_h2, "out_h2": out_h2,
            "net_y1": net_y1, "out_y1": out_y1, "net_y2": net_y2, "out_y2": out_y2, "E": error}


def by_hand():
    """The same numbers with plain floats and the chain rule written out (no autograd)."""
    s = lambda z: 1.0 / (1.0 + math.exp(-z))  # noqa: E731
    w, (x1, x2) = W0, X
    oh1 = s(w["w1"] * x1 + w["w2"] * x2 + B1)
    oh2 = s(w["w3"] * x1 + w["w4"] * x2 + B1)
    oy1 = s(w["w5"] * oh1 + w["w6"] * oh2 + B2)
    oy2 = s(w["w7"] * oh1 + w["w8"] * oh2 + B2)
    # delta_k = dE/dnet_yk = (out_yk - Tk) * out_yk (1 - out_yk)
    d1 = (oy1 - T[0]) * oy1 * (1 - oy1)
    d2 = (oy2 - T[1]) * oy2 * (1 - oy2)
    # dE/dout_hj sums the paths through both outputs; times sigmoid'(net_hj) = out_hj (1 - out_hj)
    e1 = (d1 * w["w5"] + d2 * w["w7"]) * oh1 * (1 - oh1)
    e2 = (d1 * w["w6"] + d2 * w["w8"]) * oh2 * (1 - oh2)
    deltas = (d1, d2)
    return deltas, [
        ("w5", "(out_y1 - T1) * out_y1(1 - out_y1) * out_H1", d1 * oh1),
        ("w6", "(out_y1 - T1) * out_y1(1 - out_y1) * out_H2", d1 * oh2),
        ("w7", "(out_y2 - T2) * out_y2(1 - out_y2) * out_H1", d2 * oh1),
        ("w8", "(out_y2 - T2) * out_y2(1 - out_y2) * out_H2", d2 * oh2),
        ("w1", "(d1 w5 + d2 w7) * out_H1(1 - out_H1) * x1", e1 * x1),
        ("w2", "(d1 w5 + d2 w7) * out_H1(1 - out_H1) * x2", e1 * x2),
        ("w3", "(d1 w6 + d2 w8) * out_H2(1 - out_H2) * x1", e2 * x1),
        ("w4", "(d1 w6 + d2 w8) * out_H2(1 - out_H2) * x2", e2 * x2),
    ]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", default="runs/backprop_by_hand", help="where to write the graph")
    parser.add_argument("--no-graph", action="store_true", help="skip drawing the graph")
    args = parser.parse_args(argv)

    w = {k: mg.tensor(v, dtype=mg.float64, requires_grad=True) for k, v in W0.items()}
    for name, t in w.items():
        t.name = name
    values = forward(w, *X)

    print("Forward pass (float64)")
    for key in ("net_h1", "out_h1", "net_h2", "out_h2", "net_y1", "out_y1", "net_y2", "out_y2", "E"):
        print(f"  {key:7s} = {values[key].item():.9f}")

    values["E"].backward()

    deltas, rows = by_hand()
    print(f"\nBackward pass and update w <- w - {LR} * dE/dw")
    print("  dk = dE/dnet_yk = (out_yk - Tk) * out_yk(1 - out_yk):  "
          f"d1 = {deltas[0]:.9f}, d2 = {deltas[1]:.9f}")
    print(f"  {'':4s} {'chain rule (evaluated by hand)':46s} {'by hand':>12s} {'autograd':>12s}   updated w")
    for name, expression, hand in rows:
        auto = w[name].grad.item()
        assert abs(hand - auto) < 1e-12, (name, hand, auto)
        print(f"  {name}: {expression:46s} {hand:12.9f} {auto:12.9f}   {name} -> {W0[name] - LR * auto:.9f}")

    with mg.no_grad():
        for t in w.values():
            t -= LR * t.grad
    new_error = forward(w, *X)["E"].item()
    print(f"\nE after one step: {new_error:.9f} (was {values['E'].item():.9f})")
    print("Errata: some printed copies of this example state lr = 0.15 and w8 = 0.56 and print\n"
          "dE/dw5 = 0.082187; their results follow lr = 0.5, w8 = 0.55 and dE/dw5 = 0.082167041, used here.")

    if not args.no_graph:
        draw(args.out)


def draw(out):
    """The recorded graph of E with each weight's gradient on it, and the backward pass step by step."""
    try:
        from minigrad import viz
    except ImportError as err:  # the numbers above still stand without the pictures
        print(f"\n(graph not drawn: {err}; pip install 'minigrad[viz]')")
        return None
    w = {k: mg.tensor(v, dtype=mg.float64, requires_grad=True) for k, v in W0.items()}
    x = {k: mg.tensor(v, dtype=mg.float64) for k, v in zip(("x1", "x2"), X)}
    values = forward(w, *x.values())
    for name, t in {**x, **values}.items():
        t.name = name  # the picture names every tensor the program holds
        if t.requires_grad:
            t.retain_grad()  # and shows its gradient after backward()
    error = values["E"]
    steps_path = os.path.join(out, "steps.html")
    try:
        os.makedirs(out, exist_ok=True)
        # one picture per node the engine runs: which gradient arrives where, in which order
        steps = viz.backprop_steps(error, params=w, path=steps_path)
        error.backward()
        graph = viz.draw_graph(error, params=w, show_data=True, show_grad=True)
        path = graph.render(os.path.join(out, "graph"), format="svg", cleanup=True)
    except viz.GraphvizNotFoundError as err:
        print(f"\n(graph not drawn) {err}")
        return None
    print(f"\ngraph with gradients: {path}")
    print(f"backward pass step by step ({len(steps) - 1} steps, open in a browser): {steps_path}")
    return path


if __name__ == "__main__":
    main()
