"""Image-to-image translation with the networks of CycleGAN and pix2pix: a ResNet generator and a
PatchGAN discriminator, trained with a least-squares GAN loss plus an L1 loss (pix2pix's objective).

The task is small enough to check: scikit-learn's 8x8 digits, scaled to [-1, 1] and enlarged to
16x16, are to be mapped to their photographic negative (x -> -x). The generator uses the layers
these models are built from: reflection padding (``nn.ReflectionPad2d``) so borders carry no
artificial zeros, instance normalisation (``nn.InstanceNorm2d``) followed by ``nn.ReLU(inplace=True)``,
a strided convolution down and a transposed convolution up, residual blocks in between, and a
``tanh`` output. The discriminator classifies overlapping patches (``LeakyReLU(0.2, inplace=True)``).
Both use Adam with beta1 = 0.5, as the papers do.

Run: python image_translation.py [--steps 150] [--dry-run]
"""

import argparse

import numpy as np
from sklearn.datasets import load_digits

import minigrad as torch
import minigrad.nn as nn
import minigrad.nn.functional as F


class ResnetBlock(nn.Module):
    def __init__(self, dim):
        super().__init__()
        self.conv_block = nn.Sequential(
            nn.ReflectionPad2d(1), nn.Conv2d(dim, dim, 3), nn.InstanceNorm2d(dim), nn.ReLU(True),
            nn.ReflectionPad2d(1), nn.Conv2d(dim, dim, 3), nn.InstanceNorm2d(dim))

    def forward(self, x):
        return x + self.conv_block(x)


def resnet_generator(channels=1, width=16, blocks=2):
    return nn.Sequential(
        nn.ReflectionPad2d(3), nn.Conv2d(channels, width, 7), nn.InstanceNorm2d(width), nn.ReLU(True),
        nn.Conv2d(width, 2 * width, 3, stride=2, padding=1), nn.InstanceNorm2d(2 * width), nn.ReLU(True),
        *[ResnetBlock(2 * width) for _ in range(blocks)],
        nn.ConvTranspose2d(2 * width, width, 3, stride=2, padding=1, output_padding=1),
        nn.InstanceNorm2d(width), nn.ReLU(True),
        nn.ReflectionPad2d(3), nn.Conv2d(width, channels, 7), nn.Tanh())


def patch_discriminator(channels=1, width=16):
    return nn.Sequential(
        nn.Conv2d(channels, width, 4, stride=2, padding=1), nn.LeakyReLU(0.2, True),
        nn.Conv2d(width, 2 * width, 4, stride=2, padding=1), nn.InstanceNorm2d(2 * width),
        nn.LeakyReLU(0.2, True),
        nn.Conv2d(2 * width, 1, 3, padding=1))  # one real/fake score per patch


def init_weights(module):
    if isinstance(module, (nn.Conv2d, nn.ConvTranspose2d)):
        nn.init.normal_(module.weight, 0.0, 0.02)
        nn.init.zeros_(module.bias)


def main():
    parser = argparse.ArgumentParser(description="pix2pix-style translation of digits to negatives")
    parser.add_argument("--steps", type=int, default=150)
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--lambda-l1", type=float, default=10.0)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--dry-run", action="store_true", help="a few steps, to check that it runs")
    args = parser.parse_args()
    if args.dry_run:
        args.steps = 25
    torch.manual_seed(args.seed)

    digits = torch.tensor(load_digits().images[:512], dtype=torch.float32).unsqueeze(1) / 8.0 - 1.0
    images = F.interpolate(digits, scale_factor=2, mode="bilinear", align_corners=False)  # (N, 1, 16, 16)
    targets = -images

    netG, netD = resnet_generator(), patch_discriminator()
    netG.apply(init_weights)
    netD.apply(init_weights)
    patches = netD(images[:1]).shape
    assert tuple(patches) == (1, 1, 4, 4), patches  # 16 overlapping patches, one score each
    optG = torch.optim.Adam(netG.parameters(), lr=2e-3, betas=(0.5, 0.999))
    optD = torch.optim.Adam(netD.parameters(), lr=2e-4, betas=(0.5, 0.999))
    gan_loss, l1_loss = nn.MSELoss(), nn.L1Loss()  # least-squares GAN

    def held_out_l1():
        netG.eval()
        with torch.no_grad():
            error = l1_loss(netG(images[-64:]), targets[-64:]).item()
        netG.train()
        return error

    start = held_out_l1()
    for step in range(args.steps):
        ix = torch.randint(0, 448, (args.batch_size,))
        real_a, real_b = images[ix], targets[ix]
        fake_b = netG(real_a)
        # generator: fool the discriminator and stay close to the target
        pred_fake = netD(fake_b)
        loss_g = gan_loss(pred_fake, torch.ones_like(pred_fake)) + args.lambda_l1 * l1_loss(fake_b, real_b)
        optG.zero_grad()
        loss_g.backward()
        optG.step()
        # discriminator: real targets score 1, the generator's (detached) outputs 0
        pred_real, pred_fake = netD(real_b), netD(fake_b.detach())
        loss_d = 0.5 * (gan_loss(pred_real, torch.ones_like(pred_real))
                        + gan_loss(pred_fake, torch.zeros_like(pred_fake)))
        optD.zero_grad()
        loss_d.backward()
        optD.step()
        if step % 25 == 0 or step == args.steps - 1:
            print(f"step {step}: G {loss_g.item():.4f}, D {loss_d.item():.4f}")
    end = held_out_l1()
    print(f"held-out L1 to the negative: {start:.3f} -> {end:.3f}")
    assert end < start * (0.8 if args.dry_run else 0.4), (start, end)
    assert np.isfinite(loss_d.item())


if __name__ == "__main__":
    main()
