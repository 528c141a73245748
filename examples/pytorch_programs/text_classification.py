"""The text classification tutorial (PyTorch tutorials, "Text classification with the torchtext
library") on generated headlines, without torchtext.

The model is the tutorial's: ``nn.EmbeddingBag`` averages the embeddings of each text (the batch is
one flat tensor of token ids plus the ``offsets`` where each text starts), then one ``nn.Linear``.
The data pipeline is the tutorial's too: a ``collate_batch`` function given to ``DataLoader`` turns
a list of (label, text) pairs into labels, concatenated token ids and offsets (``cumsum`` of the
lengths), ``random_split`` holds out a validation set, and training uses SGD with lr = 5,
``clip_grad_norm_(0.1)`` and a ``StepLR`` that divides the rate by ten when validation accuracy
stops improving. The weights start as in ``init_weights``: ``uniform_(-0.5, 0.5)`` and ``zero_()``
through ``.data``.

Instead of AG_NEWS the headlines are generated: each of four topics draws most words from its own
vocabulary and some from a shared one, so a bag of words can classify them.
Run: python text_classification.py [--dry-run]
"""

import argparse
import random
import time

import minigrad as torch
from minigrad import nn
from minigrad.utils.data import DataLoader
from minigrad.utils.data.dataset import random_split

TOPICS = {
    1: "match team coach season league goal player final score win cup injury transfer",  # Sports
    2: "market shares profit stocks bank investors quarter earnings oil prices trade deal",  # Business
    3: "software chip internet phone computer users network launch data robot space web",  # Sci/Tec
    0: "government minister election war talks president troops leaders vote peace police",  # World
}
SHARED = "the a of in on new says after over first report week year could as more".split()


def headlines(n, seed):
    rng = random.Random(seed)
    data = []
    for _ in range(n):
        label = rng.randrange(4)
        words = TOPICS[label].split()
        length = rng.randint(4, 12)
        text = [rng.choice(words) if rng.random() < 0.6 else rng.choice(SHARED) for _ in range(length)]
        data.append((label + 1, " ".join(text)))  # AG_NEWS labels are 1..4
    return data


def build_vocab(texts):
    vocab = {"<unk>": 0}
    for text in texts:
        for token in text.split():
            vocab.setdefault(token, len(vocab))
    return vocab


class TextClassificationModel(nn.Module):
    def __init__(self, vocab_size, embed_dim, num_class):
        super(TextClassificationModel, self).__init__()
        self.embedding = nn.EmbeddingBag(vocab_size, embed_dim, sparse=False)
        self.fc = nn.Linear(embed_dim, num_class)
        self.init_weights()

    def init_weights(self):
        initrange = 0.5
        self.embedding.weight.data.uniform_(-initrange, initrange)
        self.fc.weight.data.uniform_(-initrange, initrange)
        self.fc.bias.data.zero_()

    def forward(self, text, offsets):
        embedded = self.embedding(text, offsets)
        return self.fc(embedded)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--dry-run", action="store_true")
    args = parser.parse_args()
    torch.manual_seed(0)

    train_iter, test_iter = headlines(4000, seed=1), headlines(800, seed=2)
    vocab = build_vocab(text for _, text in train_iter)
    text_pipeline = lambda x: [vocab.get(token, vocab["<unk>"]) for token in x.split()]  # noqa: E731
    label_pipeline = lambda x: int(x) - 1  # noqa: E731
    assert text_pipeline("the match of the season") == [vocab["the"], vocab["match"], vocab["of"],
                                                          vocab["the"], vocab["season"]]

    def collate_batch(batch):
        label_list, text_list, offsets = [], [], [0]
        for _label, _text in batch:
            label_list.append(label_pipeline(_label))
            processed_text = torch.tensor(text_pipeline(_text), dtype=torch.int64)
            text_list.append(processed_text)
            offsets.append(processed_text.size(0))
        label_list = torch.tensor(label_list, dtype=torch.int64)
        offsets = torch.tensor(offsets[:-1]).cumsum(dim=0)
        text_list = torch.cat(text_list)
        return label_list, text_list, offsets

    num_class = len(set([label for (label, text) in train_iter]))
    vocab_size = len(vocab)
    emsize = 64
    model = TextClassificationModel(vocab_size, emsize, num_class)

    # an EmbeddingBag in "mean" mode averages each bag: check one bag against the mean by hand
    label, text, offsets = collate_batch(train_iter[:3])
    bags = model.embedding(text, offsets)
    second = text[offsets[1]:offsets[2]]
    assert torch.allclose(bags[1], model.embedding.weight[second].mean(0), atol=1e-6)
    assert offsets.dtype == torch.int64 and offsets[0] == 0

    def train(dataloader):
        model.train()
        total_acc, total_count = 0, 0
        log_interval = 20
        start_time = time.time()

        for idx, (label, text, offsets) in enumerate(dataloader):
            optimizer.zero_grad()
            predicted_label = model(text, offsets)
            loss = criterion(predicted_label, label)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 0.1)
            optimizer.step()
            total_acc += (predicted_label.argmax(1) == label).sum().item()
            total_count += label.size(0)
            if idx % log_interval == 0 and idx > 0:
                elapsed = time.time() - start_time
                print("| epoch {:3d} | {:5d}/{:5d} batches | accuracy {:8.3f} | {:5.1f} ms/batch".format(
                    epoch, idx, len(dataloader), total_acc / total_count, 1000 * elapsed / log_interval))
                total_acc, total_count = 0, 0
                start_time = time.time()

    def evaluate(dataloader):
        model.eval()
        total_acc, total_count = 0, 0

        with torch.no_grad():
            for label, text, offsets in dataloader:
                predicted_label = model(text, offsets)
                total_acc += (predicted_label.argmax(1) == label).sum().item()
                total_count += label.size(0)
        return total_acc / total_count

    EPOCHS = 2 if args.dry_run else args.epochs
    LR = 5  # learning rate
    BATCH_SIZE = 64  # batch size for training

    criterion = torch.nn.CrossEntropyLoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=LR)
    scheduler = torch.optim.lr_scheduler.StepLR(optimizer, 1.0, gamma=0.1)
    total_accu = None
    num_train = int(len(train_iter) * 0.95)
    split_train_, split_valid_ = random_split(train_iter, [num_train, len(train_iter) - num_train])
    assert len(split_valid_) == 200

    train_dataloader = DataLoader(split_train_, batch_size=BATCH_SIZE, shuffle=True, collate_fn=collate_batch)
    valid_dataloader = DataLoader(split_valid_, batch_size=BATCH_SIZE, shuffle=True, collate_fn=collate_batch)
    test_dataloader = DataLoader(test_iter, batch_size=BATCH_SIZE, shuffle=True, collate_fn=collate_batch)

    for epoch in range(1, EPOCHS + 1):
        epoch_start_time = time.time()
        train(train_dataloader)
        accu_val = evaluate(valid_dataloader)
        if total_accu is not None and total_accu > accu_val:
            scheduler.step()
        else:
            total_accu = accu_val
        print("-" * 59)
        print("| end of epoch {:3d} | time: {:5.2f}s | valid accuracy {:8.3f} ".format(
            epoch, time.time() - epoch_start_time, accu_val))
        print("-" * 59)

    accu_test = evaluate(test_dataloader)
    print("test accuracy {:8.3f}".format(accu_test))
    assert accu_test > 0.9, accu_test

    ag_news_label = {1: "World", 2: "Sports", 3: "Business", 4: "Sci/Tec"}

    def predict(text, text_pipeline):
        with torch.no_grad():
            text = torch.tensor(text_pipeline(text))
            output = model(text, torch.tensor([0]))
            return output.argmax(1).item() + 1

    ex_text_str = "the coach says the team could win the cup final after a goal in injury time"
    print("This is a %s news" % ag_news_label[predict(ex_text_str, text_pipeline)])
    assert ag_news_label[predict(ex_text_str, text_pipeline)] == "Sports"


if __name__ == "__main__":
    main()
