"""`python -m bot audit` on the real list and on a list built to show every kind of finding."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from bot.cli import main
from tests.conftest import DATA, record
from tests.fakes.arxiv_server import FakeArxiv, Fault

BUILT = """# List

## Last Updated
2025-01-01

## Papers (7)
- [Sparse Autoencoders Find Features](https://arxiv.org/abs/2601.00001)
- [Sparse autoencoders find features.](https://arxiv.org/abs/2601.00009)
- [Sparse Autoencoders Find Features (again)](http://arxiv.org/pdf/2601.00001v2.pdf)
- [: Interpreting and leveraging semantic information](https://arxiv.org/abs/2601.00002)
- [Old Title of the Paper](https://arxiv.org/abs/2601.00003)
- [Mechanistic Models of Enzyme Reaction Kinetics](https://arxiv.org/abs/2601.00004)
- [(Un)Reliable Probes of the Residual Stream](https://arxiv.org/abs/2601.00005)
"""


def audit_json(capsys: pytest.CaptureFixture[str], *args: str) -> dict[str, object]:
    assert main(["audit", "--json", *args]) == 0
    return json.loads(capsys.readouterr().out)


def test_every_kind_of_finding(
    workdir: Path, arxiv_server: FakeArxiv, capsys: pytest.CaptureFixture[str]
) -> None:
    (workdir / "built.md").write_text(BUILT, encoding="utf-8")
    arxiv_server.add(
        record(
            "2601.00003",
            "A New Title After Revision",
            abstract="Sparse autoencoders on the residual stream.",
        ),
        record(
            "2601.00004",
            "Mechanistic Models of Enzyme Reaction Kinetics",
            abstract="A mechanistic model of a chemical reaction.",
            primary_category="physics.chem-ph",
        ),
    )
    out = audit_json(capsys, "--target", "built.md")
    assert out["entries"] == 7 and out["looked_up"] == 2
    found = {(f["kind"], f["line"]) for f in out["findings"]}  # type: ignore[union-attr]
    assert found == {
        ("duplicate_id", 9),
        ("duplicate_title", 8),
        ("title_changed", 11),
        ("off_topic", 12),
        ("broken_title", 10),
        ("non_canonical_link", 9),
        # The stand-in serves two of the five ids: the others are dead links to arXiv.
        ("not_on_arxiv", 7),
        ("not_on_arxiv", 8),
        ("not_on_arxiv", 9),
        ("not_on_arxiv", 10),
        ("not_on_arxiv", 13),
    }
    requests = [r for r in arxiv_server.requests if r.params.get("id_list")]
    assert len(requests) == 1  # one batched id_list query


def test_audit_of_the_real_list(
    workdir: Path, arxiv_server: FakeArxiv, capsys: pytest.CaptureFixture[str]
) -> None:
    arxiv_server.load_jsonl(DATA / "relevance_dev.jsonl")
    out = audit_json(capsys)
    kinds = {(f["kind"], f["line"]) for f in out["findings"]}  # type: ignore[union-attr]
    assert ("duplicate_id", 99) in kinds  # "From memories to maps" listed twice
    assert ("broken_title", 51) in kinds  # ": Interpreting and leveraging ..." lost its LaTeX head
    assert ("off_topic", 48) in kinds  # a neuroscience paper about brain circuits
    before = (DATA / "awesome-mechanistic-interpretability.md").read_bytes()
    assert (workdir / "README.md").read_bytes() == before  # audit changes nothing


def test_cleanup_removes_id_duplicates_and_fixes_titles_and_links() -> None:
    from datetime import date

    from bot.audit import audit_entries
    from bot.cleanup import cleanup_list
    from bot.config import RelevanceConfig, TargetConfig
    from bot.listdoc.document import ListDocument
    from bot.models import Paper
    from bot.relevance import compile_rules

    target = TargetConfig()
    text = BUILT
    current = {
        "2601.00003": Paper(
            "2601.00003",
            2,
            "A New Title After Revision",
            "Sparse autoencoders.",
            (),
            date(2026, 1, 1),
            "cs.LG",
            (),
        ),
    }
    findings = audit_entries(
        ListDocument(text, target), current, compile_rules(RelevanceConfig()), 90.0
    )
    cleaned = cleanup_list(ListDocument(text, target), findings, current).text
    assert "## Papers (6)" in cleaned
    assert "(again)" not in cleaned  # the id duplicate is gone, the first entry stays
    assert "- [Sparse Autoencoders Find Features](https://arxiv.org/abs/2601.00001)" in cleaned
    assert (
        "- [Sparse autoencoders find features.](https://arxiv.org/abs/2601.00009)" in cleaned
    )  # fuzzy twin: for review
    assert "- [A New Title After Revision](https://arxiv.org/abs/2601.00003)" in cleaned
    assert cleaned.count("\n") == text.count("\n") - 1


def test_audit_proposes_its_own_pull_request(
    workdir: Path,
    arxiv_server: FakeArxiv,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from tests.fakes.github_server import FakeGitHub

    token = "ghp_AUDITTOKEN_0123456789"
    with FakeGitHub(token, {"README.md": BUILT}) as fake:
        fake.use(workdir, monkeypatch)
        out = audit_json(capsys)
        assert out["pull_request"] == {
            "number": 1,
            "url": "https://github.example/octo/awesome-list/pull/1",
        }
        pull = fake.pull(1)
        assert pull.head == "arxiv-bot/audit" and pull.title == "arXiv bot: list clean-up"
        assert "For your review (not changed)" in pull.body and "duplicate_title" in pull.body
        assert "(again)" not in fake.file("README.md", "arxiv-bot/audit")
        assert fake.file("README.md") == BUILT  # the base is untouched until the maintainer merges
        audit_json(capsys)
        assert len(fake.pulls) == 1  # a second audit updates the same PR


def test_with_arxiv_down_the_lists_own_findings_are_still_reported(
    workdir: Path,
    arxiv_server: FakeArxiv,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    # Audit said only "arXiv API failed": the duplicates and the count, which need no
    # arXiv, went unreported. Now they are, the skipped checks are named, and GitHub
    # mode proposes no clean-up from half the facts.
    from tests.fakes.github_server import FakeGitHub

    arxiv_server.script(*[Fault(status=503)] * 20)
    (workdir / "built.md").write_text(BUILT, encoding="utf-8")
    assert main(["audit", "--json", "--target", "built.md"]) == 1
    captured = capsys.readouterr()
    out = json.loads(captured.out)
    found = {(f["kind"], f["line"]) for f in out["findings"]}
    assert {("duplicate_id", 9), ("duplicate_title", 8), ("broken_title", 10)} <= found
    assert not {kind for kind, _ in found} & {"not_on_arxiv", "title_changed", "off_topic"}
    assert out["arxiv_error"].startswith("arXiv API failed after 5 tries: HTTP 503")
    assert "the checks that ask arXiv (dead links" in captured.err.strip().splitlines()[-1]
    with FakeGitHub("ghp_AUDITTOKEN_0123456789", {"README.md": BUILT}) as fake:
        fake.use(workdir, monkeypatch)
        assert main(["audit"]) == 1
        assert "duplicate_id" in capsys.readouterr().out
        assert fake.pulls == [] and all(method == "GET" for method, _ in fake.log)


def test_a_duplicate_with_notes_under_it_is_left_for_review() -> None:
    # Removing only the entry line put its notes under the entry above, another paper.
    from bot.audit import audit_entries
    from bot.cleanup import cleanup_list
    from bot.config import RelevanceConfig, TargetConfig
    from bot.listdoc.document import ListDocument
    from bot.relevance import compile_rules

    text = (
        "# L\n\n## Papers (3)\n"
        "- [Alpha](https://arxiv.org/abs/2601.00001)\n"
        "- [Beta](https://arxiv.org/abs/2601.00002)\n"
        "- [Alpha, again](https://arxiv.org/abs/2601.00001)\n"
        "  - Maintainer note: read with Beta.\n"
    )
    document = ListDocument(text, TargetConfig(last_updated_heading=""))
    findings = audit_entries(document, {}, compile_rules(RelevanceConfig()), 90.0)
    assert [f.kind for f in findings] == ["duplicate_id"]
    cleanup = cleanup_list(document, findings, {})
    assert cleanup.text == text and cleanup.fixed == ()
    plain = text.replace("  - Maintainer note: read with Beta.\n", "")
    document = ListDocument(plain, TargetConfig(last_updated_heading=""))
    findings = audit_entries(document, {}, compile_rules(RelevanceConfig()), 90.0)
    assert "Alpha, again" not in cleanup_list(document, findings, {}).text  # no notes: removed


def test_the_clean_up_branch_keeps_a_maintainers_work_and_their_declines(
    workdir: Path,
    arxiv_server: FakeArxiv,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    # Audit force-pushed over a maintainer's commit on its branch; a PR closed after
    # their commit (the head theirs) had its fixes proposed again; and a clean-up PR
    # left open after the maintainer fixed the list by hand still proposed its diff.
    from tests.fakes.github_server import FakeGitHub

    with FakeGitHub("ghp_AUDITTOKEN_0123456789", {"README.md": BUILT}) as fake:
        fake.use(workdir, monkeypatch)
        audit_json(capsys)
        edited = fake.file("README.md", "arxiv-bot/audit").replace("## Papers", "## Papers!")
        fake.push("arxiv-bot/audit", {"README.md": edited}, "A maintainer's touch")
        head = fake.refs["arxiv-bot/audit"]
        assert main(["audit"]) == 0
        assert "holds 1 commit(s) the bot did not write" in capsys.readouterr().err
        assert fake.refs["arxiv-bot/audit"] == head  # never force-pushed away

        fake.close(1)  # declined, with the maintainer's commit on top
        out = audit_json(capsys)
        assert out["pull_request"] is None and out["declined_before"] >= 1
        assert len(fake.pulls) == 1


def test_an_open_clean_up_is_closed_when_nothing_is_left_to_fix(
    workdir: Path,
    arxiv_server: FakeArxiv,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from tests.fakes.github_server import FakeGitHub

    clean = BUILT.replace("## Papers (7)", "## Papers (2)").split("- [Sparse autoencoders")[0]
    clean += "- [Old Title of the Paper](https://arxiv.org/abs/2601.00003)\n"
    with FakeGitHub("ghp_AUDITTOKEN_0123456789", {"README.md": BUILT}) as fake:
        fake.use(workdir, monkeypatch)
        assert audit_json(capsys)["pull_request"] is not None
        fake.push("main", {"README.md": clean})  # the maintainer fixed the list by hand
        out = audit_json(capsys)
        assert out["pull_request"] is None and out["fixed_in_pull_request"] == 0
        assert fake.pull(1).state == "closed"  # merged later, it would undo their work
        assert fake.file("README.md", "arxiv-bot/audit") == clean
        fake.push("main", {"README.md": clean + BUILT.splitlines(keepends=True)[6]})
        out = audit_json(capsys)  # a duplicate again: the bot's own closing declined nothing
        assert out["pull_request"] is not None and out["declined_before"] == 0


def test_audit_never_writes_to_the_default_branch(
    workdir: Path,
    arxiv_server: FakeArxiv,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    # With audit_branch = "main" the clean-up was force-pushed onto main, unreviewed.
    from tests.fakes.github_server import FakeGitHub

    config = (workdir / "config.toml").read_text(encoding="utf-8")
    config = re.sub(r"(?m)^audit_branch = .*$", 'audit_branch = "main"', config)
    (workdir / "config.toml").write_text(config, encoding="utf-8")
    with FakeGitHub("ghp_AUDITTOKEN_0123456789", {"README.md": BUILT}) as fake:
        fake.use(workdir, monkeypatch)
        assert main(["audit"]) == 1
        line = capsys.readouterr().err.strip().splitlines()[-1]
        assert "github.audit_branch 'main' is the default branch" in line
        assert all(method == "GET" for method, _ in fake.log) and fake.pulls == []
