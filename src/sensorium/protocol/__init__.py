"""The AWS wire protocols, driven by botocore's service models.

This package turns HTTP requests into ``(service, operation, params)`` and the handler's
result (a dict shaped like the operation's output) back into HTTP responses. It knows
nothing of models or storage.
"""
