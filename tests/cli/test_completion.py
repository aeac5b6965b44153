"""``schemaspec completion bash|zsh|fish`` and the pre-commit hooks."""

from __future__ import annotations

import shlex
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from schemaspec.cli import build_parser, main

ROOT = Path(__file__).resolve().parents[2]


def script(shell: str, capsys: pytest.CaptureFixture[str]) -> str:
    assert main(["completion", shell]) == 0
    out, err = capsys.readouterr()
    assert err == ""
    return out


def complete(bash_script: str, line: str, tmp_path: Path) -> list[str]:
    """What bash completes for ``line`` (the cursor at its end) with the generated script."""
    words = shlex.split(line) + ([""] if line.endswith(" ") else [])
    program = (
        f"{bash_script}\n"
        f"COMP_WORDS=({' '.join(shlex.quote(word) for word in words)})\n"
        f"COMP_CWORD={len(words) - 1}\n"
        "_schemaspec\n"
        'printf "%s\\n" "${COMPREPLY[@]}"\n'
    )
    done = subprocess.run(
        ["bash", "-c", program], capture_output=True, text=True, cwd=tmp_path, check=True
    )
    return done.stdout.split()


@pytest.mark.skipif(shutil.which("bash") is None, reason="bash is not installed")
def test_bash_completes_commands_options_and_choices(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bash = script("bash", capsys)
    subprocess.run(["bash", "-n"], input=bash, text=True, check=True)
    commands = sorted(build_parser().commands)
    assert complete(bash, "schemaspec ", tmp_path)[: len(commands)] == list(build_parser().commands)
    assert sorted(complete(bash, "schemaspec ", tmp_path)[: len(commands)]) == commands
    assert complete(bash, "schemaspec di", tmp_path) == ["diff", "diagram"]
    assert complete(bash, "schemaspec diff a b --for", tmp_path) == ["--format"]
    assert complete(bash, "schemaspec diff a b --format ", tmp_path) == [
        "text",
        "json",
        "markdown",
        "github",
        "junit",
        "sarif",
    ]
    assert complete(bash, "schemaspec --color ", tmp_path) == ["auto", "always", "never"]
    assert complete(bash, "schemaspec completion ", tmp_path)[:3] == ["bash", "zsh", "fish"]
    (tmp_path / "schema.toml").write_text("")
    assert "schema.toml" in complete(bash, "schemaspec diff sch", tmp_path)


def test_every_option_of_every_command_is_in_each_script(
    capsys: pytest.CaptureFixture[str],
) -> None:
    parser = build_parser()
    scripts = {shell: script(shell, capsys) for shell in ("bash", "zsh", "fish")}
    for name, command in parser.commands.items():
        for action in command._actions:
            for flag in action.option_strings:
                assert flag in scripts["bash"], (name, flag)
                assert flag in scripts["zsh"], (name, flag)
                fish = f"-l {flag[2:]}" if flag.startswith("--") else f"-s {flag[1:]}"
                assert fish in scripts["fish"], (name, flag)
        assert f"-a {name} " in scripts["fish"]
        assert f"                {name}) _arguments" in scripts["zsh"]


@pytest.mark.parametrize("shell", ["zsh", "fish"])
def test_zsh_and_fish_scripts_parse_where_the_shell_exists(
    shell: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    if shutil.which(shell) is None:
        pytest.skip(f"{shell} is not installed here")
    path = tmp_path / f"completion.{shell}"
    path.write_text(script(shell, capsys))
    subprocess.run([shell, "-n", str(path)], check=True)


def test_fish_completes_commands_and_choices(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    if shutil.which("fish") is None:
        pytest.skip("fish is not installed here")
    path = tmp_path / "schemaspec.fish"
    path.write_text(script("fish", capsys))

    def complete(line: str) -> list[str]:
        done = subprocess.run(
            ["fish", "-c", f"source {path}; complete -C {shlex.quote(line)}"],
            capture_output=True,
            text=True,
            check=True,
        )
        return [entry.split("\t")[0] for entry in done.stdout.splitlines()]

    assert complete("schemaspec di") == ["diagram", "diff"]
    assert complete("schemaspec diff a b --format ") == sorted(
        ["text", "json", "markdown", "github", "junit", "sarif"]
    )
    assert complete("schemaspec completion ") == ["bash", "fish", "zsh"]


def test_zsh_registers_the_completion_when_sourced(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    if shutil.which("zsh") is None:
        pytest.skip("zsh is not installed here")
    path = tmp_path / "_schemaspec"
    path.write_text(script("zsh", capsys))
    done = subprocess.run(
        [
            "zsh",
            "-f",
            "-c",
            f"autoload -U compinit && compinit -u -D; source {path}; print ${{_comps[schemaspec]}}",
        ],
        capture_output=True,
        text=True,
        check=True,
        cwd=tmp_path,
    )
    assert done.stdout == "_schemaspec\n"


def test_an_unknown_shell_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["completion", "tcsh"]) == 2
    assert capsys.readouterr().err == (
        "schemaspec: error: argument shell: invalid choice: 'tcsh' (choose from 'bash', 'zsh', "
        "'fish') (see: schemaspec completion --help)\n"
    )


# --- pre-commit ---------------------------------------------------------------------------------


def test_pre_commit_hooks_run_real_commands() -> None:
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert [hook["id"] for hook in hooks] == ["schemaspec-check", "schemaspec-models"]
    parser = build_parser()
    for hook in hooks:
        assert hook["language"] == "python"  # installs this package into the hook's venv
        assert hook["pass_filenames"] is False  # the commands take no file list
        program, *argv = shlex.split(hook["entry"])
        assert program == "schemaspec"
        extra = ["pkg.models", "--base", "pkg.models:Base"] if "models" in argv else []
        args = parser.parse_args([*argv, *extra])
        assert args.command_name in ("check", "models")
        assert args.verbosity == -1


def test_the_models_hook_passes_on_the_example(capsys: pytest.CaptureFixture[str]) -> None:
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    entry = next(hook["entry"] for hook in hooks if hook["id"] == "schemaspec-models")
    argv = [*shlex.split(entry)[1:], "unioncore.models", "--base", "unioncore.models:Base"]
    assert main(argv) == 0
    assert capsys.readouterr().out.startswith("Models in unioncore.models are healthy")
