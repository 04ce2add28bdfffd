"""How reports write numbers, money and units, in English and French: one place for all of it.

Readers of the reports are not programmers: no exponent (2.93e-05 is written 0.0000293), no
NaN (a dash, explained beside it, or "not computable" in a sentence), money in k€ / M€ / bn€
(6,333,583 € is 6.3 M€), shares as percentages. French follows its typography (Lexique des
règles typographiques en usage à l'Imprimerie nationale): decimal comma, a narrow no-break space
(U+202F) between thousands and before ; ? ! and %, a no-break space (U+00A0) before : and
between a number and its unit, and inside « guillemets ».

Units are those the outcomes declare (:attr:`cohesim.model.outcomes.Outcome.unit`).

>>> number(2.93e-05), money(6_333_583, "fr").replace(NBSP, " ")
('0.0000293', '6,3 M€')
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable

NBSP = "\u00a0"
"""No-break space: before a colon and between a number and its unit."""
NNBSP = "\u202f"
"""Narrow no-break space: French thousands separator, and before ; ? ! and %."""
NOT_COMPUTABLE = {"en": "not computable", "fr": "non calculable"}
"""What a sentence says where a table shows a dash (a value that has no meaning here)."""
UNBOUNDED = {"en": "unbounded", "fr": "sans borne"}
"""An interval with no finite bound (a ratio whose denominator may be zero)."""
DASH = "–"
"""What a table shows for a value that cannot be computed (explained beside the table)."""

_MONEY_SCALES = ((1e9, ("bn€", "Md€")), (1e6, ("M€", "M€")), (1e3, ("k€", "k€")))
# Unit words after a number, singular and plural, per language; "" for a bare number.
_UNIT_WORDS: dict[str, tuple[tuple[str, str], tuple[str, str]]] = {
    "index": (("point", "points"), ("point", "points")),
    "|ln ratio|": (("log point", "log points"), ("point de log", "points de log")),
    "structures": (("structure", "structures"), ("structure", "structures")),
    "structures/yr": (("structure a year", "structures a year"), ("structure par an",) * 2),
    "territories": (("territory", "territories"), ("territoire", "territoires")),
    "years": (("year", "years"), ("an", "ans")),
    "yr": (("year", "years"), ("an", "ans")),
    "steps": (("step", "steps"), ("pas", "pas")),
    "FTE": (("FTE", "FTE"), ("ETP", "ETP")),
    "1/yr": (("a year",) * 2, ("par an",) * 2),
    "km": (("km",) * 2, ("km",) * 2),
}
_PER = {"€/yr": ("/yr", "/an"), "€/inh./yr": ("/inhabitant/yr", "/habitant/an")}


def _lang(lang: str) -> int:
    if lang not in ("en", "fr"):
        raise ValueError(f"language {lang!r} is not one of en, fr")
    return 0 if lang == "en" else 1


def number(x: float | None, lang: str = "en", digits: int = 3) -> str:
    """A number for readers: ``digits`` significant digits, never an exponent, NaN as a dash.

    Whole thousands are grouped (comma in English, narrow no-break space in French); values
    smaller than 10⁻⁹ in size are 0 (they are rounding noise in these models).

    Examples
    --------
    >>> number(1234567.8), number(0.012345), number(0.5, "fr"), number(-2.0), number(2.93e-05)
    ('1,234,568', '0.0123', '0,5', '−2', '0.0000293')
    >>> number(1234567.8, "fr") == "1\u202f234\u202f568", number(float("nan"))
    (True, '–')
    """
    i = _lang(lang)
    if x is None or math.isnan(x):
        return DASH
    if math.isinf(x):
        return "∞" if x > 0 else "−∞"
    if abs(x) < 1e-9:
        return "0"
    if abs(x) >= 1000:
        text = f"{x:,.0f}"
    else:
        decimals = max(0, digits - 1 - math.floor(math.log10(abs(x))))
        text = f"{x:.{decimals}f}"
        if "." in text:
            text = text.rstrip("0").rstrip(".")
    if i == 1:
        text = text.replace(",", NNBSP).replace(".", ",")
    return "0" if text in ("-0", "-0,0") else text.replace("-", "−")


def signed(x: float, lang: str = "en", digits: int = 3) -> str:
    """A number with its sign always shown (+0.013, −0.013, 0): for differences."""
    text = number(x, lang, digits)
    return text if text.startswith(("−", DASH, "0")) or x < 0 else "+" + text


def money(x: float, lang: str = "en") -> str:
    """An amount in euros, scaled to k€, M€ or bn€ (Md€ in French), one decimal at most.

    >>> [money(x).replace(NBSP, " ") for x in (6_333_583, -12_345.0, 850.0, 0.0)]
    ['6.3 M€', '−12.3 k€', '850 €', '0 €']
    >>> money(2.5e9, "fr").replace(NBSP, " ")
    '2,5 Md€'
    """
    i = _lang(lang)
    if math.isnan(x) or math.isinf(x):
        return number(x, lang) + (f"{NBSP}€" if math.isinf(x) else "")
    for scale, units in _MONEY_SCALES:
        if abs(x) >= scale * 0.9995:
            scaled = x / scale
            shown = number(round(scaled, 1) if abs(scaled) < 100 else round(scaled), lang, 4)
            return f"{shown}{NBSP}{units[i]}"
    return f"{number(x, lang)}{NBSP}€"


def _plural(x: float, lang: str) -> bool:
    # French: below 2 in size is singular ("1,5 point"); English: anything but exactly 1
    return bool(abs(x) >= 2 if lang == "fr" else abs(x) != 1)


def value_text(x: float, unit: str, lang: str = "en") -> str:
    """A value as a table cell or an axis tick shows it: % for shares, € amounts scaled.

    Counts, indices and ratios stay bare numbers there (the column or axis names the unit).

    >>> [value_text(x, u, "fr").replace(NBSP, " ") for x, u in ((0.172, "share"), (198.4, "€"))]
    ['17,2 %', '198 €']
    """
    if unit == "share":
        return DASH if math.isnan(x) else f"{number(100 * x, lang)}{NBSP}%"
    if unit.startswith("€"):
        return money(x, lang)
    return number(x, lang)


def amount(
    x: float,
    unit: str,
    lang: str = "en",
    difference: bool = False,
    digits: int = 3,
    words: bool = True,
) -> str:
    """A value or a difference with its unit in words, for sentences.

    A difference of shares is in percentage points; a difference of an index in points of
    that index. ``x`` is shown as given (pass ``abs(x)`` for "lowers ... by"). With
    ``words=False`` the unit word is left out (the first bound of "from 2 to 3 points"); money
    keeps its unit.

    >>> amount(0.014, "share", "en", difference=True).replace(NBSP, " ")
    '1.4 percentage points'
    >>> amount(0.013, "index", "fr", difference=True).replace(NBSP, " ")
    '0,013 point'
    >>> amount(0.0142, "share", "fr", difference=True, digits=2, words=False)
    '1,4'
    >>> amount(float("nan"), "€", "fr")
    'non calculable'
    """
    i = _lang(lang)
    if math.isnan(x):
        return NOT_COMPUTABLE[lang]
    if unit.startswith("€"):
        return money(x, lang) + _PER.get(unit, ("", ""))[i]
    if unit == "share" and not difference:
        return f"{number(100 * x, lang, digits)}{NBSP}%"
    shown = 100 * x if unit == "share" else x
    text = number(shown, lang, digits)
    if not words:
        return text
    if unit == "share":
        units = (
            ("percentage point", "percentage points"),
            ("point de pourcentage", "points de pourcentage"),
        )[i]
    elif unit in _UNIT_WORDS and (difference or unit not in ("index", "|ln ratio|")):
        units = _UNIT_WORDS[unit][i]
    else:
        return text
    return f"{text}{NBSP}{units[int(_plural(shown, lang))]}"


def difference_text(x: float, unit: str, lang: str = "en") -> str:
    """A difference as a table cell shows it: signed; shares in percentage points (pp / pt).

    >>> [difference_text(x, u).replace(NBSP, " ") for x, u in ((0.014, "share"), (-2e6, "€"))]
    ['+1.4 pp', '−2 M€']
    """
    i = _lang(lang)
    if math.isnan(x):
        return DASH
    if unit == "share":
        return f"{signed(100 * x, lang)}{NBSP}{('pp', 'pt')[i]}"
    if unit.startswith("€"):
        text = money(x, lang)
        return text if x <= 0 or math.isinf(x) else "+" + text
    return signed(x, lang)


def interval(
    low: float, high: float, lang: str, shown: Callable[[float], str] | None = None
) -> str:
    """A confidence interval in words ("0.1 to 0.2", "de 0,1 à 0,2"); a dash if not computable.

    ``shown`` formats each bound (:func:`number` in ``lang`` by default).

    >>> interval(0.1, 0.25, "fr"), interval(float("nan"), 1.0, "en"), interval(1, math.inf, "en")
    ('de 0,1 à 0,25', '–', 'unbounded')
    """
    if math.isnan(low) or math.isnan(high):
        return DASH
    if math.isinf(low) or math.isinf(high):
        return UNBOUNDED[lang]
    fmt = shown or (lambda v: number(v, lang))
    lo, hi = fmt(low), fmt(high)
    return f"{lo} to {hi}" if _lang(lang) == 0 else f"de {lo} à {hi}"


_BEFORE_COLON = re.compile(r"[ \u00a0\u202f]*:(?=\s|$|<)")
_BEFORE_MARK = re.compile(r"[ \u00a0\u202f]*([;?!])(?=\s|$|<|\))")
_UNIT_AFTER_NUMBER = re.compile(r"(?<=\d)[ \u00a0\u202f]*(%|€|k€|M€|Md€)(?!\w)")
_UNIT_AFTER_WORD = re.compile(r"(?<=[\w)])[ \u00a0\u202f]+(%|€|k€|M€|Md€)(?!\w)")
_GUILLEMETS = re.compile(r"«[ \u00a0\u202f]*(.*?)[ \u00a0\u202f]*»")


def french_typography(text: str) -> str:
    """Plain French text with the spaces its typography wants before : ; ? ! % € and in « ».

    >>> french_typography("Précautions : 12 % ; « Pacte » ?") == (
    ...     "Précautions\u00a0: 12\u202f%\u202f; «\u00a0Pacte\u00a0»\u202f?")
    True
    """
    text = _BEFORE_COLON.sub(NBSP + ":", text)
    text = _BEFORE_MARK.sub(NNBSP + r"\1", text)
    for pattern in (_UNIT_AFTER_NUMBER, _UNIT_AFTER_WORD):
        text = pattern.sub(lambda m: (NNBSP if m[1] == "%" else NBSP) + m[1], text)
    return _GUILLEMETS.sub(f"«{NBSP}\\1{NBSP}»", text)


def french_html(page: str) -> str:
    """:func:`french_typography` applied to the text of an HTML page.

    Not to tags, styles or character references (the ``;`` of ``&gt;`` is no semicolon).

    >>> french_html("<p>a &gt; b ; c</p>").replace(NNBSP, "_")
    '<p>a &gt; b_; c</p>'
    """
    parts = re.split(r"(<style>.*?</style>|<[^>]*>|&#?\w+;)", page, flags=re.S)
    return "".join(p if p.startswith(("<", "&")) else french_typography(p) for p in parts)
