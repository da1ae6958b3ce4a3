"""List similarity (bot/listsim.py) and the listed papers' abstracts in the run store."""

from __future__ import annotations

import json
import logging
from datetime import date
from pathlib import Path

import pytest
from msgspec.structs import replace

from bot.config import RelevanceConfig
from bot.errors import FetchError
from bot.listabstracts import CACHE, list_profile, listed_abstracts
from bot.listsim import (
    Ignored,
    arxiv_background,
    build_profile,
    similarity,
    similarity_points,
    with_list_similarity,
)
from bot.models import Paper, RawRecord
from bot.relevance import compile_rules, score_paper
from bot.runstore import RunStore
from tests.conftest import record
from tests.fakes.arxiv_server import FakeArxiv

LISTED = {
    "2601.00001": "Sparse autoencoders find features\nWe train sparse autoencoders on "
    "residual stream activations and find monosemantic features.",
    "2601.00002": "Circuits for indirect object identification\nActivation patching "
    "localizes a circuit of attention heads in GPT-2.",
    "2601.00003": "Transcoders replace MLP sublayers\nTranscoders decompose MLP sublayers "
    "into sparse interpretable latents with attribution graphs.",
}
IGNORED = Ignored.from_phrases(["mechanistic interpretability", "interpret*"])


def profile() -> object:
    return build_profile(LISTED, arxiv_background(), IGNORED)


def paper(paper_id: str, title: str, abstract: str, primary: str = "cs.LG") -> Paper:
    return Paper(paper_id, 1, title, abstract, ("A",), date(2026, 1, 1), primary, (primary,))


def test_a_listed_paper_is_left_out_of_its_own_comparison() -> None:
    text = LISTED["2601.00001"]
    alone = similarity("2601.00001", text, profile())  # type: ignore[arg-type]
    outsider = similarity("2699.99999", text, profile())  # type: ignore[arg-type]
    assert outsider.closest_title == "Sparse autoencoders find features"
    assert outsider.closest == pytest.approx(1.0)
    assert alone.closest_title != "Sparse autoencoders find features"
    assert alone.closest < 0.5 and alone.centroid < outsider.centroid


def test_the_topics_name_and_common_words_carry_no_similarity() -> None:
    named = similarity(
        "2699.00001",
        "Mechanistic interpretability of the model\nWe interpret the model, a language model.",
        profile(),  # type: ignore[arg-type]
    )
    assert named.centroid == 0 and named.closest_title == ""
    assert "interpretable" in IGNORED and "mechanistic" in IGNORED and "sparse" not in IGNORED


def test_points_rise_from_low_to_high() -> None:
    config = RelevanceConfig(
        list_similarity_weight=2, list_similarity_low=0.1, list_similarity_high=0.3
    )
    assert [similarity_points(c, config) for c in (0.05, 0.1, 0.2, 0.3, 0.9)] == [0, 0, 1, 2, 2]


def rules_config(weight: float = 2.0) -> RelevanceConfig:
    return RelevanceConfig(
        threshold=4,
        borderline_margin=2,
        min_evidence=1,
        phrases={"activation patching": 3, "residual stream": 1},
        generic={"attention head": 1},
        categories={"cs.LG": 1},
        list_similarity_weight=weight,
        list_similarity_low=0.05,
        list_similarity_high=0.2,
    )


def test_the_list_lifts_a_borderline_paper_and_shows_the_closest_listed_one() -> None:
    config = rules_config()
    near = paper(
        "2699.00002",
        "Sparse autoencoder features of the residual stream",
        "Monosemantic features from sparse autoencoders trained on residual stream activations.",
    )
    before = score_paper(near, compile_rules(config))
    assert not before.accepted and before.borderline  # 2.5: category and a weak phrase
    after = with_list_similarity(before, profile(), config)  # type: ignore[arg-type]
    assert after.accepted, after.reason
    assert after.score == before.score + 2
    assert 'closest listed: "Sparse autoencoders find features", ' in after.reason
    assert "3 listed papers" in after.reason


def test_the_list_never_outvotes_a_clear_rejection() -> None:
    config = rules_config()
    far = paper(
        "2699.00003",
        "Sparse autoencoder features",
        "Monosemantic features from sparse autoencoders on residual stream activations.",
        primary="q-bio.NC",
    )
    before = score_paper(far, compile_rules(config))
    assert before.score + config.list_similarity_weight < config.threshold - 0.5
    after = with_list_similarity(before, profile(), config)  # type: ignore[arg-type]
    assert not after.accepted
    assert after == before  # not shown: no closest-paper lookup either


def test_the_config_keeps_the_signal_within_the_borderline_band(tmp_path: Path) -> None:
    from bot.config import load_config
    from bot.errors import ConfigError

    path = tmp_path / "config.toml"
    path.write_text(
        '[arxiv]\nqueries = ["x"]\n[relevance]\nborderline_margin = 1\n'
        "list_similarity_weight = 1.5\n",
        encoding="utf-8",
    )
    with pytest.raises(ConfigError, match=r"must not exceed relevance\.borderline_margin"):
        load_config(path)


def raw(paper_id: str, title: str, abstract: str) -> RawRecord:
    return RawRecord(
        entry_id=f"http://arxiv.org/abs/{paper_id}v1",
        title=title,
        abstract=abstract,
        authors=("A",),
        published=__import__("datetime").datetime(2026, 1, 1),
        updated=__import__("datetime").datetime(2026, 1, 1),
        primary_category="cs.LG",
        categories=("cs.LG",),
    )


def test_abstracts_come_from_the_store_and_only_missing_ones_are_looked_up() -> None:
    asked: list[list[str]] = []

    def lookup(ids: list[str]) -> list[RawRecord]:
        asked.append(ids)
        return [raw("2601.00005", "New one", "Its abstract.")]

    store = RunStore().with_cache(CACHE, {"2601.00001": "Old\nCached.", "2501.00009": "Gone\nx"})
    ids = ["2601.00001", "2601.00005", "2601.00006", "not-an-id"]
    abstracts, store = listed_abstracts(ids, store, lookup)
    assert asked == [["2601.00005", "2601.00006"]]  # only the uncached, valid ids
    assert abstracts == {"2601.00001": "Old\nCached.", "2601.00005": "New one\nIts abstract."}
    assert store.cache(CACHE) == {  # unknown to arXiv: cached as "", no longer listed: gone
        "2601.00001": "Old\nCached.",
        "2601.00005": "New one\nIts abstract.",
        "2601.00006": "",
    }
    again, _ = listed_abstracts(ids, store, lookup)
    assert asked == [["2601.00005", "2601.00006"]] and again == abstracts  # warm: no lookup


def test_a_failed_lookup_is_a_warning_and_the_cache_still_serves(
    caplog: pytest.LogCaptureFixture,
) -> None:
    def lookup(ids: list[str]) -> list[RawRecord]:
        raise FetchError("arXiv API failed: 503")

    store = RunStore().with_cache(CACHE, dict(LISTED))
    config = rules_config()
    with caplog.at_level(logging.WARNING):
        found, new_store = list_profile(config, [*LISTED, "2601.00009"], store, lookup)
    assert found is not None and len(found) == 3
    assert new_store.cache(CACHE) == LISTED  # the failed id is asked again next run
    assert "not looked up (arXiv API failed: 503)" in caplog.text
    off, _ = list_profile(replace(config, list_similarity_weight=0), LISTED, store, lookup)
    assert off is None


def test_a_run_looks_up_listed_papers_once_per_100_and_not_when_warm(
    arxiv_server: FakeArxiv, workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from bot.cli import main

    config = workdir / "config.toml"
    text = config.read_text(encoding="utf-8")
    config.write_text(text.replace("list_similarity_weight = 0.0", "list_similarity_weight = 1.5"))
    arxiv_server.add(record("2611.00077", "Sparse Autoencoders on the Residual Stream"))
    arxiv_server.add(
        record("2506.04373", "A listed paper", abstract="Sparse autoencoders and circuits.")
    )

    def lookups() -> list[int]:
        found = [r.params["id_list"] for r in arxiv_server.requests if "id_list" in r.params]
        return [len(ids.split(",")) for ids in found]

    assert main(["run", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert lookups() == [100, 23]  # the list's 123 ids, uncached: two id_list requests
    cache = json.loads((workdir / "state" / "run.json").read_text(encoding="utf-8"))["caches"]
    assert cache[CACHE]["2506.04373"] == "A listed paper\nSparse autoencoders and circuits."
    assert len(cache[CACHE]) == 124  # and the paper this run added: it is listed now
    assert cache[CACHE]["2611.00077"].startswith("Sparse Autoencoders on the Residual Stream\n")
    added = {paper["id"]: paper["reason"] for paper in report["added"]}
    assert "list similarity" in added["2611.00077"]
    assert main(["run", "--json"]) == 0
    capsys.readouterr()
    assert lookups() == [100, 23]  # warm cache: no request


def test_the_shipped_config_makes_no_lookup_while_the_signal_is_off(
    arxiv_server: FakeArxiv, workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from bot.cli import main

    assert main(["run", "--json"]) == 0
    capsys.readouterr()
    assert not [r for r in arxiv_server.requests if "id_list" in r.params]
