"""Kaplan–Meier against a hand-computed example, and the stylised-facts page generator."""

import numpy as np
import pytest

from cohesim.analysis import stylised_facts
from cohesim.analysis.survival import kaplan_meier, median_lifetime, survival_at


def test_kaplan_meier_matches_a_hand_computed_example():
    # durations 1 2 2+ 3 4+ 5 (+ = still active, censored)
    curve = kaplan_meier(np.array([1, 2, 2, 3, 4, 5]), np.array([1, 1, 0, 1, 0, 1], dtype=bool))
    assert list(curve["time"]) == [1, 2, 3, 5]
    assert list(curve["at_risk"]) == [6, 5, 3, 1]
    assert list(curve["ended"]) == [1, 1, 1, 1]
    expected = [5 / 6, 5 / 6 * 4 / 5, 5 / 6 * 4 / 5 * 2 / 3, 0.0]
    np.testing.assert_allclose(curve["survival"], expected)
    assert survival_at(curve, 0.5) == 1.0
    assert survival_at(curve, 2.5) == pytest.approx(4 / 6)
    assert median_lifetime(curve) == 3


def test_kaplan_meier_without_ends_and_with_bad_input():
    assert kaplan_meier(np.array([3.0, 4.0]), np.array([False, False])).empty
    with pytest.raises(ValueError, match="same shape"):
        kaplan_meier(np.array([1.0]), np.array([True, False]))
    with pytest.raises(ValueError, match="non-negative"):
        kaplan_meier(np.array([-1.0]), np.array([True]))


def test_stylised_facts_page_is_generated(tmp_path):
    root = stylised_facts.ROOT
    stylised_facts.write_page(seeds=1, out=tmp_path, scenarios=root / "scenarios")
    page = (tmp_path / "stylised_facts.md").read_text(encoding="utf-8")
    assert page.count("| yes") + page.count("| **no**") == 6
    for figure in ("survival", "funding_engineering", "hysteresis"):
        assert (tmp_path / "figures" / f"stylised_{figure}.png").is_file()
    for section in (
        "## The end of grants",
        "## Funding alone against funding with engineering",
        "## Public cost per surviving structure-year",
        "## The inventory as a lever",
        "## Hysteresis or lag?",
    ):
        assert section in page
    assert "point estimate" not in page  # every verdict rests on an interval


def test_survival_difference_resamples_whole_seeds():
    import numpy as np
    import pandas as pd

    from cohesim.analysis.survival import survival_difference

    def lives(durations):
        return pd.DataFrame({"duration": durations, "ended": [True] * len(durations)})

    long = [lives([8, 9, 10]), lives([7, 9]), lives([10, 12])]
    short = [lives([1, 2, 3]), lives([2, 2]), lives([1, 6])]
    diff, low, high = survival_difference(long, short, age=5)
    assert diff == pytest.approx(1.0 - 1 / 7)  # every long one alive at 5; one short one of 7
    assert low <= diff <= high and low > 0  # the same sign on every resample
    same, low, high = survival_difference(long, long, age=5)
    assert same == 0.0 and low == high == 0.0
    with pytest.raises(ValueError, match="same, non-zero number of seeds"):
        survival_difference(long, short[:2], age=5)
    assert np.isfinite(survival_difference(long, short, age=5, resamples=50)[1])
