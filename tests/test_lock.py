"""requirements/lock.txt pins every runtime dependency of pyproject.toml, within its range."""

from __future__ import annotations

import re
import tomllib

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from tests.conftest import ROOT


def pins() -> dict[str, str]:
    text = (ROOT / "requirements" / "lock.txt").read_text(encoding="utf-8")
    found = re.findall(r"^([A-Za-z0-9._-]+)==([^\s;\\]+)", text, re.M)
    return {canonicalize_name(name): version for name, version in found}


def test_every_dependency_is_pinned_within_its_range_with_hashes() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    locked = pins()
    for line in project["dependencies"]:
        requirement = Requirement(line)
        name = canonicalize_name(requirement.name)
        assert name in locked, f"{name} is not in requirements/lock.txt: regenerate it"
        assert requirement.specifier.contains(locked[name]), (name, locked[name])
    text = (ROOT / "requirements" / "lock.txt").read_text(encoding="utf-8")
    entries = re.split(r"^(?=[A-Za-z])", text, flags=re.M)[1:]
    assert all("--hash=sha256:" in entry for entry in entries)  # pip's hash-checking mode


def test_numpy_stays_out_of_the_lock() -> None:
    assert "numpy" not in pins()  # the large-lists extra: only lists that need it pay for it
