"""The command line: a thin layer over the functions users import, one module per command group.

``main(argv)`` returns the exit code: 0 no differences, 1 differences, 2 bad input or an error
(one line on stderr; the traceback only with ``--debug``).

Start-up matters (a pre-commit hook runs the program on every commit, ``--version`` should be
instant): building the parser imports no SQLAlchemy, pydantic or DeepDiff. Each command module
imports what its command needs inside the function that runs it, and
``tests/cli/test_startup.py`` fails when an import at the top of a module here breaks that.
"""

from __future__ import annotations

import argparse
import sys
import traceback
from collections.abc import Callable, Mapping, Sequence
from typing import NoReturn

from schemaspec import __version__
from schemaspec.cli import guard
from schemaspec.cli.compare import add_compare_commands
from schemaspec.cli.completion import add_completion_command
from schemaspec.cli.console import Console, console, running
from schemaspec.cli.diagram import add_diagram_command
from schemaspec.cli.fleet import add_fleet_command
from schemaspec.cli.migrations import add_migrations_command
from schemaspec.cli.models import add_models_command
from schemaspec.cli.options import EXIT_ERROR
from schemaspec.cli.project import add_project_commands
from schemaspec.errors import SchemaspecError
from schemaspec.reports.terminal import COLOUR_CHOICES

Command = Callable[[argparse.Namespace], int]


def main(argv: Sequence[str] | None = None) -> int:
    """The whole CLI; returns the exit code.

    Without ``argv`` (the program: ``python -m schemaspec``, the ``schemaspec`` script) the
    command runs in a forked child so that user code ending the process with ``os._exit()``
    cannot decide the exit code (see :mod:`schemaspec.cli.guard`); the child then exits instead
    of returning. With ``argv`` (tests, callers in Python) it runs in this process.
    """
    if argv is None and guard.can_supervise() and not _parsing_ends_it(sys.argv[1:]):
        return guard.supervised(lambda: _run(None))
    return _run(argv)


def _parsing_ends_it(words: Sequence[str]) -> bool:
    """``--help`` and ``--version`` end the run while the arguments are parsed, before any user
    code could run: nothing to guard, so no fork to pay for (a shell prompt or a pre-commit
    hook may ask often). Any unambiguous prefix counts, as argparse accepts those; an ambiguous
    one is a usage error, which runs nothing either. Words after ``--`` are values."""
    if "--" in words:
        words = words[: list(words).index("--")]
    return any(
        word == "-h"
        or (len(word) > 2 and ("--help".startswith(word) or "--version".startswith(word)))
        for word in words
    )


def _run(argv: Sequence[str] | None) -> int:
    debug = "--debug" in (sys.argv[1:] if argv is None else argv)
    try:
        parser = build_parser()
        try:
            args, extras = parser.parse_known_args(argv)
            if extras:
                # Reported by the parser they were given to, so the pointer is to the right --help.
                words = list(sys.argv[1:] if argv is None else argv)
                before_command = words[: words.index(args.command_name)]
                owner = (
                    parser
                    if set(extras) & set(before_command)
                    else parser.commands[args.command_name]
                )
                owner.error(f"unrecognized arguments: {' '.join(extras)}")
        except SystemExit as exit_:
            # argparse exits on --help (0) and on a usage error (2, already reported in one line).
            return exit_.code if isinstance(exit_.code, int) else EXIT_ERROR
        settings = Console(verbosity=args.verbosity, colour=args.color)
        with running(settings), guard.user_output_to_stderr():
            return _report_errors(args)
    except KeyboardInterrupt:
        # Cleanup (scratch databases, temporary files) has run on the way up: all that is left
        # to say is why we stopped.
        if debug:
            traceback.print_exc()
        print("schemaspec: interrupted", file=sys.stderr)
        return guard.EXIT_INTERRUPTED


def _command(args: argparse.Namespace) -> int:
    command: Command = args.command
    try:
        return command(args)
    except BaseException:
        # An error line must start on a clean line, not after a progress line.
        console().progress.abandon()
        raise


def _report_errors(args: argparse.Namespace) -> int:
    try:
        return _command(args)
    except SchemaspecError as error:
        if args.debug:
            # The traceback, but still exit 2: an error must never read as "differences found".
            traceback.print_exc()
            return EXIT_ERROR
        print(f"schemaspec: error: {_one_line(str(error))}", file=sys.stderr)
        return EXIT_ERROR
    except SystemExit as exit_:
        # Only user code (env.py, a migration, a models package) calls sys.exit() under a
        # command; its code would otherwise become ours, 0 reading as "no differences".
        if args.debug:
            traceback.print_exc()
        code = "" if exit_.code is None else repr(exit_.code)
        print(
            f"schemaspec: error: code schemaspec ran called sys.exit({code}) before schemaspec "
            "had a result (run with --debug for the traceback)",
            file=sys.stderr,
        )
        return EXIT_ERROR
    except Exception as error:
        if args.debug:
            traceback.print_exc()
            return EXIT_ERROR
        message = _one_line(str(error).strip().splitlines()[0] if str(error).strip() else "")
        print(
            f"schemaspec: error: unexpected {type(error).__name__}: {message} "
            "(run with --debug for the traceback)",
            file=sys.stderr,
        )
        return EXIT_ERROR


def _one_line(message: str) -> str:
    """The CLI reports a cause in one line (drivers split theirs over several), never a
    password, even one a driver or an imported module quoted."""
    from schemaspec.util.redact import scrub  # SQLAlchemy's URL parser: only on an error

    return scrub(" ".join(message.split()), None)


class _Parser(argparse.ArgumentParser):
    """Usage errors in one line, like every other error, with a pointer to ``--help``."""

    #: The command parsers by name (set on the top-level parser only).
    commands: Mapping[str, argparse.ArgumentParser]

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_ERROR, f"schemaspec: error: {message} (see: {self.prog} --help)\n")


def main_entry() -> None:
    """The ``schemaspec`` console script."""
    sys.exit(main())


def build_parser() -> _Parser:
    parser = _Parser(
        prog="schemaspec",
        description="Treat a database schema as data: snapshot and diff models, databases, "
        "snapshot files and Alembic revisions.",
    )
    parser.add_argument(
        "--version", action="version", version=f"schemaspec {__version__}", help="show the version"
    )
    add_global_options(parser, top=True)
    commands = parser.add_subparsers(
        title="commands", required=True, metavar="COMMAND", dest="command_name"
    )
    parser.commands = commands.choices
    add_compare_commands(commands)
    add_models_command(commands)
    add_project_commands(commands)
    add_migrations_command(commands)
    add_fleet_command(commands)
    add_diagram_command(commands)
    add_completion_command(commands)
    for command in commands.choices.values():
        # Also after the command (schemaspec diff A B -q), where people type them.
        add_global_options(command, top=False)
    return parser


def add_global_options(parser: argparse.ArgumentParser, *, top: bool) -> None:
    """The options every command takes. On a command's parser they default to "not given", so
    that ``schemaspec -q diff ...`` is not undone by the command's own default."""

    def default(value: object) -> object:
        return value if top else argparse.SUPPRESS

    group = parser.add_argument_group("output")
    group.add_argument(
        "-q",
        "--quiet",
        dest="verbosity",
        action="store_const",
        const=-1,
        default=default(0),
        help="print the result and errors only: no warnings, notes or progress",
    )
    group.add_argument(
        "-v",
        "--verbose",
        dest="verbosity",
        action="store_const",
        const=1,
        default=default(0),
        help="also say what each phase read and how long it took (on stderr)",
    )
    group.add_argument(
        "--color",
        choices=COLOUR_CHOICES,
        default=default("auto"),
        help="colour the text report: auto (default: only on a terminal, off when NO_COLOR is "
        "set, on when FORCE_COLOR is), always, never",
    )
    group.add_argument(
        "--debug", action="store_true", default=default(False), help="show tracebacks on errors"
    )
