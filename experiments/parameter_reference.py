"""The parameter reference (``docs/parameters.md``), generated from the declarations."""

from __future__ import annotations

from cohesim.model.parameters import ParameterInfo, Parameters, format_number, parameter_table

HEADER = """\
# Parameter reference

Generated from the declarations in `model/parameters/` by `cohesim docs parameters`; do not
edit by hand (a test checks that this page matches the code). Each parameter is set in a scenario
file under its table (`[game]`, `[services.domains.health]`...) or on the command line with
`--set PATH=VALUE`. ★ marks a policy lever. Cost and synergy values are assumptions awaiting
calibration.
"""


def _default(info: ParameterInfo) -> str:
    value = info.default
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, int | float):
        return format_number(value)
    return str(value)


def _range(info: ParameterInfo) -> str:
    if info.choices:
        return " / ".join(f"`{c}`" for c in info.choices)
    if info.minimum is None and info.maximum is None:
        return ""
    lo = "" if info.minimum is None else format_number(info.minimum)
    hi = "" if info.maximum is None else format_number(info.maximum)
    return f"{lo} – {hi}"


def markdown_reference() -> str:
    """The whole reference page as Markdown, one table per scenario-file table."""
    lines = [HEADER]
    current = None
    for info in parameter_table():
        group = info.path.rsplit(".", 1)[0]
        if group != current:
            current = group
            described = Parameters.model_fields.get(group)
            title = f"`[{group}]`" + (f": {described.description}" if described else "")
            lines += ["", f"## {title}", ""]
            lines += [
                "| key | symbol | default | range | unit | meaning |",
                "|---|---|---|---|---|---|",
            ]
        key = info.path.rsplit(".", 1)[1]
        star = " ★" if info.lever else ""
        lines.append(
            f"| `{key}`{star} | {info.symbol} | {_default(info)} | {_range(info)} | {info.unit} "
            f"| {info.meaning} |"
        )
    return "\n".join(lines) + "\n"
