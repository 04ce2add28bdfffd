"""The outcome table of ``docs/model.md``, generated from the declarations in ``model/outcomes.py``.

The table sits between two marker comments in that page; :func:`update_page` rewrites it there
and a test checks that the page matches the code.
"""

from __future__ import annotations

from cohesim.model.outcomes import OUTCOMES

BEGIN = "<!-- outcome table: generated from model/outcomes.py by `cohesim docs outcomes` -->"
END = "<!-- end of the outcome table -->"

_BETTER = {"higher": "higher", "lower": "lower", None: "—"}


def outcome_table() -> str:
    """The outcome table in Markdown, one row per declared outcome."""
    rows = [
        "| column | unit | better | reported | meaning | en / fr |",
        "|---|---|---|---|---|---|",
    ]
    for o in OUTCOMES.values():
        name = "`" + o.name.replace("{domain}", "<domain>").replace("{kind}", "<kind>") + "`"
        if o.derived:
            name += " (derived)"
        labels = f"{o.en} / {o.fr}".replace("{domain}", "…").replace("{kind}", "…")
        rows.append(
            f"| {name} | {o.unit} | {_BETTER[o.better]} | {o.reported} | {o.meaning} | {labels} |"
        )
    return "\n".join(rows) + "\n"


def update_page(text: str) -> str:
    """``text`` (docs/model.md) with the table between the markers regenerated."""
    if BEGIN not in text or END not in text:
        raise ValueError(f"the page has no outcome table markers ({BEGIN!r} ... {END!r})")
    before, rest = text.split(BEGIN, 1)
    _, after = rest.split(END, 1)
    return f"{before}{BEGIN}\n{outcome_table()}{END}{after}"
