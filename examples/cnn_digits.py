"""A convolutional network on the 8x8 digits: small filters that slide over the image.

digits.py flattens each image into 64 numbers, so its first layer learns one weight
per pixel and per hidden unit: a stroke moved one pixel to the left looks new to it.
A convolution instead slides a small 3x3 filter over the whole image and asks the
same question everywhere ("is there a vertical edge here?"); its output, one number
per position, is a *feature map*. Pooling then keeps the largest answer in each 2x2
block, so the next layer sees a smaller map that cares less where exactly a stroke is.

The network: two rounds of convolution -> ReLU -> max-pooling (8x8 -> 4x4 -> 2x2),
then one Linear layer from the 32 maps of 2x2 to the 10 digit scores: about as many
weights as digits.py's 64-64-10 network, used better. It reaches about 98% test
accuracy on the same train/test split (1,438 training and 359 test images; the data
ships with tinygrad_edu, CC BY 4.0) in a few seconds on 2 cores. We print the shape
after every layer, the progress of each epoch and the final test accuracy, and write
to --out:

    filters.png        the 16 filters the first layer learned (3x3 weights each)
    feature_maps.png   one test digit and what each of those filters sees in it

    python examples/cnn_digits.py                   # Adam, 30 epochs
    python examples/cnn_digits.py --epochs 3        # a quick look
"""
from __future__ import annotations

import time

import numpy as np

import tinygrad_edu as tg
from tinygrad_edu import nn, optim
from tinygrad_edu.utils.data import DataLoader
from _common import parse_args, progress, pyplot, save


def extra_flags(p):
    p.add_argument("--batch-size", type=int, default=32, help="mini-batch size (default 32)")
    p.add_argument("--channels", type=int, default=16,
                   help="filters in the first convolution; the second has twice as many "
                        "(default 16)")


args = parse_args("cnn_digits", __doc__.splitlines()[0], epochs=30, extra=extra_flags,
                  lr={"sgd": 0.1, "momentum": 0.01, "adam": 2e-3})
tg.manual_seed(args.seed)     # fixes the initial weights and the batch shuffling
start_time = time.perf_counter()

# --- 1. The data: the same split as digits.py; images are float32 (8, 8) in [0, 1] --
train_set = tg.datasets.Digits(train=True, seed=args.seed)    # 1,438 images
test_set = tg.datasets.Digits(train=False, seed=args.seed)    # 359 images
print(f"digits: {len(train_set)} training and {len(test_set)} test images of 8x8 pixels")
train_loader = DataLoader(train_set, batch_size=args.batch_size, shuffle=True)
test_loader = DataLoader(test_set, batch_size=1000)

# --- 2. The model: (conv -> ReLU -> pool) twice, then a Linear layer -----------------
# A convolution wants (batch, channels, height, width): a grey image has one channel.
# padding=1 puts a border of zeros around the image, so a 3x3 filter fits at every
# pixel and the map keeps the image's size; MaxPool2d(2) then halves it.
c = args.channels
model = nn.Sequential(
    nn.Conv2d(1, c, kernel_size=3, padding=1),       # c filters of 1x3x3: (B, c, 8, 8)
    nn.ReLU(),
    nn.MaxPool2d(2),                                 # largest of each 2x2: (B, c, 4, 4)
    nn.Conv2d(c, 2 * c, kernel_size=3, padding=1),   # each filter sees all c maps
    nn.ReLU(),
    nn.MaxPool2d(2),                                 # (B, 2c, 2, 2)
    nn.Flatten(),                                    # (B, 2c * 4)
    nn.Linear(2 * c * 2 * 2, 10),                    # 10 scores, one per digit
)
print(model)

# follow one batch of two images through the layers: how the shapes change
x = tg.stack([train_set[0][0], train_set[1][0]]).unsqueeze(1)
print(f"\n{'input':>30}  {tuple(x.shape)}")
with tg.no_grad():
    for layer in model:
        x = layer(x)
        print(f"{layer.__class__.__name__:>30}  {tuple(x.shape)}")
n_weights = sum(p.numel() for p in model.parameters())
print(f"{n_weights:,} weights (digits.py's 64-64-10 network has 4,810)\n")

loss_fn = nn.CrossEntropyLoss()
# the optimizer: --optimizer picks which one, --lr its learning rate
if args.optimizer == "sgd":
    optimizer = optim.SGD(model.parameters(), lr=args.lr)
elif args.optimizer == "momentum":
    optimizer = optim.SGD(model.parameters(), lr=args.lr, momentum=0.9)
else:   # "adam"
    optimizer = optim.Adam(model.parameters(), lr=args.lr)


def evaluate(loader):
    """Mean loss, accuracy, and every prediction, on a whole dataset (no gradients)."""
    total_loss, predictions, targets = 0.0, [], []
    with tg.no_grad():
        for x, y in loader:
            scores = model(x.unsqueeze(1))     # (B, 8, 8) -> (B, 1, 8, 8): one channel
            total_loss += loss_fn(scores, y).item() * len(y)
            predictions.append(scores.argmax(dim=1).numpy())
            targets.append(y.numpy())
    predictions, targets = np.concatenate(predictions), np.concatenate(targets)
    return total_loss / len(targets), (predictions == targets).mean(), predictions, targets


# --- 3. Training: the same loop as for any other model ------------------------------
for epoch in range(1, args.epochs + 1):
    model.train()
    running_loss, correct, seen = 0.0, 0, 0
    for x, y in train_loader:                  # x: (32, 8, 8), y: (32,) int64
        optimizer.zero_grad()
        scores = model(x.unsqueeze(1))         # (32, 10)
        loss = loss_fn(scores, y)
        loss.backward()                        # through the pooling and the convolutions
        optimizer.step()
        running_loss += loss.item() * len(y)
        correct += int((scores.argmax(dim=1).numpy() == y.numpy()).sum())
        seen += len(y)
    model.eval()
    test_loss, test_acc, _, _ = evaluate(test_loader)
    progress("epoch", epoch, args.epochs, train_loss=running_loss / seen,
             train_acc=correct / seen, test_loss=test_loss, test_acc=float(test_acc))

elapsed = time.perf_counter() - start_time
test_loss, test_acc, predictions, targets = evaluate(test_loader)
print(f"\ntest accuracy {test_acc:.2%} ({int((predictions == targets).sum())}/{len(targets)}) "
      f"after {args.epochs} epochs, {elapsed:.1f} s")

# --- 4. What the first layer learned: its filters, and what they see in one digit ---
# Each filter is 3x3 weights; its feature map is the filter slid over the image (then
# ReLU): bright where the image has the pattern the filter looks for.
filters = model[0].weight.detach().numpy()[:, 0]             # (c, 3, 3)
digit, label = test_set[0]
with tg.no_grad():
    maps = model[1](model[0](digit.reshape(1, 1, 8, 8))).numpy()[0]   # (c, 8, 8)
strongest = int(np.argmax(maps.sum(axis=(1, 2))))
print(f"test digit 0 is a {int(label)}, predicted {predictions[0]}; "
      f"filter {strongest} responds to it most strongly")

# ---- pictures (after the lesson): the filters, and the feature maps of one digit ----
plt = pyplot()
if plt is not None:
    rows, cols = -(-c // 8), min(c, 8)            # the filters in rows of 8
    limit = np.abs(filters).max()                 # one colour scale for all of them
    fig, axes = plt.subplots(rows, cols, figsize=(1.5 * cols, 1.7 * rows + 0.5),
                             squeeze=False)
    for ax in axes.ravel():
        ax.axis("off")
    for k, ax in enumerate(axes.ravel()[:c]):
        ax.imshow(filters[k], cmap="RdBu_r", vmin=-limit, vmax=limit)
        ax.set_title(f"filter {k}", fontsize=9)
    fig.suptitle("The first layer's 3x3 filters (red: positive weights, blue: negative)",
                 fontsize=11)
    fig.tight_layout()
    save(fig, args.out / "filters.png")

    # left: the digit; right: each filter (small, above) and its feature map (below)
    fig, axes = plt.subplots(2 * rows, cols + 1, figsize=(1.5 * (cols + 1), 3.0 * rows + 0.6),
                             squeeze=False, gridspec_kw={"height_ratios": [1, 2] * rows})
    for ax in axes.ravel():
        ax.axis("off")
    axes[1, 0].imshow(digit.numpy(), cmap="gray_r", vmin=0, vmax=1)
    axes[1, 0].set_title(f"a test {int(label)}", fontsize=10)
    for k in range(c):
        r, col = 2 * (k // cols), 1 + k % cols
        axes[r, col].imshow(filters[k], cmap="RdBu_r", vmin=-limit, vmax=limit)
        axes[r, col].set_title(f"filter {k}", fontsize=8)
        axes[r + 1, col].imshow(maps[k], cmap="magma", vmin=0, vmax=maps.max())
    fig.suptitle("What each first-layer filter sees in one test digit "
                 "(its feature map, after ReLU; bright = strong)", fontsize=11)
    fig.tight_layout()
    save(fig, args.out / "feature_maps.png")
