"""``tg.optim``: optimizers and learning-rate schedules, as ``torch.optim``."""
from . import lr_scheduler
from .adam import Adam, AdamW
from .adam_variants import Adamax, NAdam, RAdam
from .optimizer import Optimizer
from .rmsprop import Adadelta, Adagrad, RMSprop
from .sgd import SGD, Momentum

__all__ = ["Optimizer", "SGD", "Momentum", "Adam", "AdamW", "RMSprop", "Adagrad", "Adadelta",
           "Adamax", "NAdam", "RAdam", "lr_scheduler"]
