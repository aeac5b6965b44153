"""Models from real projects that ``create_all`` turns into exactly the schema found.

Each case is one model builder and the databases it applies to. The test creates the models on a
fresh scratch database of that kind and requires an empty diff against the database twice: from
the spec for that dialect (``from_models(md, dialect=kind)``) and from the neutral spec
(``from_models(md)``, which must build without raising). A change reported here, or an
exception, is schemaspec misreading models that SQLAlchemy created faithfully.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.dialects import mysql, postgresql
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql import functions
from sqlalchemy.sql.expression import ColumnElement, FunctionElement

import schemaspec

ALL = ("sqlite", "postgresql", "mysql")
SQLITE = ("sqlite",)
POSTGRESQL = ("postgresql",)
MYSQL = ("mysql",)
# Expression indexes: MariaDB has none (SQLAlchemy emits them, MariaDB rejects them).
EXPRESSION_INDEXES = ("sqlite", "postgresql")
# MySQL and MariaDB refuse what these create (see each builder).
NOT_MYSQL = ("sqlite", "postgresql")


@dataclass(frozen=True)
class Case:
    name: str
    build: Callable[[], sa.MetaData]
    databases: tuple[str, ...]


# --- Custom SQL elements compiled per database only (no default compilation) -------------------


class new_id(FunctionElement[str]):
    """A random text id, spelled the way each database makes one."""

    type = sa.String()
    inherit_cache = True
    name = "new_id"


@compiles(new_id, "sqlite")
def _new_id_sqlite(element: Any, compiler: Any, **kw: Any) -> str:
    return "lower(hex(randomblob(16)))"


@compiles(new_id, "postgresql")
def _new_id_postgresql(element: Any, compiler: Any, **kw: Any) -> str:
    return "gen_random_uuid()::text"


@compiles(new_id, "mysql", "mariadb")
def _new_id_mysql(element: Any, compiler: Any, **kw: Any) -> str:
    return "uuid()"


class random_code(ColumnElement[str]):
    """The same idea as a ColumnElement rather than a FunctionElement."""

    type = sa.String()
    inherit_cache = True


@compiles(random_code, "sqlite")
def _random_code_sqlite(element: Any, compiler: Any, **kw: Any) -> str:
    return "hex(randomblob(16))"


@compiles(random_code, "postgresql")
def _random_code_postgresql(element: Any, compiler: Any, **kw: Any) -> str:
    return "md5(random()::text)"


@compiles(random_code, "mysql", "mariadb")
def _random_code_mysql(element: Any, compiler: Any, **kw: Any) -> str:
    return "md5(rand())"


class utcnow(FunctionElement[Any]):
    """SQLAlchemy's documented ``utcnow`` recipe: a timestamp in UTC per database."""

    type = sa.DateTime()
    inherit_cache = True
    name = "utcnow"


@compiles(utcnow, "postgresql")
def _utcnow_postgresql(element: Any, compiler: Any, **kw: Any) -> str:
    return "TIMEZONE('utc', CURRENT_TIMESTAMP)"


@compiles(utcnow, "sqlite")
def _utcnow_sqlite(element: Any, compiler: Any, **kw: Any) -> str:
    return "CURRENT_TIMESTAMP"


@compiles(utcnow, "mysql", "mariadb")
def _utcnow_mysql(element: Any, compiler: Any, **kw: Any) -> str:
    return "UTC_TIMESTAMP()"


# ``func.now()`` with its SQLite spelling overridden, as projects do with
# ``@compiles(functions.now, "sqlite")``. Subclasses (not registered in ``func``) keep the
# override out of every other test; they are ``now`` everywhere else.
class now_current_timestamp(functions.now):
    name = "now"
    inherit_cache = True
    _register = False


@compiles(now_current_timestamp, "sqlite")
def _now_current_timestamp_sqlite(element: Any, compiler: Any, **kw: Any) -> str:
    return "CURRENT_TIMESTAMP"


class now_milliseconds(functions.now):
    name = "now"
    inherit_cache = True
    _register = False


@compiles(now_milliseconds, "sqlite")
def _now_milliseconds_sqlite(element: Any, compiler: Any, **kw: Any) -> str:
    return "strftime('%Y-%m-%d %H:%M:%f', 'now')"


# --- Builders: one per case ---------------------------------------------------------------------


def _id(**kw: Any) -> sa.Column[Any]:
    return sa.Column("id", sa.Integer, primary_key=True, **kw)


# 1. Primary key server defaults defined only by @compiles per database.


def pk_default_function_element() -> sa.MetaData:
    metadata = sa.MetaData()
    sa.Table(
        "tokens",
        metadata,
        sa.Column("id", sa.String(36), primary_key=True, server_default=new_id()),
        sa.Column("label", sa.String(50)),
    )
    return metadata


def pk_default_column_element() -> sa.MetaData:
    metadata = sa.MetaData()
    sa.Table(
        "codes",
        metadata,
        sa.Column("code", sa.String(32), primary_key=True, server_default=random_code()),
    )
    return metadata


# 2. Sequence.next_value() as a server default (PostgreSQL).


def sequence_next_value_pk_default() -> sa.MetaData:
    # SQLAlchemy's documented "Associating a Sequence as the Server Side Default".
    metadata = sa.MetaData()
    seq = sa.Sequence("cart_id_seq", metadata=metadata, start=1)
    sa.Table(
        "cartitems",
        metadata,
        sa.Column("cart_id", sa.Integer, seq, server_default=seq.next_value(), primary_key=True),
        sa.Column("description", sa.String(40)),
    )
    return metadata


def sequence_next_value_column_default() -> sa.MetaData:
    metadata = sa.MetaData()
    seq = sa.Sequence("invoice_number_seq", metadata=metadata)
    sa.Table(
        "invoices",
        metadata,
        _id(),
        sa.Column("number", sa.BigInteger, nullable=False, server_default=seq.next_value()),
    )
    return metadata


# 3. JSONB index expressions (PostgreSQL), and JSON ones on SQLite.


def _documents(type_: sa.types.TypeEngine[Any]) -> tuple[sa.MetaData, sa.Table]:
    metadata = sa.MetaData()
    table = sa.Table("documents", metadata, _id(), sa.Column("data", type_))
    return metadata, table


def jsonb_index_getitem() -> sa.MetaData:
    metadata, t = _documents(postgresql.JSONB())
    sa.Index("ix_documents_key", t.c.data["key"])
    return metadata


def jsonb_index_astext() -> sa.MetaData:
    metadata, t = _documents(postgresql.JSONB())
    sa.Index("ix_documents_key_text", t.c.data["key"].astext)
    return metadata


def jsonb_index_as_string() -> sa.MetaData:
    metadata, t = _documents(postgresql.JSONB())
    sa.Index("ix_documents_key_string", t.c.data["key"].as_string())
    return metadata


def jsonb_index_as_integer() -> sa.MetaData:
    metadata, t = _documents(postgresql.JSONB())
    sa.Index("ix_documents_n", t.c.data["n"].as_integer())
    return metadata


def jsonb_index_path_astext() -> sa.MetaData:
    metadata, t = _documents(postgresql.JSONB())
    sa.Index("ix_documents_a_b", t.c.data[("a", "b")].astext)
    return metadata


def json_index_as_string() -> sa.MetaData:
    metadata, t = _documents(sa.JSON())
    sa.Index("ix_documents_key_string", t.c.data["key"].as_string())
    return metadata


# 4. Float precisions.


def float_precision_53() -> sa.MetaData:
    metadata = sa.MetaData()
    sa.Table("measurements", metadata, _id(), sa.Column("value", sa.Float(53)))
    return metadata


def float_precision_24() -> sa.MetaData:
    metadata = sa.MetaData()
    sa.Table("measurements", metadata, _id(), sa.Column("value", sa.Float(24)))
    return metadata


# 5. now() overridden for one database, and the utcnow recipe.


def now_overridden_current_timestamp() -> sa.MetaData:
    metadata = sa.MetaData()
    sa.Table(
        "events",
        metadata,
        _id(),
        sa.Column("created_at", sa.DateTime, server_default=now_current_timestamp()),
    )
    return metadata


def now_overridden_strftime() -> sa.MetaData:
    metadata = sa.MetaData()
    sa.Table(
        "events",
        metadata,
        _id(),
        sa.Column("created_at", sa.DateTime, server_default=now_milliseconds()),
    )
    return metadata


def utcnow_compiled_per_dialect() -> sa.MetaData:
    metadata = sa.MetaData()
    sa.Table(
        "events", metadata, _id(), sa.Column("created_at", sa.DateTime, server_default=utcnow())
    )
    return metadata


# 6. Objects created on PostgreSQL only (ddl_if).


def index_ddl_if_postgresql() -> sa.MetaData:
    metadata = sa.MetaData()
    t = sa.Table("users", metadata, _id(), sa.Column("email", sa.String(100)))
    sa.Index("ix_users_email_lower", sa.func.lower(t.c.email)).ddl_if(dialect="postgresql")
    sa.Index("ix_users_email", t.c.email).ddl_if(dialect="postgresql")
    return metadata


def check_ddl_if_postgresql() -> sa.MetaData:
    metadata = sa.MetaData()
    sa.Table(
        "users",
        metadata,
        _id(),
        sa.Column("code", sa.String(10)),
        sa.CheckConstraint("code ~ '^[A-Z]+$'", name="ck_users_code").ddl_if(dialect="postgresql"),
    )
    return metadata


# 7. Naming-convention names longer than the identifier limit, truncated by SQLAlchemy.

LONG_NAMES = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_N_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def naming_convention_truncated() -> sa.MetaData:
    metadata = sa.MetaData(naming_convention=LONG_NAMES)
    sa.Table("customer_subscription_billing_accounts", metadata, _id())
    sa.Table(
        "customer_subscription_billing_adjustments",
        metadata,
        _id(),
        sa.Column(
            "billing_account_identifier",
            sa.ForeignKey("customer_subscription_billing_accounts.id"),
            nullable=False,
        ),
        sa.Column("billing_period_reference_code", sa.String(40), index=True),
        sa.Column("external_adjustment_reference", sa.String(40), unique=True),
        sa.Column("amount_in_minor_units", sa.Integer, nullable=False),
        sa.CheckConstraint("amount_in_minor_units >= 0", name="amount_in_minor_units_non_negative"),
    )
    return metadata


# 8. CHAR without a length, Numeric with a scale or a precision only.


def char_without_length() -> sa.MetaData:
    metadata = sa.MetaData()
    sa.Table("flags", metadata, _id(), sa.Column("flag", sa.CHAR()))
    return metadata


def numeric_scale_only() -> sa.MetaData:
    metadata = sa.MetaData()
    sa.Table("rates", metadata, _id(), sa.Column("rate", sa.Numeric(scale=5)))
    return metadata


def numeric_precision_only() -> sa.MetaData:
    metadata = sa.MetaData()
    sa.Table("rates", metadata, _id(), sa.Column("rate", sa.Numeric(10)))
    return metadata


def string_without_length() -> sa.MetaData:
    # MySQL needs a VARCHAR length (SQLAlchemy refuses to compile one without it there).
    metadata = sa.MetaData()
    sa.Table("notes", metadata, _id(), sa.Column("body", sa.String()))
    return metadata


# 9. MySQL's unsigned integers created elsewhere.


def mysql_unsigned_integer() -> sa.MetaData:
    metadata = sa.MetaData()
    sa.Table(
        "counters",
        metadata,
        sa.Column("id", mysql.INTEGER(unsigned=True), primary_key=True),
        sa.Column("hits", mysql.BIGINT(unsigned=True), nullable=False),
    )
    return metadata


def mysql_unsigned_as_variant() -> sa.MetaData:
    unsigned = sa.Integer().with_variant(mysql.INTEGER(unsigned=True), "mysql", "mariadb")
    metadata = sa.MetaData()
    sa.Table(
        "counters",
        metadata,
        sa.Column("id", unsigned, primary_key=True),
        sa.Column("hits", unsigned, nullable=False),
    )
    return metadata


# 10. Composite primary keys with an autoincrement column that is not first.


def composite_pk_autoincrement_second() -> sa.MetaData:
    # SQLAlchemy emits PRIMARY KEY (id, tenant_id): the autoincrement column first.
    metadata = sa.MetaData()
    sa.Table(
        "tenant_items",
        metadata,
        sa.Column("tenant_id", sa.Integer, primary_key=True),
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("name", sa.String(50)),
    )
    return metadata


def composite_pk_explicit_constraint() -> sa.MetaData:
    # An explicit PrimaryKeyConstraint keeps the declared order.
    metadata = sa.MetaData()
    sa.Table(
        "tenant_items",
        metadata,
        sa.Column("tenant_id", sa.Integer),
        sa.Column("id", sa.Integer, autoincrement=True),
        sa.Column("name", sa.String(50)),
        sa.PrimaryKeyConstraint("tenant_id", "id"),
    )
    return metadata


# 11. A system column declared in the model (PostgreSQL's xmin as a version counter).


def system_column_xmin() -> sa.MetaData:
    metadata = sa.MetaData()
    sa.Table(
        "versioned",
        metadata,
        _id(),
        sa.Column("name", sa.String(50)),
        sa.Column("xmin", sa.BigInteger, system=True, server_default=sa.FetchedValue()),
    )
    return metadata


# 12. A model for Alembic's own table.


def alembic_version_table() -> sa.MetaData:
    metadata = sa.MetaData()
    sa.Table(
        "alembic_version",
        metadata,
        sa.Column("version_num", sa.String(32), nullable=False),
        sa.PrimaryKeyConstraint("version_num", name="alembic_version_pkc"),
    )
    return metadata


# 13. cast() and explicit ASC in index expressions.


def _products() -> tuple[sa.MetaData, sa.Table]:
    metadata = sa.MetaData()
    table = sa.Table(
        "products",
        metadata,
        _id(),
        sa.Column("name", sa.String(50)),
        sa.Column("code", sa.String(10)),
    )
    return metadata, table


def index_cast_expression() -> sa.MetaData:
    metadata, t = _products()
    sa.Index("ix_products_code_number", sa.cast(t.c.code, sa.Integer))
    return metadata


def index_explicit_asc_column() -> sa.MetaData:
    metadata, t = _products()
    sa.Index("ix_products_name_code", t.c.name.asc(), t.c.code.desc())
    return metadata


def index_explicit_asc_function() -> sa.MetaData:
    metadata, t = _products()
    sa.Index("ix_products_name_lower", sa.func.lower(t.c.name).asc())
    return metadata


# 14. func.substring() in an index and in server defaults.


def index_substring() -> sa.MetaData:
    metadata, t = _products()
    sa.Index("ix_products_code_prefix", sa.func.substring(t.c.code, 1, 3))
    return metadata


def server_default_substring_literal() -> sa.MetaData:
    metadata = sa.MetaData()
    sa.Table(
        "products",
        metadata,
        _id(),
        sa.Column("code", sa.String(3), server_default=sa.func.substring("unknown", 1, 3)),
    )
    return metadata


def server_default_substring_random_code() -> sa.MetaData:
    metadata = sa.MetaData()
    random_text = sa.cast(sa.func.random(), sa.Text)
    sa.Table(
        "products",
        metadata,
        _id(),
        sa.Column(
            "code",
            sa.String(8),
            server_default=sa.func.substring(sa.func.md5(random_text), 1, 8),
        ),
    )
    return metadata


# 15. ON UPDATE CURRENT_TIMESTAMP (MariaDB).


def on_update_current_timestamp_datetime() -> sa.MetaData:
    metadata = sa.MetaData()
    sa.Table(
        "rows",
        metadata,
        _id(),
        sa.Column(
            "updated_at",
            sa.DateTime,
            nullable=False,
            server_default=sa.text("CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP"),
            server_onupdate=sa.FetchedValue(),
        ),
    )
    return metadata


def on_update_current_timestamp_timestamp_fsp() -> sa.MetaData:
    metadata = sa.MetaData()
    sa.Table(
        "rows",
        metadata,
        _id(),
        sa.Column(
            "updated_at",
            mysql.TIMESTAMP(fsp=6),
            nullable=False,
            server_default=sa.text("CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6)"),
            server_onupdate=sa.FetchedValue(),
        ),
    )
    return metadata


# 16. Operator classes in PostgreSQL indexes.


def opclass_text_element() -> sa.MetaData:
    metadata = sa.MetaData()
    sa.Table(
        "users",
        metadata,
        _id(),
        sa.Column("name", sa.String(50)),
        sa.Index("ix_users_name_pattern", sa.text("name varchar_pattern_ops")),
    )
    return metadata


def opclass_postgresql_ops() -> sa.MetaData:
    metadata = sa.MetaData()
    sa.Table(
        "users",
        metadata,
        _id(),
        sa.Column("name", sa.String(50)),
        sa.Index("ix_users_name_pattern", "name", postgresql_ops={"name": "varchar_pattern_ops"}),
    )
    return metadata


def opclass_gin_jsonb_path_ops() -> sa.MetaData:
    metadata = sa.MetaData()
    sa.Table(
        "documents",
        metadata,
        _id(),
        sa.Column("data", postgresql.JSONB),
        sa.Index(
            "ix_documents_data",
            "data",
            postgresql_using="gin",
            postgresql_ops={"data": "jsonb_path_ops"},
        ),
    )
    return metadata


# 17. != in check constraints.


def check_not_equal_text() -> sa.MetaData:
    metadata = sa.MetaData()
    sa.Table(
        "orders",
        metadata,
        _id(),
        sa.Column("status", sa.String(10)),
        sa.CheckConstraint("status != 'deleted'", name="ck_orders_status"),
    )
    return metadata


def check_not_equal_expression() -> sa.MetaData:
    metadata = sa.MetaData()
    sa.Table(
        "orders",
        metadata,
        _id(),
        sa.Column("status", sa.String(10)),
        sa.CheckConstraint(sa.column("status") != "deleted", name="ck_orders_status"),
    )
    return metadata


# 18. Interval server defaults (PostgreSQL).


def _intervals(*defaults: str) -> sa.MetaData:
    metadata = sa.MetaData()
    sa.Table(
        "plans",
        metadata,
        _id(),
        *(
            sa.Column(f"period_{n}", sa.Interval, server_default=sa.text(default))
            for n, default in enumerate(defaults)
        ),
    )
    return metadata


def interval_default_cast() -> sa.MetaData:
    return _intervals("'1 day'::interval")


def interval_default_typed_literal() -> sa.MetaData:
    return _intervals("interval '7 days'")


def interval_default_normalised_by_postgresql() -> sa.MetaData:
    # PostgreSQL stores '24:00:00'::interval and '1 mon'::interval.
    return _intervals("'24 hours'::interval", "'1 month'::interval")


# 19. schema="public" declared explicitly (PostgreSQL's default schema).


def explicit_public_schema() -> sa.MetaData:
    metadata = sa.MetaData()
    sa.Table("accounts", metadata, _id(), schema="public")
    return metadata


def foreign_key_to_explicit_public_schema() -> sa.MetaData:
    metadata = sa.MetaData()
    sa.Table("accounts", metadata, _id(), schema="public")
    sa.Table(
        "payments",
        metadata,
        _id(),
        sa.Column("account_id", sa.ForeignKey("public.accounts.id")),
    )
    return metadata


def metadata_schema_public() -> sa.MetaData:
    # MetaData(schema="public"): every table of the models in the default schema, by name.
    metadata = sa.MetaData(schema="public")
    sa.Table("accounts", metadata, _id())
    return metadata


# Related: PostgreSQL's own uuid generator as a plain function default.


def server_default_gen_random_uuid() -> sa.MetaData:
    metadata = sa.MetaData()
    sa.Table(
        "sessions",
        metadata,
        sa.Column("id", sa.Uuid, primary_key=True, server_default=sa.func.gen_random_uuid()),
    )
    return metadata


CASES = [
    Case("1-pk-default-function-element", pk_default_function_element, ALL),
    Case("1-pk-default-column-element", pk_default_column_element, ALL),
    Case("1-gen-random-uuid-default", server_default_gen_random_uuid, POSTGRESQL),
    Case("2-sequence-next-value-pk", sequence_next_value_pk_default, POSTGRESQL),
    Case("2-sequence-next-value-column", sequence_next_value_column_default, POSTGRESQL),
    Case("3-jsonb-index-getitem", jsonb_index_getitem, POSTGRESQL),
    Case("3-jsonb-index-astext", jsonb_index_astext, POSTGRESQL),
    Case("3-jsonb-index-as-string", jsonb_index_as_string, POSTGRESQL),
    Case("3-jsonb-index-as-integer", jsonb_index_as_integer, POSTGRESQL),
    Case("3-jsonb-index-path-astext", jsonb_index_path_astext, POSTGRESQL),
    Case("3-json-index-as-string", json_index_as_string, SQLITE),
    Case("4-float-53", float_precision_53, ALL),
    Case("4-float-24", float_precision_24, ALL),
    Case("5-now-overridden-current-timestamp", now_overridden_current_timestamp, ALL),
    Case("5-now-overridden-strftime", now_overridden_strftime, SQLITE),
    Case("5-utcnow-per-dialect", utcnow_compiled_per_dialect, ALL),
    Case("6-index-ddl-if-postgresql", index_ddl_if_postgresql, ALL),
    Case("6-check-ddl-if-postgresql", check_ddl_if_postgresql, ALL),
    Case("7-naming-convention-truncated", naming_convention_truncated, ALL),
    Case("8-char-without-length", char_without_length, ALL),
    Case("8-numeric-scale-only", numeric_scale_only, ALL),
    Case("8-numeric-precision-only", numeric_precision_only, ALL),
    Case("8-string-without-length", string_without_length, NOT_MYSQL),
    Case("9-mysql-unsigned-integer", mysql_unsigned_integer, ALL),
    Case("9-mysql-unsigned-as-variant", mysql_unsigned_as_variant, ALL),
    Case("10-composite-pk-autoincrement-second", composite_pk_autoincrement_second, ALL),
    Case("10-composite-pk-explicit-constraint", composite_pk_explicit_constraint, NOT_MYSQL),
    Case("11-system-column-xmin", system_column_xmin, POSTGRESQL),
    Case("12-alembic-version-table", alembic_version_table, ALL),
    Case("13-index-cast", index_cast_expression, EXPRESSION_INDEXES),
    Case("13-index-asc-column", index_explicit_asc_column, ALL),
    Case("13-index-asc-function", index_explicit_asc_function, EXPRESSION_INDEXES),
    Case("14-index-substring", index_substring, EXPRESSION_INDEXES),
    Case("14-default-substring-literal", server_default_substring_literal, ALL),
    Case("14-default-substring-random-code", server_default_substring_random_code, POSTGRESQL),
    Case("15-on-update-datetime", on_update_current_timestamp_datetime, MYSQL),
    Case("15-on-update-timestamp-fsp", on_update_current_timestamp_timestamp_fsp, MYSQL),
    Case("16-opclass-text-element", opclass_text_element, POSTGRESQL),
    Case("16-opclass-postgresql-ops", opclass_postgresql_ops, POSTGRESQL),
    Case("16-opclass-gin-jsonb-path-ops", opclass_gin_jsonb_path_ops, POSTGRESQL),
    Case("17-check-not-equal-text", check_not_equal_text, ALL),
    Case("17-check-not-equal-expression", check_not_equal_expression, ALL),
    Case("18-interval-default-cast", interval_default_cast, POSTGRESQL),
    Case("18-interval-default-typed-literal", interval_default_typed_literal, POSTGRESQL),
    Case("18-interval-default-normalised", interval_default_normalised_by_postgresql, POSTGRESQL),
    Case("19-explicit-public-schema", explicit_public_schema, POSTGRESQL),
    Case("19-foreign-key-to-public-schema", foreign_key_to_explicit_public_schema, POSTGRESQL),
    Case("19-metadata-schema-public", metadata_schema_public, POSTGRESQL),
]

_MARKS = {"sqlite": (), "postgresql": (pytest.mark.postgresql,), "mysql": (pytest.mark.mysql,)}


def test_case_names_are_unique() -> None:
    names = [case.name for case in CASES]
    assert len(names) == len(set(names))


@pytest.mark.parametrize(
    ("case", "kind"),
    [
        pytest.param(case, kind, id=f"{case.name}-{kind}", marks=_MARKS[kind])
        for case in CASES
        for kind in case.databases
    ],
)
def test_created_models_compare_equal(
    case: Case, kind: str, request: pytest.FixtureRequest
) -> None:
    url: str = request.getfixturevalue(f"schemaspec_{kind}_url")
    metadata = case.build()
    engine = sa.create_engine(url)
    try:
        metadata.create_all(engine)
        actual = schemaspec.from_database(engine)
    finally:
        engine.dispose()
    for_dialect = schemaspec.from_models(metadata, dialect=kind)
    neutral = schemaspec.from_models(metadata)
    found = {
        "dialect": schemaspec.diff(for_dialect, actual).changes,
        "neutral": schemaspec.diff(neutral, actual).changes,
    }
    assert found == {"dialect": (), "neutral": ()}
