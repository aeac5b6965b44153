"""from_models: MetaData, declarative bases and import strings become neutral specs."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from schemaspec import (
    CheckSpec,
    ColumnSpec,
    EnumSpec,
    ForeignKeySpec,
    IndexSpec,
    SchemaSpec,
    SchemaspecWarning,
    SourceError,
    TableSpec,
    UniqueSpec,
    from_models,
)
from schemaspec.spec import MODEL_KINDS


def sample_metadata() -> sa.MetaData:
    metadata = sa.MetaData()
    sa.Table("members", metadata, sa.Column("id", sa.Integer, primary_key=True))
    sa.Table(
        "registrations",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("member_id", sa.ForeignKey("members.id", ondelete="CASCADE"), nullable=False),
        sa.Column("apn", sa.Numeric(10, 2), nullable=False, server_default="0"),
        sa.Column("status", sa.Enum("open", "closed", name="registration_status")),
        sa.Column("note", sa.String(200), comment="free text"),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now()),
        sa.Column("is_active", sa.Boolean, server_default=sa.true()),
        sa.Index("ix_registrations_lower_note", sa.func.lower(sa.column("note"))),
        sa.Index("ix_registrations_apn", "apn", unique=True),
        sa.UniqueConstraint("member_id", "status", name="uq_member_status"),
        sa.CheckConstraint("apn >= 0", name="ck_apn"),
        comment="one row per registration",
    )
    return metadata


EXPECTED = SchemaSpec(
    tables={
        "members": TableSpec(
            columns={"id": ColumnSpec(type="integer", nullable=False, autoincrement=True)},
            primary_key=("id",),
        ),
        "registrations": TableSpec(
            columns={
                "id": ColumnSpec(type="integer", nullable=False, autoincrement=True),
                "member_id": ColumnSpec(type="integer", nullable=False),
                "apn": ColumnSpec(type="numeric(10,2)", nullable=False, default="0"),
                "status": ColumnSpec(type="enum(registration_status)"),
                "note": ColumnSpec(type="varchar(200)", comment="free text"),
                "created_at": ColumnSpec(type="timestamptz", default="current_timestamp"),
                "is_active": ColumnSpec(type="boolean", default="true"),
            },
            primary_key=("id",),
            foreign_keys={
                "member_id": ForeignKeySpec(
                    columns=("member_id",),
                    referred_table="members",
                    referred_columns=("id",),
                    on_delete="CASCADE",
                )
            },
            indexes={
                "ix_registrations_lower_note": IndexSpec(columns=("lower(note)",)),
                "ix_registrations_apn": IndexSpec(columns=("apn",), unique=True),
            },
            unique={
                "member_id,status": UniqueSpec(
                    columns=("member_id", "status"), name="uq_member_status"
                )
            },
            checks={"ck_apn": CheckSpec(sqltext="apn>=0", name="ck_apn")},
            comment="one row per registration",
        ),
    },
    enums={"registration_status": EnumSpec(values=("open", "closed"))},
    # Models say nothing about views, triggers, routines or extensions.
    describes=("tables", "enums", "sequences"),
)


def test_metadata_becomes_a_neutral_spec() -> None:
    assert from_models(sample_metadata()) == EXPECTED


def test_declarative_base_and_import_string(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "shop_models.py").write_text(
        "from sqlalchemy import String\n"
        "from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column\n"
        "class Base(DeclarativeBase):\n    pass\n"
        "class Item(Base):\n"
        "    __tablename__ = 'items'\n"
        "    id: Mapped[int] = mapped_column(primary_key=True)\n"
        "    name: Mapped[str] = mapped_column(String(50))\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    expected = SchemaSpec(
        tables={
            "items": TableSpec(
                columns={
                    "id": ColumnSpec(type="integer", nullable=False, autoincrement=True),
                    "name": ColumnSpec(type="varchar(50)", nullable=False),
                },
                primary_key=("id",),
            )
        },
        describes=MODEL_KINDS,
    )
    assert from_models("shop_models:Base") == expected
    assert from_models("shop_models:Base.metadata") == expected
    assert from_models(sys.modules["shop_models"].Base) == expected
    sys.modules.pop("shop_models")


@pytest.mark.parametrize(
    ("dialect", "status_type", "enums", "created_at"),
    [
        ("postgresql", "enum(registration_status)", {"registration_status"}, "timestamptz"),
        ("mysql", "enum('open','closed')", set(), "timestamp"),
        ("sqlite", "varchar(6)", set(), "timestamp"),
    ],
)
def test_dialect_renders_the_way_the_database_stores(
    dialect: str, status_type: str, enums: set[str], created_at: str
) -> None:
    spec = from_models(sample_metadata(), dialect=dialect)
    columns = spec.tables["registrations"].columns
    assert spec.dialect == dialect
    assert columns["status"].type == status_type
    assert columns["created_at"].type == created_at
    assert set(spec.enums) == enums


def test_comments_are_dropped_for_sqlite() -> None:
    spec = from_models(sample_metadata(), dialect="sqlite")
    assert spec.tables["registrations"].comment is None
    assert spec.tables["registrations"].columns["note"].comment is None


def test_boolean_check_exists_only_where_boolean_is_not_native() -> None:
    metadata = sa.MetaData()
    sa.Table("t", metadata, sa.Column("flag", sa.Boolean(create_constraint=True, name="ck_t_flag")))
    assert from_models(metadata, dialect="postgresql").tables["t"].checks == {}
    assert from_models(metadata, dialect="sqlite").tables["t"].checks == {
        "ck_t_flag": CheckSpec(sqltext="flag in(0,1)", name="ck_t_flag")
    }
    assert from_models(metadata).tables["t"].checks["ck_t_flag"].emulates == "boolean"


def test_schema_keys_tables_by_bare_name() -> None:
    metadata = sa.MetaData()
    sa.Table("a", metadata, sa.Column("id", sa.Integer, primary_key=True), schema="sales")
    sa.Table("b", metadata, sa.Column("id", sa.Integer, primary_key=True))
    assert set(from_models(metadata).tables) == {"sales.a", "b"}
    assert set(from_models(metadata, schema="sales").tables) == {"a"}


@pytest.mark.parametrize(
    ("target", "message"),
    [
        (
            "no_such_package.models:Base",
            "cannot import 'no_such_package.models': "
            "ModuleNotFoundError: No module named 'no_such_package'",
        ),
        ("json:NoSuchBase", "module 'json' has no attribute 'NoSuchBase'"),
        ("json", "'json' is not an import string of the form 'pkg.module:attr'"),
        (
            "json:dumps",
            "'json:dumps' is neither a SQLAlchemy MetaData nor a declarative base with .metadata",
        ),
    ],
)
def test_bad_targets_raise_source_error(target: str, message: str) -> None:
    with pytest.raises(SourceError) as raised:
        from_models(target)
    assert str(raised.value) == message


def test_import_error_inside_the_module_is_named(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "broken_models.py").write_text(
        "import sqlalchemy\nraise RuntimeError('boom at import')\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    with pytest.raises(
        SourceError, match=r"^cannot import 'broken_models': RuntimeError: boom at import$"
    ):
        from_models("broken_models:Base")


class _Base(DeclarativeBase):
    pass


class _Widget(_Base):
    __tablename__ = "widgets"
    id: Mapped[int] = mapped_column(sa.BigInteger, sa.Identity(), primary_key=True)
    total: Mapped[int] = mapped_column(sa.Computed("id * 2"))


def test_identity_and_computed_columns() -> None:
    columns = from_models(_Base).tables["widgets"].columns
    assert columns["id"] == ColumnSpec(
        type="bigint", nullable=False, autoincrement=True, identity="by default"
    )
    assert columns["total"] == ColumnSpec(type="integer", nullable=False, computed="id*2")


def test_models_without_tables_warn_that_nothing_will_be_compared() -> None:
    with pytest.warns(SchemaspecWarning) as warned:
        spec = from_models(sa.MetaData())
    assert spec == SchemaSpec(describes=MODEL_KINDS)
    assert str(warned[0].message) == (
        "the models of this MetaData define no tables, so comparing them compares nothing: "
        "import the modules that define the models first"
    )
    # It points at the caller's line, not into schemaspec.
    assert warned[0].filename == __file__
