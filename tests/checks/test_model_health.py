"""check_models and the ``models`` command, on throwaway packages written into tmp_path.

The checks run in a child process, so these tests never import the throwaway packages
themselves, and one test's broken mappers cannot leak into the next.
"""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path

import pytest

import schemaspec
from schemaspec.checks.model_health import (
    ModelFinding,
    ModelsReport,
    check_models,
    render_models_text,
)
from schemaspec.cli import main
from schemaspec.errors import SourceError

BASE = """
from sqlalchemy.orm import DeclarativeBase

class Base(DeclarativeBase):
    pass
"""

MEMBER = """
from sqlalchemy.orm import Mapped, mapped_column
from shop_models.base import Base

class Member(Base):
    __tablename__ = "members"
    id: Mapped[int] = mapped_column(primary_key=True)
"""

# The seed's Phase 7 bug: dispatches has two foreign keys to job_bids, and Dispatch.bid does not
# say which one it follows.
JOB_BID = """
from sqlalchemy.orm import Mapped, mapped_column, relationship
from shop_models.base import Base

class JobBid(Base):
    __tablename__ = "job_bids"
    id: Mapped[int] = mapped_column(primary_key=True)
"""

DISPATCH = """
from sqlalchemy import ForeignKey
from sqlalchemy.orm import Mapped, mapped_column, relationship
from shop_models.base import Base
from shop_models.job_bid import JobBid

class Dispatch(Base):
    __tablename__ = "dispatches"
    id: Mapped[int] = mapped_column(primary_key=True)
    bid_id: Mapped[int | None] = mapped_column(ForeignKey("job_bids.id"))
    replaced_bid_id: Mapped[int | None] = mapped_column(ForeignKey("job_bids.id"))
    bid: Mapped[JobBid | None] = relationship({foreign_keys})
"""

ALL_MODELS = """
from shop_models.base import Base
from shop_models import member
"""


def write_package(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")


@pytest.fixture
def shop(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A healthy models package ``shop_models`` on sys.path; tests add modules to break it."""
    monkeypatch.syspath_prepend(str(tmp_path))
    write_package(
        tmp_path,
        {
            "shop_models/__init__.py": ALL_MODELS,
            "shop_models/base.py": BASE,
            "shop_models/member.py": MEMBER,
        },
    )
    return tmp_path


def test_the_unioncore_example_is_healthy() -> None:
    report = check_models("unioncore.models", base="unioncore.models:Base")
    assert report == ModelsReport(
        package="unioncore.models",
        base="unioncore.models:Base",
        modules=tuple(
            f"unioncore.models{suffix}"
            for suffix in (
                "",
                ".base",
                ".book_registration",
                ".dispatch",
                ".job_bid",
                ".labor_request",
                ".member",
                ".referral_book",
                ".registration_activity",
            )
        ),
        models=(
            "unioncore.models.book_registration.BookRegistration",
            "unioncore.models.dispatch.Dispatch",
            "unioncore.models.job_bid.JobBid",
            "unioncore.models.labor_request.LaborRequest",
            "unioncore.models.member.Member",
            "unioncore.models.referral_book.ReferralBook",
            "unioncore.models.registration_activity.RegistrationActivity",
        ),
    )
    assert report.healthy
    assert render_models_text(report) == (
        "Models in unioncore.models are healthy (9 modules, 7 mapped classes; "
        "base unioncore.models:Base).\n"
    )


def test_a_healthy_package_and_the_default_base(shop: Path) -> None:
    report = check_models("shop_models")
    assert report == ModelsReport(
        package="shop_models",
        base="shop_models:Base",
        modules=("shop_models", "shop_models.base", "shop_models.member"),
        models=("shop_models.member.Member",),
    )
    # The check ran in another process: this one never imported the package.
    assert "shop_models" not in sys.modules


BROKEN_IMPORTS = [
    pytest.param(
        {"shop_models/broken.py": "import os\nimport no_such_dependency\n"},
        ModelFinding(
            check="import",
            module="shop_models.broken",
            line=2,
            message="ModuleNotFoundError: No module named 'no_such_dependency'",
        ),
        id="missing-dependency",
    ),
    pytest.param(
        # Imported by the package itself: every module fails through it, reported once, at
        # the module that raised, not at the package being imported.
        {
            "shop_models/__init__.py": ALL_MODELS + "from shop_models import broken\n",
            "shop_models/broken.py": "\n\nraise RuntimeError('settings not loaded')\n",
        },
        ModelFinding(
            check="import",
            module="shop_models.broken",
            line=3,
            message="RuntimeError: settings not loaded",
        ),
        id="through-the-package",
    ),
    pytest.param(
        {"shop_models/broken.py": "x = 1\ndef oops(:\n    pass\n"},
        ModelFinding(
            check="import",
            module="shop_models.broken",
            line=2,
            message="SyntaxError: invalid syntax (broken.py, line 2)",
        ),
        id="syntax-error",
    ),
    pytest.param(
        {"shop_models/sub/__init__.py": "", "shop_models/sub/deep.py": "1 / 0\n"},
        ModelFinding(
            check="import",
            module="shop_models.sub.deep",
            line=1,
            message="ZeroDivisionError: division by zero",
        ),
        id="in-a-subpackage",
    ),
    pytest.param(
        {"shop_models/script.py": "import sys\nsys.exit(3)\n"},
        ModelFinding(check="import", module="shop_models.script", line=2, message="SystemExit: 3"),
        id="exits-on-import",
    ),
]


@pytest.mark.parametrize(("files", "finding"), BROKEN_IMPORTS)
def test_an_import_failure_names_the_module_and_the_error(
    shop: Path, files: dict[str, str], finding: ModelFinding
) -> None:
    write_package(shop, files)
    report = check_models("shop_models", base="shop_models:Base")
    assert report.findings == (finding,)
    assert not report.healthy


def test_main_module_is_never_run(shop: Path) -> None:
    write_package(shop, {"shop_models/__main__.py": "raise SystemExit('ran __main__')\n"})
    report = check_models("shop_models")
    assert report.healthy
    assert "shop_models.__main__" not in report.modules


STRAY = """
from sqlalchemy import Column, Integer, MetaData, Table
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

class LegacyBase(DeclarativeBase):
    pass

class Stray(LegacyBase):
    __tablename__ = "strays"
    id: Mapped[int] = mapped_column(primary_key=True)

audit_log = Table("audit_log", MetaData(), Column("id", Integer, primary_key=True))
"""

ASSOCIATION = """
from sqlalchemy import Column, ForeignKey, Table
from shop_models.base import Base

member_tags = Table("member_tags", Base.metadata, Column("member_id", ForeignKey("members.id")))
"""


def test_models_invisible_to_autogenerate_are_named(shop: Path) -> None:
    write_package(
        shop,
        {
            "shop_models/__init__.py": ALL_MODELS + "from shop_models import legacy, tags\n",
            "shop_models/legacy.py": STRAY,
            "shop_models/tags.py": ASSOCIATION,
        },
    )
    report = check_models("shop_models", base="shop_models:Base")
    assert report.models == ("shop_models.legacy.Stray", "shop_models.member.Member")
    assert report.findings == (
        ModelFinding(
            check="registration",
            module="shop_models.legacy",
            model="shop_models.legacy.Stray",
            table="strays",
            message=(
                "mapped by shop_models.legacy.LegacyBase, a different declarative base, than "
                "shop_models:Base: autogenerate will not see table 'strays'"
            ),
            fix="declare Stray on Base (from shop_models:Base)",
        ),
        ModelFinding(
            check="registration",
            module="shop_models.legacy",
            model="shop_models.legacy.audit_log",
            table="audit_log",
            message=(
                "Table 'audit_log' is defined on a different MetaData than shop_models:Base: "
                "autogenerate will not see it"
            ),
            fix="define it on Base.metadata (from shop_models:Base)",
        ),
    )


def test_a_model_the_base_module_does_not_import_is_named(shop: Path) -> None:
    # The seed's step 3: the model exists and is declared on Base, but the module env.py
    # imports for its metadata never imports it.
    write_package(
        shop,
        {"shop_models/extra.py": MEMBER.replace("Member", "Extra").replace("members", "extras")},
    )
    report = check_models("shop_models", base="shop_models:Base")
    assert report.findings == (
        ModelFinding(
            check="registration",
            module="shop_models.extra",
            model="shop_models.extra.Extra",
            table="extras",
            message=(
                "not loaded by importing shop_models: table 'extras' is on the metadata only "
                "once shop_models.extra is imported, so autogenerate will not see it unless "
                "env.py imports that module"
            ),
            fix="import shop_models.extra in shop_models (or wherever env.py takes its metadata)",
        ),
    )


AMBIGUOUS = ModelFinding(
    check="mappers",
    module="shop_models.dispatch",
    model="shop_models.dispatch.Dispatch",
    relationship="bid",
    message=(
        "Could not determine join condition between parent/child tables on relationship "
        "Dispatch.bid - there are multiple foreign key paths linking the tables."
    ),
    fix=(
        "Specify the 'foreign_keys' argument, providing a list of those columns which should be "
        "counted as containing a foreign key reference to the parent table."
    ),
)


def dispatch_files(foreign_keys: str) -> dict[str, str]:
    return {
        "shop_models/__init__.py": ALL_MODELS + "from shop_models import dispatch, job_bid\n",
        "shop_models/job_bid.py": JOB_BID,
        "shop_models/dispatch.py": DISPATCH.replace("{foreign_keys}", foreign_keys),
    }


def test_an_ambiguous_relationship_names_class_relationship_and_fix(shop: Path) -> None:
    write_package(shop, dispatch_files(""))
    report = check_models("shop_models", base="shop_models:Base")
    assert report.findings == (AMBIGUOUS,)
    assert render_models_text(report) == (
        "mappers: shop_models.dispatch.Dispatch.bid: Could not determine join condition between "
        "parent/child tables on relationship Dispatch.bid - there are multiple foreign key "
        "paths linking the tables.\n"
        "  fix: Specify the 'foreign_keys' argument, providing a list of those columns which "
        "should be counted as containing a foreign key reference to the parent table.\n"
        "1 problem with the models in shop_models (5 modules, 3 mapped classes; "
        "base shop_models:Base).\n"
    )


def test_checks_are_independent_of_each_other(shop: Path) -> None:
    # Mapper errors are sticky within a process; each check has a process of its own.
    write_package(shop, dispatch_files(""))
    assert check_models("shop_models").findings == (AMBIGUOUS,)
    write_package(shop, dispatch_files("foreign_keys=[bid_id]"))
    assert check_models("shop_models").healthy


def test_an_unresolvable_relationship_target_is_located(shop: Path) -> None:
    write_package(shop, dispatch_files("'JobBidd'"))
    (finding,) = check_models("shop_models").findings
    assert finding == ModelFinding(
        check="mappers",
        module="shop_models.dispatch",
        model="shop_models.dispatch.Dispatch",
        relationship="bid",
        message=(
            "When initializing mapper Mapper[Dispatch(dispatches)], expression 'JobBidd' failed "
            "to locate a name ('JobBidd')."
        ),
        fix=(
            "If this is a class name, consider adding this relationship() to the <class "
            "'shop_models.dispatch.Dispatch'> class after both dependent classes have been "
            "defined."
        ),
    )


@pytest.mark.parametrize(
    ("package", "base", "message"),
    [
        ("shop models", None, "'shop models' is not a module name such as 'pkg.models'"),
        (
            "shop_models",
            "shop_models.Base",
            ("'shop_models.Base' is not an import string of the form 'pkg.module:Base'"),
        ),
        ("no_such_package", None, "no module named 'no_such_package'"),
        (
            "no_such_package.models",
            None,
            (
                "cannot import the parent package of 'no_such_package.models': "
                "ModuleNotFoundError: No module named 'no_such_package'"
            ),
        ),
        ("shop_models", "shop_models:Bsae", "module 'shop_models' has no attribute 'Bsae'"),
        (
            "shop_models",
            "shop_models:member",
            (
                "'shop_models:member' is neither a SQLAlchemy MetaData nor a declarative "
                "base with .metadata"
            ),
        ),
    ],
)
def test_bad_input_is_a_source_error(
    shop: Path, package: str, base: str | None, message: str
) -> None:
    with pytest.raises(SourceError) as caught:
        check_models(package, base=base)
    assert str(caught.value) == message


def test_check_models_is_exported() -> None:
    assert schemaspec.check_models is check_models
    assert schemaspec.ModelsReport is ModelsReport
    assert schemaspec.ModelFinding is ModelFinding


@pytest.mark.parametrize(
    ("foreign_keys", "code", "output"),
    [
        ("foreign_keys=[bid_id]", 0, "Models in shop_models are healthy"),
        ("", 1, "mappers: shop_models.dispatch.Dispatch.bid: Could not determine join"),
    ],
)
def test_models_command_exit_codes(
    shop: Path,
    capsys: pytest.CaptureFixture[str],
    foreign_keys: str,
    code: int,
    output: str,
) -> None:
    write_package(shop, dispatch_files(foreign_keys))
    assert main(["models", "shop_models", "--base", "shop_models:Base"]) == code
    captured = capsys.readouterr()
    assert captured.out.startswith(output)
    assert captured.err == ""


def test_models_command_error_is_one_line(shop: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["models", "shop_models", "--base", "shop_models:Bsae"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == "schemaspec: error: module 'shop_models' has no attribute 'Bsae'\n"


def test_models_command_on_the_unioncore_example(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["models", "unioncore.models", "--base", "unioncore.models:Base"]) == 0
    assert capsys.readouterr().out == (
        "Models in unioncore.models are healthy (9 modules, 7 mapped classes; "
        "base unioncore.models:Base).\n"
    )
