"""The LoRA wrapper: adapts the intended layers, starts as the identity, saves only adapters."""

from __future__ import annotations

import torch
from torch import nn

from sensorium.models.text.lora import LoRALinear, adapter_state, apply_lora, merge_lora


class _SelfAttention(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.query = nn.Linear(8, 8)
        self.value = nn.Linear(8, 8)


class _Dense(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.dense = nn.Linear(8, 8)


class _Attention(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        # Named as in BERT ("attention.self.query"), which is what the targets match.
        self.self = _SelfAttention()
        self.output = _Dense()


class _Block(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.attention = _Attention()
        self.output = _Dense()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        a = self.attention.self.query(x) + self.attention.self.value(x)
        out: torch.Tensor = self.output.dense(self.attention.output.dense(a))
        return out


class _Encoder(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.layer = nn.ModuleList([_Block(), _Block()])
        self.pooler = nn.Linear(8, 8)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        for block in self.layer:
            x = block(x)
        return x


class _Model(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.encoder = _Encoder()


def _model() -> _Model:
    torch.manual_seed(0)
    return _Model()


def test_targets_are_matched_exactly() -> None:
    model = _model()
    replaced = apply_lora(model, rank=2, alpha=4, targets=("attention.self.query", "output.dense"))
    assert replaced == [
        "encoder.layer.0.attention.self.query",
        "encoder.layer.0.output.dense",
        "encoder.layer.1.attention.self.query",
        "encoder.layer.1.output.dense",
    ]
    assert not isinstance(model.encoder.pooler, LoRALinear)


def test_starts_as_identity_and_only_adapters_train() -> None:
    model = _model()
    x = torch.randn(3, 8)
    before = model.encoder(x)
    apply_lora(model, rank=2, alpha=4)
    assert torch.allclose(model.encoder(x), before)
    trainable = {name for name, p in model.named_parameters() if p.requires_grad}
    assert trainable and all(name.endswith((".down", ".up")) for name in trainable)
    assert set(adapter_state(model)) == trainable


def test_merging_keeps_outputs() -> None:
    model = _model()
    apply_lora(model, rank=2, alpha=4)
    for name, parameter in model.named_parameters():
        if name.endswith(".up"):
            torch.nn.init.normal_(parameter)  # a trained adapter is not the identity
    x = torch.randn(3, 8)
    adapted = model.encoder(x)
    merge_lora(model)
    assert not any(isinstance(m, LoRALinear) for m in model.modules())
    assert torch.allclose(model.encoder(x), adapted, atol=1e-5)
