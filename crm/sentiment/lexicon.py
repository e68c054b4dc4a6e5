"""textblob's English lexicon read fast, and bare textblob as the baseline analyzer.

Why not call TextBlob per message: profiling `TextBlob(t).sentiment` on tweets shows ~45% of
the time in pattern's `find_tokens` (a regex pass per contraction rule, sentence splitting,
abbreviation checks), ~20% in `PatternAnalyzer.analyze` building a new namedtuple *class*
on every call, and most of the rest in `lazydict.__contains__` / `__getitem__` wrappers
around each lexicon lookup. The scoring itself is a cheap walk over the words. So
`_TextBlobLexicon` loads textblob's own en-sentiment.xml lexicon once (through textblob,
so it is exactly the data TextBlob uses), flattens it into a plain dict, tokenizes with one
compiled regex, and re-implements pattern's `Sentiment.assessments` walk (intensifiers,
negation "not good" = -0.5 x good, "!" boost, emoticons) over that dict. On plain English
sentences it returns the same polarity as TextBlob (a unit test checks this). Deliberate
differences: links and @handles are skipped, and "n't" negates - pattern splits "isn't" into
"is n't" and then its quote handling splits "n't" again, so TextBlob scores "isn't great" as
"great". Nothing is cached per text.

The cue analyzer (crm/sentiment/cues.py) builds on this lexicon and its tokens.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

from crm.sentiment.labels import SentimentScore, _clamp, _label_for

# --------------------------------------------------------------------------------------------
# Bare textblob: the baseline.


class TextBlobAnalyzer:
    """Bare textblob: the sign of `TextBlob(text).sentiment.polarity`.

    Any non-zero polarity counts (threshold 0): textblob returns exactly 0.0 when it finds
    no opinion word, and that zero is its only notion of "neutral". This is the ~0.46
    accuracy baseline quoted for the airline tweets; a 0.05 dead band scores slightly worse.
    """

    name = "textblob"
    threshold = 0.0

    def score_many(self, texts: Sequence[str]) -> list[SentimentScore]:
        """Score each text with textblob as a library user would call it."""
        from textblob import TextBlob

        scores = []
        for text in texts:
            polarity = _clamp(float(TextBlob(text or "").sentiment.polarity))
            scores.append(SentimentScore(polarity, _label_for(polarity, threshold=self.threshold)))
        return scores


_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "`": "'"})
_TOKEN_RE = re.compile(
    r"(?:https?://|www\.)\S+"  # links carry no sentiment
    r"|@\w+"  # @handles
    r"|(?<![a-z0-9])(?:[:;=8x][-o^']?[()\[\]dpb/\\|*3]+|<3)(?![a-z0-9])"  # ascii emoticons
    r"|[a-z0-9]+(?:'[a-z]+)*"  # words, with contractions
    r"|[!?]"
)
_TEXTBLOB_NEGATIONS = frozenset({"no", "not", "n't", "never"})
# Customers type contractions without the apostrophe; pattern's list only knows "n't".
_NEGATIONS = _TEXTBLOB_NEGATIONS | frozenset(
    {"cannot", "nobody", "nothing", "nor", "without"}
    | {f"{stem}nt" for stem in ("don", "can", "won", "didn", "doesn", "isn", "wasn", "aren")}
    | {f"{stem}nt" for stem in ("haven", "hasn", "hadn", "couldn", "wouldn", "shouldn", "weren")}
)


def _tokens(text: str) -> list[str]:
    """Split lowercased text into words, "n't", "!", "?" and emoticons; drop links and handles."""
    out: list[str] = []
    for token in _TOKEN_RE.findall(text.lower().translate(_APOSTROPHES)):
        first = token[0]
        if first == "@" or token.startswith(("http", "www.")):
            continue
        if "'" in token and first.isalnum():
            if token.endswith("n't"):
                # Like pattern: "don't" -> "do", "n't"; "can't" -> "ca", "n't".
                out.append(token[:-3])
                out.append("n't")
            else:
                out.append(token.split("'", 1)[0])  # "it's" -> "it"
            continue
        out.append(token)
    return out


@dataclass(frozen=True, slots=True)
class _TextBlobLexicon:
    words: dict[str, tuple[float, float, bool]]  # word -> (polarity, intensity, is_modifier)
    emoticons: dict[str, float]  # lowercased emoticon -> polarity

    def polarity(self, tokens: Sequence[str]) -> float:
        """Average polarity of the opinion words, by pattern's rules (see module comment)."""
        words = self.words
        found: list[list[float]] = []  # [polarity, intensity, negated (1.0/-1.0)]
        modifier: str | None = None  # preceding intensifier ("very")
        negation = False
        for w in tokens:
            entry = words.get(w)
            if entry is not None:
                p, i, is_modifier = entry
                if modifier is None:
                    found.append([p, i, 1.0])
                else:  # "very good": the intensifier scales the next word
                    last = found[-1]
                    last[0] = _clamp(p * last[1])
                    last[1] = i
                if negation:
                    found[-1][1] = 1.0 / found[-1][1]
                    found[-1][2] = -1.0
                modifier = w if is_modifier else None
                negation = w in _TEXTBLOB_NEGATIONS
                continue
            if w in _TEXTBLOB_NEGATIONS:
                negation = True
            elif negation and len(w) > 1:
                negation = False  # negation carries across small words only ("not a good")
            if negation and modifier is not None and modifier.endswith("ly"):
                found[-1][2] = -1.0  # "really not good"
                negation = False
            elif modifier is not None and len(w) > 2:
                modifier = None
            if w == "!" and found:
                found[-1][0] = _clamp(found[-1][0] * 1.25)
            elif w in self.emoticons:
                found.append([self.emoticons[w], 1.0, 1.0])
        if not found:
            return 0.0
        return sum(p * -0.5 if n < 0 else p for p, _, n in found) / len(found)


@cache
def _textblob_lexicon() -> _TextBlobLexicon:
    """Load and flatten textblob's English sentiment lexicon (once per process)."""
    from textblob import _text
    from textblob.en import sentiment

    sentiment.load()  # the same lazily-loaded lexicon TextBlob(...).sentiment uses
    words = {
        word: (float(by_pos[None][0]), float(by_pos[None][2]), "RB" in by_pos)
        for word, by_pos in dict.items(sentiment)
    }
    emoticons = {
        emoticon.lower(): float(polarity)
        for (_, polarity), group in _text.EMOTICONS.items()
        for emoticon in group
    }
    return _TextBlobLexicon(words=words, emoticons=emoticons)
