"""Snapshots are never lost and never trusted.

A write that fails at any point (the text cannot be produced, the disk is full, the file size
limit is hit, the process is killed) leaves the previous file byte-identical; two processes
writing at once leave one complete file. Loading a file runs no code and imports nothing, and
oversized or deeply nested files are refused with a SnapshotError.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from schemaspec import ColumnSpec, SchemaSpec, SnapshotError, TableSpec, dump, load
from schemaspec.sources.snapshot import MAX_DEPTH, MAX_SIZE

ROOT = Path(__file__).resolve().parents[2]

OLD = SchemaSpec(
    dialect="sqlite",
    tables={"members": TableSpec(columns={"id": ColumnSpec(type="integer", nullable=False)})},
)


# Shared with the child processes below, which cannot import this module.
BIG_SPEC = """
from schemaspec import ColumnSpec, SchemaSpec, TableSpec

def big_spec(tables):
    return SchemaSpec(
        dialect="sqlite",
        tables={
            f"table_{number:05d}": TableSpec(
                columns={f"column_{c}": ColumnSpec(type="varchar(200)") for c in range(10)}
            )
            for number in range(tables)
        },
    )
"""
namespace: dict[str, Any] = {}
exec(BIG_SPEC, namespace)
big_spec: Callable[[int], SchemaSpec] = namespace["big_spec"]


def run_python(code: str, **kwargs: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", BIG_SPEC + textwrap.dedent(code)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
        **kwargs,  # type: ignore[arg-type]
    )


@pytest.fixture
def previous(tmp_path: Path) -> tuple[Path, bytes]:
    path = dump(OLD, tmp_path / "schema.toml")
    return path, path.read_bytes()


def leftovers(directory: Path) -> list[str]:
    return sorted(path.name for path in directory.iterdir() if path.name != "schema.toml")


def test_a_spec_that_cannot_be_serialised_changes_nothing(previous: tuple[Path, bytes]) -> None:
    path, before = previous
    unencodable = SchemaSpec(
        tables={"t": TableSpec(columns={"c": ColumnSpec(type="text", comment="\ud800")})}
    )
    with pytest.raises(SnapshotError) as raised:
        dump(unencodable, path)
    assert str(raised.value) == (
        f"{path}: cannot be written: 'utf-8' codec can't encode character '\\ud800' in position "
        f"{str(raised.value).split('position ')[1].split(':')[0]}: surrogates not allowed"
    )
    assert path.read_bytes() == before
    assert leftovers(path.parent) == []


@pytest.mark.parametrize("failing", ["fsync", "chmod", "replace"])
def test_a_failing_write_or_fsync_changes_nothing(
    previous: tuple[Path, bytes], monkeypatch: pytest.MonkeyPatch, failing: str
) -> None:
    path, before = previous

    def no_space(*args: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, failing, no_space)
    with pytest.raises(SnapshotError) as raised:
        dump(big_spec(5), path)
    assert str(raised.value) == f"{path}: cannot be written: No space left on device"
    monkeypatch.undo()
    assert path.read_bytes() == before
    assert leftovers(path.parent) == []


def test_hitting_the_file_size_limit_changes_nothing(previous: tuple[Path, bytes]) -> None:
    path, before = previous
    # RLIMIT_FSIZE is a real "disk full" for this process: write() fails with EFBIG midway.
    completed = run_python(
        f"""
        import resource, signal
        from schemaspec import SchemaSpec, SnapshotError, dump
        spec = big_spec(200)
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (4096, 4096))
        try:
            dump(spec, {str(path)!r})
        except SnapshotError as error:
            print(error)
        """
    )
    assert completed.stdout == f"{path}: cannot be written: File too large\n", completed.stderr
    assert path.read_bytes() == before
    assert leftovers(path.parent) == []


def test_a_kill_mid_write_leaves_the_previous_file(previous: tuple[Path, bytes]) -> None:
    path, before = previous
    # The child stops inside dump(), with half the new file written, and is killed there.
    child = subprocess.Popen(
        [
            sys.executable,
            "-c",
            BIG_SPEC
            + textwrap.dedent(
                f"""
                import os, sys, time
                from schemaspec import dump
                def stall(*args):
                    print("writing", flush=True)
                    time.sleep(60)
                os.fsync = stall
                dump(big_spec(300), {str(path)!r})
                """
            ),
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert child.stdout is not None
    assert child.stdout.readline() == "writing\n"
    child.send_signal(signal.SIGKILL)
    child.wait(timeout=10)
    assert path.read_bytes() == before
    assert load(path) == OLD
    # What a kill leaves is only a hidden temporary file beside it, never a half snapshot.
    assert [
        name.startswith(".schema.toml.") and name.endswith(".tmp")
        for name in leftovers(path.parent)
    ] == [True]


def test_two_writers_at_once_leave_one_complete_file(tmp_path: Path) -> None:
    path = tmp_path / "schema.json"
    writer = f"""
        import sys
        from schemaspec import dump
        spec = big_spec(int(sys.argv[1]))
        for _ in range(40):
            dump(spec, {str(path)!r})
    """
    writers = [
        subprocess.Popen(
            [sys.executable, "-c", BIG_SPEC + textwrap.dedent(writer), str(size)], cwd=ROOT
        )
        for size in (30, 60)
    ]
    candidates = [big_spec(30), big_spec(60)]
    seen = 0
    deadline = time.monotonic() + 60
    while any(w.poll() is None for w in writers) and time.monotonic() < deadline:
        if path.exists():
            # A reader at any moment sees one writer's whole file, never a mix or a prefix.
            assert load(path) in candidates
            seen += 1
    assert [w.wait(timeout=60) for w in writers] == [0, 0]
    assert load(path) in candidates
    assert seen > 0
    assert leftovers(tmp_path) == ["schema.json"]


SAMPLE = 'schemaspec = 1\ndialect = "sqlite"\n[tables.t.columns.id]\ntype = "integer"\n'


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("deep.json", b"[" * 100_000 + b"]" * 100_000, f"nested deeper than {MAX_DEPTH} levels"),
        (
            "deep.toml",
            b"a = " + b"[" * 5_000 + b"]" * 5_000,
            f"nested deeper than {MAX_DEPTH} levels",
        ),
        (
            "inline.toml",
            b"a = " + b"{b=" * 5_000 + b"1" + b"}" * 5_000,
            f"nested deeper than {MAX_DEPTH} levels",
        ),
        (
            "dotted.toml",
            b"schemaspec = 1\n" + b".".join([b"k"] * 40) + b" = 1\n",
            f"nested deeper than {MAX_DEPTH} levels",
        ),
        (
            "surrogate.json",
            b'{"schemaspec": 1, "tables": {"t": {"comment": "\\ud800"}}}',
            "text holds a lone surrogate (\\ud800-\\udfff)",
        ),
        ("nan.json", b'{"schemaspec": NaN}', "invalid JSON: NaN is not a JSON value"),
        ("number.json", b"5", "a snapshot must be a table/object at the top level"),
        ("text.json", b'"\\ud800"', "a snapshot must be a table/object at the top level"),
        (
            "huge.toml",
            b"schemaspec = " + b"9" * 5_000,
            "invalid TOML: Exceeds the limit (4300 digits) for integer string conversion: value "
            "has 5000 digits; use sys.set_int_max_str_digits() to increase the limit",
        ),
    ],
)
def test_hostile_files_are_refused(tmp_path: Path, name: str, data: bytes, reason: str) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(SnapshotError) as raised:
        load(path)
    assert str(raised.value) == f"{path}: {reason}"


def test_an_oversized_file_is_refused_without_reading_it_all(tmp_path: Path) -> None:
    path = tmp_path / "schema.toml"
    with path.open("wb") as handle:
        handle.write(SAMPLE.encode())
        handle.truncate(MAX_SIZE + 1)  # sparse: costs no disk
    with pytest.raises(SnapshotError) as raised:
        load(path)
    assert str(raised.value) == f"{path}: larger than 64 MiB, the most a snapshot may be"


def test_a_directory_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "schema.toml"
    path.mkdir()
    with pytest.raises(SnapshotError) as raised:
        load(path)
    assert str(raised.value) == f"{path}: is a directory, not a snapshot file"


def test_loading_runs_no_code_and_imports_nothing(tmp_path: Path) -> None:
    hostile = tmp_path / "schema.toml"
    hostile.write_text(
        "schemaspec = 1\n"
        "[tables.\"__import__('os').system('touch pwned')\".columns.id]\n"
        # A type in double quotes is taken as written: the text reaches the spec unchecked.
        "type = '\"builtins:eval\"'\ndefault = \"__import__('subprocess').call('id')\"\n"
        "comment = \"!!python/object/apply:os.system ['id']\"\n"
    )
    invalid = tmp_path / "invalid.json"
    invalid.write_text('{"schemaspec": 1, "tables": {"t": {"columns": {"c": {"type": 5}}}}}')
    # Refused as no dialect schemaspec knows, and still without running anything.
    foreign = tmp_path / "foreign.toml"
    foreign.write_text('schemaspec = 1\ndialect = "os:system"\n')
    # An audit hook sees every import, exec, compile and process start, even indirect ones. It
    # is installed after one warm-up load, so only what loading a file does is recorded.
    completed = run_python(
        f"""
        import sys
        from schemaspec import SnapshotError, load
        load({str(hostile)!r})
        try:
            load({str(invalid)!r})
        except SnapshotError:
            pass
        events = []
        watched = ("import", "exec", "compile", "os.system", "subprocess.Popen", "os.exec")
        def hook(event, args):
            if event.startswith(watched):
                events.append((event, str(args[0])[:60]))
        modules = set(sys.modules)
        sys.addaudithook(hook)
        spec = load({str(hostile)!r})
        for path in ({str(invalid)!r}, {str(foreign)!r}):
            try:
                load(path)
            except SnapshotError as error:
                print(error)
        print(sorted(events), sorted(set(sys.modules) - modules), sorted(spec.tables))
        """,
    )
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.splitlines() == [
        f"{invalid}, field 'tables.t.columns.c.type': Input should be a valid string",
        f"{foreign}, field 'dialect': unknown dialect 'os:system': choose one of postgresql, "
        "mysql, mariadb, sqlite",
        "[] [] [\"__import__('os').system('touch pwned')\"]",
    ]
    assert not (ROOT / "pwned").exists()
