"""Words of the reports: counted words agree in number, headlines are whole sentences."""

import pandas as pd
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


def _row(scenario, metric, diff, low, high, mean=0.2):
    return {
        "scenario": scenario,
        "metric": metric,
        "mean": mean,
        "ci_low": mean - 0.1,
        "ci_high": mean + 0.1,
        "diff": diff,
        "diff_ci_low": low,
        "diff_ci_high": high,
        "effect_size": 1.0,
    }


TITLES = {"baseline": "Référence", "pacte": "Pacte"}
# A clear fall of the Gini, an unclear rise of cooperation, a clear cost: invented numbers,
# so that the expected sentences do not depend on the model.
TABLE = pd.DataFrame(
    [
        _row("baseline", "gini", 0.0, 0.0, 0.0),
        _row("baseline", "cooperation_rate", 0.0, 0.0, 0.0),
        _row("pacte", "gini", -0.013, -0.018, -0.008),
        _row("pacte", "cooperation_rate", 0.014, -0.02, 0.05),
        {
            **_row("pacte", "cost_per_gini_point", float("nan"), float("nan"), float("nan")),
            "mean": 6_333_583.0,
            "ci_low": 2_100_000.0,
            "ci_high": 12_400_000.0,
        },
    ]
)


def _plain(text: str) -> str:
    return text.replace("\u00a0", " ").replace("\u202f", " ")


def test_french_headlines_are_whole_sentences_with_articles_and_units():
    # issue "what a newcomer hit": "réduit Gini du bien-être de 0,0135" lost its article
    from cohesim.analysis.conclusion import headline_sentences

    sentences = [_plain(s) for s in headline_sentences(TABLE, "baseline", "fr", TITLES)]
    assert (
        "Le scénario « Pacte » réduit l'indice de Gini du bien-être de 0,013 point par rapport "
        "au scénario « Référence » (IC à 95 % : de 0,008 à 0,018 point) : c'est une "
        "amélioration nette." in sentences
    )
    assert (
        "Pour la part des territoires qui coopèrent, ces simulations ne permettent pas de "
        "départager le scénario « Pacte » et le scénario « Référence » : l'écart mesuré, "
        "+1,4 point de pourcentage, reste dans la marge d'incertitude (IC à 95 % : de −2 à "
        "+5 points de pourcentage)." in sentences
    )
    assert (
        "Chaque baisse de 0,01 de l'indice de Gini obtenue par le scénario « Pacte » coûte "
        "6,3 M€ de dépense publique supplémentaire par rapport au scénario « Référence » "
        "(IC à 95 % : de 2,1 M€ à 12,4 M€)." in sentences
    )


def test_english_headlines_name_the_scenarios_by_title():
    from cohesim.analysis.conclusion import headline_sentences

    sentences = [_plain(s) for s in headline_sentences(TABLE, "baseline", "en", TITLES)]
    assert (
        "The “Pacte” scenario lowers the Gini index of welfare by 0.013 points compared with "
        "the “Référence” scenario (95 % CI: 0.008 to 0.018 points): a clear improvement."
        in sentences
    )


def test_the_summary_says_where_a_scenario_does_better_and_where_it_cannot_be_told_apart():
    from cohesim.analysis.conclusion import summary_sentence

    summary = _plain(summary_sentence(TABLE, "pacte", "baseline", "fr", TITLES))
    assert summary == (
        "Par rapport au scénario « Référence », le scénario « Pacte » fait nettement mieux pour "
        "l'indice de Gini du bien-être. Il ne se distingue pas de la référence pour la part "
        "des territoires qui coopèrent."
    )


def test_every_policy_lever_has_a_name_for_readers_in_both_languages():
    from cohesim.model.labels import parameter_name
    from cohesim.model.parameters import parameter_table

    levers = [info.path for info in parameter_table() if info.lever]
    missing = [(p, lang) for p in levers for lang in ("en", "fr") if not parameter_name(p, lang)]
    assert not missing, missing
