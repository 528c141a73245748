"""mg.nn.summary: torchinfo's table (layout, counts and totals checked against torchinfo's own
expected outputs for the same models)."""

import pytest

import minigrad as mg
import minigrad.nn as nn


class LSTMNet(nn.Module):
    """torchinfo's LSTMNet fixture: embedding 20→300, a 2-layer LSTM of 512, a linear decoder."""

    def __init__(self):
        super().__init__()
        self.embedding = nn.Embedding(20, 300)
        self.encoder = nn.LSTM(300, 512, num_layers=2, batch_first=True)
        self.decoder = nn.Linear(512, 20)

    def forward(self, x):
        out, _ = self.encoder(self.embedding(x))
        return self.decoder(out)


def test_lstm_net_matches_torchinfo(capsys):
    stats = nn.summary(LSTMNet(), input_data=mg.randint(0, 20, (1, 100)))
    printed = capsys.readouterr().out
    assert printed.strip() == str(stats)
    lines = str(stats).splitlines()
    assert lines[0] == "=" * 90
    assert lines[1] == "Layer (type:depth-idx)                   Output Shape              Param #"
    assert lines[3] == "LSTMNet                                  [1, 100, 20]              --"
    assert lines[4] == "├─Embedding: 1-1                         [1, 100, 300]             6,000"
    assert lines[5] == "├─LSTM: 1-2                              [1, 100, 512]             3,768,320"
    assert lines[6] == "├─Linear: 1-3                            [1, 100, 20]              10,260"
    # torchinfo prints these totals for this model (its tests/test_output/lstm.out):
    # 300·20 + 4·512·(300+512+2) + 4·512·(512+512+2) + 512·20+20 = 3,784,580 parameters;
    # mult-adds: the LSTM's weights once per time step (100), the others once per sample
    tail = lines[-10:]
    assert tail[:4] == ["Total params: 3,784,580", "Trainable params: 3,784,580", "Non-trainable params: 0",
                        "Total mult-adds (M): 376.85"]
    # outputs held for forward and backward: 2·4 bytes·(100·300 + 100·512 + 100·20) = 0.67 MB
    assert tail[5:9] == ["Input size (MB): 0.00", "Forward/backward pass size (MB): 0.67",
                         "Params size (MB): 15.14", "Estimated Total Size (MB): 15.80"]
    assert stats.total_params == 3_784_580 and stats.trainable_params == 3_784_580


def test_nesting_depth_recursion_and_frozen_parameters():
    shared = nn.Linear(5, 5)
    inner = nn.Sequential(nn.Linear(5, 5), nn.Sequential(nn.Linear(5, 5), nn.ReLU()))

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.inner, self.shared = inner, shared

        def forward(self, x):
            return self.shared(self.shared(self.inner(x)))

    net = Net()
    net.shared.bias.requires_grad_(False)
    text = str(nn.summary(net, (1, 5), verbose=0)).splitlines()
    assert text[3:10] == [
        "Net                                      [1, 5]                    --",
        "├─Sequential: 1-1                        [1, 5]                    --",
        "│    └─Linear: 2-1                       [1, 5]                    30",
        "│    └─Sequential: 2-2                   [1, 5]                    --",
        "│    │    └─Linear: 3-1                  [1, 5]                    30",
        "│    │    └─ReLU: 3-2                    [1, 5]                    --",
        "├─Linear: 1-2                            [1, 5]                    30",
    ]
    assert text[10] == "├─Linear: 1-3                            [1, 5]                    (recursive)"
    assert "Non-trainable params: 5" in text and "Total params: 90" in text
    shallow = str(nn.summary(net, (1, 5), depth=1, verbose=0))
    assert "├─Sequential: 1-1                        [1, 5]                    60" in shallow
    assert "2-1" not in shallow


def test_columns_and_errors():
    model = nn.Sequential(nn.Conv2d(1, 8, 3, padding=1), nn.ReLU())
    text = str(nn.summary(model, (2, 1, 8, 8), col_names=("input_size", "output_size", "kernel_size",
                                                          "num_params", "mult_adds"), verbose=0))
    assert "Input Shape" in text and "Kernel Shape" in text and "Mult-Adds" in text
    # a 3×3 convolution, 1→8 channels: 80 parameters, each used at 8·8 positions of 2 samples
    assert "[2, 1, 8, 8]              [2, 8, 8, 8]              [8, 1, 3, 3]              80" \
           "                        10,240" in text
    with pytest.raises(ValueError, match="input_size"):
        nn.summary(model)
    with pytest.raises(ValueError, match="unknown column 'flops'"):
        nn.summary(model, (1, 1, 4, 4), col_names=("flops",))
