"""Sequence-to-sequence translation with ``nn.Transformer`` (PyTorch tutorials, "Language
Translation with nn.Transformer and torchtext"), on a generated language pair.

The model and the training loop are the tutorial's: a ``PositionalEncoding`` module that keeps its
sine/cosine table as a buffer (``register_buffer``) and applies dropout, a ``TokenEmbedding``
scaled by sqrt(d_model), ``nn.Transformer`` in its default sequence-first layout, a causal target
mask from ``generate_square_subsequent_mask`` (``torch.triu`` + ``masked_fill`` with -inf), key
padding masks for source, target and memory, batches padded with ``pad_sequence``, Xavier
initialisation of every matrix, ``CrossEntropyLoss(ignore_index=PAD_IDX)`` and Adam with
betas (0.9, 0.98) and eps 1e-9; ``greedy_decode`` runs ``model.encode`` once and ``model.decode``
token by token.

The "translation" is to reverse a sentence and to map each source word to its own target word,
so a correct decoder must attend to the right source position. The program also checks the masks
as the tutorial builds them, and that a padded source decodes as the unpadded one does.
Run: python seq2seq_transformer.py [--dry-run]
"""

import argparse
import math
import random

import minigrad as torch
import minigrad.nn as nn
from minigrad import Tensor
from minigrad.nn import Transformer
from minigrad.nn.utils.rnn import pad_sequence
from minigrad.utils.data import DataLoader

UNK_IDX, PAD_IDX, BOS_IDX, EOS_IDX = 0, 1, 2, 3
SRC_WORDS = "ein zwei drei vier fuenf sechs sieben acht neun zehn".split()
TGT_WORDS = "one two three four five six seven eight nine ten".split()


# helper Module that adds positional encoding to the token embedding to introduce a notion of word order.
class PositionalEncoding(nn.Module):
    def __init__(self, emb_size: int, dropout: float, maxlen: int = 5000):
        super(PositionalEncoding, self).__init__()
        den = torch.exp(- torch.arange(0, emb_size, 2) * math.log(10000) / emb_size)
        pos = torch.arange(0, maxlen).reshape(maxlen, 1)
        pos_embedding = torch.zeros((maxlen, emb_size))
        pos_embedding[:, 0::2] = torch.sin(pos * den)
        pos_embedding[:, 1::2] = torch.cos(pos * den)
        pos_embedding = pos_embedding.unsqueeze(-2)

        self.dropout = nn.Dropout(dropout)
        self.register_buffer('pos_embedding', pos_embedding)

    def forward(self, token_embedding: Tensor):
        return self.dropout(token_embedding + self.pos_embedding[:token_embedding.size(0), :])


# helper Module to convert tensor of input indices into corresponding tensor of token embeddings
class TokenEmbedding(nn.Module):
    def __init__(self, vocab_size: int, emb_size):
        super(TokenEmbedding, self).__init__()
        self.embedding = nn.Embedding(vocab_size, emb_size)
        self.emb_size = emb_size

    def forward(self, tokens: Tensor):
        return self.embedding(tokens.long()) * math.sqrt(self.emb_size)


# Seq2Seq Network
class Seq2SeqTransformer(nn.Module):
    def __init__(self, num_encoder_layers, num_decoder_layers, emb_size, nhead, src_vocab_size,
                 tgt_vocab_size, dim_feedforward=512, dropout=0.1):
        super(Seq2SeqTransformer, self).__init__()
        self.transformer = Transformer(d_model=emb_size,
                                       nhead=nhead,
                                       num_encoder_layers=num_encoder_layers,
                                       num_decoder_layers=num_decoder_layers,
                                       dim_feedforward=dim_feedforward,
                                       dropout=dropout)
        self.generator = nn.Linear(emb_size, tgt_vocab_size)
        self.src_tok_emb = TokenEmbedding(src_vocab_size, emb_size)
        self.tgt_tok_emb = TokenEmbedding(tgt_vocab_size, emb_size)
        self.positional_encoding = PositionalEncoding(emb_size, dropout=dropout)

    def forward(self, src, trg, src_mask, tgt_mask, src_padding_mask, tgt_padding_mask,
                memory_key_padding_mask):
        src_emb = self.positional_encoding(self.src_tok_emb(src))
        tgt_emb = self.positional_encoding(self.tgt_tok_emb(trg))
        outs = self.transformer(src_emb, tgt_emb, src_mask, tgt_mask, None,
                                src_padding_mask, tgt_padding_mask, memory_key_padding_mask)
        return self.generator(outs)

    def encode(self, src: Tensor, src_mask: Tensor, src_padding_mask=None):
        return self.transformer.encoder(self.positional_encoding(self.src_tok_emb(src)), src_mask,
                                        src_key_padding_mask=src_padding_mask)

    def decode(self, tgt: Tensor, memory: Tensor, tgt_mask: Tensor, memory_key_padding_mask=None):
        return self.transformer.decoder(self.positional_encoding(self.tgt_tok_emb(tgt)), memory, tgt_mask,
                                        memory_key_padding_mask=memory_key_padding_mask)


def generate_square_subsequent_mask(sz, device="cpu"):
    mask = (torch.triu(torch.ones((sz, sz), device=device)) == 1).transpose(0, 1)
    mask = mask.float().masked_fill(mask == 0, float('-inf')).masked_fill(mask == 1, float(0.0))
    return mask


def create_mask(src, tgt, device="cpu"):
    src_seq_len = src.shape[0]
    tgt_seq_len = tgt.shape[0]

    tgt_mask = generate_square_subsequent_mask(tgt_seq_len, device)
    src_mask = torch.zeros((src_seq_len, src_seq_len), device=device).type(torch.bool)

    src_padding_mask = (src == PAD_IDX).transpose(0, 1)
    tgt_padding_mask = (tgt == PAD_IDX).transpose(0, 1)
    return src_mask, tgt_mask, src_padding_mask, tgt_padding_mask


def sentence_pairs(n, seed):
    rng = random.Random(seed)
    pairs = []
    for _ in range(n):
        words = [rng.randrange(len(SRC_WORDS)) for _ in range(rng.randint(2, 7))]
        pairs.append((" ".join(SRC_WORDS[w] for w in words), " ".join(TGT_WORDS[w] for w in reversed(words))))
    return pairs


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--epochs', type=int, default=12)
    parser.add_argument('--dry-run', action='store_true')
    args = parser.parse_args()
    torch.manual_seed(0)
    DEVICE = "cpu"

    specials = ['<unk>', '<pad>', '<bos>', '<eos>']
    src_vocab = {w: i for i, w in enumerate(specials + SRC_WORDS)}
    tgt_vocab = {w: i for i, w in enumerate(specials + TGT_WORDS)}
    tgt_itos = {i: w for w, i in tgt_vocab.items()}

    def tensor_transform(token_ids):
        return torch.cat((torch.tensor([BOS_IDX]), torch.tensor(token_ids), torch.tensor([EOS_IDX])))

    def text_transform(vocab, sentence):
        return tensor_transform([vocab.get(w, UNK_IDX) for w in sentence.split()])

    # function to collate data samples into batch tensors
    def collate_fn(batch):
        src_batch, tgt_batch = [], []
        for src_sample, tgt_sample in batch:
            src_batch.append(text_transform(src_vocab, src_sample.rstrip("\n")))
            tgt_batch.append(text_transform(tgt_vocab, tgt_sample.rstrip("\n")))

        src_batch = pad_sequence(src_batch, padding_value=PAD_IDX)
        tgt_batch = pad_sequence(tgt_batch, padding_value=PAD_IDX)
        return src_batch, tgt_batch

    mask = generate_square_subsequent_mask(3)
    assert mask.tolist() == [[0.0, float('-inf'), float('-inf')], [0.0, 0.0, float('-inf')], [0.0, 0.0, 0.0]]
    assert torch.equal(mask, Transformer.generate_square_subsequent_mask(3))

    EMB_SIZE = 32 if args.dry_run else 64
    transformer = Seq2SeqTransformer(2, 2, EMB_SIZE, 4, len(src_vocab), len(tgt_vocab), 2 * EMB_SIZE,
                                     dropout=0.1)
    for p in transformer.parameters():
        if p.dim() > 1:
            nn.init.xavier_uniform_(p)
    transformer = transformer.to(DEVICE)
    assert 'positional_encoding.pos_embedding' in transformer.state_dict()
    assert 'positional_encoding.pos_embedding' not in dict(transformer.named_parameters())

    loss_fn = torch.nn.CrossEntropyLoss(ignore_index=PAD_IDX)
    optimizer = torch.optim.Adam(transformer.parameters(), lr=0.001, betas=(0.9, 0.98), eps=1e-9)

    train_iter = sentence_pairs(600 if args.dry_run else 2000, seed=1)
    val_iter = sentence_pairs(200, seed=2)

    def batch_loss(model, src, tgt):
        """The tutorial's teacher-forced loss: the target shifted by one, the masks, cross-entropy."""
        src = src.to(DEVICE)
        tgt = tgt.to(DEVICE)

        tgt_input = tgt[:-1, :]

        src_mask, tgt_mask, src_padding_mask, tgt_padding_mask = create_mask(src, tgt_input)

        logits = model(src, tgt_input, src_mask, tgt_mask, src_padding_mask, tgt_padding_mask,
                       src_padding_mask)

        tgt_out = tgt[1:, :]
        return loss_fn(logits.reshape(-1, logits.shape[-1]), tgt_out.reshape(-1))

    def train_epoch(model, optimizer):
        model.train()
        losses = 0
        train_dataloader = DataLoader(train_iter, batch_size=BATCH_SIZE, collate_fn=collate_fn, shuffle=True)

        for src, tgt in train_dataloader:
            optimizer.zero_grad()
            loss = batch_loss(model, src, tgt)
            loss.backward()

            optimizer.step()
            losses += loss.item()

        return losses / len(list(train_dataloader))

    def evaluate(model):
        model.eval()
        losses = 0

        val_dataloader = DataLoader(val_iter, batch_size=BATCH_SIZE, collate_fn=collate_fn)

        for src, tgt in val_dataloader:
            losses += batch_loss(model, src, tgt).item()

        return losses / len(list(val_dataloader))

    BATCH_SIZE = 64
    NUM_EPOCHS = 3 if args.dry_run else args.epochs
    val_losses = []
    for epoch in range(1, NUM_EPOCHS + 1):
        train_loss = train_epoch(transformer, optimizer)
        with torch.no_grad():
            val_losses.append(evaluate(transformer))
        print(f"Epoch: {epoch}, Train loss: {train_loss:.3f}, Val loss: {val_losses[-1]:.3f}")
    assert val_losses[-1] < (0.95 if args.dry_run else 0.5) * val_losses[0], val_losses

    # function to generate output sequence using greedy algorithm
    def greedy_decode(model, src, src_mask, max_len, start_symbol, src_padding_mask=None):
        src = src.to(DEVICE)
        src_mask = src_mask.to(DEVICE)

        memory = model.encode(src, src_mask, src_padding_mask)
        ys = torch.ones(1, 1).fill_(start_symbol).type(torch.long).to(DEVICE)
        for _ in range(max_len - 1):
            memory = memory.to(DEVICE)
            tgt_mask = (generate_square_subsequent_mask(ys.size(0)).type(torch.bool)).to(DEVICE)
            out = model.decode(ys, memory, tgt_mask, src_padding_mask)
            out = out.transpose(0, 1)
            prob = model.generator(out[:, -1])
            _, next_word = torch.max(prob, dim=1)
            next_word = next_word.item()

            ys = torch.cat([ys, torch.ones(1, 1).type_as(src.data).fill_(next_word)], dim=0)
            if next_word == EOS_IDX:
                break
        return ys

    # actual function to translate input sentence into target language
    def translate(model: torch.nn.Module, src_sentence: str):
        model.eval()
        src = text_transform(src_vocab, src_sentence).view(-1, 1)
        num_tokens = src.shape[0]
        src_mask = (torch.zeros(num_tokens, num_tokens)).type(torch.bool)
        tgt_tokens = greedy_decode(model, src, src_mask, max_len=num_tokens + 5,
                                   start_symbol=BOS_IDX).flatten()
        return " ".join(tgt_itos[int(i)] for i in tgt_tokens).replace("<bos>", "").replace("<eos>", "")

    with torch.no_grad():
        print(translate(transformer, "drei sieben eins zehn"))
        correct = sum(translate(transformer, s).split() == t.split() for s, t in val_iter[:40])
        print(f"{correct}/40 validation sentences translated exactly")
        assert args.dry_run or correct >= 25, correct

        # a source padded at the end decodes as the same source without padding
        src = text_transform(src_vocab, "zwei vier acht").view(-1, 1)
        padded = torch.cat([src, torch.full((3, 1), PAD_IDX)])
        plain = greedy_decode(transformer, src, torch.zeros(5, 5).bool(), 8, BOS_IDX)
        masked = greedy_decode(transformer, padded, torch.zeros(8, 8).bool(), 8, BOS_IDX,
                               src_padding_mask=(padded == PAD_IDX).transpose(0, 1))
        assert torch.equal(plain, masked), (plain.flatten(), masked.flatten())


if __name__ == "__main__":
    main()
