"""The command line (``python -m schemaspec``, the ``schemaspec`` script).

``main(argv) -> int`` is the whole CLI; each command group lives in a module of its own here.
"""

from schemaspec.cli.main import build_parser, main, main_entry

__all__ = ["build_parser", "main", "main_entry"]
