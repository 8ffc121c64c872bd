"""Handwritten digits: the textbook two-layer network, trained with mini-batches.

The data: 1,797 handwritten digits, 8x8 pixels each (the UCI "Optical Recognition of
Handwritten Digits" set, CC BY 4.0), shipped inside tinygrad_edu, so nothing is
downloaded. 80% train the network, the other 20% -- images it never sees while
training -- measure how well it learned.

The network: 64 pixels -> 64 hidden ReLU units -> 10 scores, one per digit. The
loss is cross-entropy: softmax turns the scores into probabilities and we
penalise -log(probability of the right digit). A ``DataLoader`` cuts the training
set into shuffled mini-batches of 32; every batch is one optimizer step.

It reaches about 97% test accuracy in a few seconds. We print a confusion matrix
and plot the loss and accuracy curves and the digits it still gets wrong.

    python examples/digits.py                       # Adam, 30 epochs
    python examples/digits.py --dataset mnist --epochs 5   # real MNIST, 28x28: downloads
                                                           # ~11 MB to data/MNIST/raw/
    python examples/digits.py --compile             # the step through tg.compile: same numbers
"""
from __future__ import annotations

import time

import numpy as np

import tinygrad_edu as tg
from tinygrad_edu import nn, optim
from tinygrad_edu.utils.data import DataLoader
from _common import parse_args, progress, pyplot, save


def extra_flags(p):
    p.add_argument("--dataset", choices=["digits", "mnist"], default="digits",
                   help="digits: 8x8, shipped (default); mnist: 28x28, downloaded to --data-root")
    p.add_argument("--data-root", default="data", help="where MNIST is cached (default data/)")
    p.add_argument("--batch-size", type=int, default=32, help="mini-batch size (default 32)")
    p.add_argument("--hidden", type=int, default=64, help="hidden units (default 64)")
    p.add_argument("--compile", action="store_true",
                   help="run the training step through tg.compile (the same numbers, faster)")


args = parse_args("digits", __doc__.splitlines()[0], epochs=30, extra=extra_flags,
                  lr={"sgd": 0.2, "momentum": 0.03, "adam": 5e-3})
tg.manual_seed(args.seed)     # fixes the initial weights and the batch shuffling
start_time = time.perf_counter()

# --- 1. The data: (image, label) pairs; images are float32 in [0, 1] ---------------
if args.dataset == "digits":
    train_set = tg.datasets.Digits(train=True, seed=args.seed)    # 1,438 images
    test_set = tg.datasets.Digits(train=False, seed=args.seed)    # 359 images
else:
    train_set = tg.datasets.MNIST(args.data_root, train=True, download=True)   # 60,000
    test_set = tg.datasets.MNIST(args.data_root, train=False, download=True)   # 10,000
image, label = train_set[0]
side = image.shape[-1]
print(f"{args.dataset}: {len(train_set)} training and {len(test_set)} test images "
      f"of {side}x{side} pixels; the first is a {int(label)}")

train_loader = DataLoader(train_set, batch_size=args.batch_size, shuffle=True)
test_loader = DataLoader(test_set, batch_size=1000)

# --- 2. The model: flatten the image, then Linear -> ReLU -> Linear -----------------
model = nn.Sequential(
    nn.Flatten(),                     # (batch, side, side) -> (batch, side * side)
    nn.Linear(side * side, args.hidden),
    nn.ReLU(),
    nn.Linear(args.hidden, 10),       # 10 scores ("logits"), one per digit
)
print(model)
loss_fn = nn.CrossEntropyLoss()       # softmax + negative log-likelihood, in one stable step
# the optimizer: --optimizer picks which one, --lr its learning rate
if args.optimizer == "sgd":
    optimizer = optim.SGD(model.parameters(), lr=args.lr)
elif args.optimizer == "momentum":
    optimizer = optim.SGD(model.parameters(), lr=args.lr, momentum=0.9)
else:   # "adam"
    optimizer = optim.Adam(model.parameters(), lr=args.lr)


def train_step(x, y):
    """The forward: the scores and their loss (backward and the update come after)."""
    scores = model(x)
    return loss_fn(scores, y), scores


if args.compile:  # traced once per batch shape, then run as straight-line NumPy
    train_step = tg.compile(train_step)


def evaluate(loader):
    """Mean loss, accuracy, and every prediction, on a whole dataset (no gradients)."""
    total_loss, predictions, targets = 0.0, [], []
    with tg.no_grad():
        for x, y in loader:
            scores = model(x)
            total_loss += loss_fn(scores, y).item() * len(y)
            predictions.append(scores.argmax(dim=1).numpy())
            targets.append(y.numpy())
    predictions, targets = np.concatenate(predictions), np.concatenate(targets)
    return total_loss / len(targets), (predictions == targets).mean(), predictions, targets


# --- 3. Training: an epoch is one pass over the shuffled training set ----------------
history = {"train_loss": [], "train_acc": [], "test_loss": [], "test_acc": []}
for epoch in range(1, args.epochs + 1):
    model.train()
    running_loss, correct, seen = 0.0, 0, 0
    for x, y in train_loader:                  # x: (32, side, side), y: (32,) int64
        optimizer.zero_grad()
        loss, scores = train_step(x, y)        # scores: (32, 10)
        loss.backward()
        optimizer.step()
        running_loss += loss.item() * len(y)
        correct += int((scores.argmax(dim=1).numpy() == y.numpy()).sum())
        seen += len(y)
    model.eval()
    test_loss, test_acc, _, _ = evaluate(test_loader)
    history["train_loss"].append(running_loss / seen)
    history["train_acc"].append(correct / seen)
    history["test_loss"].append(test_loss)
    history["test_acc"].append(test_acc)
    progress("epoch", epoch, args.epochs, train_loss=running_loss / seen,
             train_acc=correct / seen, test_loss=test_loss, test_acc=float(test_acc))

elapsed = time.perf_counter() - start_time
test_loss, test_acc, predictions, targets = evaluate(test_loader)
print(f"\ntest accuracy {test_acc:.2%} ({int((predictions == targets).sum())}/{len(targets)}) "
      f"after {args.epochs} epochs, {elapsed:.1f} s")

# --- 4. The confusion matrix: row = true digit, column = predicted digit --------------
confusion = np.zeros((10, 10), dtype=int)
np.add.at(confusion, (targets, predictions), 1)
print("\nconfusion matrix (rows: true digit, columns: predicted digit)")
print("      " + "".join(f"{d:>5}" for d in range(10)))
for d in range(10):
    print(f"  {d}:  " + "".join(f"{n:>5}" if n else "    ." for n in confusion[d]))

# ---- pictures (after the lesson): learning curves, and the digits it gets wrong ----
plt = pyplot()
if plt is not None:
    epochs = np.arange(1, args.epochs + 1)
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(12, 4.2))
    ax1.plot(epochs, history["train_loss"], "o-", ms=3, lw=2, label="train")
    ax1.plot(epochs, history["test_loss"], "s-", ms=3, lw=2, label="test")
    ax1.set(xlabel="epoch", ylabel="cross-entropy loss", yscale="log",
            title=f"Loss ({args.optimizer}, lr={args.lr:g}, batch {args.batch_size})")
    ax1.legend()
    ax2.plot(epochs, np.array(history["train_acc"]) * 100, "o-", ms=3, lw=2, label="train")
    ax2.plot(epochs, np.array(history["test_acc"]) * 100, "s-", ms=3, lw=2, label="test")
    ax2.axhline(95, color="gray", ls=":", lw=1.5, label="95%")
    ax2.set(xlabel="epoch", ylabel="accuracy (%)", ylim=(min(80, ax2.get_ylim()[0]), 100.5),
            title=f"Accuracy: {test_acc:.1%} on {len(targets)} unseen test images")
    ax2.legend(loc="lower right")
    fig.tight_layout()
    save(fig, args.out / "curves.png")

    wrong = np.flatnonzero(predictions != targets)[:24]
    cols = 8
    rows = max(1, -(-len(wrong) // cols))
    fig, axes = plt.subplots(rows, cols, figsize=(1.5 * cols, 2.0 * rows + 0.4),
                             squeeze=False)
    for ax in axes.ravel():
        ax.set(xticks=[], yticks=[])
        ax.grid(False)
    for ax in axes.ravel()[len(wrong):]:
        ax.axis("off")
    for ax, i in zip(axes.ravel(), wrong):
        ax.imshow(test_set[int(i)][0].numpy(), cmap="gray_r", vmin=0, vmax=1)
        ax.set_title(f"true {targets[i]}\npredicted {predictions[i]}", fontsize=9)
    fig.suptitle(f"Test digits the network gets wrong ({len(wrong)} of "
                 f"{int((predictions != targets).sum())} shown)", fontsize=12)
    fig.tight_layout()
    save(fig, args.out / "misclassified.png")
