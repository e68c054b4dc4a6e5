"""The default analyzer: textblob's lexicon plus customer-service cues; needs no training data.

The cues are complaint vocabulary, negated actions, thanks, questions, emoji and Simplified
Chinese cue words: what support staff read as a sign, not fitted weights.
"""

from __future__ import annotations

from collections.abc import Sequence

from crm.sentiment.labels import SentimentScore, _clamp, _label_for
from crm.sentiment.lexicon import _NEGATIONS, _textblob_lexicon, _tokens


def _word_set(words: str) -> frozenset[str]:
    return frozenset(words.split())


# Customer-service cues. Each list is what support staff read as a sign, not a fitted weight.
# Complaint vocabulary that textblob's lexicon (built from product reviews) does not score:
# the problem is stated as a fact ("still waiting", "charged twice", "lost", "delayed").
COMPLAINT_WORDS = _word_set(
    """
    wait waiting waited still again refund refunds charged overcharged twice broken broke
    late cancelled canceled delayed delay delays lost missing stuck hold error problem
    problems issue issues fault faulty damaged wrong complaint complain complaining
    unacceptable ridiculous disappointed disappointing frustrated frustrating annoyed
    annoying useless rude ignored unhelpful incompetent fail failed fails failure crash
    crashes crashed bug slow worse nobody nothing sucks
    """
)
# Gratitude and resolution: how customers say the service worked.
PRAISE_WORDS = _word_set(
    """
    thanks thank thx ty appreciate appreciated grateful solved resolved fixed helpful
    kudos love loved awesome excellent amazing perfect
    """
)
# Thanks at the end of a complaint is politeness (or sarcasm), not satisfaction.
COURTESY_WORDS = frozenset({"thanks", "thank", "thx", "ty", "appreciate", "appreciated"})
# A negated verb textblob has no opinion on ("doesn't work", "haven't received", "can't log
# in", "no reply") is how customers report that something is broken; these are the stock
# phrases where it is not ("no worries", "don't mind", "not sure").
NOT_COMPLAINTS = frozenset({"worry", "worries", "rush", "mind", "sure", "hesitate"})
QUESTION_OPENERS = _word_set(
    "what when where which who how is are do does can could will would should may"
)
POSITIVE_EMOJI = frozenset("😊🙂😀😃😄😁😍🥰😘👍👏🙏❤💯🎉✨💕☺")
NEGATIVE_EMOJI = frozenset("😡😠🤬😤😞😟😢😭😩😫👎💔🙄😒😕😣😖")
# Simplified Chinese: textblob only reads English, so Chinese text is scored on cues alone.
# 问题 is left out on purpose: it means both "problem" and "question".
ZH_COMPLAINT = (
    "退款", "还没", "没收到", "未收到", "投诉", "差", "不好", "慢", "失望", "垃圾", "坏了",
    "不能用", "没人", "等了", "还在等", "延误", "被取消", "丢失", "丢了", "故障", "出问题",
    "骗", "退货", "生气", "糟糕", "催",
)  # fmt: skip
ZH_PRAISE = (
    "谢谢", "感谢", "很好", "满意", "不错", "好评", "棒", "赞", "解决了", "喜欢", "给力",
    "辛苦了",
)  # fmt: skip
# A negator right before a cue: "不满意" is a complaint, "没有退款" still is, "没坏" is not.
ZH_NEGATORS = ("不", "没", "没有", "别", "不太", "不够", "不是", "不是很", "不太很")
ZH_TOPICS = ("退款", "投诉")  # complaints even when negated: "没有退款" is no refund yet
ZH_NOT_CUES = ("差不多", "差点", "出差")  # "almost", "nearly", "business trip"
ZH_QUESTION_CUES = ("吗", "请问", "？", "?")

CUE_WEIGHT = 0.4  # one cue moves the score about as far as one mild textblob opinion word
QUESTION_DAMPING = 0.5  # a plain question is usually a request for information
EMPHASIS_BOOST = 1.25  # "!!!" amplifies whatever the message says, as pattern's "!" does
CUE_THRESHOLD = 0.1  # nearer 0 than this is faint lexicon noise, not an opinion


def _is_cjk(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def _zh_cues(text: str) -> tuple[int, int, bool]:
    """Count Chinese complaint and praise cues; a negated praise cue is a complaint."""
    for phrase in ZH_NOT_CUES:
        text = text.replace(phrase, " ")
    complaints = praise = 0
    for cues, is_praise in ((ZH_COMPLAINT, False), (ZH_PRAISE, True)):
        for cue in cues:
            start = text.find(cue)
            while start != -1:
                negated = text[:start].endswith(ZH_NEGATORS)
                if is_praise and negated:
                    complaints += 1  # "不满意"
                elif is_praise:
                    praise += 1
                elif not negated or cue in ZH_TOPICS:
                    complaints += 1
                start = text.find(cue, start + len(cue))
    question = any(cue in text for cue in ZH_QUESTION_CUES)
    return complaints, praise, question


class CueAnalyzer:
    """textblob's polarity plus customer-service cues; the default, needs no training data."""

    name = "cue"
    threshold = CUE_THRESHOLD

    def __init__(self) -> None:
        self._lexicon = _textblob_lexicon()

    def score_many(self, texts: Sequence[str]) -> list[SentimentScore]:
        """Score each text; the lexicon is loaded once per process."""
        return [self._score(text or "") for text in texts]

    def _score(self, text: str) -> SentimentScore:
        tokens = _tokens(text)
        polarity = self._lexicon.polarity(tokens)
        complaints, praise, courtesy = self._word_cues(tokens)
        complaints += sum(ch in NEGATIVE_EMOJI for ch in text)
        praise += sum(ch in POSITIVE_EMOJI for ch in text)
        question = bool(tokens) and (tokens[-1] == "?" or tokens[0] in QUESTION_OPENERS)
        if "???" in text or "?!" in text:
            complaints += 1  # repeated or exasperated questions are frustration
        if _is_cjk(text):
            zh_complaints, zh_praise, zh_question = _zh_cues(text)
            complaints += zh_complaints
            praise += zh_praise
            question = question or zh_question
        if complaints:
            praise -= courtesy  # "thanks, still waiting" is a polite complaint
        raw = polarity + CUE_WEIGHT * (praise - complaints)
        if question and not complaints:
            raw *= QUESTION_DAMPING
        if "!!!" in text:
            raw *= EMPHASIS_BOOST
        score = _clamp(raw)
        return SentimentScore(score, _label_for(score, threshold=self.threshold))

    def _word_cues(self, tokens: Sequence[str]) -> tuple[int, int, int]:
        """Count complaint, praise and courtesy words; a negation flips or cancels them.

        "not helpful" is a complaint; "not late" or "no problem" is simply not a complaint;
        a negated action ("doesn't work", "no reply") is a complaint.
        """
        words = self._lexicon.words
        complaints = praise = courtesy = 0
        negated_until = -1  # index up to which a negation applies
        for index, w in enumerate(tokens):
            negated = index <= negated_until
            if w in _NEGATIONS:
                if w in COMPLAINT_WORDS and not negated:
                    complaints += 1  # "nobody", "nothing" are complaints themselves
                negated_until = index + 2
                continue
            if w in COMPLAINT_WORDS:
                if not negated:
                    complaints += 1
                negated_until = -1
            elif w in PRAISE_WORDS:
                if negated:
                    complaints += 1
                else:
                    praise += 1
                    courtesy += w in COURTESY_WORDS
                negated_until = -1
            elif negated and index == negated_until - 1 and w.isalpha() and w not in words:
                if w not in NOT_COMPLAINTS:
                    complaints += 1  # a negated action: "don't work", "not received"
                negated_until = -1
        return complaints, praise, courtesy
