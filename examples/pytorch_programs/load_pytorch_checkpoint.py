"""Resume training from a checkpoint that PyTorch wrote with ``torch.save``.

A PyTorch program: only its import lines differ from the version that imports torch.

``data/checkpoint.pt`` was written by PyTorch 2.13 (``data/make_checkpoint.py``) following the
"saving and loading a general checkpoint" recipe: one dict with the epoch, the model's
``state_dict``, the optimizer's ``state_dict`` and the last loss, for a 4-16-3 tanh classifier
trained with Adam(lr=0.01) for 5 full-batch epochs on 64 points built from fixed formulas.
The program rebuilds the model and optimizer, loads both states with
``torch.load(..., weights_only=True)`` and trains 10 more epochs. PyTorch, resuming the same way,
printed the losses and final outputs stored below; every number here must equal PyTorch's to
float32 round-off, 1e-5. The optimizer's state matters from the second resumed epoch on: Adam
continues from its saved step count, 5, and moment estimates; a fresh Adam on the loaded model
gives 0.988551 there instead of 0.990056, so a dropped optimizer state fails the check.

    python load_pytorch_checkpoint.py [--dry-run]
"""

import argparse
import math
import os

import minigrad as torch
import minigrad.nn as nn
import minigrad.nn.functional as F

PATH = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", "checkpoint.pt")

# What PyTorch 2.13 printed (data/make_checkpoint.py).
SAVED_LOSS = 1.0398812294006348
RESUMED_LOSSES = [1.0137041807174683, 0.9900556206703186, 0.9687695503234863, 0.9496453404426575,
                  0.9323878884315491, 0.9165785312652588, 0.9016954302787781, 0.8871853351593018,
                  0.8725587129592896, 0.8574670553207397]
FINAL_LOGITS = [[-0.5873936414718628, 0.4688818156719208, -0.07442647963762283],
                [-0.5520491600036621, 0.4912480413913727, -0.12404230982065201]]


def data():
    """64 points in 4-D and their class among 3, from fixed formulas."""
    i = torch.arange(64, dtype=torch.float32)
    x = torch.stack([torch.sin(0.3 * i), torch.cos(0.7 * i), torch.sin(1.1 * i + 0.5), i / 32 - 1], dim=1)
    y = ((x[:, 0] > 0).long() + (x[:, 1] + x[:, 3] > 0).long())
    return x, y


def close(a, b, tol=1e-5):
    return math.isclose(a, b, rel_tol=tol, abs_tol=tol)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--dry-run", action="store_true", help="3 resumed epochs, to check that it runs")
    args = parser.parse_args()
    epochs = 3 if args.dry_run else len(RESUMED_LOSSES)

    model = nn.Sequential(nn.Linear(4, 16), nn.Tanh(), nn.Linear(16, 3))
    optimizer = torch.optim.Adam(model.parameters(), lr=0.01)

    checkpoint = torch.load(PATH, weights_only=True)
    model.load_state_dict(checkpoint["model_state_dict"])
    optimizer.load_state_dict(checkpoint["optimizer_state_dict"])
    start = checkpoint["epoch"]
    print(f"resuming after epoch {start}, saved loss {checkpoint['loss']:.6f}")
    assert start == 5 and checkpoint["loss"] == SAVED_LOSS
    assert all(float(s["step"]) == 5 for s in optimizer.state_dict()["state"].values())

    x, y = data()
    model.train()
    for epoch in range(start, start + epochs):
        loss = F.cross_entropy(model(x), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        expected = RESUMED_LOSSES[epoch - start]
        print(f"epoch {epoch}: loss {loss.item():.6f} (PyTorch: {expected:.6f})")
        assert close(loss.item(), expected), f"epoch {epoch}: loss {loss.item()!r}, PyTorch's {expected!r}"

    if not args.dry_run:
        model.eval()
        with torch.no_grad():
            logits = model(x[:2]).tolist()
        print("logits of the first two points:", [[round(v, 6) for v in row] for row in logits])
        assert all(close(a, b) for row, want in zip(logits, FINAL_LOGITS) for a, b in zip(row, want))


if __name__ == "__main__":
    main()
