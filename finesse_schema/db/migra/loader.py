"""migra and schemainspect, imported once, with the two workarounds their import needs."""

from __future__ import annotations

import importlib
import inspect
import sys
import types
import warnings
from pathlib import Path
from typing import Any


def _resource_stream(module_name: str, resource: str) -> Any:
    """pkg_resources.resource_stream: a file beside the named module (package or not)."""
    module = importlib.import_module(module_name)
    return (Path(module.__file__ or "").parent / resource).open("rb")


def _import_migra() -> tuple[Any, Any, str]:
    """Import migra with a stand-in for pkg_resources.

    schemainspect imports pkg_resources for one function, resource_stream. The real
    module is gone from new setuptools, and where it exists importing it scans every
    installed distribution (most of a second). The stand-in is in sys.modules only
    while migra imports, so nothing else in the process ever sees it.
    """
    missing = "pkg_resources" not in sys.modules
    if missing:
        shim = types.ModuleType("pkg_resources")
        shim.resource_stream = _resource_stream  # type: ignore[attr-defined]
        sys.modules["pkg_resources"] = shim
    # schemainspect finds the caller of resource_text() with inspect.stack(), which reads the
    # source of every frame: over a second at import on a deep stack. Frames are all it uses.
    real_stack = inspect.stack
    inspect.stack = _frames_only  # type: ignore[assignment]
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            from migra import Migration
            from schemainspect import get_inspector
            from schemainspect.pg.obj import PROPS
    finally:
        inspect.stack = real_stack  # type: ignore[assignment]
        if missing:
            sys.modules.pop("pkg_resources", None)
    return Migration, get_inspector, PROPS


def _frames_only(context: int = 1) -> list[tuple[Any]]:
    """inspect.stack() without source lines: (frame,) for the caller and every frame above it."""
    out = []
    frame = sys._getframe(1)
    while frame is not None:
        out.append((frame,))
        frame = frame.f_back
    return out


Migration, get_inspector, PROPS = _import_migra()
