"""A character-level LSTM language model over sentences of different lengths, packed.

Written as a PyTorch user writes one: each sentence of the text below becomes a sequence of
character ids; a batch is padded with ``pad_sequence``, embedded, packed with
``pack_padded_sequence`` (``enforce_sorted=False``: the batch keeps its order) so that the LSTM
runs each sentence for its own length only, unpacked with ``pad_packed_sequence`` and decoded into
next-character logits. The loss is cross-entropy with ``ignore_index`` on the padding, the
gradient norm is clipped with ``clip_grad_norm_`` before each Adam step.

Checks: ``pad_packed_sequence`` gives back the lengths and zeros after each sentence's end; the
mean training loss of the last epoch is below 80% of the first's, and below log(V), the loss of a
uniform guess over the V characters. ``--dry-run`` trains 8 epochs instead of 30.
Run: python lstm_lm.py [--dry-run]
"""

import argparse
import math
import time

import minigrad as torch
import minigrad.nn as nn
from minigrad.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence, pad_sequence

TEXT = """Alice was beginning to get very tired of sitting by her sister on the bank, and of having
nothing to do. Once or twice she had peeped into the book her sister was reading, but it had no
pictures or conversations in it. And what is the use of a book, thought Alice, without pictures or
conversations? So she was considering in her own mind, as well as she could, for the hot day made
her feel very sleepy and stupid, whether the pleasure of making a daisy-chain would be worth the
trouble of getting up and picking the daisies, when suddenly a White Rabbit with pink eyes ran close
by her. There was nothing so very remarkable in that. Nor did Alice think it so very much out of the
way to hear the Rabbit say to itself, Oh dear! Oh dear! I shall be late! When she thought it over
afterwards, it occurred to her that she ought to have wondered at this, but at the time it all
seemed quite natural. But when the Rabbit actually took a watch out of its waistcoat-pocket, and
looked at it, and then hurried on, Alice started to her feet. She had never before seen a rabbit
with either a waistcoat-pocket, or a watch to take out of it. Burning with curiosity, she ran across
the field after it, and was just in time to see it pop down a large rabbit-hole under the hedge."""

PAD = 0


class Corpus:
    """The text's sentences as tensors of character ids (0 is padding, so ids start at 1)."""

    def __init__(self, text):
        text = " ".join(text.split())
        self.chars = sorted(set(text))
        self.index = {c: i + 1 for i, c in enumerate(self.chars)}
        sentences = [s.strip() + "." for s in text.replace("!", ".").replace("?", ".").split(".")]
        self.sentences = [torch.tensor([self.index[c] for c in s]) for s in sentences if len(s) > 1]

    def __len__(self):
        return len(self.chars) + 1


class CharLM(nn.Module):
    def __init__(self, ntoken, ninp, nhid, nlayers):
        super().__init__()
        self.encoder = nn.Embedding(ntoken, ninp, padding_idx=PAD)
        self.rnn = nn.LSTM(ninp, nhid, nlayers, batch_first=True)
        self.decoder = nn.Linear(nhid, ntoken)

    def forward(self, input, lengths):
        emb = self.encoder(input)
        packed = pack_padded_sequence(emb, lengths, batch_first=True, enforce_sorted=False)
        output, hidden = self.rnn(packed)
        output, out_lengths = pad_packed_sequence(output, batch_first=True, total_length=input.size(1))
        return self.decoder(output), out_lengths, output


def batches(sentences, batch_size, generator):
    """Shuffled batches: (inputs, targets, lengths), each sentence predicting its next character."""
    order = torch.randperm(len(sentences), generator=generator).tolist()
    for start in range(0, len(order), batch_size):
        chosen = [sentences[i] for i in order[start:start + batch_size]]
        inputs = pad_sequence([s[:-1] for s in chosen], batch_first=True, padding_value=PAD)
        targets = pad_sequence([s[1:] for s in chosen], batch_first=True, padding_value=PAD)
        lengths = torch.tensor([len(s) - 1 for s in chosen])
        yield inputs, targets, lengths


def main():
    parser = argparse.ArgumentParser(description='Character-level LSTM language model on packed sentences')
    parser.add_argument('--emsize', type=int, default=32, help='size of character embeddings')
    parser.add_argument('--nhid', type=int, default=128, help='number of hidden units per layer')
    parser.add_argument('--nlayers', type=int, default=2, help='number of layers')
    parser.add_argument('--lr', type=float, default=0.01, help='initial learning rate')
    parser.add_argument('--clip', type=float, default=1.0, help='gradient clipping')
    parser.add_argument('--epochs', type=int, default=30, help='upper epoch limit')
    parser.add_argument('--batch_size', type=int, default=4, metavar='N', help='batch size')
    parser.add_argument('--seed', type=int, default=1111, help='random seed')
    parser.add_argument('--dry-run', action='store_true', help='verify the code and the model: 8 epochs')
    args = parser.parse_args()

    torch.manual_seed(args.seed)
    device = torch.accelerator.current_accelerator() if torch.accelerator.is_available() else "cpu"
    corpus = Corpus(TEXT)
    ntokens = len(corpus)
    model = CharLM(ntokens, args.emsize, args.nhid, args.nlayers).to(device)
    criterion = nn.CrossEntropyLoss(ignore_index=PAD)
    optimizer = torch.optim.Adam(model.parameters(), lr=args.lr)
    generator = torch.Generator().manual_seed(args.seed)

    epochs = 8 if args.dry_run else args.epochs
    epoch_losses = []
    for epoch in range(1, epochs + 1):
        model.train()
        epoch_start_time = time.time()
        total_loss, total_chars = 0.0, 0
        for inputs, targets, lengths in batches(corpus.sentences, args.batch_size, generator):
            inputs, targets = inputs.to(device), targets.to(device)
            optimizer.zero_grad()
            logits, out_lengths, hidden_states = model(inputs, lengths)
            assert out_lengths.tolist() == lengths.tolist()
            # padded steps come back as zeros: the LSTM never ran there
            mask = torch.arange(inputs.size(1))[None, :] >= lengths[:, None]
            assert hidden_states[mask.to(device)].abs().sum().item() == 0
            loss = criterion(logits.view(-1, ntokens), targets.view(-1))
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), args.clip)
            optimizer.step()
            chars = int(lengths.sum())
            total_loss += loss.item() * chars
            total_chars += chars
        epoch_losses.append(total_loss / total_chars)
        print('| epoch {:3d} | time: {:5.2f}s | loss {:5.2f} | ppl {:8.2f}'.format(
            epoch, time.time() - epoch_start_time, epoch_losses[-1], math.exp(epoch_losses[-1])))

    assert epoch_losses[-1] < 0.8 * epoch_losses[0], epoch_losses
    assert epoch_losses[-1] < math.log(ntokens - 1), epoch_losses  # better than a uniform guess


if __name__ == '__main__':
    main()
