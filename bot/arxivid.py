"""arXiv's identifier scheme: which ids can exist, checked before any lookup.

Source: https://info.arxiv.org/help/arxiv_identifier.html
- new style (April 2007 on): YYMM.NNNN (to 1412) or YYMM.NNNNN (from 1501), month
  01-12, from 0704; an optional version suffix vN;
- old style (to March 2007): archive(.XX)/YYMMNNN, e.g. hep-th/9901001 or
  math.GT/0309136, from 9108 (August 1991) to 0703; an optional version suffix.
arXiv answers an id outside the scheme with HTTP 400 "incorrect id format", which
would fail the whole batch it is in: such an id is never sent.
"""

from __future__ import annotations

import re

_NEW = re.compile(r"(\d{2})(\d{2})\.(\d{4,5})(?:v[1-9]\d*)?")
_OLD = re.compile(r"[a-z]+(?:-[a-z]+)*(?:\.[A-Za-z]{2})?/(\d{2})(\d{2})(\d{3})(?:v[1-9]\d*)?")


def id_scheme_problem(paper_id: str) -> str:
    """Why `paper_id` cannot be an arXiv id, or "" when the scheme allows it."""
    new = _NEW.fullmatch(paper_id)
    if new:
        yy, mm, number = new.groups()
        yymm = int(yy + mm)
        if not 1 <= int(mm) <= 12:
            return f"month {mm} does not exist (YYMM.NNNNN)"
        if yymm < 704:
            return f"new-style ids start at 0704 (April 2007); {yy}{mm} is before"
        digits = 4 if yymm < 1501 else 5
        if len(number) != digits:
            return f"ids from {yy}{mm} have {digits} digits after the dot"
        return ""
    old = _OLD.fullmatch(paper_id)
    if old:
        yy, mm, _ = old.groups()
        if not 1 <= int(mm) <= 12:
            return f"month {mm} does not exist (archive/YYMMNNN)"
        # Old-style ids run from 9108 to 0703; the two-digit year wraps at 2000.
        if not ((int(yy) >= 91 and int(yy + mm) >= 9108) or int(yy + mm) <= 703):
            return f"old-style ids run from 9108 to 0703; {yy}{mm} is outside"
        return ""
    return "not an arXiv id (YYMM.NNNNN or archive/YYMMNNN)"
