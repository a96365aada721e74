"""What the ONNX-based engines (OCR, sexual-content score) share: the version recorded with a
result, and how many inference threads a process may use."""

from __future__ import annotations

import multiprocessing
from importlib import metadata


def installed_version(dist: str) -> str:
    """The installed distribution's version ("unknown" where a build left out its metadata)."""
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return "unknown"


def inference_threads() -> int:
    """One inference thread in a worker process (two workers share two cores), else two."""
    return 1 if multiprocessing.parent_process() is not None else 2
