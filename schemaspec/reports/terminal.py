"""Whether a stream is a terminal, and whether a report written to it is coloured.

Deliberately tiny and free of heavy imports: the command line decides colour before it knows
which command runs (``schemaspec --version`` must not import SQLAlchemy or DeepDiff).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Literal, TextIO

ColourChoice = Literal["auto", "always", "never"]
COLOUR_CHOICES: tuple[ColourChoice, ...] = ("auto", "always", "never")


def is_terminal(stream: TextIO) -> bool:
    isatty = getattr(stream, "isatty", None)
    try:
        return bool(isatty and isatty())
    except ValueError:  # a closed stream
        return False


def use_colour(
    stream: TextIO, choice: ColourChoice = "auto", environ: Mapping[str, str] | None = None
) -> bool:
    """Colour for ``stream``: ``always`` and ``never`` are final (a flag typed on the command
    line outranks the environment, as no-color.org asks); ``auto`` is off when ``NO_COLOR`` is
    set to anything, on when ``FORCE_COLOR`` is (CI logs render colour but are no terminal),
    and otherwise on only for a terminal. ``NO_COLOR`` wins over ``FORCE_COLOR``: output with
    no escape codes is the safe reading of a contradiction.
    """
    if choice != "auto":
        return choice == "always"
    env = os.environ if environ is None else environ
    if env.get("NO_COLOR"):
        return False
    if env.get("FORCE_COLOR"):
        return True
    return is_terminal(stream)
