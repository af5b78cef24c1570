"""Text models: the packaged sentence encoder, our sentiment classifier, language identification."""
