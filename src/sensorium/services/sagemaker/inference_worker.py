"""The process that serves a script-mode model, run by path (``python inference_worker.py
MODEL_DIR``) with the SageMaker PyTorch inference toolkit's contract: ``code/inference.py``
in the model folder may define ``model_fn(model_dir)``, ``input_fn(body, content_type)``,
``predict_fn(data, model)``, ``output_fn(prediction, accept)`` or ``transform_fn``; what it
leaves out is the toolkit's default (TorchScript ``model.pt``, JSON/CSV/NPY in, JSON out).

It imports nothing of Sensorium: it runs the caller's code. Requests and answers are frames
on stdin/stdout (a 4-byte big-endian length, then the bytes): a JSON header, then a body.
Whatever the caller's code prints goes to stderr.
"""

from __future__ import annotations

import importlib.util
import io
import json
import os
import struct
import sys
import traceback
from pathlib import Path
from typing import IO, Any

JSON = "application/json"
CSV = "text/csv"
NPY = "application/x-npy"


class ClientError(Exception):
    """The request cannot be decoded (status 415 or 406)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def read_frame(stream: IO[bytes]) -> bytes | None:
    head = stream.read(4)
    if len(head) < 4:
        return None
    (size,) = struct.unpack(">I", head)
    return stream.read(size)


def write_frame(stream: IO[bytes], data: bytes) -> None:
    stream.write(struct.pack(">I", len(data)) + data)
    stream.flush()


def send(stream: IO[bytes], header: dict[str, Any], body: bytes = b"") -> None:
    write_frame(stream, json.dumps(header).encode())
    write_frame(stream, body)


def user_module(model_dir: Path) -> Any:
    path = model_dir / "code" / "inference.py"
    sys.path.insert(0, str(path.parent))
    spec = importlib.util.spec_from_file_location("inference", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def default_model_fn(model_dir: str) -> Any:
    import torch

    path = Path(model_dir) / "model.pt"
    if not path.is_file():
        raise FileNotFoundError(
            "code/inference.py defines no model_fn and the model has no TorchScript model.pt"
        )
    model = torch.jit.load(str(path), map_location="cpu")  # type: ignore[no-untyped-call]
    model.eval()
    return model


def default_input_fn(body: bytes, content_type: str) -> Any:
    import numpy as np
    import torch

    kind = content_type.split(";")[0].strip().lower()
    if kind == JSON:
        array = np.array(json.loads(body), dtype=np.float32)
    elif kind == CSV:
        array = np.atleast_2d(np.genfromtxt(io.StringIO(body.decode()), delimiter=","))
        array = array.astype(np.float32)
    elif kind == NPY:
        array = np.load(io.BytesIO(body), allow_pickle=False)
    else:
        raise ClientError(415, f"Content type {content_type} is not supported by this model.")
    return torch.from_numpy(array)


def default_predict_fn(data: Any, model: Any) -> Any:
    import torch

    with torch.no_grad():
        return model(data)


def default_output_fn(prediction: Any, accept: str) -> Any:
    kind = accept.split(";")[0].strip().lower()
    if kind not in (JSON, "*/*", "application/*", ""):
        raise ClientError(406, f"Accept {accept} is not supported by this model.")
    value = prediction.tolist() if hasattr(prediction, "tolist") else prediction
    return json.dumps(value), JSON


def encoded(result: Any, accept: str) -> tuple[bytes, str]:
    body, content_type = result if isinstance(result, tuple) else (result, accept)
    if isinstance(body, str):
        body = body.encode()
    if not isinstance(body, (bytes, bytearray)):
        raise TypeError(f"output_fn returned {type(body).__name__}, not bytes or str")
    return bytes(body), str(content_type or JSON)


def main() -> None:
    answers = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)  # print() in the caller's code must not reach the answers
    requests = sys.stdin.buffer
    model_dir = sys.argv[1]
    try:
        module = user_module(Path(model_dir))
        model = getattr(module, "model_fn", default_model_fn)(model_dir)
    except Exception:
        send(answers, {"status": 500, "error": traceback.format_exc(limit=5)})
        return
    send(answers, {"status": 200})
    transform = getattr(module, "transform_fn", None)
    input_fn = getattr(module, "input_fn", default_input_fn)
    predict_fn = getattr(module, "predict_fn", default_predict_fn)
    output_fn = getattr(module, "output_fn", default_output_fn)
    while (header := read_frame(requests)) is not None:
        body = read_frame(requests) or b""
        asked = json.loads(header)
        content_type, accept = asked["content_type"], asked["accept"]
        try:
            if transform is not None:
                result = transform(model, body, content_type, accept)
            else:
                result = output_fn(predict_fn(input_fn(body, content_type), model), accept)
            answer, answer_type = encoded(result, accept)
        except ClientError as error:
            send(answers, {"status": error.status, "error": str(error)})
        except Exception:
            send(answers, {"status": 500, "error": traceback.format_exc(limit=5)})
        else:
            send(answers, {"status": 200, "content_type": answer_type}, answer)


if __name__ == "__main__":
    main()
