"""Reading results: comparisons, sensitivity, scenario discovery, inventory tables, reports.

The Python API for notebooks::

    from cohesim.analysis import run_comparison, comparison_table, comparison_report
    comparison = run_comparison(["scenarios/baseline.toml", "scenarios/matching_fund.toml"],
                                replicates=10)
    comparison_table(comparison)          # one row per scenario × metric
    comparison_report(comparison, "fr").write("results/report-fr")

    from cohesim.analysis import read_sweep, sobol_indices, point_means, prim
"""

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
