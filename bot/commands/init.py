"""`arxiv-bot init`: read an existing list and write a config.toml that works on it.

The layout (section, entry template checked against the listed entries, stamp,
subsections) and the topic (query terms and relevance phrases proposed from the list's
titles against a background of general arXiv text) come from the file, offline. The
categories come from one `id_list` lookup of up to 100 listed papers when arXiv answers
at once; else a default, said in the output.
"""

from __future__ import annotations

import argparse
import json
import re
import tomllib
from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path, PurePosixPath

from bot.config import parse_config
from bot.environment import ArxivApi, Environment
from bot.errors import ConfigError, ListFormatError
from bot.files import atomic_write_text
from bot.listdoc.document import ListDocument
from bot.listdoc.survey import Layout, survey
from bot.normalize import find_arxiv_ids
from bot.topicterms import DEFAULT_CATEGORIES, category_weights, phrase_weights, propose_terms

QUERY_TERMS = 12  # arXiv query terms (OR-combined into one query)
CATEGORY_SAMPLE = 100  # listed papers whose categories one id_list request reads
SHOWN_DIFFERENCES = 5


def main(args: argparse.Namespace, env: Environment) -> int:
    target: Path = args.target or Path("README.md")
    path: Path = args.config
    if path.exists() and not args.force:
        raise ConfigError(f"{path} exists: pass --force to overwrite it, or --config PATH")
    try:
        text = target.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ListFormatError(f"{target}: list not found (pass --target FILE)") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ListFormatError(f"{target}: cannot read the list: {exc}") from None
    layout = survey(text)
    terms = propose_terms(layout.titles)
    categories, looked_up = listed_categories(sorted(set(find_arxiv_ids(text))), env.arxiv_api)
    config_text = config_toml(layout, terms, str(target), categories)
    config = parse_config(tomllib.loads(config_text), path, config_text)
    _ = ListDocument(text, config.target).sections  # the config works on the list as it is
    atomic_write_text(path, config_text)
    since = (env.now.date() - timedelta(days=28)).isoformat()  # a few weeks: papers to see
    shown = f"{', '.join(c for c, _ in categories)} ({looked_up})"
    print(report(layout, terms, target, path, since, shown))
    return 0


def listed_categories(ids: list[str], api: ArxivApi) -> tuple[list[tuple[str, float]], str]:
    """The weights of the listed papers' primary categories, and where they came from.

    One request, no retry, a short timeout: init must work offline, so an unreachable
    arXiv (or a failed lookup) gives DEFAULT_CATEGORIES, never an error.
    """
    from bot.arxivid import id_scheme_problem
    from bot.config import ArxivConfig
    from bot.errors import BotError
    from bot.fetch import ArxivSource

    sample = [i for i in ids if not id_scheme_problem(i)][:CATEGORY_SAMPLE]
    if not sample:
        return list(DEFAULT_CATEGORIES), "a default: the list links no arXiv paper"
    quick = ArxivConfig(
        page_size=CATEGORY_SAMPLE, delay_seconds=0, timeout_seconds=5.0, max_retries=0
    )
    try:
        records = ArxivSource(quick, api).fetch_ids(sample).records
    except BotError as exc:
        return list(DEFAULT_CATEGORIES), f"a default: arXiv could not be asked ({exc}); check them"
    if not records:
        return list(DEFAULT_CATEGORIES), "a default: arXiv knows none of the listed ids"
    weights = category_weights([r.primary_category for r in records])
    return weights, f"from arXiv's records of {len(records)} listed papers"


def _toml(value: str) -> str:
    """A TOML basic string (JSON's escapes are TOML's)."""
    return json.dumps(value, ensure_ascii=False)


def config_toml(
    layout: Layout,
    terms: list[tuple[str, float]],
    file: str,
    categories: Sequence[tuple[str, float]] = DEFAULT_CATEGORIES,
) -> str:
    """The commented config.toml text for the surveyed list."""
    queries = [term for term, _ in terms[:QUERY_TERMS]] or [layout.section.casefold()]
    weights = phrase_weights(terms)
    stamp_format = "" if layout.stamp_format == "?" else layout.stamp_format
    lines = [
        f"# arxiv-bot configuration written by `python -m bot init` for {file}.",
        '# Every key is documented in the README ("Configuration"). Check the proposed',
        "# queries and phrases: they come from the list's own titles (words frequent there",
        "# and rare in general arXiv text). Secrets (GITHUB_TOKEN) never go here.",
        "",
        "[arxiv]",
        "# Searched in titles and abstracts, OR-combined into one query per run.",
        "queries = [",
        *(f"    {_toml(q)}," for q in queries),
        "]",
        "delay_seconds = 3.0     # pause between requests (arXiv's terms ask for 3 s)",
        "",
        "[relevance]",
        "# A paper is added when its score reaches the threshold; a phrase in the title",
        "# counts 1.5 times. Tune with `python -m bot evaluate` on papers you label.",
        "threshold = 3.0",
        "borderline_margin = 1.5",
        "",
        "[relevance.phrases]",
        '# Proposed from the list\'s titles, strongest first ("phrase" = weight).',
        *(f"{_toml(term)} = {weight:g}" for term, weight in weights.items()),
        "",
        "[relevance.categories]",
        "# arXiv category = weight (the primary category counts in full).",
        *(f"{_toml(category)} = {weight:g}" for category, weight in categories),
        "",
        "[target]",
        f"file = {_toml(file)}",
        f"section = {_toml(layout.section)}"
        + ("  # the <!-- arxiv-bot:start/end --> region takes precedence" if layout.marked else ""),
        f"entry_template = {_toml(_template_literal(layout.template))}",
        f"position = {_toml(layout.position)}"
        + '                  # "top": newest first, as the list runs; "bottom": appended',
        f"last_updated_heading = {_toml(layout.stamp_label)}"
        + ("  # the list has no stamp" if not layout.stamp_label else ""),
        f"stamp_format = {_toml(stamp_format)}"
        + (
            '  # SET ME: the stamp\'s day/month order is unclear, e.g. "%d/%m/%Y"'
            if layout.stamp_format == "?"
            else '  # "" keeps the stamp\'s own style'
        ),
        f"state_file = {_toml(state_file_for(file))}"
        + "  # the list's own: what the bot added to another list is not known here",
    ]
    if layout.routes:
        lines += [
            "",
            "[target.sections]",
            "# New papers go to the first section one of whose phrases they match.",
        ]
        lines += [
            f"{_toml(name)} = [{', '.join(_toml(p) for p in phrases)}]"
            for name, phrases in layout.routes.items()
        ]
    return "\n".join(lines) + "\n"


def state_file_for(file: str) -> str:
    """Where the state of the list `file` goes: state/state.json for README.md, else a
    folder of its own (state/<name>/state.json, the run store and health beside it).

    Two lists of one repository must not share it: a paper the bot added to one would
    be skipped by the other as already known, and one run store's watermark would move
    the other's window.
    """
    if file == "README.md":
        return "state/state.json"
    name = re.sub(
        r"[^A-Za-z0-9_.-]+", "-", PurePosixPath(file.replace("\\", "/")).with_suffix("").as_posix()
    )
    return f"state/{name.strip('-.') or 'list'}/state.json"


def _template_literal(template: str) -> str:
    return template


def report(
    layout: Layout,
    terms: list[tuple[str, float]],
    target: Path,
    path: Path,
    since: str,
    categories: str = "",
) -> str:
    """What init found, what to check, and the dry run to try."""
    kind = f"a table of {layout.columns} columns" if layout.columns else "a list"
    where = "the marked region" if layout.marked else f"'{layout.section}'"
    same = layout.checked - len(layout.differs)
    out = [
        f"wrote {path} for {target}:",
        f"  section:  {where}, {kind}, {layout.checked} arXiv entries, "
        f"new papers at the {layout.position}",
        f"  template: {layout.template}",
        f"            writes {same} of {layout.checked} listed entries back byte for byte",
    ]
    for number, listed, written in layout.differs[:SHOWN_DIFFERENCES]:
        out += [f"    line {number}: {listed[:110]}", f"       would be: {written[:110]}"]
    if len(layout.differs) > SHOWN_DIFFERENCES:
        out.append(
            f"    ... and {len(layout.differs) - SHOWN_DIFFERENCES} more lines written differently"
        )
    if layout.differs:
        out.append(
            "    (the bot still reads every listed line; only its own new lines use the template)"
        )
    stamp = (
        f"'{layout.stamp_label}'"
        + (
            " (set target.stamp_format: day/month order unclear)"
            if layout.stamp_format == "?"
            else ", its own style kept"
        )
        if layout.stamp_label
        else 'none found (target.last_updated_heading = "")'
    )
    out.append(f"  stamp:    {stamp}")
    if layout.routes:
        out.append(
            "  sections: " + "; ".join(f"{n} <- {', '.join(p)}" for n, p in layout.routes.items())
        )
    if layout.unrouted:
        out.append(
            "  not routed (another layout, or no phrase in the heading): "
            + "; ".join(layout.unrouted)
        )
    out.append("  queries:  " + ", ".join(t for t, _ in terms[:QUERY_TERMS]))
    if categories:
        out.append(f"  categories: {categories}")
    out += [
        "check: the queries, [relevance.phrases] and [relevance.categories] (the topic),"
        " the template, the section.",
        f"try:   python -m bot run --dry-run --target {target} --config {path} --since {since}",
    ]
    return "\n".join(out)
