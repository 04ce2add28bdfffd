"""Words of the reports in English and French: metric names, headings, sentences, caveats.

Over 450 lines because it is a table of every sentence the reports write, each in two
languages side by side: split, a translation would drift from its original.

Every string a report shows comes from here, so that ``--lang fr`` translates all of it; the
names of outcomes and categories come from their declarations (:mod:`cohesim.model.outcomes`,
:mod:`cohesim.model.labels`).
"""

from __future__ import annotations

from cohesim.model.labels import label, parameter_name, unit_name
from cohesim.model.outcomes import outcome_label
from cohesim.model.parameters import lookup

LANGUAGES = ("en", "fr")

MIXES = {
    "urban only": ("urban only", "urbains seulement"),
    "urban–rural mix": ("urban–rural mix", "mixtes urbain–rural"),
    "rural and periurban only": ("rural and periurban only", "ruraux et périurbains seulement"),
}

WORDS = {
    "compare_title": ("Scenario comparison", "Comparaison de scénarios"),
    "in_brief": ("In brief", "En bref"),
    "scenario_named": ("the “{t}” scenario", "le scénario « {t} »"),
    "scenarios_named": ("the “{a}” and “{b}” scenarios", "les scénarios « {a} » et « {b} »"),
    "and": ("and", "et"),
    "ci_of_diff": ("95 % CI of the difference", "IC à 95 % de la différence"),
    "comparison_kind": ("comparison", "comparaison"),
    "paired": ("paired by seed", "appariée par graine"),
    "unpaired": ("unpaired (another region)", "non appariée (autre région)"),
    "formed": ("formed per run", "créées par simulation"),
    "active_at_end": ("active at the end, per run", "actives à la fin, par simulation"),
    "dissolved": ("dissolved per run", "dissoutes par simulation"),
    "mean_life": ("mean life (years)", "durée de vie moyenne (ans)"),
    "funding_per_run": ("public funding per run", "aides publiques par simulation"),
    "kind": ("kind of structure", "type de structure"),
    "mix": ("members", "membres"),
    "sweep_title": ("Parameter sweep report", "Rapport de balayage de paramètres"),
    "what": ("What was compared", "Ce qui a été comparé"),
    "table": ("All metrics", "Tous les indicateurs"),
    "over_time": ("Over time", "Au fil du temps"),
    "distributions": ("Values per replicate", "Valeurs par réplication"),
    "inventory": ("Cooperation structures (inventory)", "Structures de coopération (recensement)"),
    "survival": ("How long structures last", "Durée de vie des structures"),
    "caveats": ("Caveats: how to read these numbers", "Précautions : comment lire ces chiffres"),
    "reference": ("reference", "référence"),
    "scenario": ("scenario", "scénario"),
    "metric": ("metric", "indicateur"),
    "mean": ("mean", "moyenne"),
    "ci": ("95 % CI", "IC à 95 %"),
    "diff": ("difference to the reference", "différence avec la référence"),
    "effect": ("effect size (Cohen's d)", "taille d'effet (d de Cohen)"),
    "year": ("year (0 = policy starts)", "année (0 = début de la politique)"),
    "years": ("age (years)", "âge (années)"),
    "years_after": ("years after grants end", "années après la fin des subventions"),
    "share_alive": ("share still active", "part encore active"),
    "per_run": ("structures formed per run", "structures créées par simulation"),
    "by_kind": ("by kind", "par type de structure"),
    "by_mix": ("by members", "selon les membres"),
    "after_grants": ("after grants end", "après la fin des subventions"),
    "no_structures": (
        "No cooperation structure formed under the policy in these runs.",
        "Aucune structure de coopération ne s'est créée sous l'effet de la politique dans ces "
        "simulations.",
    ),
    "no_grants": (
        "No funded structure lived until its grants ended.",
        "Aucune structure subventionnée n'a vécu jusqu'à la fin de ses subventions.",
    ),
    "design": ("Design", "Plan d'expérience"),
    "main_effects": ("Main effects", "Effets principaux"),
    "heatmaps": ("Two parameters at once", "Deux paramètres à la fois"),
    "sobol": ("Sobol' sensitivity indices", "Indices de sensibilité de Sobol'"),
    "morris": ("Morris screening", "Criblage de Morris"),
    "prim": (
        "Which parameter ranges lead to runs where {target} (PRIM)",
        "Quels réglages mènent aux simulations où {target} (PRIM)",
    ),
    "coverage": ("coverage", "couverture"),
    "density": ("density", "densité"),
    "support": ("support", "part des simulations"),
    "parameter": ("parameter", "paramètre"),
    "low": ("from", "de"),
    "percentile": ("its {q}th percentile", "son {q}e centile"),
    "high": ("to", "à"),
    "values": ("values kept", "valeurs retenues"),
    "in_box": ("in the box", "dans la boîte"),
    "S1_conf": ("S1 95 % CI (±)", "S1 IC à 95 % (±)"),
    "ST_conf": ("ST 95 % CI (±)", "ST IC à 95 % (±)"),
    "mu_star": ("μ*", "μ*"),
    "mu_star_conf": ("μ* 95 % CI (±)", "μ* IC à 95 % (±)"),
    "mu": ("μ", "μ"),
    "sigma": ("σ", "σ"),
    "S1": ("first order S1", "premier ordre S1"),
    "ST": ("total ST", "total ST"),
    "grid": ("grid", "grille"),
    "lhs": ("Latin hypercube", "hypercube latin"),
    "sobol_design": ("Sobol'", "Sobol'"),
    "morris_design": ("Morris", "Morris"),
    "first_order": ("first order S1", "premier ordre S1"),
    "total": ("total ST", "total ST"),
    "prim_box": ("chosen box", "boîte retenue"),
    "restricted": ("restricted", "restreint"),
    "unrestricted": ("not restricted", "non restreint"),
    "runs_failed": ("runs failed and are left out", "simulations ont échoué et sont écartées"),
}

# Sentences, some with ``{placeholders}`` for ``str.format``, per language.
TEXT: dict[str, dict[str, str]] = {
    "en": {
        "compared": (
            "{n} scenarios were each run {r} times on the same {r} random seeds (replicate r of "
            "every scenario starts from the same seed, so for scenarios of one region every "
            "difference is measured between runs that differ only by the policy). The first "
            "scenario, <b>{ref}</b>, is the reference. Runs last {steps} years including the "
            "burn-in; year 0 is when levers start to act."
        ),
        "window": (
            "Each indicator is the mean over the last {w} years of each run (the final state, "
            "less noisy than one year); public money is the total spent over the whole run."
        ),
        "up": (
            "{Scenario} raises {outcome} by {amount} compared with {reference} "
            "(95 % CI: {lo} to {hi}){verdict}."
        ),
        "down": (
            "{Scenario} lowers {outcome} by {amount} compared with {reference} "
            "(95 % CI: {lo} to {hi}){verdict}."
        ),
        "better": ": a clear improvement",
        "worse": ": a clear deterioration",
        "same": "{Scenarios} give exactly the same values of {outcome} in every run.",
        "unclear": (
            "On {outcome}, these runs cannot tell {scenario} from {reference}: the difference "
            "measured, {amount}, is within the uncertainty (95 % CI: {lo} to {hi})."
        ),
        "summary": "Compared with {reference}, {scenario} {part}.",
        "summary_next": "It {part}.",
        "summary_better": "does clearly better on {outcomes}",
        "summary_worse": "does clearly worse on {outcomes}",
        "summary_unclear": "cannot be told apart from the reference on {outcomes}",
        "summary_none": "shows no clear difference on the outcomes compared",
        "cost": (
            "Each 0.01 fall in the Gini index that {scenario} brings costs {cost} of extra "
            "public spending compared with {reference} (95 % CI: {lo} to {hi})."
        ),
        "cost_free": (
            "{Scenario} lowers the Gini index without spending more public money than {reference}."
        ),
        "cost_nothing": (
            "{Scenario} spends no more public money than {reference}, and its change in the "
            "Gini index cannot be told from zero."
        ),
        "cost_unbounded": (
            "{Scenario} spends {cost} more per 0.01 fall in the Gini index, but that fall "
            "cannot be told from zero, so this cost has no upper bound."
        ),
        "cost_undefined": (
            "{Scenario} does not lower the Gini index compared with {reference}: a cost of "
            "cohesion has no meaning here (not computable; a dash in the table)."
        ),
        "how_sure_paired": (
            "<b>How sure we are.</b> Each difference is the mean of seed-by-seed differences "
            "between two runs that start from the same random draw; its 95 % confidence "
            "interval (CI) is the range in which the model's true mean difference lies with "
            "95 % confidence: when it does not contain 0, the difference is clear."
        ),
        "how_sure_unpaired": (
            "<b>Unpaired comparison.</b> The runs of {scenarios} are on another region than "
            "the reference (other territories): runs with the same seed are not the same "
            "world, so their differences compare two independent sets of runs (Welch's "
            "interval), which is less precise than a paired comparison."
        ),
        "table_note": (
            "Shares are in %, their differences in percentage points (pp); money in € (k€, M€, "
            "bn€). A dash (–) marks a value that is not computable: the cost per Gini point "
            "of the reference or of a scenario that does not lower the Gini, an interval from "
            "a single run, or an effect size when every difference is the same. The effect size "
            "is Cohen's d<sub>z</sub> for paired comparisons, Cohen's d for unpaired ones."
        ),
        "survival_note": (
            "Kaplan–Meier survival of the structures formed from year 0 on, pooled over "
            "replicates; structures still active at the end count as surviving so far "
            "(censored)."
        ),
        "grants_note": (
            "Funded structures that lived until their grants ended ({g} years), followed from "
            "that moment: does cooperation outlive the money?"
        ),
        "envelope_caption": "Mean over replicates (line) and range from lowest to highest (band).",
        "sweep_intro": (
            "Sweep <b>{name}</b>: {design} design, {points} × {reps} = {runs} ({ok}). Varied: "
            "{factors}. Outcome analysed: {metric}, {final}. {description}"
        ),
        "final_window": "the mean of each run's last {w} policy years (its final value)",
        "final_last": "at the end of each run",
        "main_effects_note": (
            "Mean of the outcome (with 95 % CI over runs) against each parameter, averaging over "
            "all the others."
        ),
        "heatmap_note": "Mean outcome for each pair of grid values, averaged over replicates.",
        "sobol_unreliable": (
            "<b>Increase samples.</b> These estimates are sampling noise, not properties of "
            "the model: {parameters} (a first-order index below 0, a total index above 1, or "
            "an interval wider than its estimate). Run the sweep again with more samples."
        ),
        "sobol_note": (
            "Share of the outcome's variance due to each parameter alone (S1) and including its "
            "interactions (ST), with 95 % bootstrap CIs (SALib; Saltelli 2002, Saltelli et al. "
            "2010). Replicates are averaged per point first, so seed noise is not counted as a "
            "parameter's effect."
        ),
        "morris_note": (
            "Elementary effects (Morris 1991; Campolongo et al. 2007): μ* is the mean absolute "
            "effect of moving a parameter across its range (importance), σ their spread "
            "(non-linearity or interactions). Parameters are scaled to [0, 1]."
        ),
        "prim_note": (
            "Target: runs where {target} ({share} of runs). PRIM (Friedman & Fisher 1999) peels "
            "the parameter space to find a box where such runs concentrate. Coverage is the share "
            "of all target runs inside the box; density is the share of runs inside the box that "
            "are target runs. The chosen box is {rule}."
        ),
        "prim_rule": "the densest box on the peeling trajectory whose coverage is at least {c}",
        "prim_none": "No box found: the target is too rare or too common in this sweep.",
    },
    "fr": {
        "compared": (
            "{n} scénarios ont chacun été simulés {r} fois avec les mêmes {r} graines aléatoires "
            "(la réplication r de chaque scénario part de la même graine : entre scénarios d'une "
            "même région, chaque différence est mesurée entre des simulations qui ne diffèrent "
            "que par la politique). Le premier "
            "scénario, <b>{ref}</b>, sert de référence. Les simulations durent {steps} ans, "
            "période d'amorçage comprise ; l'année 0 est celle où les leviers commencent à agir."
        ),
        "window": (
            "Chaque indicateur est la moyenne des {w} dernières années de chaque simulation "
            "(l'état final, moins bruité qu'une seule année) ; l'argent public est le total "
            "dépensé sur toute la durée."
        ),
        "up": (
            "{Scenario} augmente {outcome} de {amount} par rapport {reference_to} "
            "(IC à 95 % : de {lo} à {hi}){verdict}."
        ),
        "down": (
            "{Scenario} réduit {outcome} de {amount} par rapport {reference_to} "
            "(IC à 95 % : de {lo} à {hi}){verdict}."
        ),
        "better": " : c'est une amélioration nette",
        "worse": " : c'est une détérioration nette",
        "same": (
            "{Scenarios} donnent exactement les mêmes valeurs pour {outcome}, à chaque simulation."
        ),
        "unclear": (
            "Pour {outcome}, ces simulations ne permettent pas de départager {scenario} et "
            "{reference} : l'écart mesuré, {amount}, reste dans la marge d'incertitude "
            "(IC à 95 % : de {lo} à {hi})."
        ),
        "summary": "Par rapport {reference_to}, {scenario} {part}.",
        "summary_next": "Il {part}.",
        "summary_better": "fait nettement mieux pour {outcomes}",
        "summary_worse": "fait nettement moins bien pour {outcomes}",
        "summary_unclear": "ne se distingue pas de la référence pour {outcomes}",
        "summary_none": "ne montre pas de différence nette sur les indicateurs comparés",
        "cost": (
            "Chaque baisse de 0,01 de l'indice de Gini obtenue par {scenario} coûte {cost} de "
            "dépense publique supplémentaire par rapport {reference_to} "
            "(IC à 95 % : de {lo} à {hi})."
        ),
        "cost_free": (
            "{Scenario} réduit l'indice de Gini sans dépenser plus d'argent public que {reference}."
        ),
        "cost_nothing": (
            "{Scenario} ne dépense pas plus d'argent public que {reference}, et sa variation de "
            "l'indice de Gini ne se distingue pas de zéro."
        ),
        "cost_unbounded": (
            "{Scenario} dépense {cost} de plus par baisse de 0,01 de l'indice de Gini, mais "
            "cette baisse ne se distingue pas de zéro : ce coût n'a pas de borne supérieure."
        ),
        "cost_undefined": (
            "{Scenario} ne réduit pas l'indice de Gini par rapport {reference_to} : un coût de la "
            "cohésion n'a pas de sens ici (non calculable ; tiret dans le tableau)."
        ),
        "how_sure_paired": (
            "<b>Degré de certitude.</b> Chaque écart est la moyenne des écarts, graine par "
            "graine, entre deux simulations qui partent du même tirage aléatoire ; son "
            "intervalle de confiance (IC) à 95 % est la plage où se trouve l'écart moyen du "
            "modèle avec 95 % de confiance : s'il ne contient pas 0, l'écart est net."
        ),
        "how_sure_unpaired": (
            "<b>Comparaison non appariée.</b> Les simulations de {scenarios} portent sur une "
            "autre région que la référence (d'autres territoires) : deux simulations de même "
            "graine n'y décrivent "
            "pas le même monde, et les écarts comparent donc deux séries de simulations "
            "indépendantes (intervalle de Welch), ce qui est moins précis qu'une comparaison "
            "appariée."
        ),
        "table_note": (
            "Les parts sont en %, leurs différences en points de pourcentage (pt) ; l'argent "
            "en € (k€, M€, Md€). Un tiret (–) marque une valeur non calculable : le coût par "
            "point de Gini de la référence ou d'un scénario qui ne réduit pas le Gini, un "
            "intervalle tiré d'une seule simulation, ou une taille d'effet quand toutes les "
            "différences sont égales. La taille d'effet est le d<sub>z</sub> de Cohen pour une "
            "comparaison appariée, le d de Cohen pour une comparaison non appariée."
        ),
        "survival_note": (
            "Survie de Kaplan–Meier des structures créées à partir de l'année 0, toutes "
            "réplications réunies ; les structures encore actives à la fin comptent comme "
            "survivantes jusque-là (censurées)."
        ),
        "grants_note": (
            "Structures subventionnées ayant vécu jusqu'à la fin de leurs subventions ({g} ans), "
            "suivies à partir de ce moment : la coopération survit-elle à l'argent ?"
        ),
        "envelope_caption": (
            "Moyenne des réplications (ligne) et étendue de la plus basse à la plus haute (bande)."
        ),
        "sweep_intro": (
            "Balayage <b>{name}</b> : plan {design}, {points} × {reps} = {runs} ({ok}). "
            "Paramètres variés : {factors}. "
            "Indicateur analysé : {metric}, {final}. {description}"
        ),
        "final_window": (
            "moyenne des {w} dernières années de politique de chaque simulation (sa valeur finale)"
        ),
        "final_last": "en fin de simulation",
        "main_effects_note": (
            "Moyenne de l'indicateur (avec IC à 95 % sur les simulations) selon chaque paramètre, "
            "en moyenne sur tous les autres."
        ),
        "heatmap_note": (
            "Indicateur moyen pour chaque couple de valeurs de la grille, en moyenne sur les "
            "réplications."
        ),
        "sobol_unreliable": (
            "<b>Augmentez le nombre d'échantillons.</b> Ces estimations sont du bruit "
            "d'échantillonnage, pas des propriétés du modèle : {parameters} (un indice de "
            "premier ordre négatif, un indice total supérieur à 1 ou un intervalle plus large "
            "que l'estimation). Relancez le balayage avec plus d'échantillons."
        ),
        "sobol_note": (
            "Part de la variance de l'indicateur due à chaque paramètre seul (S1) et avec ses "
            "interactions (ST), avec IC à 95 % par bootstrap (SALib ; Saltelli 2002, Saltelli et "
            "al. 2010). Les réplications sont d'abord moyennées par point : le bruit des graines "
            "n'est pas compté comme un effet de paramètre."
        ),
        "morris_note": (
            "Effets élémentaires (Morris 1991 ; Campolongo et al. 2007) : μ* est l'effet absolu "
            "moyen d'un déplacement du paramètre dans sa plage (importance), σ leur dispersion "
            "(non-linéarité ou interactions). Paramètres ramenés à [0, 1]."
        ),
        "prim_note": (
            "Cible : simulations où {target} ({share} des simulations). PRIM (Friedman & Fisher "
            "1999) épluche l'espace des paramètres pour trouver une boîte où ces simulations se "
            "concentrent. La couverture est la part des simulations cibles dans la boîte ; la "
            "densité est la part de simulations cibles parmi celles de la boîte. La boîte retenue "
            "est {rule}."
        ),
        "prim_rule": (
            "la plus dense de la trajectoire d'épluchage parmi celles de couverture au moins {c}"
        ),
        "prim_none": "Aucune boîte : la cible est trop rare ou trop fréquente dans ce balayage.",
    },
}

# The caveats closing a comparison report, one list item each; ``{r}`` is the replicates.
CAVEATS: dict[str, list[str]] = {
    "en": [
        "All costs and synergies in the model are assumptions awaiting calibration: these "
        "numbers compare policies inside the model; they are not forecasts for real places.",
        "Each scenario was run {r} times. A 95 % confidence interval (CI) is the range of "
        "values compatible with these runs: if the comparison were repeated with new seeds, "
        "95 % of intervals computed this way would contain the model's true average. When "
        "the interval of a difference contains 0, the runs cannot tell the scenarios apart; "
        "more replicates narrow the intervals.",
        "Differences between scenarios of one region are paired by seed (Student's t on the per-"
        "seed differences); their effect size is Cohen's d<sub>z</sub>, the mean difference "
        "divided by the standard deviation of the per-seed differences. A scenario of another "
        "region is compared unpaired (Welch's t; Cohen's d, over the pooled standard deviation). "
        "Effect sizes of about 0.2 are small, 0.5 medium, 0.8 large.",
        "Cost per point of cohesion = extra public spending (money, and state engineering at "
        "its cost) compared with the reference ÷ (100 × Gini reduction compared with the "
        "reference), in € per 0.01 of Gini; its interval is Fieller's for a ratio of means. It "
        "is undefined when the Gini does not fall.",
        "Access to services responds to policies through the service capacity local budgets "
        "fund, and weighs distance (docs/model.md, Dynamic services); cooperation structures "
        "do not yet add capacity of their own, so its differences are small.",
        "Shaded bands over time span the lowest to the highest replicate; lines are means.",
    ],
    "fr": [
        "Tous les coûts et synergies du modèle sont des hypothèses en attente de calibration : "
        "ces chiffres comparent des politiques dans le modèle ; ce ne sont pas des prévisions "
        "pour des territoires réels.",
        "Chaque scénario a été simulé {r} fois. Un intervalle de confiance (IC) à 95 % est "
        "l'ensemble des valeurs compatibles avec ces simulations : si l'on refaisait la "
        "comparaison avec d'autres graines, 95 % des intervalles calculés ainsi contiendraient "
        "la vraie moyenne du modèle. Quand l'intervalle d'une différence contient 0, les "
        "simulations ne permettent pas de départager les scénarios ; davantage de "
        "réplications resserrent les intervalles.",
        "Les différences entre scénarios d'une même région sont appariées par graine (t de Student"
        " sur les différences par graine) ; leur taille d'effet est le d<sub>z</sub> de Cohen, "
        "différence moyenne divisée par l'écart type des différences par graine. Un scénario d'une"
        " autre région est comparé sans appariement (t de Welch ; d de Cohen, rapporté à l'écart "
        "type commun). Une taille d'effet d'environ 0,2 est faible, 0,5 moyenne, 0,8 forte.",
        "Coût par point de cohésion = dépense publique supplémentaire (argent, et ingénierie "
        "d'État à son coût) par rapport à la référence ÷ (100 × baisse du Gini par rapport à la "
        "référence), en € par 0,01 de Gini ; son intervalle est celui de Fieller pour un "
        "rapport de moyennes. Il n'est pas défini quand le Gini ne baisse pas.",
        "L'accès aux services réagit aux politiques par les capacités de service que financent "
        "les budgets locaux, et tient compte de la distance (docs/model.md, « Dynamic "
        "services ») ; les structures de coopération n'ajoutent pas encore de capacité "
        "propre, d'où des écarts faibles.",
        "Les bandes ombrées au fil du temps vont de la réplication la plus basse à la plus "
        "haute ; les lignes sont les moyennes.",
    ],
}

# The caveats closing a sweep report, one list item each.
SWEEP_CAVEATS: dict[str, list[str]] = {
    "en": [
        "All costs and synergies in the model are assumptions awaiting calibration.",
        "Indices describe the model over the ranges swept, not the real world; they change "
        "with the ranges.",
        "Sobol' and Morris indices need many points; with few, their intervals are wide.",
    ],
    "fr": [
        "Tous les coûts et synergies du modèle sont des hypothèses en attente de calibration.",
        "Les indices décrivent le modèle sur les plages balayées, pas le monde réel ; ils "
        "changent avec les plages.",
        "Les indices de Sobol' et de Morris demandent beaucoup de points ; avec peu de points, "
        "leurs intervalles sont larges.",
    ],
}


OUTCOME_PHRASES: dict[str, tuple[str, str]] = {
    "cooperation_rate": (
        "the share of territories that cooperate",
        "la part des territoires qui coopèrent",
    ),
    "cooperation_rate_pop": (
        "the share of the population living in cooperating territories",
        "la part de la population vivant dans un territoire qui coopère",
    ),
    "gini": ("the Gini index of welfare", "l'indice de Gini du bien-être"),
    "theil_between": (
        "the Theil index between kinds of territory",
        "l'indice de Theil entre types de territoires",
    ),
    "theil_within": (
        "the Theil index within kinds of territory",
        "l'indice de Theil au sein des types de territoires",
    ),
    "urban_rural_divergence": (
        "the welfare gap between urban and rural territories",
        "l'écart de bien-être entre territoires urbains et ruraux",
    ),
    "welfare_mean": ("mean welfare per inhabitant", "le bien-être moyen par habitant"),
    "structures_active": (
        "the number of active cooperation structures",
        "le nombre de structures de coopération actives",
    ),
    "public_spending_cumulative": (
        "total public spending (state engineering included)",
        "la dépense publique totale (ingénierie d'État comprise)",
    ),
    "access": ("access to services", "l'accès aux services"),
}
"""Each compared outcome as the object of a sentence, with its article ("réduit l'indice...")."""


def outcome_phrase(metric: str, lang: str) -> str:
    """An outcome as the object of a verb: its phrase, or its label quoted after "indicator"."""
    i = check_language(lang)
    if metric in OUTCOME_PHRASES:
        return OUTCOME_PHRASES[metric][i]
    name = metric_label(metric, lang)
    return f"the indicator “{name}”" if lang == "en" else f"l'indicateur « {name} »"


def listing(items: list[str], lang: str) -> str:
    """``a, b and c`` / ``a, b et c``."""
    if len(items) < 2:
        return "".join(items)
    return ", ".join(items[:-1]) + f" {word('and', lang)} " + items[-1]


def check_language(lang: str) -> int:
    """Index of a language in the label tuples; ValueError naming the allowed ones."""
    if lang not in LANGUAGES:
        raise ValueError(f"language {lang!r} is not available: expected one of {LANGUAGES}")
    return LANGUAGES.index(lang)


COUNTED = {
    "point": (
        ("parameter point", "parameter points"),
        ("point de paramètres", "points de paramètres"),
    ),
    "replicate": (("replicate", "replicates"), ("réplication", "réplications")),
    "run": (("run", "runs"), ("simulation", "simulations")),
    "ok": (("ok", "ok"), ("réussie", "réussies")),
}
"""Singular and plural of counted words, per language."""


def count(n: int, key: str, lang: str) -> str:
    """``n`` and its word, in the singular or plural ("1 réplication", "0 réussie", "2 runs").

    French puts 0 and 1 in the singular, English only 1.
    """
    one, many = COUNTED[key][check_language(lang)]
    single = n < 2 if lang == "fr" else n == 1
    return f"{n:,}".replace(",", "\u202f") + " " + (one if single else many)


def word(key: str, lang: str) -> str:
    """A heading or short word."""
    return WORDS[key][check_language(lang)]


def metric_label(metric: str, lang: str) -> str:
    """A metric's name for readers, from its declaration (``access_health`` → "access: health")."""
    check_language(lang)
    try:
        return outcome_label(metric, lang)
    except KeyError:  # a column the declarations do not know (an older results folder)
        return metric


def parameter_label(path: str, lang: str) -> str:
    """A swept parameter for readers: its name and declared unit, not its dotted path.

    Its name from :data:`cohesim.model.labels.PARAMETERS`, else its declared meaning; a
    sweep's ``scenario`` factor is "scenario".

    >>> parameter_label("engineering.state_support", "fr")
    "ingénierie d'État par territoire rural ou périurbain (ETP)"
    >>> parameter_label("funding.grant_years", "en")
    'years of support per structure (yr)'
    """
    check_language(lang)
    info = lookup(path)
    if info is None:
        return word("scenario", lang) if path == "scenario" else path
    name = parameter_name(path, lang) or info.meaning
    unit = unit_name(info.unit, lang)
    return f"{name} ({unit})" if unit else name


def group_label(value: str, lang: str) -> str:
    """A structure kind or member mix in the report's language."""
    i = check_language(lang)
    if value in MIXES:
        return MIXES[value][i]
    return label(value, lang)
