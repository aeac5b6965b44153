"""ORM health checks: can the models be imported, seen by autogenerate, and configured?

Before generating a migration, three things must hold (the pre-flight steps of the Phase 7
instructions): every module of the models package imports; every mapped class is registered on
the metadata Alembic compares against, and is loaded by importing the base (what ``env.py``
does), or autogenerate silently leaves its table out; and ``configure_mappers()`` succeeds, or
the application fails at its first query. :func:`check_models` checks all three and returns a
typed report.

The checks run in a fresh Python process. Two reasons: what importing the base alone registers
can only be seen in an interpreter that has not imported the models yet, and a mapper
configuration error is sticky (every later ``configure_mappers()`` in that process fails with
"One or more mappers failed to initialize"), so checking in the caller's process would poison
it, and a second check in it would report the first one's failure.
"""

from __future__ import annotations

import importlib
import importlib.util
import json
import os
import pkgutil
import re
import subprocess
import sys
import tempfile
import traceback
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict
from sqlalchemy import MetaData, Table
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.orm import Mapper, RelationshipProperty, configure_mappers

from schemaspec.errors import SourceError
from schemaspec.sources.models import resolve_metadata

CheckName = Literal["import", "registration", "mappers"]

#: Longest a check may take; importing a large models package is seconds, not minutes.
TIMEOUT_SECONDS = 300.0

_IMPORT_STRING = re.compile(r"^[A-Za-z_][\w.]*:[A-Za-z_][\w.]*$")
_MODULE_NAME = re.compile(r"^[A-Za-z_]\w*(\.[A-Za-z_]\w*)*$")
_BACKGROUND = re.compile(r"\s*\(Background on this error at: [^)]*\)\s*$")
_SENTENCE_END = re.compile(r"(?<=\.)\s+(?=[A-Z])")
_RELATIONSHIP = re.compile(r"\brelationship '?(\w+)\.(\w+)'?")
_MAPPER = re.compile(r"Mapper\[(\w+)\(")
_EXPRESSION = re.compile(r"expression '([^']+)' failed to locate")


class ModelFinding(BaseModel):
    """One problem with the models, found by one of the three checks.

    ``module`` (and ``line`` where known) says where: for an import failure, the module of the
    package where the error was raised, not merely the one being imported. ``model`` is the
    mapped class's qualified name, ``relationship`` the attribute, ``table`` the table's key.
    ``fix`` is what to do, SQLAlchemy's own advice for mapper errors.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    check: CheckName
    message: str
    module: str | None = None
    line: int | None = None
    model: str | None = None
    relationship: str | None = None
    table: str | None = None
    fix: str | None = None


class ModelsReport(BaseModel):
    """The result of :func:`check_models`: what was looked at, and what is wrong."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    package: str
    base: str
    #: Every module found under the package, whether it imported or not.
    modules: tuple[str, ...] = ()
    #: Qualified names of the mapped classes found in those modules.
    models: tuple[str, ...] = ()
    findings: tuple[ModelFinding, ...] = ()

    @property
    def healthy(self) -> bool:
        return not self.findings


def check_models(package: str, base: str | None = None) -> ModelsReport:
    """Check the models under ``package`` against the declarative base ``base``.

    ``base`` is ``"pkg.module:Base"`` (a declarative base or a ``MetaData``) and should name
    the module your Alembic ``env.py`` imports for ``target_metadata``; by default
    ``"<package>:Base"``. The modules are imported in a separate Python process with this
    process's ``sys.path``, so nothing here is imported or configured by the check.

    Raises :class:`~schemaspec.errors.SourceError` when the check cannot run (no such package,
    a base that is not a base, a package with no mapped classes or tables: nothing to check);
    problems with the models themselves are findings.
    """
    base = base if base is not None else f"{package}:Base"
    _validate(package, base)
    with tempfile.TemporaryDirectory(prefix="schemaspec-models-") as directory:
        output = Path(directory) / "report.json"
        command = [
            sys.executable,
            "-c",
            "import sys; from schemaspec.checks.model_health import _worker; "
            "sys.exit(_worker(sys.argv[1:]))",
            package,
            base,
            str(output),
        ]
        try:
            process = subprocess.run(
                command,
                env=_worker_environment(),
                stdin=subprocess.DEVNULL,
                capture_output=True,
                text=True,
                timeout=TIMEOUT_SECONDS,
                check=False,
            )
        except subprocess.TimeoutExpired:
            raise SourceError(
                f"checking the models in {package!r} took longer than {TIMEOUT_SECONDS:.0f} s"
            ) from None
        if not output.exists():
            lines = process.stderr.strip().splitlines()
            cause = lines[-1] if lines else f"exit status {process.returncode}"
            raise SourceError(f"could not check the models in {package!r}: {cause}")
        document = json.loads(output.read_text(encoding="utf-8"))
    if "error" in document:
        raise SourceError(str(document["error"]))
    return ModelsReport.model_validate(document)


def no_tables_error(source: str) -> SourceError:
    """The error for models that define no tables: comparing them would compare nothing.

    Almost always the modules that define the models are not imported where the base is (the
    same mistake makes ``alembic revision --autogenerate`` drop every table), or the import
    string names the wrong base.
    """
    return SourceError(
        f"models {source} define no tables, so there is nothing to compare: import the modules "
        "that define the models where the base is defined, or name another base"
    )


def render_models_text(report: ModelsReport) -> str:
    """The report for people: one block per finding, then a summary line."""
    lines = []
    for finding in report.findings:
        where = finding.module or ""
        if finding.line is not None:
            where += f", line {finding.line}"
        subject = finding.model or where
        if finding.relationship:
            subject += f".{finding.relationship}"
        lines.append(f"{finding.check}: {subject}: {finding.message}")
        if finding.fix:
            lines.append(f"  fix: {finding.fix}")
    counts = (
        f"{len(report.modules)} {_plural(len(report.modules), 'module')}, "
        f"{len(report.models)} mapped {_plural(len(report.models), 'class', 'classes')}"
    )
    if report.healthy:
        lines.append(f"Models in {report.package} are healthy ({counts}; base {report.base}).")
    else:
        found = len(report.findings)
        lines.append(
            f"{found} {_plural(found, 'problem')} with the models in {report.package} "
            f"({counts}; base {report.base})."
        )
    return "\n".join(lines) + "\n"


def _plural(count: int, singular: str, plural: str | None = None) -> str:
    return singular if count == 1 else (plural or singular + "s")


def _validate(package: str, base: str) -> None:
    if not _MODULE_NAME.match(package):
        raise SourceError(f"{package!r} is not a module name such as 'pkg.models'")
    if not _IMPORT_STRING.match(base):
        raise SourceError(f"{base!r} is not an import string of the form 'pkg.module:Base'")


def _worker_environment() -> dict[str, str]:
    # The worker must import what this process imports: the same schemaspec and the same
    # models, so it gets this process's sys.path ('' and relative entries made absolute).
    paths = [os.path.abspath(entry or os.curdir) for entry in sys.path]
    environment = dict(os.environ)
    existing = environment.get("PYTHONPATH")
    environment["PYTHONPATH"] = os.pathsep.join([*paths, *([existing] if existing else [])])
    return environment


def _worker(argv: list[str]) -> int:
    """Entry point of the checking process: run the checks, write the report as JSON."""
    package, base, output = argv
    try:
        document: dict[str, Any] = run_checks(package, base).model_dump(mode="json")
    except SourceError as error:
        document = {"error": str(error)}
    Path(output).write_text(json.dumps(document), encoding="utf-8")
    return 0


def run_checks(package: str, base: str) -> ModelsReport:
    """The three checks, in this process. Use :func:`check_models` unless this process is new."""
    _validate(package, base)
    roots = {package.split(".")[0], base.split(".")[0]}
    findings: list[ModelFinding] = []
    base_module = base.partition(":")[0]

    # Import the base first, alone: the tables it registers are what env.py's import sees.
    metadata: MetaData | None = None
    loaded_with_base: set[str] = set()
    try:
        importlib.import_module(base_module)
    # A module that calls sys.exit() on import (a script mistaken for a module) is a finding too.
    except (Exception, SystemExit) as error:
        findings.append(_import_finding(error, base_module, roots))
    else:
        metadata = resolve_metadata(base)
        loaded_with_base = set(metadata.tables)

    modules: dict[str, ModuleType] = {}
    names = list(_module_names(package))
    for name in names:
        try:
            modules[name] = importlib.import_module(name)
        except (Exception, SystemExit) as error:
            finding = _import_finding(error, name, roots)
            if finding not in findings:  # one broken module fails every module importing it
                findings.append(finding)

    mappers: list[Mapper[Any]] = []
    for module in modules.values():
        for mapper in _mapped_classes(module):
            mappers.append(mapper)
            if metadata is not None:
                findings.extend(_registration(mapper, metadata, base, loaded_with_base))
        if metadata is not None:
            findings.extend(_foreign_tables(module, metadata, base, mappers))

    tables = any(isinstance(value, Table) for m in modules.values() for value in vars(m).values())
    if not mappers and not tables and not findings:
        # Nothing was checked, so "healthy" would be a guess: usually the wrong package (the one
        # holding the base, not the models), which autogenerate would get wrong just as silently.
        raise SourceError(
            f"no mapped classes or tables in {package!r} ({len(names)} "
            f"{_plural(len(names), 'module')}), so nothing was checked: name the package that "
            "defines the models"
        )
    findings.extend(_configuration(mappers))
    return ModelsReport(
        package=package,
        base=base,
        modules=tuple(names),
        models=tuple(_qualified(mapper.class_) for mapper in mappers),
        findings=tuple(findings),
    )


def _module_names(package: str) -> Iterator[str]:
    """``package`` and every module under it, found on disk without importing anything."""
    try:
        spec = importlib.util.find_spec(package)
    except Exception as error:  # the parent package of a dotted name failed to import
        raise SourceError(
            f"cannot import the parent package of {package!r}: {type(error).__name__}: {error}"
        ) from None
    if spec is None:
        raise SourceError(f"no module named {package!r}")
    yield package
    if spec.submodule_search_locations is not None:
        yield from _walk(list(spec.submodule_search_locations), package)


def _walk(locations: list[str], prefix: str) -> Iterator[str]:
    for info in sorted(pkgutil.iter_modules(locations), key=lambda info: info.name):
        # __main__ is a program, not a module: importing it would run it.
        if info.name == "__main__":
            continue
        name = f"{prefix}.{info.name}"
        yield name
        if info.ispkg:
            finder_path = getattr(info.module_finder, "path", None)
            if finder_path is not None:
                yield from _walk([os.path.join(finder_path, info.name)], name)


def _import_finding(error: BaseException, imported: str, roots: set[str]) -> ModelFinding:
    """Name the project module where the import failed, not just the one being imported."""
    module, line = imported, None
    if isinstance(error, SyntaxError) and error.filename:
        # A syntax error is raised by the compiler, so no frame of the broken file exists.
        module = _module_of_file(error.filename) or module
        line = error.lineno
    else:
        for frame, lineno in traceback.walk_tb(error.__traceback__):
            name = frame.f_globals.get("__name__")
            if isinstance(name, str) and name.split(".")[0] in roots:
                module, line = name, lineno
    return ModelFinding(
        check="import",
        module=module,
        line=line,
        message=_one_line(f"{type(error).__name__}: {error}"),
    )


def _module_of_file(filename: str) -> str | None:
    target = os.path.abspath(filename)
    for name, module in list(sys.modules.items()):
        if getattr(module, "__file__", None) and os.path.abspath(str(module.__file__)) == target:
            return name
    # Not in sys.modules: a module that failed to compile. Derive the name from sys.path.
    for entry in sys.path:
        root = os.path.abspath(entry or os.curdir)
        if target.startswith(root + os.sep):
            relative = Path(target[len(root) + 1 :]).with_suffix("")
            parts = list(relative.parts)
            if parts and parts[-1] == "__init__":
                parts.pop()
            if parts and all(part.isidentifier() for part in parts):
                return ".".join(parts)
    return None


def _mapped_classes(module: ModuleType) -> Iterator[Mapper[Any]]:
    """The classes mapped in ``module`` itself (re-exports belong to the module defining them)."""
    for value in list(vars(module).values()):
        if isinstance(value, type) and value.__module__ == module.__name__:
            mapper: object = sa_inspect(value, raiseerr=False)
            if isinstance(mapper, Mapper) and mapper.class_ is value:
                yield mapper


def _registration(
    mapper: Mapper[Any], metadata: MetaData, base: str, loaded_with_base: set[str]
) -> list[ModelFinding]:
    table = mapper.local_table
    if not isinstance(table, Table):
        return []  # mapped to a join or a select: no table of its own
    model = _qualified(mapper.class_)
    module = mapper.class_.__module__
    if metadata.tables.get(table.key) is not table:
        owner = _declarative_base(mapper.class_)
        how = f"by {owner}, a different declarative base," if owner else "on a different MetaData"
        return [
            ModelFinding(
                check="registration",
                module=module,
                model=model,
                table=table.key,
                message=(
                    f"mapped {how} than {base}: autogenerate will not see table {table.key!r}"
                ),
                fix=f"declare {mapper.class_.__name__} on {base.partition(':')[2]} (from {base})",
            )
        ]
    if table.key not in loaded_with_base:
        base_module = base.partition(":")[0]
        return [
            ModelFinding(
                check="registration",
                module=module,
                model=model,
                table=table.key,
                message=(
                    f"not loaded by importing {base_module}: table {table.key!r} is on the "
                    f"metadata only once {module} is imported, so autogenerate will not see it "
                    "unless env.py imports that module"
                ),
                fix=f"import {module} in {base_module} (or wherever env.py takes its metadata)",
            )
        ]
    return []


def _foreign_tables(
    module: ModuleType, metadata: MetaData, base: str, mappers: list[Mapper[Any]]
) -> list[ModelFinding]:
    """Module-level ``Table`` objects on another MetaData (mapped ones are reported already)."""
    mapped = {id(mapper.local_table) for mapper in mappers}
    findings = []
    for attribute, value in list(vars(module).items()):
        if isinstance(value, Table) and id(value) not in mapped:
            if metadata.tables.get(value.key) is value:
                continue
            findings.append(
                ModelFinding(
                    check="registration",
                    module=module.__name__,
                    model=f"{module.__name__}.{attribute}",
                    table=value.key,
                    message=(
                        f"Table {value.key!r} is defined on a different MetaData than {base}: "
                        "autogenerate will not see it"
                    ),
                    fix=f"define it on {base.partition(':')[2]}.metadata (from {base})",
                )
            )
    return findings


def _configuration(mappers: list[Mapper[Any]]) -> list[ModelFinding]:
    try:
        configure_mappers()
    except Exception as error:
        return [_mapper_finding(error, mappers)]
    return []


def _mapper_finding(error: Exception, mappers: list[Mapper[Any]]) -> ModelFinding:
    """Turn SQLAlchemy's configuration error into: which class, which relationship, what fix."""
    text = _BACKGROUND.sub("", _one_line(str(error)))
    problem, _, fix = (part.strip() for part in _sentences(text))
    # SQLAlchemy marks the mapper that failed (private, but the only structured trace of it).
    failed = [mapper for mapper in mappers if getattr(mapper, "_configure_failed", False)]
    named = _RELATIONSHIP.search(text) or _MAPPER.search(text)
    class_name = named.group(1) if named else None
    mapper = next(
        (m for m in failed if class_name in (None, m.class_.__name__)),
        next((m for m in mappers if m.class_.__name__ == class_name), None),
    )
    relationship = named.group(2) if named and named.re is _RELATIONSHIP else None
    expression = _EXPRESSION.search(text)
    if relationship is None and mapper is not None and expression is not None:
        relationship = _relationship_with_argument(mapper, expression.group(1))
    return ModelFinding(
        check="mappers",
        module=mapper.class_.__module__ if mapper is not None else None,
        model=_qualified(mapper.class_) if mapper is not None else class_name,
        relationship=relationship,
        message=problem if problem else f"{type(error).__name__}: {text}",
        fix=fix or None,
    )


def _sentences(text: str) -> tuple[str, str, str]:
    """``(first sentence, separator, the rest)``: SQLAlchemy states the problem, then the fix."""
    parts = _SENTENCE_END.split(text, maxsplit=1)
    return (parts[0], " ", parts[1]) if len(parts) == 2 else (text, "", "")


def _relationship_with_argument(mapper: Mapper[Any], expression: str) -> str | None:
    # mapper.relationships would configure the mappers again and raise; _props does not.
    for key, prop in getattr(mapper, "_props", {}).items():
        if isinstance(prop, RelationshipProperty) and prop.argument == expression:
            return str(key)
    return None


def _declarative_base(cls: type) -> str | None:
    for klass in cls.__mro__[1:]:
        if "registry" in vars(klass) and "metadata" in vars(klass):
            return _qualified(klass)
    return None


def _qualified(cls: type) -> str:
    return f"{cls.__module__}.{cls.__qualname__}"


def _one_line(text: str) -> str:
    return " ".join(text.split())
