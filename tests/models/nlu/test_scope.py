"""The scope model's features: closeness to the top and runner-up intents' sample utterances,
and a scope model fitted before the runner-up column existed still reading its own columns."""

from __future__ import annotations

import numpy as np

from sensorium.models.nlu.scope import ScopeModel, features

# Unit vectors: intent 0's examples along x, intent 1's along y.
BANK = np.array([[1.0, 0.0, 0.0], [0.8, 0.6, 0.0], [0.0, 1.0, 0.0]], np.float32)
BANK_LABELS = np.array([0, 0, 1], np.int64)


def test_features_measure_the_top_and_runner_up_intents() -> None:
    sentences = np.array([[1.0, 0.0, 0.0], [0.6, 0.8, 0.0]], np.float32)
    # Logits: intent 0, intent 1, background (ignored); the second sentence ranks intent 1 first.
    logits = np.array([[4.0, 1.0, 9.0], [1.0, 2.0, 0.0]], np.float32)
    x = features(logits, 2.0, sentences, BANK, BANK_LABELS)
    np.testing.assert_allclose(x[:, 0], [2.0, 1.0])
    np.testing.assert_allclose(x[:, 1], [1.0, 0.8], atol=1e-6)  # nearest of the top intent
    # Top minus runner-up: 1.0 - 0.0 (intent 1's example); 0.8 - 0.96 (intent 0's nearest).
    np.testing.assert_allclose(x[:, 2], [1.0, 0.8 - 0.96], atol=1e-6)


def test_a_single_intent_bot_has_no_runner_up() -> None:
    logits = np.array([[3.0, 0.0]], np.float32)
    x = features(logits, 1.0, BANK[:1], BANK[:2], BANK_LABELS[:2])
    np.testing.assert_allclose(x, [[3.0, 1.0, 2.0]], atol=1e-6)


def test_a_two_feature_scope_model_ignores_the_new_column() -> None:
    old = ScopeModel(
        np.zeros(2, np.float32), np.ones(2, np.float32), np.array([1.0, 1.0], np.float32), 0.0
    )
    x = np.array([[0.5, 0.5, 100.0]], np.float32)
    np.testing.assert_allclose(old.probability(x), [1 / (1 + np.exp(-1.0))], rtol=1e-6)


def test_no_sentences_give_no_rows() -> None:
    empty = np.zeros((0, 3), np.float32)
    assert features(empty, 1.0, empty, BANK, BANK_LABELS).shape == (0, 3)
