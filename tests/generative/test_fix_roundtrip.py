"""Generative test of fixes: random models, one random real DDL mutation, the fix, no diff.

The models are drawn from :mod:`generative.model_grammar` and built with ``create_all``; one
statement from the mutation catalogue of :mod:`generative.test_create_all_roundtrip` changes
the database; :func:`schemaspec.fix.render_fix` must then close the difference completely (it
proves that on its own scratch copy), and its SQL, run on the mutated database itself, must
leave no difference behind.
"""

from __future__ import annotations

import sqlalchemy as sa
from generative.model_grammar import metadatas
from generative.test_create_all_roundtrip import (
    GENERATIVE,
    Target,
    built,
    mutations,
    one_of_each_kind,
    rendered,
    target,
)
from hypothesis import given
from hypothesis import strategies as st

import schemaspec
from schemaspec.fix import render_fix

__all__ = ["target"]  # the fixture, shared with the round-trip tests


def run_script(engine: sa.Engine, script: str) -> None:
    with engine.begin() as connection:
        for statement in script.split(";\n"):
            code = "\n".join(line for line in statement.splitlines() if not line.startswith("--"))
            if code.strip():
                connection.exec_driver_sql(code)


@GENERATIVE
@given(data=st.data())
def test_the_fix_of_a_random_mutation_closes_it(target: Target, data: st.DataObject) -> None:
    models = data.draw(metadatas(target.dialect), label="models")
    metadata = models.build()
    expected = schemaspec.from_models(metadata, dialect=target.dialect)
    with built(target, metadata) as engine:
        mutation = data.draw(one_of_each_kind(mutations(engine, metadata, expected)), "mutation")
        with engine.begin() as connection:
            for statement in mutation.statements:
                connection.exec_driver_sql(statement)
        actual = schemaspec.from_database(engine)
        scratch = None if target.dialect == "sqlite" else target.server
        fix = render_fix(expected, actual, allow_destructive=True, scratch=scratch)
        left = [f"{u.change.path}: {u.reason}" for u in (*fix.unexpressed, *fix.refused)]
        assert left == [], fix.text
        run_script(engine, fix.text)
        assert rendered(schemaspec.diff(expected, schemaspec.from_database(engine))) == [], fix.text
