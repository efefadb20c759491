"""pyproject.toml and environment.yml must list the same dependencies."""

from __future__ import annotations

import re

import pytest
import yaml
from conftest import REPO


def _name(requirement: str) -> str:
    """'country_converter>=1.3.2,<1.4' -> 'country-converter' (PEP 503 normalised)."""
    name = re.split(r"[<>=!~ \[]", requirement.strip(), maxsplit=1)[0]
    return re.sub(r"[-_.]+", "-", name).lower()


tomllib = pytest.importorskip("tomllib", reason="tomllib is in the standard library from Python 3.11")


def _pyproject() -> dict:
    return tomllib.loads((REPO / "pyproject.toml").read_text())


def _conda_deps() -> list[str]:
    env = yaml.safe_load((REPO / "environment.yml").read_text())
    return [d for d in env["dependencies"] if isinstance(d, str)]


def test_environment_yml_lists_the_same_dependencies_as_pyproject():
    project = _pyproject()["project"]
    pip_side = {_name(r): r for r in project["dependencies"] + project["optional-dependencies"]["dev"]}
    conda_side = {_name(r): r for r in _conda_deps() if _name(r) not in {"python", "pip"}}
    assert sorted(conda_side) == sorted(pip_side)


def test_version_bounds_agree_too():
    project = _pyproject()["project"]
    pip_side = {_name(r): r.replace(" ", "") for r in project["dependencies"] + project["optional-dependencies"]["dev"]}
    conda_side = {_name(r): r.replace(" ", "") for r in _conda_deps() if _name(r) not in {"python", "pip"}}
    for name, requirement in pip_side.items():
        assert requirement[len(name) :] == conda_side[name][len(name) :], name


def test_environment_installs_the_package_itself_editable():
    env = yaml.safe_load((REPO / "environment.yml").read_text())
    pip_lists = [d["pip"] for d in env["dependencies"] if isinstance(d, dict)]
    assert pip_lists == [["-e ."]]


def test_python_floor_matches():
    assert _pyproject()["project"]["requires-python"] == ">=3.10"
    assert "python>=3.10" in _conda_deps()
