"""Writes ``checkpoint.pt`` for ``load_pytorch_checkpoint.py`` (run once with PyTorch 2.13 CPU; the
program only reads the file) and prints the numbers that program asserts:

    python examples/pytorch_programs/data/make_checkpoint.py

It follows PyTorch's "saving and loading a general checkpoint" recipe: a model trained for a few
epochs, then one dict with the epoch, the model's and the optimizer's state dicts and the last loss.
The data are built from ``arange``, so the program rebuilds them without a random generator.
"""

import os

import torch
import torch.nn as nn
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
EPOCHS, RESUMED = 5, 10


def data():
    """64 points in 4-D and their class among 3, from fixed formulas."""
    i = torch.arange(64, dtype=torch.float32)
    x = torch.stack([torch.sin(0.3 * i), torch.cos(0.7 * i), torch.sin(1.1 * i + 0.5), i / 32 - 1], dim=1)
    y = ((x[:, 0] > 0).long() + (x[:, 1] + x[:, 3] > 0).long())
    return x, y


def main():
    torch.manual_seed(0)
    x, y = data()
    model = nn.Sequential(nn.Linear(4, 16), nn.Tanh(), nn.Linear(16, 3))
    optimizer = torch.optim.Adam(model.parameters(), lr=0.01)
    for _ in range(EPOCHS):
        loss = F.cross_entropy(model(x), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    torch.save({"epoch": EPOCHS, "model_state_dict": model.state_dict(),
                "optimizer_state_dict": optimizer.state_dict(), "loss": loss.item()},
               os.path.join(HERE, "checkpoint.pt"))
    print("saved loss", repr(loss.item()))
    losses = []
    for _ in range(RESUMED):
        loss = F.cross_entropy(model(x), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    print("resumed losses", losses)
    with torch.no_grad():
        print("logits of the first two points", model(x[:2]).tolist())


if __name__ == "__main__":
    main()
