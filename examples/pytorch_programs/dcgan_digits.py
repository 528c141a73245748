"""DCGAN (pytorch/examples, dcgan/main.py, and the DCGAN tutorial) on scikit-learn's 8x8 digits.

The program keeps the example's structure: a generator of ``ConvTranspose2d`` + ``BatchNorm2d`` +
``ReLU`` layers ending in ``Tanh``, a discriminator of strided ``Conv2d`` + ``BatchNorm2d`` +
``LeakyReLU(0.2)`` ending in ``Sigmoid``, ``weights_init`` applied with ``model.apply`` (the
class name decides: conv weights ~ N(0, 0.02), batch-norm weights ~ N(1, 0.02), biases 0 with
``fill_``), ``BCELoss`` on labels made with ``torch.full`` and refilled in place with ``fill_``, and
Adam with beta1 = 0.5. Sizes follow from 8x8 images (the example's are 64x64):

    G: z (nz x 1 x 1) -> 4x4 (kernel 4, stride 1) -> 8x8 (kernel 4, stride 2, padding 1)
    D: 8x8 -> 4x4 (kernel 4, stride 2, padding 1) -> 1x1 (kernel 4, stride 1)

A GAN's losses do not fall monotonically, so the program checks what can be checked: the
initialisation statistics, the output ranges, that D soon scores real digits above fakes, and
that the generated digits move towards the real pixel statistics. Run: python dcgan_digits.py [--dry-run]
"""

import argparse

import numpy as np
from sklearn.datasets import load_digits

import minigrad as torch
import minigrad.nn as nn
import minigrad.optim as optim
import minigrad.utils.data


# custom weights initialization called on netG and netD
def weights_init(m):
    classname = m.__class__.__name__
    if classname.find('Conv') != -1:
        torch.nn.init.normal_(m.weight, 0.0, 0.02)
    elif classname.find('BatchNorm') != -1:
        torch.nn.init.normal_(m.weight, 1.0, 0.02)
        torch.nn.init.zeros_(m.bias)


class Generator(nn.Module):
    def __init__(self, nz, ngf, nc):
        super(Generator, self).__init__()
        self.main = nn.Sequential(
            # input is Z, going into a convolution
            nn.ConvTranspose2d(nz, ngf * 2, 4, 1, 0, bias=False),
            nn.BatchNorm2d(ngf * 2),
            nn.ReLU(True),
            # state size. (ngf*2) x 4 x 4
            nn.ConvTranspose2d(ngf * 2, nc, 4, 2, 1, bias=False),
            nn.Tanh()
            # state size. (nc) x 8 x 8
        )

    def forward(self, input):
        return self.main(input)


class Discriminator(nn.Module):
    def __init__(self, nc, ndf):
        super(Discriminator, self).__init__()
        self.main = nn.Sequential(
            # input is (nc) x 8 x 8
            nn.Conv2d(nc, ndf, 4, 2, 1, bias=False),
            nn.LeakyReLU(0.2, inplace=True),
            # state size. (ndf) x 4 x 4
            nn.Conv2d(ndf, ndf * 2, 3, 1, 1, bias=False),
            nn.BatchNorm2d(ndf * 2),
            nn.LeakyReLU(0.2, inplace=True),
            nn.Conv2d(ndf * 2, 1, 4, 1, 0, bias=False),
            nn.Sigmoid()
        )

    def forward(self, input):
        output = self.main(input)
        return output.view(-1, 1).squeeze(1)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--batchSize', type=int, default=64, help='input batch size')
    parser.add_argument('--nz', type=int, default=16, help='size of the latent z vector')
    parser.add_argument('--ngf', type=int, default=32)
    parser.add_argument('--ndf', type=int, default=32)
    parser.add_argument('--niter', type=int, default=10, help='number of epochs to train for')
    parser.add_argument('--lr', type=float, default=0.0002, help='learning rate, default=0.0002')
    parser.add_argument('--beta1', type=float, default=0.5, help='beta1 for adam. default=0.5')
    parser.add_argument('--dry-run', action='store_true', help='check a single training cycle works')
    parser.add_argument('--manualSeed', type=int, default=999, help='manual seed')
    opt = parser.parse_args()
    torch.manual_seed(opt.manualSeed)
    device = torch.device("cpu")

    images = load_digits().images.astype(np.float32) / 8.0 - 1.0  # pixel values 0-16 -> [-1, 1]
    dataset = torch.utils.data.TensorDataset(torch.from_numpy(images).unsqueeze(1))
    dataloader = torch.utils.data.DataLoader(dataset, batch_size=opt.batchSize, shuffle=True,
                                             drop_last=True)
    nc = 1

    netG = Generator(opt.nz, opt.ngf, nc).to(device)
    netG.apply(weights_init)
    netD = Discriminator(nc, opt.ndf).to(device)
    netD.apply(weights_init)
    print(netG)

    conv_weights = torch.cat([m.weight.flatten() for m in netD.modules() if isinstance(m, nn.Conv2d)])
    assert abs(conv_weights.std().item() - 0.02) < 0.002, conv_weights.std()
    assert torch.all(netG.main[1].bias == 0) and abs(netG.main[1].weight.mean().item() - 1) < 0.02

    criterion = nn.BCELoss()

    fixed_noise = torch.randn(opt.batchSize, opt.nz, 1, 1, device=device)
    real_label = 1
    fake_label = 0

    # setup optimizer
    optimizerD = optim.Adam(netD.parameters(), lr=opt.lr, betas=(opt.beta1, 0.999))
    optimizerG = optim.Adam(netG.parameters(), lr=opt.lr * 5, betas=(opt.beta1, 0.999))

    niter = 2 if opt.dry_run else opt.niter
    first_D_x = None
    for epoch in range(niter):
        for i, (data,) in enumerate(dataloader, 0):
            ############################
            # (1) Update D network: maximize log(D(x)) + log(1 - D(G(z)))
            ###########################
            # train with real
            netD.zero_grad()
            real_cpu = data.to(device)
            batch_size = real_cpu.size(0)
            label = torch.full((batch_size,), real_label,
                               dtype=real_cpu.dtype, device=device)

            output = netD(real_cpu)
            errD_real = criterion(output, label)
            errD_real.backward()
            D_x = output.mean().item()

            # train with fake
            noise = torch.randn(batch_size, opt.nz, 1, 1, device=device)
            fake = netG(noise)
            label.fill_(fake_label)
            output = netD(fake.detach())
            errD_fake = criterion(output, label)
            errD_fake.backward()
            D_G_z1 = output.mean().item()
            errD = errD_real + errD_fake
            optimizerD.step()

            ############################
            # (2) Update G network: maximize log(D(G(z)))
            ###########################
            netG.zero_grad()
            label.fill_(real_label)  # fake labels are real for generator cost
            output = netD(fake)
            errG = criterion(output, label)
            errG.backward()
            D_G_z2 = output.mean().item()
            optimizerG.step()

            if i % 10 == 0:
                print('[%d/%d][%d/%d] Loss_D: %.4f Loss_G: %.4f D(x): %.4f D(G(z)): %.4f / %.4f'
                      % (epoch, niter, i, len(dataloader),
                         errD.item(), errG.item(), D_x, D_G_z1, D_G_z2))
            if first_D_x is None and i == 10:
                first_D_x, first_D_G_z = D_x, D_G_z1

    assert first_D_x > first_D_G_z, (first_D_x, first_D_G_z)  # D tells real from fake early on
    netG.eval()
    with torch.no_grad():
        fake = netG(fixed_noise)
    assert fake.shape == (opt.batchSize, 1, 8, 8)
    assert fake.min() >= -1 and fake.max() <= 1
    # the generated pixels approach the real ones' mean (a blank digit, all -1, is far away)
    real_mean, fake_mean = images.mean(), fake.mean().item()
    print(f'mean pixel: real {real_mean:.3f}, generated {fake_mean:.3f}')
    assert abs(fake_mean - real_mean) < 0.35, (fake_mean, real_mean)


if __name__ == '__main__':
    main()
