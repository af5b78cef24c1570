"""Low-rank adapters (LoRA) on a transformer's linear layers.

The base weights stay frozen; each adapted layer learns ``up @ down`` (rank r), so the
trained delta is small enough to ship inside the package.
"""

from __future__ import annotations

import math

import torch
from torch import nn

# Linear layers of a BERT block that receive adapters (attention and feed-forward).
DEFAULT_TARGETS = (
    "attention.self.query",
    "attention.self.key",
    "attention.self.value",
    "attention.output.dense",
    "intermediate.dense",
    "output.dense",
)


class LoRALinear(nn.Module):
    def __init__(self, base: nn.Linear, rank: int, alpha: float) -> None:
        super().__init__()
        self.base = base
        for parameter in base.parameters():
            parameter.requires_grad = False
        self.down = nn.Parameter(torch.empty(rank, base.in_features))
        self.up = nn.Parameter(torch.zeros(base.out_features, rank))
        nn.init.kaiming_uniform_(self.down, a=math.sqrt(5))
        self.scale = alpha / rank

    def forward(self, inputs: torch.Tensor) -> torch.Tensor:
        delta = (inputs @ self.down.T) @ self.up.T
        output: torch.Tensor = self.base(inputs) + delta * self.scale
        return output


def apply_lora(
    model: nn.Module, rank: int, alpha: float, targets: tuple[str, ...] = DEFAULT_TARGETS
) -> list[str]:
    """Replace every targeted ``nn.Linear`` in ``model`` with a ``LoRALinear``; names back."""
    for parameter in model.parameters():
        parameter.requires_grad = False
    replaced = []
    for name, module in list(model.named_modules()):
        if not isinstance(module, nn.Linear) or _block_relative(name) not in targets:
            continue
        parent_name, _, child = name.rpartition(".")
        parent = model.get_submodule(parent_name)
        setattr(parent, child, LoRALinear(module, rank, alpha))
        replaced.append(name)
    return replaced


def merge_lora(model: nn.Module) -> None:
    """Fold each adapter into its base layer (W + scale * up @ down): same outputs, faster."""
    for name, module in list(model.named_modules()):
        if not isinstance(module, LoRALinear):
            continue
        with torch.no_grad():
            module.base.weight += (module.up @ module.down) * module.scale
        parent_name, _, child = name.rpartition(".")
        setattr(model.get_submodule(parent_name), child, module.base)


def _block_relative(name: str) -> str:
    """``encoder.layer.3.attention.output.dense`` -> ``attention.output.dense``."""
    _, _, inside = name.partition(".layer.")
    _, _, relative = inside.partition(".")
    return relative


def adapter_state(model: nn.Module) -> dict[str, torch.Tensor]:
    """The adapter weights only (what is trained and shipped)."""
    return {
        name: tensor.detach().clone()
        for name, tensor in model.state_dict().items()
        if name.endswith((".down", ".up"))
    }
