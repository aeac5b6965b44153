"""Every console example in the docs is run, and its output compared exactly.

The convention, which the docs follow (see docs/cli.md, "Running the examples"):

- A fenced ```console block is an example that is run. Its lines starting with ``$ `` are
  commands; the lines after a command, up to the next command or the end of the block, are what
  it prints (standard output and standard error together, as a terminal shows them). A command
  with no lines after it prints nothing.
- A command ends in ``# exit code N`` when it exits with N; without that comment it must exit 0.
  The comment is a shell comment, so the line still copies and pastes as it is.
- Commands run from the repository root, with ``PYTHONPATH=docs/examples`` (relative, as after
  ``export PYTHONPATH=docs/examples`` there), ``CI`` and ``UNIONCORE_DATABASE_URL`` unset, and no
  colour. ``cd DIR`` changes the directory until the end of its block. The blocks of one file run
  in order and share one copy of the repository's ``docs/examples`` and ``specs``, so a block can
  use what an earlier one built (the "mistakes" database of ``python -m unioncore.mistakes``).
- The copy lives in a temporary directory, shown in the docs as ``/repo``.
- Blocks that use ``postgresql+psycopg://postgres@127.0.0.1:5432/unioncore`` run, in order, on a
  fresh database from the ``schemaspec_postgresql_url`` fixture (skipped when the server is not
  running, failed under ``CI=true``): the URL is swapped for the fixture's in commands, and back
  in the output, where the scratch database's name reads ``unioncore``.

Blocks of another kind (```sh, ```python, ```toml, ...) are not run: a ```sh block is a command
to copy whose output the docs do not show.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[1]
DOCS = [*sorted((ROOT / "docs").glob("*.md")), ROOT / "README.md"]
# The timing figures of performance.md are measurements, not a transcript: never compared.
UNTESTED = {"performance.md"}
PLACEHOLDER_ROOT = "/repo"
DOC_POSTGRESQL_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/unioncore"
EXIT_CODE = re.compile(r"\s+# exit code (\d+)$")
FENCE = re.compile(r"^```(\S*)\s*$")
TIMEOUT = 60

# What one command printed (its lines) and its exit code; a file's results, block by block.
Result = tuple[list[str], int]


@dataclass
class Command:
    line: int
    text: str
    exit_code: int
    output: list[str] = field(default_factory=list)


@dataclass
class Block:
    doc: str
    line: int
    commands: list[Command]

    @property
    def needs_postgresql(self) -> bool:
        return any(DOC_POSTGRESQL_URL in c.text for c in self.commands)


def console_blocks(path: Path) -> list[Block]:
    """The ```console blocks of a Markdown file, parsed into commands and their output."""
    blocks: list[Block] = []
    current: Block | None = None
    in_fence = False
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        fence = FENCE.match(line)
        if fence and not in_fence:
            in_fence = True
            if fence.group(1) == "console":
                current = Block(path.name, number, [])
            continue
        if fence and in_fence:
            in_fence = False
            if current is not None:
                blocks.append(current)
            current = None
            continue
        if current is None:
            continue
        if line.startswith("$ "):
            text = line[2:]
            match = EXIT_CODE.search(text)
            code = int(match.group(1)) if match else 0
            current.commands.append(Command(number, text, code))
        elif not current.commands:
            # Output before any command would never be compared: refuse it instead.
            raise AssertionError(
                f"{path.name}, line {number}: console block output before a $ line"
            )
        else:
            current.commands[-1].output.append(line)
    return blocks


def prepare(root: Path) -> None:
    """A repository root with what the examples read and write, away from the checkout."""
    ignore = shutil.ignore_patterns("__pycache__", "*.db")
    shutil.copytree(ROOT / "docs" / "examples", root / "docs" / "examples", ignore=ignore)
    shutil.copytree(ROOT / "specs", root / "specs", ignore=ignore)


def environment() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"CI", "UNIONCORE_DATABASE_URL"}}
    env.update(
        # The interpreter running the tests provides python, alembic and pytest.
        PATH=os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")]),
        PYTHONPATH="docs/examples",
        # Unbuffered, so standard output and error interleave as they do on a terminal.
        PYTHONUNBUFFERED="1",
        NO_COLOR="1",
        PYTHONDONTWRITEBYTECODE="1",
    )
    return env


def transcript(blocks: list[Block], results: list[list[Result]]) -> str:
    """One text for a file's examples: a drift shows as a diff naming the line of the doc."""
    parts = []
    for block, block_results in zip(blocks, results, strict=True):
        for command, (output, code) in zip(block.commands, block_results, strict=True):
            parts.append(f"{block.doc}, line {command.line}: $ {command.text} [exit {code}]")
            parts.extend(output)
    return "\n".join(parts)


def run_blocks(
    blocks: list[Block], root: Path, swaps: dict[str, str] | None = None
) -> list[list[Result]]:
    """Run each block's commands in order; ``swaps`` maps doc text to real text in commands."""
    swaps = swaps or {}
    env = environment()
    results: list[list[Result]] = []
    for block in blocks:
        cwd = root
        block_results: list[Result] = []
        for command in block.commands:
            text = command.text
            for doc_text, real in swaps.items():
                text = text.replace(doc_text, real)
            if text.startswith("cd ") and " " not in text[3:].strip():
                cwd = (cwd / text[3:].strip()).resolve()
                block_results.append(([], 0))
                continue
            done = subprocess.run(
                ["bash", "-c", text],
                cwd=cwd,
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
                timeout=TIMEOUT,
            )
            output = done.stdout.replace(str(root), PLACEHOLDER_ROOT)
            for doc_text, real in swaps.items():
                output = output.replace(real, doc_text)
            block_results.append((output.splitlines(), done.returncode))
        results.append(block_results)
    return results


def expected(blocks: list[Block]) -> list[list[Result]]:
    return [[(c.output, c.exit_code) for c in block.commands] for block in blocks]


def commands_outside_console_blocks(path: Path) -> list[str]:
    """``$ `` lines in other fenced blocks: an example that would show output but never run."""
    found = []
    kind: str | None = None
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        fence = FENCE.match(line)
        if fence:
            kind = fence.group(1) if kind is None else None
        elif kind is not None and kind != "console" and line.startswith("$ "):
            found.append(f"{path.name}, line {number}: {line}")
    return found


def docs_with(kind: str) -> list[str]:
    names = []
    for path in DOCS:
        if path.name in UNTESTED:
            continue
        blocks = console_blocks(path)
        if any(b.needs_postgresql == (kind == "postgresql") for b in blocks):
            names.append(path.relative_to(ROOT).as_posix())
    return names


def test_every_console_example_is_found() -> None:
    # A guard on the parser: the docs that show console output are the ones tested below.
    assert docs_with("sqlite") == [
        "docs/alembic.md",
        "docs/cli.md",
        "docs/configuration.md",
        "docs/fixes.md",
        "docs/fleets.md",
        "docs/reports.md",
        "docs/testing.md",
        "README.md",
    ]
    assert docs_with("postgresql") == ["docs/alembic.md"]
    assert [line for path in DOCS for line in commands_outside_console_blocks(path)] == []


@pytest.mark.parametrize("doc", docs_with("sqlite"))
def test_console_examples(doc: str, tmp_path: Path) -> None:
    blocks = [b for b in console_blocks(ROOT / doc) if not b.needs_postgresql]
    root = tmp_path / "repo"
    prepare(root)
    results = run_blocks(blocks, root)
    assert transcript(blocks, results) == transcript(blocks, expected(blocks))


@pytest.mark.postgresql
@pytest.mark.parametrize("doc", docs_with("postgresql"))
def test_console_examples_on_postgresql(
    doc: str, tmp_path: Path, schemaspec_postgresql_url: str
) -> None:
    blocks = [b for b in console_blocks(ROOT / doc) if b.needs_postgresql]
    root = tmp_path / "repo"
    prepare(root)
    url = sa.make_url(schemaspec_postgresql_url)
    assert url.database is not None
    # The scratch database's URL stands where the docs say .../unioncore; its (unique) name is
    # shown as unioncore wherever a message names the database alone.
    swaps = {
        DOC_POSTGRESQL_URL: url.render_as_string(hide_password=False),
        "'unioncore'": f"'{url.database}'",
    }
    results = run_blocks(blocks, root, swaps)
    assert transcript(blocks, results) == transcript(blocks, expected(blocks))


def test_a_drifted_output_line_or_exit_code_fails(tmp_path: Path) -> None:
    # The comparison itself must see a drift: one wrong output line, one unstated exit code.
    doc = tmp_path / "drift.md"
    doc.write_text(
        "```console\n$ python -c 'print(1)'\n2\n$ python -c 'import sys; sys.exit(3)'\n```\n",
        encoding="utf-8",
    )
    blocks = console_blocks(doc)
    results = run_blocks(blocks, tmp_path)
    assert results == [[(["1"], 0), ([], 3)]]
    assert expected(blocks) == [[(["2"], 0), ([], 0)]]
