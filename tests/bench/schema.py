"""Synthetic N-table schemas for the benchmark.

Every table has 12 columns, 2 indexes, a unique constraint and a foreign key: the shape of a
typical application table, so time per table is comparable with what users see. In the default
shape each table refers to a parent a quarter of its number away (a shallow tree); in the
``chain`` shape each table refers to the one before it, the worst case for tools that follow
foreign keys recursively (``MetaData.reflect()`` dies with ``RecursionError`` on it).
"""

from __future__ import annotations

from typing import Literal

from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    Numeric,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)

Shape = Literal["tree", "chain"]


def table_name(number: int) -> str:
    return f"bench_{number:05d}"


def build_metadata(tables: int, shape: Shape = "tree") -> MetaData:
    """A ``MetaData`` of ``tables`` tables of the benchmark shape."""
    metadata = MetaData()
    for number in range(tables):
        name = table_name(number)
        if number == 0:
            parent = name  # the root refers to itself, so every table has one foreign key
        elif shape == "chain":
            parent = table_name(number - 1)
        else:
            parent = table_name((number - 1) // 4)
        Table(
            name,
            metadata,
            Column("id", Integer, primary_key=True),
            Column("parent_id", Integer, ForeignKey(f"{parent}.id", ondelete="CASCADE")),
            Column("code", String(40), nullable=False),
            Column("name", String(200), nullable=False),
            Column("status", String(20), nullable=False, server_default="active"),
            Column("amount", Numeric(10, 2), nullable=False, server_default=text("0")),
            Column("quantity", Integer),
            Column("ratio", Float),
            Column("is_active", Boolean, nullable=False, server_default=text("true")),
            Column("notes", Text),
            Column(
                "created_at", DateTime, nullable=False, server_default=text("CURRENT_TIMESTAMP")
            ),
            Column("updated_at", DateTime),
            UniqueConstraint("code", name=f"uq_{name}_code"),
            Index(f"ix_{name}_parent_id", "parent_id"),
            Index(f"ix_{name}_status_created", "status", "created_at"),
        )
    return metadata
