"""What a command says besides its result: warnings, notes, progress, and the colour choice.

Results go to standard output (:func:`schemaspec.cli.guard.results`); everything here goes to
standard error, so ``schemaspec diff ... > report.txt`` and ``| jq`` get the result alone.
The global options set it once per run: ``-q`` (only the result and errors), ``-v`` (also what
each phase took), ``--color``. Importing this module stays cheap: it runs before any command.
"""

from __future__ import annotations

import sys
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any, TextIO

from schemaspec.errors import SchemaspecWarning
from schemaspec.reports.progress import TerminalProgress
from schemaspec.reports.terminal import ColourChoice, use_colour


@dataclass
class Console:
    """The settings of one run. ``verbosity``: -1 under ``-q``, 0 by default, 1 under ``-v``."""

    verbosity: int = 0
    colour: ColourChoice = "auto"
    progress: TerminalProgress = field(init=False)

    def __post_init__(self) -> None:
        # Quiet: no progress at all, not even on a terminal.
        self.progress = TerminalProgress(
            verbose=self.verbosity > 0, enabled=False if self.verbosity < 0 else None
        )

    def warn(self, message: str) -> None:
        """``schemaspec: warning: ...`` on stderr; silent under ``-q``."""
        self.info(f"schemaspec: warning: {message}")

    def info(self, line: str) -> None:
        """A line for the person at the terminal (``wrote specs/schema.toml``); not under -q."""
        if self.verbosity >= 0:
            self.progress.clear()
            print(line, file=sys.stderr)

    def colours(self, stream: TextIO) -> bool:
        """Whether the text report written to ``stream`` is coloured."""
        return use_colour(stream, self.colour)


_current: ContextVar[Console | None] = ContextVar("schemaspec_console", default=None)


def console() -> Console:
    """The running command's console (defaults outside a run: commands called directly)."""
    current = _current.get()
    return Console() if current is None else current


@contextmanager
def running(settings: Console) -> Iterator[Console]:
    """Use ``settings`` for one command; Python warnings of the run go through it too."""
    token = _current.set(settings)
    previous = warnings.showwarning

    def show(message: Any, category: Any, *rest: Any, **extra: Any) -> None:
        if not issubclass(category, SchemaspecWarning):
            settings.progress.clear()
            previous(message, category, *rest, **extra)  # user code's: where it came from helps
            return
        # Ours: one line like every other warning of the command line, not Python's two-line
        # "file:line: Category: ..." quoting a source line the reader did not write.
        text = str(message).strip()
        settings.warn(text.splitlines()[0] if text else category.__name__)

    warnings.showwarning = show
    try:
        with warnings.catch_warnings():
            if settings.verbosity < 0:
                warnings.simplefilter("ignore")
            yield settings
    finally:
        settings.progress.abandon()
        warnings.showwarning = previous
        _current.reset(token)
