"""The schema_snapshot fixture and --schemaspec-update, run in real inner pytest sessions."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

import schemaspec
from schemaspec.sources.snapshot import dumps
from schemaspec.testing.snapshot_fixture import SchemaSnapshot

pytest_plugins = ["pytester"]

# The inner test suites build their schema here; APN_TYPE is what the "code" currently says.
HELPERS = """
import os
import sqlalchemy as sa
import schemaspec

def registrations():
    metadata = sa.MetaData()
    apn = sa.Integer() if os.environ.get("APN_TYPE") == "integer" else sa.Numeric(10, 2)
    sa.Table(
        "book_registrations",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("applicant_priority_number", apn, nullable=False),
    )
    return schemaspec.from_models(metadata)
"""

TEST_SCHEMA = """
from schema_models import registrations

def test_models(schema_snapshot):
    schema_snapshot.assert_match(registrations())
"""

SNAPSHOT = Path("specs/test_schema/test_models.toml")


def registrations(apn_type: sa.types.TypeEngine[object]) -> schemaspec.SchemaSpec:
    metadata = sa.MetaData()
    sa.Table(
        "book_registrations",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("applicant_priority_number", apn_type, nullable=False),
    )
    return schemaspec.from_models(metadata)


NUMERIC_TEXT = dumps(registrations(sa.Numeric(10, 2)))
INTEGER_TEXT = dumps(registrations(sa.Integer()))


@pytest.fixture
def project(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> pytest.Pytester:
    """An inner project outside CI (this suite itself runs with CI=true in CI)."""
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.delenv("APN_TYPE", raising=False)
    pytester.makeini("[pytest]\n")
    pytester.makepyfile(schema_models=HELPERS)
    pytester.makepyfile(test_schema=TEST_SCHEMA)
    return pytester


def run(pytester: pytest.Pytester, *args: str) -> pytest.RunResult:
    return pytester.runpytest_inprocess("-p", "no:cacheprovider", *args)


def test_missing_snapshot_fails_with_the_update_hint(project: pytest.Pytester) -> None:
    result = run(project)
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "*schemaspec: snapshot specs/test_schema/test_models.toml does not exist. Run pytest"
            " --schemaspec-update to write it, then review and commit it."
        ]
    )
    assert not (project.path / "specs").exists()


def test_update_writes_the_snapshot_and_reports_it(project: pytest.Pytester) -> None:
    result = run(project, "--schemaspec-update")
    result.assert_outcomes(passed=1)
    assert (project.path / SNAPSHOT).read_text(encoding="utf-8") == NUMERIC_TEXT
    result.stdout.fnmatch_lines(
        [
            "*schemaspec snapshots*",
            "1 snapshot written, 0 unchanged:",
            "  specs/test_schema/test_models.toml (new)",
        ]
    )
    # The written snapshot is now what a plain run compares against.
    run(project).assert_outcomes(passed=1)


def test_update_leaves_an_unchanged_snapshot_alone(project: pytest.Pytester) -> None:
    path = project.path / SNAPSHOT
    path.parent.mkdir(parents=True)
    path.write_text(NUMERIC_TEXT, encoding="utf-8")
    before = path.stat().st_mtime_ns
    result = run(project, "--schemaspec-update")
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(["no snapshot changed (1 unchanged)"])
    assert path.stat().st_mtime_ns == before


def test_mismatch_reads_like_the_text_report(
    project: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = project.path / SNAPSHOT
    path.parent.mkdir(parents=True)
    path.write_text(NUMERIC_TEXT, encoding="utf-8")
    monkeypatch.setenv("APN_TYPE", "integer")
    result = run(project)
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "E       schemaspec.SchemaMismatch: Schema differences between "
            "specs/test_schema/test_models.toml (expected) and test_models (actual):",
            "E       ",
            "E       book_registrations",
            "E         book_registrations.applicant_priority_number: type numeric(10,2) expected,"
            " integer found",
            "E       ",
            "E       1 column changed",
            "E       ",
            "E       If the change is intended, run pytest --schemaspec-update, review the diff of "
            "specs/test_schema/test_models.toml and commit it.",
        ]
    )
    # The plugin's own frames are hidden: the traceback ends in the test.
    assert "snapshot_fixture.py" not in result.stdout.str()
    assert path.read_text(encoding="utf-8") == NUMERIC_TEXT


def test_update_rewrites_a_changed_snapshot(
    project: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = project.path / SNAPSHOT
    path.parent.mkdir(parents=True)
    path.write_text(NUMERIC_TEXT, encoding="utf-8")
    monkeypatch.setenv("APN_TYPE", "integer")
    result = run(project, "--schemaspec-update")
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(
        ["1 snapshot written, 0 unchanged:", "  specs/test_schema/test_models.toml (updated)"]
    )
    assert path.read_text(encoding="utf-8") == INTEGER_TEXT
    assert [p.name for p in path.parent.iterdir()] == ["test_models.toml"]  # no temporary left


@pytest.mark.parametrize("snapshot", [None, NUMERIC_TEXT])
def test_ci_never_writes_whatever_the_flag_says(
    project: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, snapshot: str | None
) -> None:
    path = project.path / SNAPSHOT
    if snapshot is not None:
        path.parent.mkdir(parents=True)
        path.write_text(snapshot, encoding="utf-8")
    monkeypatch.setenv("CI", "true")
    monkeypatch.setenv("APN_TYPE", "integer")
    result = run(project, "--schemaspec-update")
    result.assert_outcomes(failed=1)
    if snapshot is None:
        result.stdout.fnmatch_lines(
            [
                "*schemaspec: snapshot specs/test_schema/test_models.toml does not exist and was"
                " not written: CI=true, and snapshots are never written in CI"
                " (--schemaspec-update ignored). Run pytest --schemaspec-update locally, review"
                " specs/test_schema/test_models.toml and commit it."
            ]
        )
        assert not path.exists()
    else:
        result.stdout.fnmatch_lines(
            [
                "E         book_registrations.applicant_priority_number: type numeric(10,2)"
                " expected, integer found",
                "E       not written: CI=true, and snapshots are never written in CI"
                " (--schemaspec-update ignored). If the change is intended, run pytest"
                " --schemaspec-update locally and commit specs/test_schema/test_models.toml.",
            ]
        )
        assert path.read_text(encoding="utf-8") == snapshot
    result.stdout.fnmatch_lines(
        [
            "*schemaspec snapshots*",
            "--schemaspec-update ignored: CI=true, and snapshots are never written in CI",
            "  specs/test_schema/test_models.toml (not written)",
        ]
    )


def test_ci_passes_when_the_snapshot_matches(
    project: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = project.path / SNAPSHOT
    path.parent.mkdir(parents=True)
    path.write_text(NUMERIC_TEXT, encoding="utf-8")
    monkeypatch.setenv("CI", "true")
    run(project, "--schemaspec-update").assert_outcomes(passed=1)
    assert path.read_text(encoding="utf-8") == NUMERIC_TEXT


def test_update_never_touches_snapshots_the_run_did_not(project: pytest.Pytester) -> None:
    project.makepyfile(
        test_other="""
        from schema_models import registrations

        def test_other(schema_snapshot):
            schema_snapshot.assert_match(registrations())
        """
    )
    kept = {
        project.path / "specs/test_other/test_other.toml": "stale = true\n",
        project.path / "specs/retired/test_gone.toml": INTEGER_TEXT,
        project.path / "specs/README": "snapshots live here\n",
    }
    for path, text in kept.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    result = run(project, "--schemaspec-update", "test_schema.py")
    result.assert_outcomes(passed=1)
    for path, text in kept.items():
        assert path.read_text(encoding="utf-8") == text
    assert sorted(str(p.relative_to(project.path)) for p in project.path.rglob("*.toml")) == [
        "specs/retired/test_gone.toml",
        "specs/test_other/test_other.toml",
        "specs/test_schema/test_models.toml",
    ]


def test_snapshot_directory_from_the_ini_option(project: pytest.Pytester) -> None:
    project.makeini("[pytest]\nschemaspec_snapshot_dir = db/snapshots\n")
    result = run(project, "--schemaspec-update")
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(["  db/snapshots/test_schema/test_models.toml (new)"])
    assert (project.path / "db/snapshots/test_schema/test_models.toml").exists()
    assert not (project.path / "specs").exists()


def test_file_names(project: pytest.Pytester) -> None:
    project.makepyfile(
        test_schema="""
        import pytest
        from schema_models import registrations

        def test_two_unnamed(schema_snapshot):
            schema_snapshot.assert_match(registrations())
            schema_snapshot.assert_match(registrations())

        @pytest.mark.parametrize("kind", ["sqlite", "mysql"])
        def test_param(schema_snapshot, kind):
            schema_snapshot.assert_match(registrations())

        class TestGroup:
            def test_method(self, schema_snapshot):
                schema_snapshot.assert_match(registrations())

        def test_named(schema_snapshot):
            assert schema_snapshot.path("app") == schema_snapshot.path("app.toml")
            schema_snapshot.assert_match(registrations(), name="app")
            schema_snapshot.assert_match(registrations(), name="nested/app.json")
        """
    )
    result = run(project, "--schemaspec-update")
    result.assert_outcomes(passed=5)
    specs = project.path / "specs"
    assert sorted(str(p.relative_to(specs)) for p in specs.rglob("*.*")) == [
        "app.toml",
        "nested/app.json",
        "test_schema/TestGroup.test_method.toml",
        "test_schema/test_param-mysql.toml",
        "test_schema/test_param-sqlite.toml",
        "test_schema/test_two_unnamed-2.toml",
        "test_schema/test_two_unnamed.toml",
    ]


@pytest.mark.parametrize("name", ["../outside", "/tmp/absolute", ""])
def test_names_outside_the_snapshot_directory_are_refused(
    project: pytest.Pytester, name: str
) -> None:
    project.makepyfile(
        test_schema=f"""
        from schema_models import registrations

        def test_named(schema_snapshot):
            schema_snapshot.assert_match(registrations(), name={name!r})
        """
    )
    result = run(project, "--schemaspec-update")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            f"E       schemaspec.errors.SnapshotError: {name or '.'}: a snapshot name must be a"
            " relative path inside the snapshot directory"
        ]
    )
    assert not (project.path / "specs").exists()


def test_two_tests_fighting_over_one_file_fail(project: pytest.Pytester) -> None:
    project.makepyfile(
        test_schema="""
        import sqlalchemy as sa
        import schemaspec

        def spec(table):
            metadata = sa.MetaData()
            sa.Table(table, metadata, sa.Column("id", sa.Integer, primary_key=True))
            return schemaspec.from_models(metadata)

        def test_a(schema_snapshot):
            schema_snapshot.assert_match(spec("a"), name="shared")

        def test_b(schema_snapshot):
            schema_snapshot.assert_match(spec("b"), name="shared")
        """
    )
    result = run(project, "--schemaspec-update")
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(
        [
            "*schemaspec: snapshot specs/shared.toml was already written in this run with a"
            " different schema; give these assertions different names"
        ]
    )
    assert schemaspec.load(project.path / "specs/shared.toml").tables.keys() == {"a"}


def test_sources_are_accepted_and_options_forwarded(project: pytest.Pytester) -> None:
    project.makepyfile(
        test_schema="""
        import pytest
        import sqlalchemy as sa

        metadata = sa.MetaData()
        sa.Table("t", metadata, sa.Column("id", sa.Integer, primary_key=True))

        def test_metadata(schema_snapshot):
            schema_snapshot.assert_match(metadata, name="t")

        def test_database(schema_snapshot, schemaspec_sqlite_url):
            metadata.create_all(sa.create_engine(schemaspec_sqlite_url))
            schema_snapshot.assert_match(schemaspec_sqlite_url, name="t")

        def test_options(schema_snapshot):
            with pytest.raises(TypeError, match="bogus"):
                schema_snapshot.assert_match(metadata, name="t", bogus=True)
        """
    )
    run(project, "--schemaspec-update", "-k", "test_metadata").assert_outcomes(passed=1)
    run(project).assert_outcomes(passed=3)


def test_the_options_are_in_their_own_group(project: pytest.Pytester) -> None:
    result = run(project, "--help")
    result.stdout.fnmatch_lines(
        [
            "schemaspec:",
            "  --schemaspec-update   write schema_snapshot files instead of comparing with",
            "  schemaspec_snapshot_dir (string):",
            "*directory of schema_snapshot files, relative to the*",
        ]
    )


def test_the_unioncore_models_match_the_committed_snapshot(
    schema_snapshot: SchemaSnapshot,
) -> None:
    # This repository's own specs/unioncore.toml, through the fixture as a user would use it.
    assert schema_snapshot.path("unioncore") == Path(__file__).parents[2] / "specs/unioncore.toml"
    schema_snapshot.assert_match("unioncore.models:Base", name="unioncore")


# The models of a members table; MEMBERS_PHONE=yes is the code after it gained a column.
DRIFT = """
import os
import sqlalchemy as sa
import schemaspec

def members(phone):
    metadata = sa.MetaData()
    columns = [sa.Column("id", sa.Integer, primary_key=True)]
    if phone:
        columns.append(sa.Column("phone", sa.String(30)))
    sa.Table("members", metadata, *columns)
    return schemaspec.from_models(metadata)

def test_members(schema_snapshot):
    schema_snapshot.assert_match(members(os.environ.get("MEMBERS_PHONE") == "yes"), name="m")
"""


def members_text(phone: bool) -> str:
    metadata = sa.MetaData()
    columns = [sa.Column("id", sa.Integer, primary_key=True)]
    if phone:
        columns.append(sa.Column("phone", sa.String(30)))
    sa.Table("members", metadata, *columns)
    return dumps(schemaspec.from_models(metadata))


@pytest.mark.parametrize(
    ("committed", "models", "line", "summary"),
    [
        # The models gained a column the committed snapshot has not recorded.
        (
            False,
            True,
            "members.phone: unexpected column (varchar(30), null)",
            "1 unexpected column",
        ),
        # The models lost a column the committed snapshot still has.
        (True, False, "members.phone: column missing (varchar(30), null)", "1 column missing"),
    ],
)
def test_the_committed_snapshot_is_the_expected_side(
    project: pytest.Pytester,
    monkeypatch: pytest.MonkeyPatch,
    committed: bool,
    models: bool,
    line: str,
    summary: str,
) -> None:
    # The same rule as `schemaspec check` (tests/checks/test_project.py): what was reviewed and
    # committed is expected, what the code says now is actual.
    project.makepyfile(test_schema=DRIFT)
    (project.path / "specs").mkdir()
    (project.path / "specs" / "m.toml").write_text(members_text(committed), encoding="utf-8")
    monkeypatch.setenv("MEMBERS_PHONE", "yes" if models else "no")
    result = run(project)
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "E       schemaspec.SchemaMismatch: Schema differences between specs/m.toml"
            " (expected) and test_members (actual):",
            "E       ",
            "E       members",
            f"E         {line}",
            "E       ",
            f"E       {summary}",
        ]
    )


EMPTY = """
import sqlalchemy as sa
import schemaspec

def test_models(schema_snapshot):
    schema_snapshot.assert_match(schemaspec.from_models(sa.MetaData()))
"""


@pytest.mark.parametrize("args", [(), ("--schemaspec-update",)], ids=["compare", "update"])
def test_a_schema_without_tables_fails_instead_of_matching(
    project: pytest.Pytester, args: tuple[str, ...]
) -> None:
    project.makepyfile(test_schema=EMPTY)
    result = run(project, *args)
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "*schemaspec: the schema compared with snapshot specs/test_schema/test_models.toml has"
            " no tables, so there is nothing to compare (and nothing is written): import the"
            " modules that define the models where the base is defined, or check the database"
            " URL and schema."
        ]
    )
    assert not (project.path / "specs").exists()
