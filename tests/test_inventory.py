"""Inventory tables: counts by kind and member mix, survival, survival after grants end."""

import numpy as np
import pandas as pd
import pytest

from cohesim.analysis.inventory import (
    inventory_counts,
    member_mix,
    structure_table,
    survival_after_grants,
    survival_curves,
    write_tables,
)


def inventory(rows):
    """A hand-made inventory: (kind, member kinds, formed, dissolved or None, funding)."""
    return pd.DataFrame(
        {
            "structure_id": range(len(rows)),
            "kind": pd.Categorical([r[0] for r in rows]),
            "members": [list(range(len(r[1]))) for r in rows],
            "member_kinds": [r[1] for r in rows],
            "year_formed": [r[2] for r in rows],
            "year_dissolved": pd.array([r[3] for r in rows], dtype="Int64"),
            "funding_received": [r[4] for r in rows],
        }
    )


# ages at end year 10: 1, 2, 2 (censored), 3, 4 (censored), 5: the hand example of test_survival
HAND = inventory(
    [
        ("entente", ["urban", "rural"], 0, 1, 100.0),
        ("entente", ["rural", "periurban"], 2, 4, 0.0),
        ("contrat", ["metropole", "urban"], 8, None, 50.0),
        ("contrat", ["rural", "rural"], 1, 4, 10.0),
        ("syndicat", ["metropole", "rural"], 6, None, 0.0),
        ("entente", ["urban", "periurban"], 5, 10, 20.0),
    ]
)


def test_member_mix_classes():
    assert member_mix(["metropole", "urban"]) == "urban only"
    assert member_mix(["urban", "rural"]) == "urban–rural mix"
    assert member_mix(["periurban"]) == "rural and periurban only"


def test_structure_table_ages_and_composition():
    table = structure_table(HAND, end_year=10)
    assert list(table["duration"]) == [1, 2, 2, 3, 4, 5]
    assert list(table["ended"]) == [True, True, False, True, False, True]
    assert table["composition"].iloc[0] == "rural+urban"
    assert list(table["funded"]) == [True, False, True, True, False, True]


def test_counts_by_kind_average_over_runs():
    counts = inventory_counts({"s": [(HAND, 10), (HAND.iloc[:2], 10)]}, by="kind")
    entente = counts[counts["kind"] == "entente"].iloc[0]
    assert entente["formed"] == pytest.approx((3 + 2) / 2)
    assert entente["dissolved"] == pytest.approx((3 + 2) / 2)
    assert entente["funding_per_run"] == pytest.approx((120 + 100) / 2)
    mix = inventory_counts({"s": [(HAND, 10)]}, by="mix").set_index("mix")["formed"]
    assert mix.to_dict() == {"rural and periurban only": 2, "urban only": 1, "urban–rural mix": 3}


def test_survival_curve_is_the_hand_computed_kaplan_meier():
    curve = survival_curves({"s": [(HAND, 10)]})
    assert list(curve["time"]) == [0, 1, 2, 3, 5]
    np.testing.assert_allclose(curve["survival"], [1, 5 / 6, 4 / 6, 4 / 9, 0])
    late = survival_curves({"s": [(HAND, 10)]}, formed_from=5)  # three structures
    assert late["structures"].iloc[0] == 3


def test_survival_after_grants_starts_when_grants_end():
    # funded: ages 1 (ended), 2 (censored), 3 (ended), 5 (ended); grants last 2 years →
    # followed: 0 (censored), 1 (ended), 3 (ended)
    curve = survival_after_grants({"s": [(HAND, 10)], "none": [(HAND, 10)]}, {"s": 2})
    assert set(curve["label"]) == {"s"}
    assert list(curve["time"]) == [0, 1, 3]
    np.testing.assert_allclose(curve["survival"], [1, 1 / 2, 0])


def test_tables_export_to_csv_and_parquet(tmp_path):
    paths = write_tables({"counts": inventory_counts({"s": [(HAND, 10)]})}, tmp_path)
    assert sorted(p.name for p in paths) == ["counts.csv", "counts.parquet"]
    assert pd.read_parquet(tmp_path / "counts.parquet").equals(pd.read_csv(tmp_path / "counts.csv"))
