from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.normalize import (
    canonical_arxiv_id,
    clean_title,
    find_arxiv_ids,
    normalize_title,
    normalize_titles,
    split_arxiv_id,
    withdrawal_note,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2507.22700", "2507.22700"),
        ("2507.22700v3", "2507.22700"),
        ("http://arxiv.org/abs/2507.22700v2", "2507.22700"),
        ("https://arxiv.org/pdf/2507.22700v1.pdf", "2507.22700"),
        ("https://arxiv.org/pdf/2507.22700", "2507.22700"),
        ("https://export.arxiv.org/abs/0704.0001", "0704.0001"),
        ("arXiv:1706.03762v7", "1706.03762"),
        ("hep-th/9901001", "hep-th/9901001"),
        ("http://arxiv.org/abs/hep-th/9901001v3", "hep-th/9901001"),
        ("math.GT/0309136", "math/0309136"),
        ("https://arxiv.org/abs/math.GT/0309136v2", "math/0309136"),
        ("https://example.org/paper", None),
        ("12345", None),
    ],
)
def test_canonical_arxiv_id(text: str, expected: str | None) -> None:
    assert canonical_arxiv_id(text) == expected


def test_split_keeps_version() -> None:
    assert split_arxiv_id("http://arxiv.org/abs/2401.00001v4") == ("2401.00001", 4)


def test_find_ids_in_markdown() -> None:
    text = (
        "- [A](https://arxiv.org/abs/2401.00001v2) and [B](http://arxiv.org/pdf/hep-th/9901001.pdf)"
    )
    assert find_arxiv_ids(text) == ["2401.00001", "hep-th/9901001"]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("  Attention   is\n all you\tneed ", "Attention is all you need"),
        (r"$\alpha$-Sparse Autoencoders", "α-Sparse Autoencoders"),
        (r"$k$-Sparse Probing in \textit{Large} Models", "k-Sparse Probing in Large Models"),
        (r"The \texttt{SAELens} Library", "The SAELens Library"),
        (r"$O(\log n)$ Circuits", "O(log n) Circuits"),
        ("100% Faithful Circuits", "100% Faithful Circuits"),
        ("Evil\u202eTitle\x00 with controls", "EvilTitle with controls"),
        ("Emoji 🧠 and 日本語 stay", "Emoji 🧠 and 日本語 stay"),
        (r"Schr\"odinger's Neurons", "Schrödinger's Neurons"),
        ("", ""),
    ],
)
def test_clean_title(raw: str, expected: str) -> None:
    assert clean_title(raw) == expected


def test_title_starting_with_math_keeps_first_word() -> None:
    assert clean_title(r"$\beta$-VAE Features Are Not Circuits").startswith("β-VAE")


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Sparse Autoencoders: A Survey", "sparse autoencoders - a survey"),
        (r"The $\alpha$ Circuit", "The α circuit"),
        ("Café Neurons", "Cafe neurons"),
        ("Attention   Heads", "attention heads."),
    ],
)
def test_normalize_title_folds(a: str, b: str) -> None:
    assert normalize_title(a) == normalize_title(b)


@given(st.text())
def test_normalize_title_is_idempotent(text: str) -> None:
    once = normalize_title(text)
    assert normalize_title(once) == once


# Titles as lists hold them: mostly ASCII words and punctuation, some LaTeX, accents, spaces.
_TITLE_CHARS = st.sampled_from([*"abcXYZ019 :-,.'()\t\n$\\{}_^", "é", "ü", "α", "\x01", "\u200b"])


@given(st.lists(st.text(_TITLE_CHARS, max_size=30) | st.text(max_size=10), max_size=12))
def test_normalize_titles_equals_one_by_one(titles: list[str]) -> None:
    assert normalize_titles(titles) == [normalize_title(title) for title in titles]


def test_normalize_titles_handles_a_large_mixed_batch() -> None:
    titles = [f"  Title {i}: Sparse  Autoencoders " for i in range(500)]
    titles[7] = r"The $\alpha$ Circuit"
    titles[8] = "Café Neurons"
    titles[499] = ""
    expected = [normalize_title(title) for title in titles]
    assert normalize_titles(titles) == expected
    assert expected[7] == "the alpha circuit" and expected[8] == "cafe neurons"


@given(st.text())
def test_clean_title_is_one_line(text: str) -> None:
    cleaned = clean_title(text)
    assert "\n" not in cleaned and "\r" not in cleaned
    assert cleaned == cleaned.strip()


@pytest.mark.parametrize(
    ("comment", "abstract", "withdrawn"),
    [
        ("Withdrawn due to an error in the causal-tracing experiments", "", True),
        ("This paper has been withdrawn by the authors", "", True),
        ("We withdraw this manuscript; a bug invalidated Section 4", "", True),
        ("Withdrawn", "", True),
        ("withdrawn.", "", True),
        ("12 pages. This version is withdrawn: see v3", "", True),
        ("The authors have withdrawn this paper due to a flaw in Lemma 2", "", True),
        ("", "This submission has been withdrawn by arXiv administrators as a duplicate.", True),
        ("", "This paper has been withdrawn by the author due to a crucial sign error.", True),
        ("Supersedes the earlier preprint that was withdrawn by the authors", "", False),
        ("The paper was withdrawn from ICLR and resubmitted", "", False),
        ("", "We study withdrawn papers on arXiv and their citations.", False),
        ("", "Withdrawn papers are a growing problem; we analyse 2,000 of them.", False),
        ("Accepted at ICML 2024", "The model can withdraw its answer when unsure.", False),
        ("", "Withdrawn claims of prior work are revisited.", False),
        ("", "We revisit results (withdrawn by their authors) on induction heads.", False),
        ("Withdrawn submissions on arXiv are studied", "", False),
        ("", "We revisit the withdrawn claim of prior work.", False),
        ("arXiv admin note: this paper has been removed by arXiv administrators", "", True),
        ("Withdrawn by the authors", "", True),
        ("[Withdrawn] see v2", "", True),
    ],
)
def test_withdrawal_wordings(comment: str, abstract: str, withdrawn: bool) -> None:
    assert bool(withdrawal_note(comment, abstract)) is withdrawn


@pytest.mark.parametrize(
    ("link", "paper_id"),
    [
        ("https://arxiv.org/abs/2611.043210", None),  # a digit too many: a mistyped link
        ("https://arxiv.org/abs/2611.04321x", None),
        ("https://notarxiv.org/abs/2611.04321", None),  # another site
        ("https://export.arxiv.org/abs/2611.04321v2", "2611.04321"),
        ("http://arxiv.org/pdf/2611.04321v2.pdf", "2611.04321"),
        ("https://web.archive.org/web/2024/https://arxiv.org/abs/2611.04321", "2611.04321"),
        ("https://arxiv.org/abs/2611.04321#section-2", "2611.04321"),
        ("https://arxiv.org/html/2611.04321v1/", "2611.04321"),
        ("arXiv:2611.04321.", "2611.04321"),
    ],
)
def test_an_id_in_a_link_ends_where_the_id_ends(link: str, paper_id: str | None) -> None:
    # Read as 2611.04321, a mistyped link made that real paper "listed", and skipped.
    assert canonical_arxiv_id(link) == paper_id


def test_a_mistyped_link_in_the_list_does_not_hide_the_real_paper() -> None:
    from bot.config import TargetConfig
    from bot.listdoc.document import ListDocument

    text = "# L\n\n## Papers\n\n- [Another Paper](https://arxiv.org/abs/2611.043210)\n"
    document = ListDocument(text, TargetConfig(last_updated_heading=""))
    assert "2611.04321" not in document.ids


def test_norm_bars_survive_latex_to_text() -> None:
    # pylatexenc dropped \| ("$\|W\|_2$" became "W_2" in the list).
    assert clean_title(r"Bounds on $\|W\|_2$ for SAEs") == "Bounds on \u2016W\u2016_2 for SAEs"
    assert clean_title(r"$\Vert x \Vert$ Norms") == "\u2016 x \u2016 Norms"
