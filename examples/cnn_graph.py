"""A small CNN's recorded graph: one cluster per module, parameter names, shapes and gradient norms.

The network is the kind trained on the 8x8 digits (Conv-BN-ReLU-Pool twice, then a linear
classifier). After one backward pass, minigrad draws:

  cnn_graph.svg            every op, grouped into nested module clusters, leaf gradient norms
  cnn_graph_grad.svg       the same, shaded by gradient norm on a log scale (vanishing/exploding)
  cnn_graph_collapsed.svg  each top-level block drawn as one box (max_depth=1)
  cnn_backward.svg         the backward pass: gradient functions numbered in execution order
  cnn_backprop_steps.html  the backward pass one engine step at a time (a slider; SVGs inlined)

then trains it for a few epochs on the digits and draws

  cnn_grad_flow.png        mean and max |grad| per parameter after one more batch
  cnn_loss_landscape.png   1-D and 2-D slices of the loss around the trained weights along
                           random filter-normalised directions (Li et al., 2017)

Run:  python examples/cnn_graph.py [--out runs/cnn_graph] [--epochs 3]
"""

import argparse
import os

# Small arrays: one BLAS thread avoids thread start-up costs and competing for a few cores. Set
# before NumPy loads; a value exported by the user wins.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import minigrad as mg  # noqa: E402
import minigrad.nn as nn  # noqa: E402


class Block(nn.Module):
    """conv 3x3 -> batch norm -> ReLU -> 2x2 max pool."""

    def __init__(self, cin, cout):
        super().__init__()
        self.conv = nn.Conv2d(cin, cout, 3, padding=1, bias=False)
        self.bn = nn.BatchNorm2d(cout)
        self.act = nn.ReLU()
        self.pool = nn.MaxPool2d(2)

    def forward(self, x):
        return self.pool(self.act(self.bn(self.conv(x))))


class SmallCNN(nn.Module):
    def __init__(self, classes=10):
        super().__init__()
        self.features = nn.Sequential(Block(1, 8), Block(8, 16))
        self.classifier = nn.Sequential(nn.Flatten(), nn.Linear(16 * 2 * 2, classes))

    def forward(self, x):
        return self.classifier(self.features(x))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=os.path.join("runs", "cnn_graph"))
    parser.add_argument("--epochs", type=int, default=3, help="training epochs before the plots (0: skip)")
    args = parser.parse_args()
    mg.manual_seed(0)
    model = SmallCNN()
    x = mg.rand(4, 1, 8, 8)  # a batch shaped like the 8x8 digits
    y = mg.tensor([0, 3, 5, 9])
    loss = nn.CrossEntropyLoss()(model(x), y)
    loss.name = "loss"
    loss.backward(retain_graph=True)  # keep the graph: the shaded and backward pictures replay it

    pictures = {
        "cnn_graph.svg": mg.viz.draw_graph(loss, params=model),
        "cnn_graph_grad.svg": mg.viz.draw_graph(loss, params=model, color_by="grad"),
        "cnn_graph_collapsed.svg": mg.viz.draw_graph(loss, params=model, max_depth=1),
        "cnn_backward.svg": mg.viz.draw_backward(loss, params=model),
    }
    try:
        for name, graph in pictures.items():
            print("wrote", graph.write(os.path.join(args.out, name)))
        steps = mg.viz.backprop_steps(loss, params=model)
        print("wrote", steps.save(os.path.join(args.out, "cnn_backprop_steps.html")), f"({len(steps)} steps)")
    except mg.viz.GraphvizNotFoundError as err:
        print(err)
        for name, graph in pictures.items():
            path = os.path.join(args.out, name.replace(".svg", ".dot"))
            print("DOT source only:", graph.write(path))
    for name, p in model.named_parameters():
        print(f"  {name:<28} {tuple(p.shape)!s:<16} |grad| = {p.grad.norm().item():.4g}")
    if args.epochs > 0:
        train_and_plot(model, args.epochs, args.out)


def train_and_plot(model, epochs, out):
    """A few epochs of Adam on the 8x8 digits, then the gradient-flow and loss-landscape plots."""
    from minigrad import optim
    from minigrad.data import DataLoader
    from minigrad.data.datasets import digits

    data = digits()
    loss_fn = nn.CrossEntropyLoss()
    opt = optim.Adam(model.parameters(), lr=1e-2)
    model.train()
    for epoch in range(epochs):
        total, seen = 0.0, 0
        for x, y in DataLoader(data, batch_size=64, shuffle=True):
            opt.zero_grad()
            loss = loss_fn(model(x), y)
            loss.backward()
            opt.step()
            total += loss.item() * len(y)
            seen += len(y)
        print(f"epoch {epoch + 1}: mean training loss {total / seen:.4f}")
    x, y = next(iter(DataLoader(data, batch_size=256)))
    opt.zero_grad()
    loss_fn(model(x), y).backward()
    path = os.path.join(out, "cnn_grad_flow.png")
    plural = "s" if epochs != 1 else ""
    mg.viz.plot_grad_flow(model, path=path, title=f"gradient flow after {epochs} epoch{plural}")
    print("wrote", path)
    path = os.path.join(out, "cnn_loss_landscape.png")
    mg.viz.loss_landscape(model, loss_fn, (x, y), path=path, steps=15,
                          title="loss around the trained weights (256 digits)")
    print("wrote", path)


if __name__ == "__main__":
    main()
