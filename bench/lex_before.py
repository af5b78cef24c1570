"""The Lex NLU training code as it was before issue 22 (commit ``BEFORE``), loaded from git
into its own modules, so that a benchmark measures the old and the new code in one run."""

from __future__ import annotations

import subprocess
import sys
import types
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
BEFORE = "1a1a0db31f2507f4ec27d14089d5ffc35c9ecba9"
MODULES = ("background", "intents", "tagger", "pipeline")  # in dependency order
PACKAGE = "lex_before_nlu"


def _source(name: str) -> str:
    return subprocess.run(
        ["git", "show", f"{BEFORE}:src/sensorium/models/nlu/{name}.py"],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout


def pipeline_class() -> Any:
    """``NluPipeline`` of the old code (it trains with the current encoder and data types)."""
    if f"{PACKAGE}.pipeline" not in sys.modules:
        package = types.ModuleType(PACKAGE)
        package.__path__ = []
        sys.modules[PACKAGE] = package
        for name in MODULES:
            source = _source(name)
            for other in MODULES:
                source = source.replace(
                    f"from sensorium.models.nlu import {other} ", f"from {PACKAGE} import {other} "
                ).replace(f"sensorium.models.nlu.{other} ", f"{PACKAGE}.{other} ")
            module = types.ModuleType(f"{PACKAGE}.{name}")
            sys.modules[module.__name__] = module
            setattr(package, name, module)
            exec(compile(source, f"{BEFORE[:7]}:{name}.py", "exec"), module.__dict__)
    return sys.modules[f"{PACKAGE}.pipeline"].NluPipeline
