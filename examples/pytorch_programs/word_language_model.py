"""pytorch/examples' word_language_model (main.py, model.py, data.py, generate.py) on a bundled text.

The example's program: a ``Dictionary``/``Corpus`` that turns words into ids, ``batchify``
(``narrow`` to a multiple of the batch size, ``view(bsz, -1).t().contiguous()``), ``get_batch``
windows of ``bptt`` steps, an ``RNNModel`` that builds ``nn.LSTM``/``nn.GRU`` by name with
``getattr(nn, rnn_type)`` or ``nn.RNN(nonlinearity=...)``, two layers with dropout between them,
tied encoder and decoder weights, ``init_hidden`` from ``weight.new_zeros``, hidden states carried
across batches and detached by ``repackage_hidden``, ``clip_grad_norm_``, the hand-written update
``p.data.add_(p.grad, alpha=-lr)``, the rate divided by 4 when validation stops improving, and
generate.py's sampling (``output.squeeze().div(temperature).exp()``, ``torch.multinomial``,
``input.fill_(word_idx)``). The example saves the whole model with ``torch.save(model, f)``; here
the ``state_dict`` goes through a ``BytesIO`` (PyTorch's ``torch.load`` refuses pickled modules by
default since 2.6).

The text is the Zen of Python (Python's ``this`` module), a few hundred words: the model learns
it by heart, so the program asserts that the training perplexity falls far below the vocabulary
size. Run: python word_language_model.py [--dry-run]
"""

import argparse
import codecs
import contextlib
import io
import math

import minigrad as torch
import minigrad.nn as nn


class Dictionary(object):
    def __init__(self):
        self.word2idx = {}
        self.idx2word = []

    def add_word(self, word):
        if word not in self.word2idx:
            self.idx2word.append(word)
            self.word2idx[word] = len(self.idx2word) - 1
        return self.word2idx[word]

    def __len__(self):
        return len(self.idx2word)


class Corpus(object):
    def __init__(self, lines):
        self.dictionary = Dictionary()
        n = len(lines)
        self.train = self.tokenize(lines)
        self.valid = self.tokenize(lines[n // 2:])
        self.test = self.tokenize(lines[:n // 2])

    def tokenize(self, lines):
        """Tokenizes a list of lines."""
        idss = []
        for line in lines:
            words = line.split() + ['<eos>']
            ids = []
            for word in words:
                ids.append(self.dictionary.add_word(word))
            idss.append(torch.tensor(ids).type(torch.int64))
        ids = torch.cat(idss)
        return ids


class RNNModel(nn.Module):
    """Container module with an encoder, a recurrent module, and a decoder."""

    def __init__(self, rnn_type, ntoken, ninp, nhid, nlayers, dropout=0.5, tie_weights=False):
        super(RNNModel, self).__init__()
        self.ntoken = ntoken
        self.drop = nn.Dropout(dropout)
        self.encoder = nn.Embedding(ntoken, ninp)
        if rnn_type in ['LSTM', 'GRU']:
            self.rnn = getattr(nn, rnn_type)(ninp, nhid, nlayers, dropout=dropout)
        else:
            try:
                nonlinearity = {'RNN_TANH': 'tanh', 'RNN_RELU': 'relu'}[rnn_type]
            except KeyError as e:
                raise ValueError("""An invalid option for `--model` was supplied,
                                 options are ['LSTM', 'GRU', 'RNN_TANH' or 'RNN_RELU']""") from e
            self.rnn = nn.RNN(ninp, nhid, nlayers, nonlinearity=nonlinearity, dropout=dropout)
        self.decoder = nn.Linear(nhid, ntoken)

        # "Using the Output Embedding to Improve Language Models" (Press & Wolf 2016)
        if tie_weights:
            if nhid != ninp:
                raise ValueError('When using the tied flag, nhid must be equal to emsize')
            self.decoder.weight = self.encoder.weight

        self.init_weights()

        self.rnn_type = rnn_type
        self.nhid = nhid
        self.nlayers = nlayers

    def init_weights(self):
        initrange = 0.1
        nn.init.uniform_(self.encoder.weight, -initrange, initrange)
        nn.init.zeros_(self.decoder.bias)
        nn.init.uniform_(self.decoder.weight, -initrange, initrange)

    def forward(self, input, hidden):
        emb = self.drop(self.encoder(input))
        output, hidden = self.rnn(emb, hidden)
        output = self.drop(output)
        decoded = self.decoder(output)
        decoded = decoded.view(-1, self.ntoken)
        return nn.functional.log_softmax(decoded, dim=1), hidden

    def init_hidden(self, bsz):
        weight = next(self.parameters())
        if self.rnn_type == 'LSTM':
            return (weight.new_zeros(self.nlayers, bsz, self.nhid),
                    weight.new_zeros(self.nlayers, bsz, self.nhid))
        else:
            return weight.new_zeros(self.nlayers, bsz, self.nhid)


def batchify(data, bsz, device):
    # Work out how cleanly we can divide the dataset into bsz parts.
    nbatch = data.size(0) // bsz
    # Trim off any extra elements that wouldn't cleanly fit (remainders).
    data = data.narrow(0, 0, nbatch * bsz)
    # Evenly divide the data across the bsz batches.
    data = data.view(bsz, -1).t().contiguous()
    return data.to(device)


def repackage_hidden(h):
    """Wraps hidden states in new Tensors, to detach them from their history."""

    if isinstance(h, torch.Tensor):
        return h.detach()
    else:
        return tuple(repackage_hidden(v) for v in h)


def main():
    parser = argparse.ArgumentParser(description='PyTorch RNN/LSTM/GRU Language Model')
    parser.add_argument('--model', type=str, default='LSTM',
                        help='type of network (RNN_TANH, RNN_RELU, LSTM, GRU)')
    parser.add_argument('--emsize', type=int, default=64, help='size of word embeddings')
    parser.add_argument('--nhid', type=int, default=64, help='number of hidden units per layer')
    parser.add_argument('--nlayers', type=int, default=2, help='number of layers')
    parser.add_argument('--lr', type=float, default=20, help='initial learning rate')
    parser.add_argument('--clip', type=float, default=0.25, help='gradient clipping')
    parser.add_argument('--epochs', type=int, default=40, help='upper epoch limit')
    parser.add_argument('--batch_size', type=int, default=2, metavar='N', help='batch size')
    parser.add_argument('--bptt', type=int, default=8, help='sequence length')
    parser.add_argument('--dropout', type=float, default=0.1,
                        help='dropout applied to layers (0 = no dropout)')
    parser.add_argument('--tied', action='store_true', default=True,
                        help='tie the word embedding and softmax weights')
    parser.add_argument('--seed', type=int, default=1111, help='random seed')
    parser.add_argument('--temperature', type=float, default=1.0,
                        help='temperature - higher will increase diversity')
    parser.add_argument('--log-interval', type=int, default=200, metavar='N', help='report interval')
    parser.add_argument('--dry-run', action='store_true', help='verify the code and the model')
    args = parser.parse_args()
    epochs = 20 if args.dry_run else args.epochs

    # Set the random seed manually for reproducibility.
    torch.manual_seed(args.seed)
    device = torch.device("cpu")

    with contextlib.redirect_stdout(io.StringIO()):  # importing it prints it
        import this
    zen = codecs.decode(this.s, 'rot13').splitlines()[2:]
    corpus = Corpus(zen)
    print(f'{len(corpus.train)} words, {len(corpus.dictionary)} distinct')

    eval_batch_size = 2
    train_data = batchify(corpus.train, args.batch_size, device)
    val_data = batchify(corpus.valid, eval_batch_size, device)
    assert train_data.shape == (len(corpus.train) // args.batch_size, args.batch_size)
    assert torch.equal(train_data[:, 1], corpus.train[train_data.shape[0]:2 * train_data.shape[0]])

    ntokens = len(corpus.dictionary)
    model = RNNModel(args.model, ntokens, args.emsize, args.nhid, args.nlayers, args.dropout,
                     args.tied).to(device)
    assert model.decoder.weight is model.encoder.weight
    assert len(list(model.parameters())) == 2 + 4 * args.nlayers  # the tied weight counted once

    criterion = nn.NLLLoss()

    def get_batch(source, i):
        seq_len = min(args.bptt, len(source) - 1 - i)
        data = source[i:i+seq_len]
        target = source[i+1:i+1+seq_len].view(-1)
        return data, target

    def evaluate(data_source):
        # Turn on evaluation mode which disables dropout.
        model.eval()
        total_loss = 0.
        hidden = model.init_hidden(eval_batch_size)
        with torch.no_grad():
            for i in range(0, data_source.size(0) - 1, args.bptt):
                data, targets = get_batch(data_source, i)
                output, hidden = model(data, hidden)
                hidden = repackage_hidden(hidden)
                total_loss += len(data) * criterion(output, targets).item()
        return total_loss / (len(data_source) - 1)

    def train(lr):
        # Turn on training mode which enables dropout.
        model.train()
        total_loss = 0.
        hidden = model.init_hidden(args.batch_size)
        for batch, i in enumerate(range(0, train_data.size(0) - 1, args.bptt)):
            data, targets = get_batch(train_data, i)
            # Starting each batch, we detach the hidden state from how it was previously produced.
            # If we didn't, the model would try backpropagating all the way to start of the dataset.
            model.zero_grad()
            hidden = repackage_hidden(hidden)
            output, hidden = model(data, hidden)
            loss = criterion(output, targets)
            loss.backward()

            # `clip_grad_norm` helps prevent the exploding gradient problem in RNNs / LSTMs.
            torch.nn.utils.clip_grad_norm_(model.parameters(), args.clip)
            for p in model.parameters():
                p.data.add_(p.grad, alpha=-lr)

            total_loss += loss.item()
            if batch % args.log_interval == 0 and batch > 0:
                print('| {:5d}/{:5d} batches | loss {:5.2f}'.format(
                    batch, len(train_data) // args.bptt, loss.item()))
        return total_loss / (batch + 1)

    # Loop over epochs.
    lr = args.lr
    best_val_loss = None
    best_state = None
    first = None
    for epoch in range(1, epochs+1):
        train_loss = train(lr)
        first = first or train_loss
        val_loss = evaluate(val_data)
        print('| end of epoch {:3d} | lr {:5.2f} | train ppl {:8.2f} | valid ppl {:8.2f}'.format(
            epoch, lr, math.exp(train_loss), math.exp(val_loss)))
        # Save the model if the validation loss is the best we've seen so far.
        if not best_val_loss or val_loss < best_val_loss:
            best_state = io.BytesIO()
            torch.save(model.state_dict(), best_state)
            best_val_loss = val_loss
        else:
            # Anneal the learning rate if no improvement has been seen in the validation dataset.
            lr /= 4.0
    assert math.exp(train_loss) < ntokens / (2 if args.dry_run else 20), math.exp(train_loss)
    assert train_loss < first

    # Load the best saved model.
    best_state.seek(0)
    model.load_state_dict(torch.load(best_state))
    assert abs(evaluate(val_data) - best_val_loss) < 1e-5

    # generate.py: sample words one at a time, the hidden state carried along
    model.eval()
    hidden = model.init_hidden(1)
    input = torch.randint(ntokens, (1, 1), dtype=torch.long).to(device)
    words = []
    with torch.no_grad():  # no tracking history
        for _ in range(30):
            output, hidden = model(input, hidden)
            word_weights = output.squeeze().div(args.temperature).exp().cpu()
            word_idx = torch.multinomial(word_weights, 1)[0]
            input.fill_(word_idx)

            word = corpus.dictionary.idx2word[word_idx]
            words.append('\n' if word == '<eos>' else word)
    print(' '.join(words))
    assert hidden[0].shape == (args.nlayers, 1, args.nhid)


if __name__ == '__main__':
    main()
