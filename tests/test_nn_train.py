"""Integration: small models train (the loss falls), and a checkpoint resumes training exactly."""


import numpy as np
import pytest

import minigrad as mg
import minigrad.nn as nn
import minigrad.nn.functional as F
import minigrad.optim as optim


def blobs(n=256, seed=0):
    """Three Gaussian clusters in 2-D: (N, 2) float32 inputs, (N,) int64 labels."""
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, 3, n)
    centres = np.array([[2.0, 0.0], [-1.0, 1.7], [-1.0, -1.7]])
    x = centres[labels] + 0.6 * rng.standard_normal((n, 2))
    return mg.tensor(x.astype(np.float32)), mg.tensor(labels)


def mlp():
    return nn.Sequential(nn.Linear(2, 32), nn.BatchNorm1d(32), nn.ReLU(), nn.Dropout(0.1), nn.Linear(32, 3))


def train(model, opt, x, y, steps):
    losses = []
    for _ in range(steps):
        opt.zero_grad()
        loss = F.cross_entropy(model(x), y, label_smoothing=0.05)
        loss.backward()
        opt.step()
        losses.append(loss.item())
    return losses


def test_mlp_learns_blobs(backend):
    mg.manual_seed(0)
    x, y = blobs()
    model = mlp()
    losses = train(model, optim.Adam(model.parameters(), lr=0.05), x, y, 60)
    assert losses[-1] < 0.35 * losses[0]
    model.eval()
    accuracy = (model(x).argmax(1) == y).float().mean().item()
    assert accuracy > 0.9


def test_checkpoint_resume_matches_uninterrupted_training(tmp_path):
    x, y = blobs(64, seed=1)
    mg.manual_seed(0)
    model = mlp()
    opt = optim.Adam(model.parameters(), lr=0.01)
    train(model, opt, x, y, 5)
    mg.save({"model": model.state_dict(), "optimizer": opt.state_dict(), "epoch": 5}, tmp_path / "ckpt")
    rng_state = mg.random.default_generator.get_state()
    reference = train(model, opt, x, y, 5)

    resumed = mlp()
    resumed_opt = optim.Adam(resumed.parameters(), lr=0.123)
    checkpoint = mg.load(tmp_path / "ckpt")
    resumed.load_state_dict(checkpoint["model"])
    resumed_opt.load_state_dict(checkpoint["optimizer"])
    assert checkpoint["epoch"] == 5 and resumed_opt.param_groups[0]["lr"] == 0.01
    mg.random.default_generator.set_state(rng_state)  # same dropout masks as the reference run
    np.testing.assert_allclose(train(resumed, resumed_opt, x, y, 5), reference, rtol=1e-6)


def test_small_cnn_learns_digits():
    from minigrad.data import datasets
    mg.manual_seed(0)
    data = datasets.digits()
    x, y = data.tensors[0][:512], data.tensors[1][:512]
    model = nn.Sequential(nn.Conv2d(1, 8, 3, padding=1), nn.BatchNorm2d(8), nn.ReLU(), nn.MaxPool2d(2),
                          nn.Flatten(), nn.Linear(8 * 4 * 4, 10))
    opt = optim.Adam(model.parameters(), lr=0.01)
    losses = []
    for step in range(30):
        batch = slice((step % 4) * 128, (step % 4 + 1) * 128)
        opt.zero_grad()
        loss = F.cross_entropy(model(x[batch]), y[batch])
        loss.backward()
        opt.step()
        losses.append(loss.item())
    assert np.mean(losses[-4:]) < 0.5 * np.mean(losses[:4])


@pytest.mark.gpu
def test_train_and_checkpoint_on_cuda(tmp_path):
    x, y = blobs(64)
    mg.manual_seed(0)
    model = mlp().to("cuda")
    opt = optim.Adam(model.parameters(), lr=0.05)
    losses = train(model, opt, x.to("cuda"), y.to("cuda"), 20)
    assert losses[-1] < losses[0]
    mg.save(model.state_dict(), tmp_path / "gpu")
    restored = mg.load(tmp_path / "gpu", map_location="cuda")
    assert restored["0.weight"].device.type == "cuda"
    mlp().to("cuda").load_state_dict(restored)
