"""Progress of long work on a terminal: the phase, and counts where they are known.

A 3,000-table comparison or a 120-revision migration review runs for seconds to minutes. While
it does, :class:`TerminalProgress` keeps one line on stderr up to date (``schemaspec: checking
revisions [17/120]``) and erases it when the work ends, so the result that follows is all that
stays. It writes only to a terminal: piped or redirected, progress would be noise in a log.

The API functions that take a ``progress`` argument (for example
:func:`schemaspec.check_migrations`) call it as ``progress(phase, done, total)``; an instance of
:class:`TerminalProgress` is such a callable, and so is any function of that shape.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import TextIO

from schemaspec.reports.terminal import is_terminal

#: ``progress(phase, done, total)``: ``phase`` names the work and stays the same while it lasts
#: (``"checking revisions"``); ``done`` of ``total`` steps have started (``total`` 0: not known).
ProgressCallback = Callable[[str, int, int], None]


class TerminalProgress:
    """One self-erasing status line on ``stream`` (default: stderr), only if it is a terminal.

    ``verbose``: each finished phase also stays on screen with its duration (whether or not
    the stream is a terminal), the way ``-v`` asks for.
    """

    def __init__(
        self, stream: TextIO | None = None, *, verbose: bool = False, enabled: bool | None = None
    ) -> None:
        self._stream = stream
        self.verbose = verbose
        self.live = is_terminal(self.stream) if enabled is None else enabled
        self._shown = False
        self._phase: str | None = None
        self._started = 0.0
        # Redrawing a line costs a write per step; a migration review calls once a revision,
        # but a caller counting tables could call thousands of times a second.
        self._last_draw = 0.0

    @property
    def stream(self) -> TextIO:
        # Looked up when used: tests and the CLI's guard replace sys.stderr.
        return self._stream if self._stream is not None else sys.stderr

    def __call__(self, phase: str, done: int = 0, total: int = 0) -> None:
        """A step of ``phase``; a new phase ends the previous one."""
        if phase != self._phase:
            self.finish()
            self._phase, self._started = phase, time.perf_counter()
            self._last_draw = 0.0  # a new phase is always shown
        if not self.live:
            return
        now = time.perf_counter()
        if done and done != total and now - self._last_draw < 0.05:
            return
        self._last_draw = now
        count = f" [{done}/{total}]" if total else (f" [{done}]" if done else "")
        self._draw(f"schemaspec: {phase}{count}")

    def phase(self, text: str) -> None:
        """Start a phase without counts (``reading expected: app.models:Base``)."""
        self(text)

    def finish(self, result: str | None = None) -> None:
        """End the current phase; under ``verbose``, leave a line saying what it took."""
        if self._phase is None:
            return
        elapsed = time.perf_counter() - self._started
        what = self._phase if result is None else f"{self._phase}: {result}"
        self._phase = None
        self.clear()
        if self.verbose:
            print(f"schemaspec: {what} ({elapsed:.2f} s)", file=self.stream, flush=True)

    def abandon(self) -> None:
        """Forget the current phase without a word (the work failed; the error says why)."""
        self._phase = None
        self.clear()

    def clear(self) -> None:
        """Erase the status line, so that what is written next starts on a clean line."""
        if self._shown:
            self.stream.write("\r\033[K")
            self.stream.flush()
            self._shown = False

    def _draw(self, line: str) -> None:
        self.stream.write("\r\033[K" + line)
        self.stream.flush()
        self._shown = True
