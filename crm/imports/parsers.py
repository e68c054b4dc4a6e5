"""Single values as spreadsheets spell them, normalised: names, emails, phones, ids, dates, money.

Each parser takes one cell's text and returns the value, or raises CleaningError saying why
the text is not one.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

import phonenumbers

from crm.errors import CleaningError

SPACE = re.compile(r"[\s\u200b\ufeff]+")
CJK = re.compile(r"[\u1100-\u11ff\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff\U00020000-\U0003ffff]")
_WORD_START = re.compile(r"(^|[\s\-'’‘(./])(\w)")
_ROMAN_NUMERALS = re.compile(r"\b(?:ii|iii|iv)\b", re.IGNORECASE)
EMAIL_WRAPPED = re.compile(r"^.*<([^<>]*)>$")
MAILTO = re.compile(r"^mailto:", re.IGNORECASE)
EMAIL_ADDRESS = re.compile(r"[^@\s<>]+@[^@\s.<>]+(?:\.[^@\s.<>]+)+")
_TEL = re.compile(r"^tel:\s*", re.IGNORECASE)
_TELEGRAM_ID = re.compile(r"(\d{1,18})(?:\.0+)?")
_TAG_SEPARATORS = re.compile(r"[,;|，；、｜]")
LANGUAGE_CODE = re.compile(r"[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{2,8})*")
_SHOWN_CHARS = 60


def show(value: str) -> str:
    """Quote a value for a message, shortened to 60 characters."""
    if len(value) > _SHOWN_CHARS:
        value = value[: _SHOWN_CHARS - 1] + "…"
    return f'"{value}"'


def normalise_whitespace(raw: str) -> str:
    """Trim a value and collapse every run of whitespace inside it to one space."""
    return SPACE.sub(" ", raw.replace("\x00", "")).strip()


def normalise_name(raw: str) -> str:
    """Title-case a person's name typed in all capitals or all lower case; keep others as typed."""
    text = normalise_whitespace(raw)
    if CJK.search(text) or not (text.isupper() or text.islower()):
        return text
    titled = _WORD_START.sub(lambda m: m.group(1) + m.group(2).upper(), text.lower())
    return _ROMAN_NUMERALS.sub(lambda m: m.group(0).upper(), titled)


def normalise_email(raw: str) -> str:
    """Lower-case an email address, unwrapping <...> and mailto:; refuse an invalid one."""
    text = normalise_whitespace(raw)
    address = MAILTO.sub("", EMAIL_WRAPPED.sub(r"\1", text)).strip().lower()
    if not EMAIL_ADDRESS.fullmatch(address):
        raise CleaningError(email_error(text))
    return address


def email_error(text: str) -> str:
    """Say that a text is not an email address."""
    return f"{show(text)} is not a valid email address"


def normalise_phone(raw: str, *, default_country: str = "US") -> str:
    """Return a phone number in E.164, reading numbers without a country code as local."""
    region = phone_region(default_country)
    text = normalise_whitespace(_TEL.sub("", raw.strip()))
    dialled = "+" + text[2:] if text.startswith("00") else text  # 00 = international prefix
    try:
        number = phonenumbers.parse(dialled, region)
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_valid_number(number):
        hint = "" if dialled.startswith(("+", "＋")) else f" (read as a {region} number)"
        raise CleaningError(f"{show(text)} is not a valid phone number{hint}")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def phone_region(country: str) -> str:
    """Return a two-letter country code as phonenumbers' region; refuse an unknown one."""
    region = country.strip().upper()
    if region not in phonenumbers.SUPPORTED_REGIONS:
        raise CleaningError(f"{show(country)} is not a known two-letter country code")
    return region


def parse_telegram_id(raw: str) -> int:
    """Return a Telegram user id written as digits; refuse anything else."""
    text = normalise_whitespace(raw)
    match = _TELEGRAM_ID.fullmatch(text)
    if match and int(match.group(1)) > 0:
        return int(match.group(1))
    if text.startswith("@"):
        raise CleaningError(f"{show(text)} is a Telegram username, not a numeric id")
    raise CleaningError(f"{show(text)} is not a numeric Telegram id")


_TELEGRAM_LINK = re.compile(r"^(?:https?://)?t(?:elegram)?\.me/", re.IGNORECASE)
_TELEGRAM_USERNAME = re.compile(r"[A-Za-z0-9_]{3,32}")


def parse_telegram_username(raw: str) -> str:
    """Return a Telegram username without its @ (or t.me/ link); refuse anything else."""
    text = normalise_whitespace(raw)
    name = _TELEGRAM_LINK.sub("", text).removeprefix("@")
    if not _TELEGRAM_USERNAME.fullmatch(name):
        raise CleaningError(f"{show(text)} is not a Telegram username")
    return name


_YES = frozenset({"true", "yes", "y", "1", "on", "是"})
_NO = frozenset({"false", "no", "n", "0", "off", "否"})


def parse_flag(raw: str) -> bool:
    """Read yes/no, true/false or 1/0 (any case) as a bool; refuse anything else."""
    text = normalise_whitespace(raw)
    if text.casefold() in _YES:
        return True
    if text.casefold() in _NO:
        return False
    raise CleaningError(f"{show(text)} is not yes or no")


_MONTHS = {
    name: number
    for number, names in enumerate(
        [
            "jan january",
            "feb february",
            "mar march",
            "apr april",
            "may",
            "jun june",
            "jul july",
            "aug august",
            "sep sept september",
            "oct october",
            "nov november",
            "dec december",
        ],
        start=1,
    )
    for name in names.split()
}
# An optional time after the date ("T14:30:00Z", " 2:30 PM", ", 14:30"), which is ignored.
_TIME = (
    r"(?:(?:[T\s]+|\s*,\s*)\d{1,2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?"
    r"\s*(?:[AaPp]\.?[Mm]\.?)?\s*(?:Z|UTC|GMT|[+-]\d{2}:?\d{2})?)?"
)
_WEEKDAY = re.compile(r"^(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?,?\s+", re.IGNORECASE)
_DATE_FORMATS = [
    re.compile(rf"(?P<y>\d{{4}})[-/.](?P<m>\d{{1,2}})[-/.](?P<d>\d{{1,2}}){_TIME}"),
    re.compile(rf"(?P<y>\d{{4}})\s*年\s*(?P<m>\d{{1,2}})\s*月\s*(?P<d>\d{{1,2}})\s*[日号]?{_TIME}"),
    re.compile(r"(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})"),
    re.compile(rf"(?P<d>\d{{1,2}})\.\s?(?P<m>\d{{1,2}})\.\s?(?P<y>\d{{4}}|\d{{2}}){_TIME}"),
    re.compile(rf"(?P<a>\d{{1,2}})[/-](?P<b>\d{{1,2}})[/-](?P<y>\d{{4}}|\d{{2}}){_TIME}"),
    re.compile(
        rf"(?P<d>\d{{1,2}})(?:st|nd|rd|th)?[\s\-/.]*(?P<mon>[A-Za-z]{{3,9}})\.?,?[\s\-/.]*"
        rf"(?P<y>\d{{4}}|\d{{2}}){_TIME}"
    ),
    re.compile(
        rf"(?P<mon>[A-Za-z]{{3,9}})\.?[\s\-/.]*(?P<d>\d{{1,2}})(?:st|nd|rd|th)?,?[\s\-/.]*"
        rf"(?P<y>\d{{4}}){_TIME}"
    ),
    re.compile(r"(?P<serial>\d{5})(?:\.\d+)?"),
]
_EXCEL_EPOCH = date(1899, 12, 30)


def parse_date(raw: str, *, dayfirst: bool = False) -> date:
    """Parse a date in a common spreadsheet format; refuse impossible or unknown dates."""
    text = normalise_whitespace(raw)
    bare = _WEEKDAY.sub("", text)
    for pattern in _DATE_FORMATS:
        match = pattern.fullmatch(bare)
        if match:
            return _date_from(match.groupdict(), text=text, dayfirst=dayfirst)
    raise CleaningError(f"{show(text)} is not a recognised date")


def _date_from(parts: dict[str, str | None], *, text: str, dayfirst: bool) -> date:
    if parts.get("serial"):
        # Excel counts days from 1899-12-30 (it believes 1900 was a leap year).
        value = _EXCEL_EPOCH + timedelta(days=int(parts["serial"] or 0))
        return _checked_year(value, text=text)
    hint = ""
    if parts.get("a"):
        first, second = int(parts["a"] or 0), int(parts["b"] or 0)
        day, month = (first, second) if dayfirst else (second, first)
        if not dayfirst and first > 12 >= second:
            hint = "; is the file day-first?"
    else:
        day = int(parts["d"] or 0)
        month_name = (parts.get("mon") or "").lower()
        month = _MONTHS.get(month_name, 0) if month_name else int(parts["m"] or 0)
        if month_name and not month:
            raise CleaningError(f"{show(text)} is not a recognised date")
    year = int(parts["y"] or 0)
    if len(parts["y"] or "") == 2:
        year += 2000 if year < 70 else 1900
    try:
        value = date(year, month, day)
    except ValueError as exc:
        raise CleaningError(f"{show(text)} is not a valid date ({exc}{hint})") from None
    return _checked_year(value, text=text)


def _checked_year(value: date, *, text: str) -> date:
    if not 1900 <= value.year <= 2100:
        raise CleaningError(f"{show(text)} is not a valid date (year {value.year} is out of range)")
    return value


_CURRENCY = r"(?:[A-Za-z]{3}|[A-Za-z]{0,2}\$|[€£¥￥₹₽₩₺₴₪₫฿¢]|元|円|руб\.?|zł|kr\.?)"
_AMOUNT = re.compile(
    rf"(?P<sign>[-−+])?\s*(?:{_CURRENCY}\s*)?(?P<sign2>[-−+])?\s*"
    r"(?P<number>\d[\d.,'’\s]*\d|\d|[.,]\d+)"
    rf"\s*(?:{_CURRENCY})?\s*(?P<trail>[-−])?"
)
_GROUP_SPACES = re.compile(r"[\s'’]")
CENT = Decimal("0.01")


def parse_amount(raw: str) -> Decimal:
    """Parse a money amount with any decimal and thousands separators into a 2-place Decimal."""
    text = normalise_whitespace(raw)
    inner = text
    negative = inner.startswith("(") and inner.endswith(")")
    if negative:
        inner = inner[1:-1].strip()
    match = _AMOUNT.fullmatch(inner)
    value = _decimal_from(match.group("number")) if match else None
    if match is None or value is None:
        raise CleaningError(f"{show(text)} is not a valid amount")
    signs = [sign for sign in match.group("sign", "sign2", "trail") if sign]
    if len(signs) > 1 or (signs and negative):
        raise CleaningError(f"{show(text)} is not a valid amount")
    if signs and signs[0] in "-−":
        negative = True
    if negative:
        value = -value
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def _decimal_from(number: str) -> Decimal | None:
    compact = _GROUP_SPACES.sub("", number)
    commas, dots = compact.count(","), compact.count(".")
    if commas and dots:
        decimal_mark = "," if compact.rfind(",") > compact.rfind(".") else "."
    elif commas or dots:
        mark = "," if commas else "."
        head, _, tail = compact.rpartition(mark)
        # One mark followed by exactly three digits groups thousands ("1,234"), except "0,125".
        is_grouping = (commas or dots) > 1 or (len(tail) == 3 and head.strip("0") != "")
        decimal_mark = "" if is_grouping else mark
    else:
        decimal_mark = ""
    if decimal_mark and number.count(decimal_mark) > 1:
        return None
    whole, _, fraction = number.rpartition(decimal_mark) if decimal_mark else (number, "", "")
    groups = re.split(r"[\s'’.,]+", whole) if whole else [""]
    if len(groups) > 1 and not (
        1 <= len(groups[0]) <= 3
        and all(len(group) in (2, 3) for group in groups[1:-1])
        and len(groups[-1]) == 3
    ):
        return None
    digits = "".join(groups) or "0"
    if not (digits.isdigit() and (fraction == "" or fraction.isdigit())):
        return None
    try:
        return Decimal(f"{digits}.{fraction or '0'}")
    except InvalidOperation:
        return None


def parse_tags(raw: str) -> list[str]:
    """Split tags on , ; or | into a sorted list without duplicates (ignoring case)."""
    return unique_tags(_TAG_SEPARATORS.split(raw))


def unique_tags(tags: Iterable[str]) -> list[str]:
    """Return tags trimmed, without blanks or duplicates (ignoring case), sorted."""
    kept: dict[str, str] = {}
    for tag in tags:
        text = normalise_whitespace(tag)
        if text:
            kept.setdefault(text.casefold(), text)
    return sorted(kept.values(), key=lambda tag: (tag.casefold(), tag))


def parse_price(raw: str) -> Decimal:
    """Parse a catalogue price: an amount that is not negative."""
    value = parse_amount(raw)
    if value < 0:
        raise CleaningError(f"{show(normalise_whitespace(raw))} is negative")
    return value


def parse_quantity(raw: str) -> int:
    """Parse a quantity: a positive whole number."""
    try:
        value = parse_amount(raw)
    except CleaningError:
        value = None
    if value is None or value <= 0 or value != value.to_integral_value():
        raise CleaningError(f"{show(normalise_whitespace(raw))} is not a positive whole number")
    return int(value)
