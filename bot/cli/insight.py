"""`crm report` for a terminal: the service metrics of a period as plain text.

The same lines as the managers' /report (one layout, handlers.views.insight), in the same
words (the message catalog's), with nothing escaped: a terminal shows user text as it is,
so a customer's "<b>" prints as typed.
"""

from __future__ import annotations

import re

from crm.i18n import DEFAULT_LANGUAGE, t
from crm.insight.report import Report
from handlers.views import insight as views

__all__ = ["PLAIN", "render_report"]

# The catalog marks headings up for Telegram (<b>Tickets</b>); a terminal shows the words.
_MARKUP = re.compile(r"</?[a-z][^>]*>")
_HOLE = re.compile("\x00(\\w+)\x00")


def _say(key: str, lang: str, **values: object) -> str:
    """Return a catalog text without its markup; the values go in afterwards, untouched."""
    holes = {name: f"\x00{name}\x00" for name in values}
    return _HOLE.sub(lambda m: str(values[m[1]]), _MARKUP.sub("", t(key, lang, **holes)))


PLAIN = views.Markup(user=str, say=_say)


def render_report(report: Report, lang: str = DEFAULT_LANGUAGE) -> str:
    """Return the report as terminal text, line for line the managers' /report."""
    return views.render_report(report, lang, markup=PLAIN)
