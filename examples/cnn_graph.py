"""A small CNN's recorded graph: one cluster per module, parameter names, shapes and gradient norms.

The network is the kind trained on the 8x8 digits (Conv-BN-ReLU-Pool twice, then a linear
classifier). After one backward pass, minigrad draws:

  cnn_graph.svg            every op, grouped into nested module clusters, leaf gradient norms
  cnn_graph_grad.svg       the same, shaded by gradient norm on a log scale (vanishing/exploding)
  cnn_graph_collapsed.svg  each top-level block drawn as one box (max_depth=1)
  cnn_backward.svg         the backward pass: gradient functions numbered in execution order

Run:  python examples/cnn_graph.py [--out docs/images]
"""

import argparse
import os

import minigrad as mg
import minigrad.nn as nn


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
    parser.add_argument("--out", default=os.path.join("docs", "images"))
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
    except mg.viz.GraphvizNotFoundError as err:
        print(err)
        for name, graph in pictures.items():
            path = os.path.join(args.out, name.replace(".svg", ".dot"))
            print("DOT source only:", graph.write(path))
    for name, p in model.named_parameters():
        print(f"  {name:<28} {str(tuple(p.shape)):<16} |grad| = {p.grad.norm().item():.4g}")


if __name__ == "__main__":
    main()
