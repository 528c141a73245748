"""A small ResNet trained, saved, reloaded and fine-tuned (torchvision's ``BasicBlock`` and the
"Transfer learning" and "Saving and loading models" tutorials), on scikit-learn's 8x8 digits.

Pre-training: a ResNet of torchvision's ``BasicBlock``s (3x3 convolutions, ``BatchNorm2d``,
a 1x1 ``downsample`` shortcut when the shape changes, ``nn.Sequential`` stages,
``nn.AdaptiveAvgPool2d((1, 1))`` and ``torch.flatten(x, 1)``), initialised as torchvision does
(``kaiming_normal_(mode="fan_out")``, ``constant_``), learns digits 0-4 with SGD + momentum and
``MultiStepLR``. Its ``state_dict`` goes through ``torch.save``/``torch.load`` into an in-memory
``io.BytesIO``, and a new model evaluated under ``model.eval()`` + ``torch.inference_mode()``
must give the same outputs.

Fine-tuning: the reloaded network is frozen (``requires_grad_(False)``), its ``fc`` replaced by a
head for digits 5-9, and only the head trained; ``parameters_to_vector`` shows the backbone did not
move (batch-norm statistics included, as the backbone runs in ``eval()`` mode). Then ``layer3`` is
unfrozen and added with ``add_param_group`` at a tenth of the rate, and the rates are lowered by
writing ``optimizer.param_groups[i]["lr"]``. Run: python resnet_finetune.py [--dry-run]
"""

import argparse
import copy
import io

import numpy as np
from sklearn.datasets import load_digits

import minigrad as torch
import minigrad.nn as nn
import minigrad.nn.functional as F
from minigrad.nn.utils import parameters_to_vector
from minigrad.utils.data import DataLoader, TensorDataset


def conv3x3(in_planes, out_planes, stride=1):
    """3x3 convolution with padding"""
    return nn.Conv2d(in_planes, out_planes, kernel_size=3, stride=stride, padding=1, bias=False)


class BasicBlock(nn.Module):
    expansion = 1

    def __init__(self, inplanes, planes, stride=1, downsample=None):
        super().__init__()
        self.conv1 = conv3x3(inplanes, planes, stride)
        self.bn1 = nn.BatchNorm2d(planes)
        self.relu = nn.ReLU(inplace=True)
        self.conv2 = conv3x3(planes, planes)
        self.bn2 = nn.BatchNorm2d(planes)
        self.downsample = downsample
        self.stride = stride

    def forward(self, x):
        identity = x

        out = self.conv1(x)
        out = self.bn1(out)
        out = self.relu(out)

        out = self.conv2(out)
        out = self.bn2(out)

        if self.downsample is not None:
            identity = self.downsample(x)

        out += identity
        out = self.relu(out)

        return out


class ResNet(nn.Module):
    def __init__(self, block, layers, num_classes=10, width=16):
        super().__init__()
        self.inplanes = width
        self.conv1 = nn.Conv2d(1, self.inplanes, kernel_size=3, stride=1, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(self.inplanes)
        self.relu = nn.ReLU(inplace=True)
        self.layer1 = self._make_layer(block, width, layers[0])
        self.layer2 = self._make_layer(block, width * 2, layers[1], stride=2)
        self.layer3 = self._make_layer(block, width * 4, layers[2], stride=2)
        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        self.fc = nn.Linear(width * 4 * block.expansion, num_classes)

        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
            elif isinstance(m, (nn.BatchNorm2d, nn.GroupNorm)):
                nn.init.constant_(m.weight, 1)
                nn.init.constant_(m.bias, 0)

    def _make_layer(self, block, planes, blocks, stride=1):
        downsample = None
        if stride != 1 or self.inplanes != planes * block.expansion:
            downsample = nn.Sequential(
                nn.Conv2d(self.inplanes, planes * block.expansion, kernel_size=1, stride=stride, bias=False),
                nn.BatchNorm2d(planes * block.expansion),
            )

        layers = []
        layers.append(block(self.inplanes, planes, stride, downsample))
        self.inplanes = planes * block.expansion
        for _ in range(1, blocks):
            layers.append(block(self.inplanes, planes))

        return nn.Sequential(*layers)

    def forward(self, x):
        x = self.conv1(x)
        x = self.bn1(x)
        x = self.relu(x)

        x = self.layer1(x)
        x = self.layer2(x)
        x = self.layer3(x)

        x = self.avgpool(x)
        x = torch.flatten(x, 1)
        x = self.fc(x)

        return x


def digit_loaders(digits, batch_size, generator):
    images, labels = load_digits(return_X_y=True)
    keep = np.isin(labels, digits)
    x = torch.tensor(images[keep].reshape(-1, 1, 8, 8) / 16.0, dtype=torch.float32)
    y = torch.tensor(labels[keep] - min(digits))
    n_test = len(y) // 5
    order = torch.randperm(len(y), generator=generator)
    train = TensorDataset(x[order[n_test:]], y[order[n_test:]])
    test = TensorDataset(x[order[:n_test]], y[order[:n_test]])
    return (DataLoader(train, batch_size=batch_size, shuffle=True, generator=generator),
            DataLoader(test, batch_size=256))


def train_epoch(model, loader, optimizer):
    model.train()
    total = 0.0
    for data, target in loader:
        optimizer.zero_grad(set_to_none=True)
        loss = F.cross_entropy(model(data), target)
        loss.backward()
        optimizer.step()
        total += loss.item() * len(target)
    return total / len(loader.dataset)


def accuracy(model, loader):
    model.eval()
    correct = 0
    with torch.inference_mode():
        for data, target in loader:
            correct += (model(data).argmax(dim=1) == target).sum().item()
    return correct / len(loader.dataset)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=6)
    parser.add_argument("--dry-run", action="store_true")
    args = parser.parse_args()
    epochs = 2 if args.dry_run else args.epochs
    torch.manual_seed(0)
    g = torch.Generator().manual_seed(0)

    # pre-train on digits 0-4
    train_loader, test_loader = digit_loaders([0, 1, 2, 3, 4], 32, g)
    model = ResNet(BasicBlock, [1, 1, 1], num_classes=5)
    assert model.layer2[0].downsample is not None and model.layer1[0].downsample is None
    optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9, weight_decay=1e-4)
    scheduler = torch.optim.lr_scheduler.MultiStepLR(optimizer, milestones=[epochs - 1], gamma=0.1)
    for epoch in range(epochs):
        loss = train_epoch(model, train_loader, optimizer)
        scheduler.step()
        print(f"pre-train epoch {epoch}: loss {loss:.4f}, lr {scheduler.get_last_lr()[0]:.4f}, "
              f"test accuracy {accuracy(model, test_loader):.3f}")
    assert accuracy(model, test_loader) > 0.9
    assert model.bn1.num_batches_tracked.item() == epochs * len(train_loader)

    # save and reload through memory
    buffer = io.BytesIO()
    torch.save(model.state_dict(), buffer)
    buffer.seek(0)
    reloaded = ResNet(BasicBlock, [1, 1, 1], num_classes=5)
    print(reloaded.load_state_dict(torch.load(buffer, weights_only=True)))
    reloaded.eval()
    model.eval()
    with torch.inference_mode():
        x = next(iter(test_loader))[0]
        assert torch.equal(model(x), reloaded(x))
        assert not model(x).requires_grad

    # fine-tune a new head on digits 5-9 with the backbone frozen
    pretrained = copy.deepcopy(reloaded)
    for param in reloaded.parameters():
        param.requires_grad_(False)
    reloaded.fc = nn.Linear(reloaded.fc.in_features, 5)
    trainable = [name for name, p in reloaded.named_parameters() if p.requires_grad]
    assert trainable == ["fc.weight", "fc.bias"], trainable
    backbone = parameters_to_vector(p for name, p in reloaded.named_parameters() if not name.startswith("fc"))
    stats = torch.cat([b.flatten().float() for b in reloaded.buffers()])

    train_loader, test_loader = digit_loaders([5, 6, 7, 8, 9], 32, g)
    optimizer = torch.optim.SGD(reloaded.fc.parameters(), lr=0.1, momentum=0.9)
    for epoch in range(epochs):
        reloaded.train()
        for module in reloaded.modules():  # keep the frozen backbone's batch statistics
            if isinstance(module, nn.BatchNorm2d):
                module.eval()
        for data, target in train_loader:
            optimizer.zero_grad()
            F.cross_entropy(reloaded(data), target).backward()
            optimizer.step()
        print(f"head epoch {epoch}: test accuracy {accuracy(reloaded, test_loader):.3f}")
    head_accuracy = accuracy(reloaded, test_loader)
    assert head_accuracy > 0.6, head_accuracy
    assert reloaded.conv1.weight.grad is None
    after = parameters_to_vector(p for name, p in reloaded.named_parameters() if not name.startswith("fc"))
    assert torch.equal(backbone, after)
    assert torch.equal(stats, torch.cat([b.flatten().float() for b in reloaded.buffers()]))
    assert torch.equal(pretrained.conv1.weight, reloaded.conv1.weight)

    # unfreeze the last stage at a tenth of the rate, then lower both rates by hand
    reloaded.layer3.requires_grad_(True)
    optimizer.add_param_group({"params": reloaded.layer3.parameters(), "lr": 0.01})
    for epoch in range(epochs):
        if epoch == epochs - 1:
            for group in optimizer.param_groups:
                group["lr"] *= 0.1
        train_epoch(reloaded, train_loader, optimizer)
    assert [group["lr"] for group in optimizer.param_groups] == [0.1 * 0.1, 0.01 * 0.1]
    assert not torch.equal(pretrained.layer3[0].conv1.weight, reloaded.layer3[0].conv1.weight)
    assert torch.equal(pretrained.layer2[0].conv1.weight, reloaded.layer2[0].conv1.weight)
    final = accuracy(reloaded, test_loader)
    print(f"after unfreezing layer3: test accuracy {final:.3f}")
    assert final >= head_accuracy - 0.05, (final, head_accuracy)


if __name__ == "__main__":
    main()
