"""The audit's clean-up: the list's own link style, fixes that really are in the diff,
and fixes the maintainer declined (closed unmerged) never proposed again."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from bot.audit import audit_entries, link_form
from bot.audit_body import audit_body
from bot.cleanup import cleanup_list, declined_keys
from bot.config import RelevanceConfig, TargetConfig
from bot.listdoc.document import ListDocument
from bot.listdoc.template import format_entry
from bot.models import Paper
from bot.relevance import compile_rules
from tests.fakes.arxiv_server import FakeArxiv
from tests.fakes.github_server import FakeGitHub

PDF_TEMPLATE = "| [**{title}**]({pdf_url}) <br>| {venue} | {date} | {code} | - |"
TABLE = TargetConfig(section="Papers", entry_template=PDF_TEMPLATE, last_updated_heading="")


def paper(paper_id: str, title: str) -> Paper:
    return Paper(paper_id, None, title, "", (), date(2024, 1, 5), "cs.LG", ())


BOTS_ROW = format_entry(PDF_TEMPLATE, paper("2401.00009", "Written By The Bot"))
TABLE_LIST = f"""# List

## Papers (5)
|  Title  |   Venue  |   Date   |   Code   |   Blog   |
|:--------|:--------:|:--------:|:--------:|:--------:|
{BOTS_ROW}
| [**Probing Residual Streams**](https://arxiv.org/pdf/2401.00001) <br>| arXiv | 2024-01-01 | - | - |
| [**A Pinned Version**](https://arxiv.org/pdf/2401.00004v2) <br>| arXiv | 2024-01-04 | - | - |
| [**Circuits In The Wild**](https://arxiv.org/abs/2401.00002) <br>| arXiv | 2024-01-02 | - | - |
| [**: lost head of a title**](https://arxiv.org/pdf/2401.00003) <br>| arXiv | 2024-01-03 | - | - |
"""


def findings_of(text: str, target: TargetConfig) -> list:  # type: ignore[type-arg]
    document = ListDocument(text, target)
    return audit_entries(document, {}, compile_rules(RelevanceConfig()), 90.0)


@pytest.mark.parametrize(
    ("template", "form"),
    [
        ("- [{title}]({url})", "https://arxiv.org/abs/{id}"),
        (PDF_TEMPLATE, "https://arxiv.org/pdf/{id}"),
        ("- [{title}](https://arxiv.org/pdf/{id}.pdf)", "https://arxiv.org/pdf/{id}.pdf"),
        ("- {title} (arXiv:{id})", None),
    ],
)
def test_the_canonical_link_is_the_one_the_template_writes(template: str, form: str | None) -> None:
    assert link_form(template) == form


def test_a_pdf_table_list_is_judged_by_its_own_template() -> None:
    links = [f for f in findings_of(TABLE_LIST, TABLE) if f.kind == "non_canonical_link"]
    assert [(f.id, f.detail) for f in links] == [
        ("2401.00002", "use https://arxiv.org/pdf/2401.00002 (the form the entry template writes)")
    ]


def test_the_body_lists_only_what_the_diff_does() -> None:
    document = ListDocument(TABLE_LIST, TABLE)
    findings = findings_of(TABLE_LIST, TABLE)
    assert {f.kind for f in findings} == {"non_canonical_link", "broken_title"}
    cleanup = cleanup_list(document, findings, {})  # arXiv knows no title for the broken one
    assert [f.kind for f in cleanup.fixed] == ["non_canonical_link"]
    assert "](https://arxiv.org/pdf/2401.00002)" in cleanup.text
    assert "**: lost head of a title**" in cleanup.text
    body = audit_body(findings, cleanup, "README.md")
    fixed_part, review_part = body.split("### For your review (not changed)")
    assert "line 9 `non_canonical_link`" in fixed_part
    assert "broken_title" not in fixed_part and "broken_title" in review_part
    assert "this pull request fixes 1." in body


def test_a_declined_fix_is_not_proposed_again_but_a_new_one_is() -> None:
    document = ListDocument(TABLE_LIST, TABLE)
    findings = findings_of(TABLE_LIST, TABLE)
    first = cleanup_list(document, findings, {})
    message = first.commit_message("arXiv bot: list clean-up")
    assert message.count("Audit-Fix: non_canonical_link ") == 1
    again = cleanup_list(document, findings, {}, declined_keys([message]))
    assert again.text == TABLE_LIST and not again.fixed and len(again.declined) == 1
    edited = TABLE_LIST.replace("pdf/2401.00001)", "abs/2401.00001)")
    later = cleanup_list(
        ListDocument(edited, TABLE), findings_of(edited, TABLE), {}, declined_keys([message])
    )
    assert [f.id for f in later.fixed] == ["2401.00001"] and len(later.declined) == 1


def test_a_declined_recount_is_not_proposed_again() -> None:
    text = TABLE_LIST.replace("## Papers (5)", "## Papers (9)")
    findings = findings_of(text, TABLE)
    first = cleanup_list(ListDocument(text, TABLE), findings, {})
    assert "## Papers (5)" in first.text
    again = cleanup_list(
        ListDocument(text, TABLE), findings, {}, declined_keys([first.commit_message("x")])
    )
    assert again.text == text and {f.kind for f in again.declined} == {
        "wrong_count",
        "non_canonical_link",
    }


def test_a_closed_clean_up_is_not_reopened(
    workdir: Path,
    arxiv_server: FakeArxiv,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from bot.cli import main

    config = (workdir / "config.toml").read_text(encoding="utf-8")
    config = config.replace(
        'entry_template = "- [{title}]({url})"', f'entry_template = "{PDF_TEMPLATE}"'
    )
    config = config.replace('last_updated_heading = "Last Updated"', 'last_updated_heading = ""')
    (workdir / "config.toml").write_text(config, encoding="utf-8")

    def audit() -> dict[str, object]:
        assert main(["audit", "--json"]) == 0
        return json.loads(capsys.readouterr().out)  # type: ignore[no-any-return]

    with FakeGitHub("ghp_CLEANUP_0123456789", {"README.md": TABLE_LIST}) as fake:
        fake.use(workdir, monkeypatch)
        out = audit()
        assert out["pull_request"] and out["fixed_in_pull_request"] == 1
        assert "Fixed in this diff\n- line 9 `non_canonical_link`" in fake.pull(1).body
        fake.close(1)  # the maintainer declines it
        out = audit()
        assert out["pull_request"] is None and out["declined_before"] == 1
        assert len(fake.pulls) == 1
        fake.push("main", {"README.md": TABLE_LIST.replace("pdf/2401.00001)", "abs/2401.00001)")})
        out = audit()
        assert out["pull_request"] == {
            "number": 2,
            "url": "https://github.example/octo/awesome-list/pull/2",
        }
        body = fake.pull(2).body
        assert "this pull request fixes 1." in body and "2401.00001" in fake.file(
            "README.md", "arxiv-bot/audit"
        )
        assert "1 fix(es) you declined in an earlier clean-up pull request" in body
