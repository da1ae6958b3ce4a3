"""A local HTTP server that speaks the arXiv API's Atom format.

It evaluates the query language the bot sends (field:term, quoted phrases,
AND/OR/ANDNOT, parentheses, submittedDate ranges) and id_list, sorts, pages
with start/max_results and reports opensearch totals, like
https://info.arxiv.org/help/api/user-manual.html describes. Faults can be
scripted per request to test retries and failure handling.
"""

from __future__ import annotations

import functools
import gzip
import json
import re
import threading
import time
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from tests.fakes.local_server import LocalServer, QuietHandler

ATOM = "http://www.w3.org/2005/Atom"
OPENSEARCH = "http://a9.com/-/spec/opensearch/1.1/"
ARXIV = "http://arxiv.org/schemas/atom"
ET.register_namespace("", ATOM)
ET.register_namespace("opensearch", OPENSEARCH)
ET.register_namespace("arxiv", ARXIV)


@dataclass
class ArxivRecord:
    id: str
    title: str
    abstract: str = "An abstract."
    authors: tuple[str, ...] = ("Ada Lovelace",)
    published: datetime = datetime(2025, 1, 1, 12, tzinfo=UTC)
    updated: datetime | None = None
    primary_category: str = "cs.LG"
    categories: tuple[str, ...] = ()
    version: int = 1
    comment: str = ""
    journal_ref: str = ""
    published_text: str = ""  # served instead of `published` (a record arXiv garbled)

    @staticmethod
    def from_json(obj: dict[str, Any]) -> ArxivRecord:
        published = datetime.fromisoformat(str(obj["published"]).replace("Z", "+00:00"))
        if published.tzinfo is None:
            published = published.replace(tzinfo=UTC)
        return ArxivRecord(
            id=obj["id"],
            title=obj["title"],
            abstract=obj.get("abstract", ""),
            authors=tuple(obj.get("authors") or ()),
            published=published,
            primary_category=obj.get("primary_category", "cs.LG"),
            categories=tuple(obj.get("categories") or ()),
            comment=obj.get("comment", ""),
            journal_ref=obj.get("journal_ref", ""),
        )


@dataclass
class Fault:
    """What to do instead of (or to) the next answer."""

    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes | None = None
    delay: float = 0.0
    empty: bool = False  # a valid feed without entries; totalResults still counts the hits
    total: int | None = None  # with `empty`: the totalResults to claim (None: the real count)
    truncate: bool = False  # cut the real answer in half
    drip: float = 0.0  # send the body one byte at a time, this many seconds apart
    hold: threading.Event | None = None  # answer only once this is set (at most 30 s)


@dataclass
class Request:
    path: str
    params: dict[str, str]
    headers: dict[str, str]
    at: float


# --- query language -------------------------------------------------------

_TOKEN = re.compile(
    r"\s*(?:(?P<paren>[()])|(?P<op>ANDNOT|AND|OR)(?=[\s(])|"
    r'(?P<field>\w+):(?:\[(?P<range>[^\]]*)\]|"(?P<phrase>[^"]*)"|(?P<word>[^\s()]+)))'
)


def _words(text: str) -> list[str]:
    return [_stem(w) for w in re.findall(r"[a-z0-9]+", text.lower())]


def _stem(word: str) -> str:
    # arXiv's search engine stems; folding plurals is enough for tests.
    for suffix in ("es", "s"):
        if word.endswith(suffix) and len(word) > len(suffix) + 2:
            return word[: -len(suffix)]
    return word


@functools.lru_cache(maxsize=100_000)
def _cached_words(text: str) -> list[str]:
    return _words(text)


def _contains(haystack: list[str], needle: list[str]) -> bool:
    n = len(needle)
    return n > 0 and any(haystack[i : i + n] == needle for i in range(len(haystack) - n + 1))


class Query:
    def __init__(self, text: str) -> None:
        self.tokens = self._tokenize(text)
        self.pos = 0
        self.tree = self._or() if self.tokens else ("all",)
        if self.pos != len(self.tokens):
            raise ValueError(f"unexpected token {self.tokens[self.pos]!r}")

    @staticmethod
    def _tokenize(text: str) -> list[tuple[str, ...]]:
        tokens: list[tuple[str, ...]] = []
        pos = 0
        text = text.strip()
        while pos < len(text):
            match = _TOKEN.match(text, pos)
            if not match or match.end() == pos:
                raise ValueError(f"cannot parse query at {text[pos : pos + 20]!r}")
            pos = match.end()
            if match.group("paren"):
                tokens.append(("paren", match.group("paren")))
            elif match.group("op"):
                tokens.append(("op", match.group("op")))
            else:
                value = match.group("range") or match.group("phrase") or match.group("word") or ""
                kind = "range" if match.group("range") is not None else "term"
                tokens.append((kind, match.group("field"), value))
        return tokens

    def _peek(self) -> tuple[str, ...] | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def _or(self) -> tuple[Any, ...]:
        node = self._and()
        while self._peek() == ("op", "OR"):
            self.pos += 1
            node = ("or", node, self._and())
        return node

    def _and(self) -> tuple[Any, ...]:
        node = self._atom()
        while self._peek() in (("op", "AND"), ("op", "ANDNOT")):
            op = self.tokens[self.pos][1]
            self.pos += 1
            node = ("and" if op == "AND" else "andnot", node, self._atom())
        return node

    def _atom(self) -> tuple[Any, ...]:
        token = self._peek()
        if token is None:
            raise ValueError("query ends early")
        self.pos += 1
        if token == ("paren", "("):
            node = self._or()
            if self._peek() != ("paren", ")"):
                raise ValueError("missing )")
            self.pos += 1
            return node
        if token[0] in ("term", "range"):
            return token
        raise ValueError(f"unexpected {token!r}")

    def matches(self, record: ArxivRecord) -> bool:
        return self._eval(self.tree, record)

    def _eval(self, node: tuple[Any, ...], r: ArxivRecord) -> bool:
        kind = node[0]
        if kind == "all":
            return True
        if kind == "or":
            return self._eval(node[1], r) or self._eval(node[2], r)
        if kind == "and":
            return self._eval(node[1], r) and self._eval(node[2], r)
        if kind == "andnot":
            return self._eval(node[1], r) and not self._eval(node[2], r)
        if kind == "range":
            low, _, high = node[2].partition(" TO ")
            stamp = (
                r.published if node[1] == "submittedDate" else (r.updated or r.published)
            ).strftime("%Y%m%d%H%M")
            return low.strip() <= stamp <= high.strip()
        field_name, value = node[1], node[2]
        if field_name == "cat":
            return value in (r.primary_category, *r.categories)
        if field_name == "id":
            return value == r.id
        texts = {
            "ti": [r.title],
            "abs": [r.abstract],
            "au": list(r.authors),
            "co": [r.comment],
            "jr": [r.journal_ref],
            "all": [r.title, r.abstract, *r.authors, r.comment],
        }.get(field_name)
        if texts is None:
            raise ValueError(f"unknown field {field_name}")
        needle = _words(value)
        return any(_contains(_cached_words(t), needle) for t in texts)


# --- the server -----------------------------------------------------------


class FakeArxiv(LocalServer):
    """The arXiv API on 127.0.0.1; use as a context manager or start()/stop()."""

    def __init__(self, records: Iterable[ArxivRecord] = ()) -> None:
        self.records: list[ArxivRecord] = list(records)
        self.faults: list[Fault] = []
        self.requests: list[Request] = []
        self.last_total = 0
        self.received = threading.Event()  # set at each request: a test can wait for one
        self.gzip = False  # compress answers for clients that accept gzip, as arXiv's server may
        self._lock = threading.Lock()
        super().__init__()

    @property
    def url(self) -> str:
        return f"{self.base}/api/query"

    def add(self, *records: ArxivRecord) -> None:
        self.records.extend(records)

    def load_jsonl(self, path: Path) -> None:
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                self.records.append(ArxivRecord.from_json(json.loads(line)))

    def script(self, *faults: Fault) -> None:
        with self._lock:
            self.faults.extend(faults)

    def answer(self, params: dict[str, str]) -> tuple[int, bytes]:
        """The answer to one request; `last_total` is the totalResults it claims."""
        start = int(params.get("start") or 0)
        size = int(params.get("max_results") or 10)
        if params.get("id_list"):
            wanted = [i.strip() for i in params["id_list"].split(",") if i.strip()]
            for paper_id in wanted:
                if not _id_format_ok(paper_id):  # arXiv refuses the whole request
                    return 400, error_feed(f"incorrect id format for {paper_id}")
            by_id = {r.id: r for r in self.records}
            hits = [by_id[_strip_version(i)] for i in wanted if _strip_version(i) in by_id]
            # arXiv counts the requested ids, found or not: a dead id leaves a "gap".
            self.last_total = len(wanted)
            return 200, feed(hits[start : start + size], len(wanted), start, size)
        else:
            try:
                hits = self._search(params.get("search_query", ""))
            except ValueError as exc:
                return 400, error_feed(f"malformed query: {exc}")
            if params.get("sortBy") in ("submittedDate", "lastUpdatedDate"):
                hits.sort(
                    key=lambda r: (r.published, r.id),
                    reverse=params.get("sortOrder") != "ascending",
                )
        self.last_total = len(hits)
        return 200, feed(hits[start : start + size], total=len(hits), start=start, per_page=size)

    def _search(self, text: str) -> list[ArxivRecord]:
        # Paging asks the same query again and again: remember the hits for the record set.
        key = (text, len(self.records), id(self.records))
        if key != getattr(self, "_last_key", None):
            query = Query(text)
            self._last_hits = [r for r in self.records if query.matches(r)]
            self._last_key = key
        return list(self._last_hits)

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(QuietHandler):
            def do_GET(self) -> None:
                parts = urlsplit(self.path)
                params = {k: v[0] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
                with fake._lock:
                    fake.requests.append(
                        Request(parts.path, params, dict(self.headers), time.monotonic())
                    )
                    fault = fake.faults.pop(0) if fake.faults else None
                fake.received.set()
                if fault and fault.hold:
                    fault.hold.wait(30)
                if fault and fault.delay:
                    time.sleep(fault.delay)
                status, body = fake.answer(params)
                headers: dict[str, str] = {}
                if fault:
                    headers = fault.headers
                    if fault.body is not None or fault.status != 200:
                        status, body = (
                            fault.status,
                            fault.body if fault.body is not None else b"busy",
                        )
                    elif fault.empty:
                        body = feed(
                            [],
                            total=fake.last_total if fault.total is None else fault.total,
                            start=int(params.get("start") or 0),
                            per_page=0,
                        )
                    elif fault.truncate:
                        body = body[: len(body) // 2]
                    if fault.drip:
                        self.drip(status, body, fault.drip)
                        return
                if fake.gzip and "gzip" in self.headers.get("Accept-Encoding", ""):
                    body, headers = gzip.compress(body), {**headers, "Content-Encoding": "gzip"}
                self.reply(status, body, "application/atom+xml; charset=utf-8", headers)

            def drip(self, status: int, body: bytes, pause: float) -> None:
                """A server that sends a byte at a time, status line and headers included:
                every read returns long before a read timeout."""
                head = (
                    f"HTTP/1.0 {status} OK\r\nContent-Type: application/atom+xml\r\n"
                    f"Content-Length: {len(body)}\r\n\r\n"
                ).encode()
                whole = head + body
                try:
                    for index in range(len(whole)):
                        self.wfile.write(whole[index : index + 1])
                        self.wfile.flush()
                        time.sleep(pause)
                except OSError:
                    pass  # the client gave up: the point of the test

        return Handler


def _id_format_ok(paper_id: str) -> bool:
    """What arXiv's id_list accepts (else HTTP 400 "incorrect id format for ...")."""
    new = re.fullmatch(r"(\d{2})(\d{2})\.(\d{4,5})(v\d+)?", paper_id)
    if new:
        return 1 <= int(new.group(2)) <= 12
    old = re.fullmatch(r"[a-z-]+(\.[A-Z]{2})?/\d{2}(\d{2})\d{3}(v\d+)?", paper_id)
    return bool(old) and 1 <= int(old.group(2)) <= 12


def _strip_version(paper_id: str) -> str:
    return re.sub(r"v\d+$", "", paper_id)


def _iso(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def feed(records: list[ArxivRecord], total: int, start: int, per_page: int) -> bytes:
    root = ET.Element(f"{{{ATOM}}}feed")
    ET.SubElement(root, f"{{{ATOM}}}id").text = "https://arxiv.org/api/fake"
    ET.SubElement(root, f"{{{ATOM}}}title").text = "arXiv Query"
    ET.SubElement(root, f"{{{ATOM}}}updated").text = _iso(datetime.now(UTC))
    ET.SubElement(root, f"{{{OPENSEARCH}}}totalResults").text = str(total)
    ET.SubElement(root, f"{{{OPENSEARCH}}}startIndex").text = str(start)
    ET.SubElement(root, f"{{{OPENSEARCH}}}itemsPerPage").text = str(per_page)
    head = b'<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="utf-8")
    # Entries are rendered once per record and spliced in: paging 2,000 records stays cheap.
    entries = b"".join(_entry_xml(r) for r in records)
    return head.replace(b"</feed>", entries + b"</feed>") if entries else head


def _entry_xml(r: ArxivRecord) -> bytes:
    key = (r.id, r.version, r.title, r.abstract, r.published, r.updated, r.comment)
    key += (r.published_text,)
    key += (r.journal_ref, r.primary_category, r.categories, r.authors)
    cached = _ENTRY_CACHE.get(key)
    if cached is not None:
        return cached
    entry = ET.Element(f"{{{ATOM}}}entry")
    versioned = f"{r.id}v{r.version}"
    ET.SubElement(entry, f"{{{ATOM}}}id").text = f"http://arxiv.org/abs/{versioned}"
    ET.SubElement(entry, f"{{{ATOM}}}title").text = r.title
    ET.SubElement(entry, f"{{{ATOM}}}updated").text = _iso(r.updated or r.published)
    ET.SubElement(entry, f"{{{ATOM}}}published").text = r.published_text or _iso(r.published)
    ET.SubElement(entry, f"{{{ATOM}}}summary").text = r.abstract
    for name in r.authors:
        author = ET.SubElement(entry, f"{{{ATOM}}}author")
        ET.SubElement(author, f"{{{ATOM}}}name").text = name
    if r.comment:
        ET.SubElement(entry, f"{{{ARXIV}}}comment").text = r.comment
    if r.journal_ref:
        ET.SubElement(entry, f"{{{ARXIV}}}journal_ref").text = r.journal_ref
    ET.SubElement(
        entry,
        f"{{{ATOM}}}link",
        href=f"https://arxiv.org/abs/{versioned}",
        rel="alternate",
        type="text/html",
    )
    ET.SubElement(
        entry,
        f"{{{ATOM}}}link",
        href=f"https://arxiv.org/pdf/{versioned}",
        rel="related",
        type="application/pdf",
        title="pdf",
    )
    ET.SubElement(entry, f"{{{ARXIV}}}primary_category", term=r.primary_category, scheme=ARXIV)
    for cat in dict.fromkeys((r.primary_category, *r.categories)):
        ET.SubElement(entry, f"{{{ATOM}}}category", term=cat, scheme=ARXIV)
    xml = ET.tostring(entry, encoding="unicode").encode("utf-8")  # no XML declaration
    _ENTRY_CACHE[key] = xml
    return xml


_ENTRY_CACHE: dict[tuple[object, ...], bytes] = {}


def error_feed(message: str) -> bytes:
    """arXiv's error answer: a feed with one entry whose id is .../api/errors#..."""
    root = ET.Element(f"{{{ATOM}}}feed")
    ET.SubElement(root, f"{{{OPENSEARCH}}}totalResults").text = "1"
    entry = ET.SubElement(root, f"{{{ATOM}}}entry")
    ET.SubElement(entry, f"{{{ATOM}}}id").text = "http://arxiv.org/api/errors#malformed_query"
    ET.SubElement(entry, f"{{{ATOM}}}title").text = "Error"
    ET.SubElement(entry, f"{{{ATOM}}}summary").text = message
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="utf-8")


def main(argv: list[str] | None = None) -> None:
    """Serve records by hand: python -m tests.fakes.arxiv_server RECORDS.jsonl [...]."""
    import argparse

    parser = argparse.ArgumentParser(
        prog="python -m tests.fakes.arxiv_server",
        description="A local stand-in of the arXiv API serving the records of JSONL files"
        " (one object a line: id, title, abstract, authors, primary_category, categories,"
        " published). Point the bot at it with ARXIV_API_URL=<the URL it prints>.",
    )
    parser.add_argument("records", nargs="+", type=Path, help="JSONL files of arXiv records")
    args = parser.parse_args(argv)
    missing = [str(p) for p in args.records if not p.is_file()]
    if missing:
        parser.error(f"no such file: {', '.join(missing)}")
    server = FakeArxiv()
    for path in args.records:
        server.load_jsonl(path)
    server.serve_until_interrupted(server.url)


if __name__ == "__main__":  # pragma: no cover
    main()
