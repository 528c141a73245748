"""The GPU toggle: one flag moves new tensors, parameters and data batches to CuPy's GPU.

    mg.set_backend("cupy")          # or MINIGRAD_BACKEND=cupy in the environment, read at import
    with mg.use_backend("cupy"): …  # scoped

The training code below never names a device: ``mg.tensor``/``mg.randn``, new ``nn`` layers and
``DataLoader`` batches all go to the default device. The script trains the same small classifier
on the CPU (NumPy) and, when ``mg.cuda.is_available()``, on the GPU (CuPy) from the same seed, and
compares the results. Without a GPU it shows the one clear error that asking for CUDA raises.

    python examples/gpu_toggle.py
"""

import argparse
import os
import time

# Small arrays: one BLAS thread avoids thread start-up costs and competing for a few cores. Set
# before NumPy loads; a value exported by the user wins.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import minigrad as mg  # noqa: E402
import minigrad.nn as nn  # noqa: E402
import minigrad.optim as optim  # noqa: E402
from minigrad.data import DataLoader, datasets  # noqa: E402


def train_once(epochs, seed):
    """Train on whatever the default device is; return (device, final loss, accuracy, seconds)."""
    mg.manual_seed(seed)
    data = datasets.moons(400, noise=0.15, generator=mg.Generator().manual_seed(seed))
    loader = DataLoader(data, batch_size=50, shuffle=True, generator=mg.Generator().manual_seed(seed))
    model = nn.Sequential(nn.Linear(2, 32), nn.Tanh(), nn.Linear(32, 2))
    opt = optim.Adam(model.parameters(), lr=0.02)
    start = time.perf_counter()
    for _ in range(epochs):
        for x, y in loader:
            loss = nn.functional.cross_entropy(model(x), y)
            opt.zero_grad()
            loss.backward()
            opt.step()
    mg.cuda.synchronize()  # GPU work is asynchronous: wait before reading the clock
    seconds = time.perf_counter() - start
    x, y = next(iter(DataLoader(data, batch_size=len(data))))
    with mg.no_grad():
        accuracy = (model(x).argmax(1) == y).float().mean().item()
    device = next(model.parameters()).device
    return str(device), str(x.device), loss.item(), accuracy, seconds


def main(argv=None):
    parser = argparse.ArgumentParser(description="Run the same training on CPU and, if present, GPU.")
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)

    print(f"default backend: {mg.get_backend()}, default device: {mg.backend.default_device()}")
    print(f"mg.cuda.is_available(): {mg.cuda.is_available()}")

    results = {}
    with mg.use_backend("numpy"):
        results["numpy"] = train_once(args.epochs, args.seed)
    if mg.cuda.is_available():
        mg.set_backend("cupy")  # the one flag
        try:
            results["cupy"] = train_once(args.epochs, args.seed)
        finally:
            mg.set_backend("numpy")
    else:
        try:
            mg.set_backend("cupy")
        except RuntimeError as err:
            print(f"mg.set_backend('cupy') failed, leaving the backend as it was "
                  f"({mg.get_backend()}):\n  {err}")

    for name, (param_device, batch_device, loss, acc, seconds) in results.items():
        print(f"{name:6s}: parameters on {param_device}, batches on {batch_device}, "
              f"final loss {loss:.4f}, accuracy {acc:.4f}, {seconds:.2f} s")
    if len(results) == 2:
        gap = abs(results["numpy"][3] - results["cupy"][3])
        print(f"accuracy difference CPU vs GPU: {gap:.4f} "
              "(the random draws differ between the NumPy and CuPy streams)")


if __name__ == "__main__":
    main()
