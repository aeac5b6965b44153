"""Shared column specs: one frozen object per distinct column definition.

Real schemas repeat the same few column definitions thousands of times (``id integer not null``,
``created_at timestamp``...). Specs are frozen, so equal columns can be one object: building
them skips validation after the first, normalising them is a dictionary hit, and comparing two
tables compares most columns by identity.
"""

from __future__ import annotations

from collections.abc import Mapping

from schemaspec.spec import ColumnSpec

#: Beyond this many distinct columns the table starts over; it only ever saves work.
_MAX_ENTRIES = 65536

ColumnKey = tuple[
    str,
    bool,
    str | None,
    bool,
    str | None,
    str | None,
    tuple[tuple[str, str], ...],
    str | None,
    str | None,
]
_columns: dict[ColumnKey, ColumnSpec] = {}


def column_spec(
    type: str,
    nullable: bool,
    default: str | None,
    autoincrement: bool,
    computed: str | None,
    comment: str | None,
    variants: Mapping[str, str] | None = None,
    identity: str | None = None,
    collation: str | None = None,
) -> ColumnSpec:
    """``ColumnSpec(...)`` with these values, the same object for the same values."""
    key = (
        type,
        nullable,
        default,
        autoincrement,
        computed,
        comment,
        tuple(sorted(variants.items())) if variants else (),
        identity,
        collation,
    )
    spec = _columns.get(key)
    if spec is None:
        spec = ColumnSpec(
            type=type,
            nullable=nullable,
            default=default,
            autoincrement=autoincrement,
            computed=computed,
            comment=comment,
            variants=dict(variants or {}),
            identity=identity,
            collation=collation,
        )
        _remember(key, spec)
    return spec


def column_key(spec: ColumnSpec) -> ColumnKey:
    """A hashable key equal for equal column specs (``ColumnSpec`` holds a dict, so no hash)."""
    return (
        spec.type,
        spec.nullable,
        spec.default,
        spec.autoincrement,
        spec.computed,
        spec.comment,
        tuple(sorted(spec.variants.items())) if spec.variants else (),
        spec.identity,
        spec.collation,
    )


def shared_column(spec: ColumnSpec) -> ColumnSpec:
    """The one shared object equal to ``spec`` (``spec`` itself if it is the first)."""
    key = column_key(spec)
    shared = _columns.get(key)
    if shared is None:
        shared = spec
        _remember(key, spec)
    return shared


def _remember(key: ColumnKey, spec: ColumnSpec) -> None:
    if len(_columns) >= _MAX_ENTRIES:
        _columns.clear()
    _columns[key] = spec
