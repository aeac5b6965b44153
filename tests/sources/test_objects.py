"""Views, sequences, triggers, routines and extensions: read, round-tripped, and each change found.

Each database gets the same small schema by hand-written DDL (what a hotfix or a migration
leaves): a view, a sequence, a trigger and the function it runs. Reading it gives exact specs;
a snapshot of it loads back equal; each alteration is exactly one ``Change``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import sqlalchemy as sa
from changes import changed

import schemaspec
from schemaspec import Change, SchemaSpec
from schemaspec.spec import (
    ExtensionSpec,
    GrantSpec,
    IndexSpec,
    PolicySpec,
    RoutineSpec,
    SequenceSpec,
    TriggerSpec,
    ViewSpec,
)

DDL = {
    "sqlite": [
        "CREATE TABLE members (id INTEGER PRIMARY KEY, name TEXT, active BOOLEAN DEFAULT 1,"
        " updated_at TIMESTAMP)",
        "CREATE VIEW active_members AS SELECT id, name FROM members WHERE active",
        "CREATE TRIGGER members_touch AFTER UPDATE ON members FOR EACH ROW BEGIN"
        " UPDATE members SET updated_at = CURRENT_TIMESTAMP WHERE id = NEW.id; END",
    ],
    "postgresql": [
        "CREATE TABLE members (id serial PRIMARY KEY, name text, active boolean DEFAULT true,"
        " updated_at timestamp)",
        "CREATE VIEW active_members AS SELECT id, name FROM members WHERE active",
        "CREATE MATERIALIZED VIEW member_count AS SELECT count(*) AS n FROM members",
        "CREATE UNIQUE INDEX ix_member_count_n ON member_count (n)",
        "CREATE SEQUENCE invoice_numbers START 1000 INCREMENT 10",
        "CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS"
        " $$ BEGIN NEW.updated_at := now(); RETURN NEW; END $$",
        "CREATE TRIGGER members_touch BEFORE UPDATE ON members FOR EACH ROW"
        " EXECUTE FUNCTION touch()",
        "CREATE EXTENSION citext",
    ],
    "mysql": [
        "CREATE TABLE members (id int PRIMARY KEY AUTO_INCREMENT, name varchar(40),"
        " active bool DEFAULT 1, updated_at datetime)",
        "CREATE VIEW active_members AS SELECT id, name FROM members WHERE active",
        "CREATE SEQUENCE invoice_numbers START WITH 1000 INCREMENT BY 10",
        "CREATE FUNCTION shout(s varchar(40)) RETURNS varchar(50) DETERMINISTIC"
        " RETURN concat(upper(s), '!')",
        "CREATE TRIGGER members_touch BEFORE UPDATE ON members FOR EACH ROW"
        " SET NEW.updated_at = now()",
    ],
}

TRIGGER = "members.members_touch"

EXPECTED: dict[str, dict[str, object]] = {
    "sqlite": {
        "views": {
            "active_members": ViewSpec(definition="select id,name from members where active")
        },
        "sequences": {},
        "triggers": {
            TRIGGER: TriggerSpec(
                table="members",
                timing="after",
                events=("update",),
                body="begin update members set updated_at=current_timestamp where id=new.id;end",
            )
        },
        "routines": {},
        "extensions": {},
    },
    "postgresql": {
        "views": {
            "active_members": ViewSpec(
                definition="select members.id,members.name from members where members.active"
            ),
            "member_count": ViewSpec(
                definition="select count(*)as n from members",
                materialized=True,
                indexes={"ix_member_count_n": IndexSpec(columns=("n",), unique=True)},
            ),
        },
        "sequences": {"invoice_numbers": SequenceSpec(start=1000, increment=10)},
        "triggers": {
            TRIGGER: TriggerSpec(
                table="members",
                timing="before",
                events=("update",),
                body="execute function touch()",
            )
        },
        "routines": {
            "touch()": RoutineSpec(
                returns="trigger",
                language="plpgsql",
                volatility="volatile",
                body="begin new.updated_at:=now();return new;end",
            )
        },
        # Names only: versions are read with from_database(..., extension_versions=True).
        "extensions": {"citext": ExtensionSpec()},
    },
    "mysql": {
        "views": {
            "active_members": ViewSpec(
                definition="select members.id as id,members.name as name from members"
                " where members.active<>0"
            )
        },
        "sequences": {"invoice_numbers": SequenceSpec(start=1000, increment=10)},
        "triggers": {
            TRIGGER: TriggerSpec(
                table="members",
                timing="before",
                events=("update",),
                body="set new.updated_at=now()",
                # MariaDB runs a table's triggers of one timing and event in this order.
                order=1,
            )
        },
        "routines": {
            "shout(varchar(40))": RoutineSpec(
                returns="varchar(50)",
                language="sql",
                volatility="deterministic",
                body="return concat(upper(s),'!')",
            )
        },
        "extensions": {},
    },
}


@dataclass
class Built:
    kind: str
    url: str

    def run(self, *statements: str) -> None:
        engine = sa.create_engine(self.url)
        try:
            with engine.begin() as connection:
                for statement in statements:
                    connection.exec_driver_sql(statement)
        finally:
            engine.dispose()

    def spec(self) -> SchemaSpec:
        return schemaspec.from_database(self.url)


@pytest.fixture
def built(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Built]:
    kind: str = request.param
    url = (
        f"sqlite:///{tmp_path / 'objects.db'}"
        if kind == "sqlite"
        else request.getfixturevalue(f"schemaspec_{kind}_url")
    )
    database = Built(kind, url)
    if kind == "sqlite":
        sa.create_engine(url).dispose()
    database.run(*DDL[kind])
    yield database


KINDS = ("sqlite", "postgresql", "mysql")


@pytest.mark.parametrize("built", KINDS, indirect=True)
def test_each_kind_of_object_is_read_exactly(built: Built) -> None:
    spec = built.spec()
    for kind, expected in EXPECTED[built.kind].items():
        assert getattr(spec, kind) == expected, kind


@pytest.mark.parametrize("built", KINDS, indirect=True)
@pytest.mark.parametrize("suffix", ["toml", "json"])
def test_a_snapshot_of_them_loads_back_equal(built: Built, suffix: str, tmp_path: Path) -> None:
    spec = built.spec()
    path = schemaspec.dump(spec, tmp_path / f"schema.{suffix}")
    assert schemaspec.load(path) == spec
    assert schemaspec.diff(schemaspec.load(path), built.spec()).changes == ()


def missing(object_: str, path: str, spec: object) -> Change:
    return Change(kind="missing", object=object_, path=path, expected=spec)


PG, MY, LITE = EXPECTED["postgresql"], EXPECTED["mysql"], EXPECTED["sqlite"]

MUTATIONS = [
    pytest.param(
        "postgresql",
        "CREATE OR REPLACE VIEW active_members AS SELECT id, name FROM members WHERE NOT active",
        changed(
            "view",
            "views.active_members",
            definition=(
                "select members.id,members.name from members where members.active",
                "select members.id,members.name from members where(not members.active)",
            ),
        ),
        id="postgresql-replace-view",
    ),
    pytest.param(
        "mysql",
        "CREATE OR REPLACE VIEW active_members AS SELECT id FROM members",
        changed(
            "view",
            "views.active_members",
            definition=(
                "select members.id as id,members.name as name from members where members.active<>0",
                "select members.id as id from members",
            ),
        ),
        id="mysql-replace-view",
    ),
    pytest.param(
        "sqlite",
        "DROP VIEW active_members",
        missing("view", "views.active_members", LITE["views"]["active_members"]),  # type: ignore[index]
        id="sqlite-drop-view",
    ),
    *(
        pytest.param(
            kind,
            "DROP TRIGGER members_touch" + (" ON members" if kind == "postgresql" else ""),
            missing("trigger", f"triggers.{TRIGGER}", EXPECTED[kind]["triggers"][TRIGGER]),  # type: ignore[index]
            id=f"{kind}-drop-trigger",
        )
        for kind in KINDS
    ),
    pytest.param(
        "postgresql",
        "CREATE OR REPLACE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS"
        " $$ BEGIN NEW.updated_at := clock_timestamp(); RETURN NEW; END $$",
        changed(
            "routine",
            "routines.touch()",
            body=(
                "begin new.updated_at:=now();return new;end",
                "begin new.updated_at:=clock_timestamp();return new;end",
            ),
        ),
        id="postgresql-function-body",
    ),
    pytest.param(
        "postgresql",
        "ALTER FUNCTION touch() STABLE",
        changed("routine", "routines.touch()", volatility=("volatile", "stable")),
        id="postgresql-function-volatility",
    ),
    pytest.param(
        "postgresql",
        "ALTER FUNCTION touch() SECURITY DEFINER STRICT SET search_path = public",
        changed(
            "routine",
            "routines.touch()",
            security=(None, "definer"),
            strict=(False, True),
            settings=((), ("search_path=public",)),
        ),
        id="postgresql-function-security",
    ),
    pytest.param(
        "postgresql",
        "ALTER TABLE members DISABLE TRIGGER members_touch",
        changed("trigger", f"triggers.{TRIGGER}", state=(None, "disabled")),
        id="postgresql-disable-trigger",
    ),
    pytest.param(
        "mysql",
        "DROP FUNCTION shout; CREATE FUNCTION shout(s varchar(40)) RETURNS varchar(50)"
        " DETERMINISTIC SQL SECURITY INVOKER RETURN concat(upper(s), '!')",
        changed("routine", "routines.shout(varchar(40))", security=(None, "invoker")),
        id="mysql-function-security",
    ),
    pytest.param(
        "mysql",
        "DROP FUNCTION shout",
        missing("routine", "routines.shout(varchar(40))", MY["routines"]["shout(varchar(40))"]),  # type: ignore[index]
        id="mysql-drop-function",
    ),
    *(
        pytest.param(
            kind,
            "ALTER SEQUENCE invoice_numbers CACHE 20",
            changed("sequence", "sequences.invoice_numbers", cache=(None, 20)),
            id=f"{kind}-sequence-cache",
        )
        for kind in ("postgresql", "mysql")
    ),
    *(
        pytest.param(
            kind,
            statement,
            changed("sequence", "sequences.invoice_numbers", increment=(10, 5)),
            id=f"{kind}-sequence-increment",
        )
        for kind, statement in (
            ("postgresql", "ALTER SEQUENCE invoice_numbers INCREMENT BY 5"),
            ("mysql", "ALTER SEQUENCE invoice_numbers INCREMENT BY 5"),
        )
    ),
    pytest.param(
        "postgresql",
        "DROP EXTENSION citext",
        missing("extension", "extensions.citext", ExtensionSpec()),
        id="postgresql-drop-extension",
    ),
    pytest.param(
        "postgresql",
        "DROP INDEX ix_member_count_n",
        changed(
            "view",
            "views.member_count",
            indexes=({"ix_member_count_n": IndexSpec(columns=("n",), unique=True)}, {}),
        ),
        id="postgresql-materialized-view-index",
    ),
]


@pytest.mark.parametrize(("built", "statement", "expected"), MUTATIONS, indirect=["built"])
def test_each_alteration_is_one_change(built: Built, statement: str, expected: Change) -> None:
    before = built.spec()
    # Statements are split only where a MariaDB routine is replaced (no body holds "; ").
    built.run(*(statement.split("; ") if built.kind == "mysql" else [statement]))
    assert schemaspec.diff(before, built.spec()).changes == (expected,)


@pytest.mark.parametrize("built", KINDS, indirect=True)
def test_models_say_nothing_of_views_and_triggers(built: Built) -> None:
    metadata = sa.MetaData()
    sa.Table(
        "members",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.Text if built.kind != "mysql" else sa.String(40)),
        sa.Column(
            "active",
            sa.Boolean,
            server_default=sa.text("1" if built.kind != "postgresql" else "true"),
        ),
        sa.Column("updated_at", sa.DateTime),
    )
    models = schemaspec.from_models(metadata)
    if built.kind != "sqlite":
        # The sequence is the models' to describe: here they have none.
        metadata_with_sequence = metadata
        sa.Sequence("invoice_numbers", start=1000, increment=10, metadata=metadata_with_sequence)
        models = schemaspec.from_models(metadata_with_sequence)
    result = schemaspec.diff(models, built.spec())
    assert result.changes == ()
    left_out = {
        "sqlite": "views, triggers",
        "postgresql": "views, triggers, routines, extensions",
        "mysql": "views, triggers, routines",
    }[built.kind]
    assert result.notes == (f"{left_out}: not described by the models; not compared",)
    # Asked for, every kind is compared: the view is then unexpected.
    everything = schemaspec.diff(models, built.spec(), objects="all").changes
    assert (
        Change(
            kind="unexpected",
            object="view",
            path="views.active_members",
            actual=EXPECTED[built.kind]["views"]["active_members"],  # type: ignore[index]
        )
        in everything
    )


def test_a_view_the_models_create_through_ddl_events_is_compared_in_shadow_mode(
    tmp_path: Path,
) -> None:
    metadata = sa.MetaData()
    sa.Table("members", metadata, sa.Column("id", sa.Integer, primary_key=True))
    sa.event.listen(
        metadata,
        "after_create",
        sa.DDL("CREATE VIEW member_ids AS SELECT id FROM members"),
    )
    expected = schemaspec.from_models(metadata, shadow=True)
    assert expected.describes == ("tables", "enums", "sequences", "views")
    url = f"sqlite:///{tmp_path / 'hotfixed.db'}"
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        connection.exec_driver_sql("CREATE TABLE members (id INTEGER PRIMARY KEY)")
        # Replaced by hand in production.
        connection.exec_driver_sql("CREATE VIEW member_ids AS SELECT id FROM members LIMIT 10")
    engine.dispose()
    assert schemaspec.diff(expected, schemaspec.from_database(url)).changes == (
        changed(
            "view",
            "views.member_ids",
            definition=("select id from members", "select id from members limit 10"),
        ),
    )


def test_postgresql_privileges_are_read_on_request(schemaspec_postgresql_url: str) -> None:
    database = Built("postgresql", schemaspec_postgresql_url)
    database.run(
        "CREATE TABLE members (id integer PRIMARY KEY, owner text)",
        "GRANT SELECT, INSERT ON members TO PUBLIC",
        "ALTER TABLE members ENABLE ROW LEVEL SECURITY",
        "CREATE POLICY own_rows ON members FOR SELECT USING (owner = current_user)",
    )
    plain = schemaspec.from_database(schemaspec_postgresql_url)
    assert plain.tables["members"].grants == {}
    spec = schemaspec.from_database(schemaspec_postgresql_url, privileges=True)
    members = spec.tables["members"]
    assert members.grants == {"PUBLIC": GrantSpec(privileges=("INSERT", "SELECT"))}
    assert members.row_security == "enabled"
    assert members.policies == {
        "own_rows": PolicySpec(command="select", using="(owner=current_user)")
    }
    assert spec.describes is not None and "privileges" in spec.describes
    # A revoked grant and a dropped policy are each one change.
    database.run(
        "REVOKE INSERT ON members FROM PUBLIC",
        "DROP POLICY own_rows ON members",
    )
    after = schemaspec.from_database(schemaspec_postgresql_url, privileges=True)
    assert schemaspec.diff(spec, after).changes == (
        changed(
            "grant",
            "members.grants.PUBLIC",
            privileges=(("INSERT", "SELECT"), ("SELECT",)),
        ),
        missing("policy", "members.policies.own_rows", members.policies["own_rows"]),
    )
    # Against a spec that did not read privileges, they are not compared.
    assert schemaspec.diff(plain, after).changes == ()


def test_mariadb_grants_are_read_on_request(schemaspec_mysql_url: str) -> None:
    database = Built("mysql", schemaspec_mysql_url)
    name = sa.engine.make_url(schemaspec_mysql_url).database
    user = f"reader_{name}"[-32:]
    database.run(
        "CREATE TABLE members (id int PRIMARY KEY)",
        f"CREATE USER '{user}'@'localhost'",
    )
    try:
        database.run(f"GRANT SELECT, UPDATE ON `{name}`.members TO '{user}'@'localhost'")
        spec = schemaspec.from_database(schemaspec_mysql_url, privileges=True)
        assert spec.tables["members"].grants == {
            f"'{user}'@'localhost'": GrantSpec(privileges=("SELECT", "UPDATE"))
        }
        # A MariaDB sequence is a table to the grant system.
        database.run(
            "CREATE SEQUENCE ticket_no_seq",
            f"GRANT SELECT ON `{name}`.ticket_no_seq TO '{user}'@'localhost'",
        )
        spec = schemaspec.from_database(schemaspec_mysql_url, privileges=True)
        assert spec.sequences["ticket_no_seq"].grants == {
            f"'{user}'@'localhost'": GrantSpec(privileges=("SELECT",))
        }
    finally:
        database.run(f"DROP USER '{user}'@'localhost'")


def test_sequences_and_routines_as_users_declare_them(schemaspec_postgresql_url: str) -> None:
    database = Built("postgresql", schemaspec_postgresql_url)
    metadata = sa.MetaData()
    ticket_numbers = sa.Sequence("ticket_no_seq", metadata=metadata)
    sa.Table(
        "tickets",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "no",
            sa.BigInteger,
            ticket_numbers,
            server_default=ticket_numbers.next_value(),
            nullable=False,
        ),
    )
    engine = sa.create_engine(schemaspec_postgresql_url)
    metadata.create_all(engine)
    engine.dispose()
    database.run(
        # Made OWNED BY later: still the models' sequence, not a SERIAL's own.
        "ALTER SEQUENCE ticket_no_seq OWNED BY tickets.no",
        "CREATE FUNCTION add(a integer, b integer) RETURNS integer LANGUAGE sql AS 'SELECT a + b'",
    )
    spec = database.spec()
    assert spec.sequences == {"ticket_no_seq": SequenceSpec(owned_by="tickets.no")}
    # Keyed by argument types: renaming a parameter is not another routine, but a change of it.
    assert list(spec.routines) == ["add(integer, integer)"]
    assert spec.routines["add(integer, integer)"].arguments == "a integer,b integer"
    assert schemaspec.diff(schemaspec.from_models(metadata), spec).changes == (
        Change(
            kind="changed",
            object="sequence",
            path="sequences.ticket_no_seq",
            attributes=frozenset({"owned_by"}),
            expected={"owned_by": None},
            actual={"owned_by": "tickets.no"},
        ),
    )
    # Patterns match sequences and routines by name too.
    filtered = schemaspec.from_database(schemaspec_postgresql_url, exclude=["ticket*", "add"])
    assert (filtered.sequences, filtered.routines) == ({}, {})


def test_privileges_alone_and_one_sided(schemaspec_postgresql_url: str) -> None:
    database = Built("postgresql", schemaspec_postgresql_url)
    database.run(
        "CREATE TABLE members (id integer PRIMARY KEY)",
        "GRANT SELECT ON members TO PUBLIC",
    )
    before = schemaspec.from_database(schemaspec_postgresql_url, privileges=True)
    database.run("REVOKE SELECT ON members FROM PUBLIC", "ALTER TABLE members ADD COLUMN x int")
    after = schemaspec.from_database(schemaspec_postgresql_url, privileges=True)
    # Only privileges asked for: the new column is not compared, the revoked grant is.
    assert schemaspec.diff(before, after, objects=["privileges"]).changes == (
        missing("grant", "members.grants.PUBLIC", GrantSpec(privileges=("SELECT",))),
    )
    plain = schemaspec.from_database(schemaspec_postgresql_url)
    result = schemaspec.diff(before, plain)
    assert result.notes == ("privileges: not described by the actual side; not compared",)


def test_postgresql_sequence_grants_and_privileges_of_several_schemas(
    schemaspec_postgresql_url: str,
) -> None:
    database = Built("postgresql", schemaspec_postgresql_url)
    database.run(
        "CREATE TABLE members (id integer PRIMARY KEY)",
        "CREATE SEQUENCE ticket_no_seq",
        "GRANT USAGE, SELECT ON SEQUENCE ticket_no_seq TO PUBLIC",
        "CREATE SCHEMA audit",
        "CREATE TABLE audit.events (id integer PRIMARY KEY)",
        "CREATE SEQUENCE audit.event_no_seq",
        "GRANT SELECT ON audit.events TO PUBLIC",
        "GRANT UPDATE ON SEQUENCE audit.event_no_seq TO PUBLIC",
    )
    spec = schemaspec.from_database(schemaspec_postgresql_url, schemas="*", privileges=True)
    public = {"PUBLIC": GrantSpec(privileges=("SELECT", "USAGE"))}
    assert spec.sequences["ticket_no_seq"] == SequenceSpec(grants=public)
    assert spec.sequences["audit.event_no_seq"] == SequenceSpec(
        grants={"PUBLIC": GrantSpec(privileges=("UPDATE",))}
    )
    assert spec.tables["audit.events"].grants == {"PUBLIC": GrantSpec(privileges=("SELECT",))}
    assert spec.tables["members"].grants == {}
    # The same schema read alone keys its objects bare and has the same grants.
    audit = schemaspec.from_database(schemaspec_postgresql_url, schema="audit", privileges=True)
    assert audit.tables["events"].grants == spec.tables["audit.events"].grants
    database.run(
        "REVOKE USAGE ON SEQUENCE ticket_no_seq FROM PUBLIC",
        "REVOKE SELECT ON audit.events FROM PUBLIC",
    )
    after = schemaspec.from_database(schemaspec_postgresql_url, schemas="*", privileges=True)
    assert schemaspec.diff(spec, after).changes == (
        missing("grant", "audit.events.grants.PUBLIC", GrantSpec(privileges=("SELECT",))),
        changed(
            "sequence",
            "sequences.ticket_no_seq",
            grants=(public, {"PUBLIC": GrantSpec(privileges=("SELECT",))}),
        ),
    )
    # Without privileges read on one side, sequence grants are not compared either.
    assert (
        schemaspec.diff(
            spec, schemaspec.from_database(schemaspec_postgresql_url, schemas="*")
        ).changes
        == ()
    )
