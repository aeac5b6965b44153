"""Keep user code from corrupting what the command line reports.

Every command runs code it does not own: models modules, ``env.py``, migration scripts. That code
may print, call ``sys.exit()`` or ``os._exit()``. Three guards, cheapest first:

* :func:`user_output_to_stderr`: while a command runs, ``sys.stdout`` is a relay to stderr that
  names the module each printed line came from; the command writes its result to
  :func:`results`, the standard output it started with. A snapshot on stdout stays loadable.
* ``SystemExit`` from user code is caught by ``main`` (and by the importer, which names the
  module): an error, exit 2.
* :func:`supervised`: ``os._exit()`` ends the process at once, past every ``except`` and
  ``finally``, so no code in the process can make its exit status trustworthy. The program (not
  ``main(argv)`` called in-process) therefore forks: the child runs the command and records its
  exit code in shared memory as its very last step; the parent, which never runs user code,
  exits with that code, or with 2 and a one-line error when the child ended without recording
  one. ``fork`` costs a millisecond or two and no second interpreter start; it is POSIX-only, so
  elsewhere the command runs in-process and only the first two guards apply.
"""

from __future__ import annotations

import io
import mmap
import os
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from contextvars import ContextVar
from types import FrameType
from typing import Any, NoReturn, TextIO

from schemaspec.sources import importing

#: The exit code of a run stopped by Ctrl-C: 128 + SIGINT, as shells report it.
EXIT_INTERRUPTED = 130

_results: ContextVar[TextIO | None] = ContextVar("schemaspec_results", default=None)


def results() -> TextIO:
    """Where a command writes its result: the standard output the command started with."""
    stream = _results.get()
    return sys.stdout if stream is None else stream


class _Relay(io.TextIOBase):
    """A stand-in for ``sys.stdout``: each line goes to ``target`` prefixed with its origin."""

    def __init__(self, target: TextIO) -> None:
        super().__init__()
        self._target = target
        self._pending = ""
        self._origin = ""

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return getattr(self._target, "encoding", None) or "utf-8"

    def writable(self) -> bool:
        return True

    def isatty(self) -> bool:
        return False

    def fileno(self) -> int:
        # Code that writes to the descriptor itself lands on stderr too, not in the result.
        return self._target.fileno()

    def write(self, text: str) -> int:
        if not self._pending:
            self._origin = _origin(sys._getframe(1))
        self._pending += text
        while "\n" in self._pending:
            line, _, self._pending = self._pending.partition("\n")
            self._target.write(f"schemaspec: printed by {self._origin}: {line}\n")
            if self._pending:
                self._origin = _origin(sys._getframe(1))
        return len(text)

    def flush(self) -> None:
        if self._pending:
            self.write("\n")
        self._target.flush()


def _origin(frame: FrameType | None) -> str:
    """``module, line N`` of the code that printed; a logging handler's caller, not logging."""
    while frame is not None:
        module = str(frame.f_globals.get("__name__", "?"))
        if module != "logging" and not module.startswith(("logging.", "schemaspec.cli.guard")):
            return f"{module}, line {frame.f_lineno}"
        frame = frame.f_back
    return "?"


@contextmanager
def user_output_to_stderr() -> Iterator[TextIO]:
    """Point ``sys.stdout`` at a relay to stderr; yield the real stdout, also :func:`results`."""
    real = sys.stdout
    relay = _Relay(sys.stderr)
    token = _results.set(real)
    sys.stdout = relay
    try:
        yield real
    finally:
        relay.flush()
        if sys.stdout is relay:
            sys.stdout = real
        _results.reset(token)


def can_supervise() -> bool:
    """Fork only where it is safe: POSIX, and no thread that the child would lose mid-work."""
    return hasattr(os, "fork") and threading.active_count() == 1


_STATE_SIZE = 4096
_FORWARDED = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


def supervised(run: Callable[[], int]) -> int:
    """``run()`` in a forked child; this process returns the child's recorded exit code.

    The child never returns: it exits with its code once recorded.
    """
    state = mmap.mmap(-1, _STATE_SIZE)  # anonymous and shared: written by the child after fork
    child: list[int] = []

    def forward(signum: int, frame: FrameType | None) -> None:
        # A signal sent to this process alone (kill PID, Popen.send_signal) must reach the work.
        if child:
            with suppress(ProcessLookupError):  # it has just ended
                os.kill(child[0], signum)

    # Installed before the fork, so no signal between fork and wait can hit a bare default.
    previous = {signum: signal.signal(signum, forward) for signum in _FORWARDED}
    for stream in (sys.stdout, sys.stderr):
        stream.flush()  # or the child would write the parent's buffered text a second time
    pid = os.fork()
    if pid == 0:
        _run_child(run, state, previous)
    child.append(pid)
    try:
        _, status = _wait(pid)
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    recorded = bytes(state[:]).split(b"\0", 1)[0].decode("utf-8", "replace")
    state.close()
    if recorded.startswith("done "):
        return int(recorded.removeprefix("done "))
    what = "code schemaspec ran"
    if recorded.startswith("importing "):
        what = f"importing {recorded.removeprefix('importing ')!r}"
    if os.WIFSIGNALED(status):
        name = signal.Signals(os.WTERMSIG(status)).name
        print(f"schemaspec: error: stopped by {name} before it had a result", file=sys.stderr)
        return 128 + os.WTERMSIG(status)
    print(
        f"schemaspec: error: {what} ended the process with status "
        f"{os.waitstatus_to_exitcode(status)} (os._exit) before schemaspec had a result",
        file=sys.stderr,
    )
    return 2


def _wait(pid: int) -> tuple[int, int]:
    while True:
        try:
            return os.waitpid(pid, 0)
        except InterruptedError:  # pragma: no cover - PEP 475 retries; kept for safety
            continue


def _run_child(run: Callable[[], int], state: mmap.mmap, previous: dict[Any, Any]) -> NoReturn:
    for signum, handler in previous.items():
        signal.signal(signum, handler)
    signal.signal(signal.SIGINT, _interrupt_once)

    def record(text: str) -> None:
        data = text.encode("utf-8", "replace")[: _STATE_SIZE - 1] + b"\0"
        state[: len(data)] = data

    def announce(module: str | None) -> None:
        record(f"importing {module}" if module is not None else "running")

    importing.on_import = announce
    record("running")
    code = run()
    for stream in (sys.stdout, sys.stderr):
        with suppress(OSError, ValueError):  # a closed pipe (| head): nothing more to say there
            stream.flush()
    # The last step: from here on nothing user code does can change what the parent reports.
    record(f"done {code}")
    raise SystemExit(code)


def _interrupt_once(signum: int, frame: FrameType | None) -> None:
    """Ctrl-C signals the whole process group, and the parent forwards what it receives: one
    press can arrive twice. Raise once; ignore the rest, so the cleanup the first one unwinds
    through (dropping a scratch database) runs to its end. SIGTERM still ends it at once."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    raise KeyboardInterrupt
