"""Reading results: comparisons, sensitivity, scenario discovery, inventory tables, reports.

The Python API for notebooks::

    from cohesim.analysis import run_comparison, comparison_table, comparison_report
    comparison = run_comparison(["scenarios/baseline.toml", "scenarios/matching_fund.toml"],
                                replicates=10)
    comparison_table(comparison)          # one row per scenario × metric
    comparison_report(comparison, "fr").write("results/report-fr")

    from cohesim.analysis import read_sweep, sobol_indices, point_means, prim
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

# Imported on first use (PEP 562), as in cohesim.model: `cohesim run` draws its figures with
# `cohesim.analysis.plots` and needs none of scipy.stats, SALib or the reports that these names
# bring. Name → module of this package that defines it.
_EXPORTS = {
    "Comparison": "comparison",
    "comparison_table": "comparison",
    "read_comparison": "comparison",
    "replicate_seeds": "comparison",
    "replicate_values": "comparison",
    "run_comparison": "comparison",
    "window_values": "comparison",
    "inventory_counts": "inventory",
    "member_mix": "inventory",
    "structure_table": "inventory",
    "survival_after_grants": "inventory",
    "survival_curves": "inventory",
    "write_tables": "inventory",
    "PrimResult": "prim",
    "Target": "prim",
    "parse_target": "prim",
    "prim": "prim",
    "Report": "report",
    "comparison_report": "report",
    "experiment_from_manifest": "sensitivity",
    "main_effects": "sensitivity",
    "morris_indices": "sensitivity",
    "point_means": "sensitivity",
    "read_sweep": "sensitivity",
    "sobol_indices": "sensitivity",
    "PairedDifference": "statistics",
    "fieller_ratio_ci": "statistics",
    "mean_ci": "statistics",
    "paired_difference": "statistics",
    "kaplan_meier": "survival",
    "structure_lifetimes": "survival",
    "sweep_report": "sweep_report",
}

if TYPE_CHECKING:
    from .comparison import (
        Comparison,
        comparison_table,
        read_comparison,
        replicate_seeds,
        replicate_values,
        run_comparison,
        window_values,
    )
    from .inventory import (
        inventory_counts,
        member_mix,
        structure_table,
        survival_after_grants,
        survival_curves,
        write_tables,
    )
    from .prim import PrimResult, Target, parse_target, prim
    from .report import Report, comparison_report
    from .sensitivity import (
        experiment_from_manifest,
        main_effects,
        morris_indices,
        point_means,
        read_sweep,
        sobol_indices,
    )
    from .statistics import PairedDifference, fieller_ratio_ci, mean_ci, paired_difference
    from .survival import kaplan_meier, structure_lifetimes
    from .sweep_report import sweep_report


def __getattr__(name: str):
    """Import the module that defines ``name`` when it is first asked for."""
    if name not in _EXPORTS:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{_EXPORTS[name]}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_EXPORTS})


__all__ = [
    "Comparison",
    "PairedDifference",
    "PrimResult",
    "Report",
    "Target",
    "comparison_report",
    "comparison_table",
    "experiment_from_manifest",
    "fieller_ratio_ci",
    "inventory_counts",
    "kaplan_meier",
    "main_effects",
    "mean_ci",
    "member_mix",
    "morris_indices",
    "paired_difference",
    "parse_target",
    "point_means",
    "prim",
    "read_comparison",
    "read_sweep",
    "replicate_seeds",
    "replicate_values",
    "run_comparison",
    "sobol_indices",
    "structure_lifetimes",
    "structure_table",
    "survival_after_grants",
    "survival_curves",
    "sweep_report",
    "window_values",
    "write_tables",
]
