"""The shipped config's figures on the labeled files (README, "python -m bot evaluate").

relevance_dev.jsonl was tuned on; relevance_more.jsonl and relevance_more2.jsonl were
never tuned on (held out). The bar is precision >= 0.95 and recall >= 0.90 (issue 17).
On the held-out files the shipped config does not reach it yet: their tests hold the
measured figures as floors, so any change that makes them worse fails here. One paper
moves precision by about 0.02 on these files.
"""

from __future__ import annotations

import pytest

from bot.config import load_config
from bot.evaluate import evaluate, load_labeled
from bot.relevance import compile_rules
from tests.conftest import DATA, ROOT

BAR = (0.95, 0.90)
# file: (least precision, least recall) the shipped config must keep
FLOORS = {
    "relevance_dev.jsonl": BAR,  # tuned on it
    "relevance_more.jsonl": (0.945, 0.853),  # held out: 35 of 41 found, 2 wrong
    "relevance_more2.jsonl": (0.937, 0.75),  # held out: 15 of 20 found, 1 wrong
}


@pytest.mark.parametrize("name", sorted(FLOORS))
def test_shipped_config_keeps_its_figures(name: str) -> None:
    rules = compile_rules(load_config(ROOT / "config.toml").relevance)
    result = evaluate(load_labeled(DATA / name), rules)
    precision, recall = FLOORS[name]
    assert result.precision >= precision, result.to_text()
    assert result.recall >= recall, result.to_text()
