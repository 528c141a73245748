"""Classifying names with a character-level RNN (PyTorch tutorials, "NLP From Scratch").

The tutorial's program on a bundled list of surnames from five languages: each name becomes a
``<line_length x 1 x n_letters>`` one-hot tensor (``torch.zeros`` + item assignment), the RNN is
the tutorial's own module (``i2h`` over ``torch.cat((input, hidden), 1)``, ``h2o``,
``nn.LogSoftmax(dim=1)``) run one letter at a time from ``initHidden()`` = ``torch.zeros(1, n)``,
trained with ``nn.NLLLoss`` and the tutorial's hand-written SGD step
(``p.data.add_(p.grad.data, alpha=-learning_rate)``); predictions read ``output.topk(k, 1, True)``;
the confusion matrix is filled by item assignment and normalised row by row.

A second model runs the same data through ``nn.GRU`` in one call and is trained with
``optim.SGD``; both must beat chance (20%) by far on held-out names.
Run: python name_classifier.py [--dry-run]
"""

import argparse
import random
import string
import unicodedata

import minigrad as torch
import minigrad.nn as nn

NAMES = {
    "English": "Smith Jones Taylor Brown Williams Wilson Johnson Davies Robinson Wright Thompson Evans "
               "Walker White Roberts Green Hall Wood Jackson Clarke Harrison Cooper Ward Morris Turner "
               "Hughes Edwards Collins Stewart Morgan Bell Murphy Bailey Parker Butler Fisher Ashworth",
    "Italian": "Rossi Russo Ferrari Esposito Bianchi Romano Colombo Ricci Marino Greco Bruno Gallo "
               "Conti DeLuca Mancini Costa Giordano Rizzo Lombardi Moretti Barbieri Fontana Santoro "
               "Mariani Rinaldi Caruso Ferrara Galli Martini Leone Longo Gentile Martinelli Vitale Serra",
    "Japanese": "Sato Suzuki Takahashi Tanaka Watanabe Ito Yamamoto Nakamura Kobayashi Kato Yoshida "
                "Yamada Sasaki Yamaguchi Matsumoto Inoue Kimura Hayashi Shimizu Yamazaki Mori Abe "
                "Ikeda Hashimoto Yamashita Ishikawa Nakajima Maeda Fujita Ogawa Goto Okada Hasegawa",
    "Russian": "Ivanov Smirnov Kuznetsov Popov Vasiliev Petrov Sokolov Mikhailov Novikov Fedorov "
               "Morozov Volkov Alekseev Lebedev Semenov Egorov Pavlov Kozlov Stepanov Nikolaev Orlov "
               "Andreev Makarov Nikitin Zakharov Zaitsev Solovyov Borisov Yakovlev Grigoriev Romanov",
    "Polish": "Nowak Kowalski Wiśniewski Wójcik Kowalczyk Kamiński Lewandowski Zieliński Szymański "
              "Woźniak Dąbrowski Kozłowski Jankowski Mazur Kwiatkowski Krawczyk Piotrowski Grabowski "
              "Nowakowski Pawłowski Michalski Nowicki Adamczyk Dudek Zając Wieczorek Jabłoński Król",
}

all_letters = string.ascii_letters + " .,;'"
n_letters = len(all_letters)


# Turn a Unicode string to plain ASCII, thanks to https://stackoverflow.com/a/518232/2809427
def unicodeToAscii(s):
    return ''.join(
        c for c in unicodedata.normalize('NFD', s)
        if unicodedata.category(c) != 'Mn'
        and c in all_letters
    )


# Find letter index from all_letters, e.g. "a" = 0
def letterToIndex(letter):
    return all_letters.find(letter)


# Turn a line into a <line_length x 1 x n_letters>,
# or an array of one-hot letter vectors
def lineToTensor(line):
    tensor = torch.zeros(len(line), 1, n_letters)
    for li, letter in enumerate(line):
        tensor[li][0][letterToIndex(letter)] = 1
    return tensor


class RNN(nn.Module):
    def __init__(self, input_size, hidden_size, output_size):
        super(RNN, self).__init__()

        self.hidden_size = hidden_size

        self.i2h = nn.Linear(input_size + hidden_size, hidden_size)
        self.h2o = nn.Linear(hidden_size, output_size)
        self.softmax = nn.LogSoftmax(dim=1)

    def forward(self, input, hidden):
        combined = torch.cat((input, hidden), 1)
        hidden = torch.tanh(self.i2h(combined))
        output = self.h2o(hidden)
        output = self.softmax(output)
        return output, hidden

    def initHidden(self):
        return torch.zeros(1, self.hidden_size)


class GRUClassifier(nn.Module):
    def __init__(self, input_size, hidden_size, output_size):
        super().__init__()
        self.gru = nn.GRU(input_size, hidden_size)
        self.h2o = nn.Linear(hidden_size, output_size)
        self.softmax = nn.LogSoftmax(dim=1)

    def forward(self, line_tensor):
        rnn_out, hidden = self.gru(line_tensor)
        return self.softmax(self.h2o(hidden[0]))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--n-iters', type=int, default=20000)
    parser.add_argument('--dry-run', action='store_true')
    args = parser.parse_args()
    torch.manual_seed(0)
    random.seed(0)

    assert unicodeToAscii('Ślusàrski') == 'Slusarski'
    assert lineToTensor('Jones').size() == (5, 1, n_letters)
    assert lineToTensor('J')[0][0][letterToIndex('J')] == 1

    all_categories = list(NAMES)
    n_categories = len(all_categories)
    data = [(unicodeToAscii(name), category)
            for category in all_categories for name in NAMES[category].split()]
    random.shuffle(data)
    test_data, train_data = data[:30], data[30:]

    def categoryFromOutput(output):
        top_n, top_i = output.topk(1)
        category_i = top_i[0].item()
        return all_categories[category_i], category_i

    def randomTrainingExample():
        line, category = random.choice(train_data)
        category_tensor = torch.tensor([all_categories.index(category)], dtype=torch.long)
        line_tensor = lineToTensor(line)
        return category, line, category_tensor, line_tensor

    n_hidden = 128
    rnn = RNN(n_letters, n_hidden, n_categories)
    criterion = nn.NLLLoss()
    learning_rate = 0.005

    def train(category_tensor, line_tensor):
        hidden = rnn.initHidden()

        rnn.zero_grad()

        for i in range(line_tensor.size()[0]):
            output, hidden = rnn(line_tensor[i], hidden)

        loss = criterion(output, category_tensor)
        loss.backward()

        # Add parameters' gradients to their values, multiplied by learning rate
        for p in rnn.parameters():
            p.data.add_(p.grad.data, alpha=-learning_rate)

        return output, loss.item()

    # Just return an output given a line
    def evaluate(line_tensor):
        hidden = rnn.initHidden()

        for i in range(line_tensor.size()[0]):
            output, hidden = rnn(line_tensor[i], hidden)

        return output

    n_iters = 3000 if args.dry_run else args.n_iters
    print_every = n_iters // 5
    current_loss = 0
    all_losses = []
    for iter in range(1, n_iters + 1):
        category, line, category_tensor, line_tensor = randomTrainingExample()
        output, loss = train(category_tensor, line_tensor)
        current_loss += loss

        if iter % print_every == 0:
            guess, guess_i = categoryFromOutput(output)
            correct = '✓' if guess == category else '✗ (%s)' % category
            print('%d %d%% %.4f %s / %s %s' % (iter, iter / n_iters * 100, loss, line, guess, correct))
            all_losses.append(current_loss / print_every)
            current_loss = 0
    assert all_losses[-1] < all_losses[0], all_losses

    # Keep track of correct guesses in a confusion matrix
    confusion = torch.zeros(n_categories, n_categories)
    with torch.no_grad():
        for line, category in test_data:
            output = evaluate(lineToTensor(line))
            guess, guess_i = categoryFromOutput(output)
            category_i = all_categories.index(category)
            confusion[category_i][guess_i] += 1
    accuracy = confusion.diag().sum().item() / len(test_data)

    # Normalize by dividing every row by its sum
    for i in range(n_categories):
        if confusion[i].sum() > 0:
            confusion[i] = confusion[i] / confusion[i].sum()
    print(confusion)
    print(f'held-out accuracy of the step-by-step RNN: {accuracy:.2f}')
    assert accuracy > 0.5, accuracy

    def predict(input_line, n_predictions=3):
        with torch.no_grad():
            output = evaluate(lineToTensor(input_line))

            # Get top N categories
            topv, topi = output.topk(n_predictions, 1, True)
            predictions = []

            for i in range(n_predictions):
                value = topv[0][i].item()
                category_index = topi[0][i].item()
                print('(%.2f) %s' % (value, all_categories[category_index]))
                predictions.append([value, all_categories[category_index]])
            return predictions

    predictions = predict('Yamashiro')
    assert [v for v, _ in predictions] == sorted([v for v, _ in predictions], reverse=True)

    # the same task with nn.GRU over the whole name at once, trained with optim.SGD
    gru = GRUClassifier(n_letters, 64, n_categories)
    optimizer = torch.optim.SGD(gru.parameters(), lr=0.05, momentum=0.9)
    for _ in range(n_iters // 3):
        category, line, category_tensor, line_tensor = randomTrainingExample()
        optimizer.zero_grad()
        loss = criterion(gru(line_tensor), category_tensor)
        loss.backward()
        nn.utils.clip_grad_norm_(gru.parameters(), 1.0)
        optimizer.step()
    gru.eval()
    with torch.no_grad():
        correct = sum(categoryFromOutput(gru(lineToTensor(line)))[0] == category
                      for line, category in test_data)
    print(f'held-out accuracy of the GRU: {correct / len(test_data):.2f}')
    assert correct / len(test_data) > 0.5


if __name__ == '__main__':
    main()
