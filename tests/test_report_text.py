"""Words of the reports: counted words agree in number with their count, in both languages."""

import pytest

from cohesim.analysis.report_text import count


@pytest.mark.parametrize(
    ("n", "lang", "expected"),
    [
        (1, "fr", "1 réplication"),
        (0, "fr", "0 réplication"),
        (2, "fr", "2 réplications"),
        (1, "en", "1 replicate"),
        (0, "en", "0 replicates"),
        (12_000, "fr", "12\u202f000 réplications"),
    ],
)
def test_counted_words_agree_in_number(n, lang, expected):
    assert count(n, "replicate", lang) == expected
