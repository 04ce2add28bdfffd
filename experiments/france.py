"""Real French territories: read the shipped tables, apply a scenario's filters, assign kinds.

The tables in ``scenarios/data/`` (built by ``scenarios/data/build_france.py``; sources and
licence in its README) hold every EPCI à fiscalité propre and every commune with population,
position (km, Lambert-93 in metropolitan France, the legal UTM zone overseas) and area. The
``[france]`` parameters choose the level and filter rows; kinds follow ``docs/france.md``:

- EPCI level: ME → metropole; CU, CA → urban; CC → periurban within ``geometry.periurban_km``
  of the position of an ME, CU or CA, rural beyond.
- commune level: the most populous commune of an ME is a métropole, that of a CU or CA is urban,
  and so is any commune of at least ``france.urban_population`` inhabitants; the other communes
  of an ME, CU or CA are periurban, and so are those within ``geometry.periurban_km`` of an
  urban centre (the most populous commune of an ME, CU or CA); the rest are rural.

Distances to centres are taken over the whole of France, not only the selected rows, so a
territory keeps its kind whatever the filters.
"""

from __future__ import annotations

import difflib
import unicodedata
from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pandas as pd

from cohesim.model.parameters import France, Parameters
from cohesim.model.territories import OVERRIDABLE, TerritoryTable, kinds_around_centres

DATA_FOLDER = Path(__file__).resolve().parents[1] / "scenarios" / "data"
"""Where the tables are, in a source checkout (``pip install -e .``)."""
FILES = {"epci": "france_epci.csv.xz", "commune": "france_communes.csv.xz"}
DEPARTEMENTS_FILE = "france_departements.csv"
CENTRE_TYPES = ("ME", "CU", "CA")
TEXT_COLUMNS = ("code", "epci", "departement", "region")


class SelectionError(ValueError):
    """A ``[france]`` setting that selects nothing usable; ``key`` names the parameter."""

    def __init__(self, key: str | None, message: str):
        self.key = key
        super().__init__(message)


def read_table(name: str, folder: Path = DATA_FOLDER) -> pd.DataFrame:
    """One shipped table, codes kept as text (``01001``, ``2A004``)."""
    path = folder / name
    if not path.is_file():
        raise SelectionError(
            None,
            f"{path}: missing; real territories are read from scenarios/data of a cohesim "
            "source checkout (pip install -e .), built by scenarios/data/build_france.py",
        )
    dtypes = dict.fromkeys(TEXT_COLUMNS, str)
    return pd.read_csv(path, dtype=dtypes, keep_default_na=False)


def with_kinds(level: str, parameters: Parameters, folder: Path = DATA_FOLDER) -> pd.DataFrame:
    """Every territory of ``level`` with its ``kind`` code, computed over the whole of France."""
    epci = read_table(FILES["epci"], folder)
    periurban_km = parameters.geometry.periurban_km
    if level == "epci":
        table = epci
        centre = table["type"].isin(CENTRE_TYPES).to_numpy()
        metropole = (table["type"] == "ME").to_numpy()
        urban, urban_area = centre & ~metropole, np.zeros(len(table), bool)
    else:
        table = read_table(FILES["commune"], folder)
        legal_type = table["epci"].map(epci.set_index("code")["type"]).fillna("")
        urban_area = legal_type.isin(CENTRE_TYPES).to_numpy()
        largest = table[table["epci"] != ""].groupby("epci")["population"].idxmax()
        centre = np.zeros(len(table), bool)
        centre[largest.to_numpy()] = True
        centre &= urban_area
        metropole = centre & (legal_type == "ME").to_numpy()
        urban = (centre & ~metropole) | (
            table["population"] >= parameters.france.urban_population
        ).to_numpy()
    kind = np.empty(len(table), np.int8)
    for _, rows in table.groupby("epsg").indices.items():  # one projection frame at a time
        kind[rows] = kinds_around_centres(
            metropole[rows],
            urban[rows],
            urban_area[rows],
            table["x_km"].to_numpy()[rows],
            table["y_km"].to_numpy()[rows],
            table["x_km"].to_numpy()[rows][centre[rows]],
            table["y_km"].to_numpy()[rows][centre[rows]],
            periurban_km,
        )
    return table.assign(kind=kind)


def select(parameters: Parameters, folder: Path = DATA_FOLDER) -> pd.DataFrame:
    """The rows the ``[france]`` filters keep, with their kinds (raises SelectionError)."""
    france = parameters.france
    table = with_kinds(france.level, parameters, folder)
    keep = table["overseas"].to_numpy() == france.overseas
    departements = read_table(DEPARTEMENTS_FILE, folder)
    if france.regions:
        regions = departements.drop_duplicates("region")
        wanted = _resolve("regions", france.regions, regions["region"], regions["region_name"])
        keep &= table["region"].isin(wanted).to_numpy()
    if france.departements:
        wanted = _resolve(
            "departements", france.departements, departements["code"], departements["name"]
        )
        keep &= table["departement"].isin(wanted).to_numpy()
    if france.codes:
        unknown = sorted(set(france.codes) - set(table["code"]))
        if unknown:
            raise SelectionError(
                "codes",
                f"no {_level_name(france.level)} with code {', '.join(unknown[:10])}"
                + (" (and more)" if len(unknown) > 10 else "")
                + (
                    ": EPCI have 9-digit SIREN codes"
                    if france.level == "epci"
                    else ": communes have 5-character INSEE codes"
                ),
            )
        keep &= table["code"].isin(france.codes).to_numpy()
    if france.around:
        x, y, epsg = _centre_of(france, folder)
        near = np.hypot(table["x_km"] - x, table["y_km"] - y) <= france.radius_km
        keep &= (near & (table["epsg"] == epsg)).to_numpy()

    chosen = table[keep].reset_index(drop=True)
    if len(chosen) < 2:
        found = "no" if chosen.empty else "only one"
        raise SelectionError(
            None,
            f"the filters ({_describe(france)}) select {found} {_level_name(france.level)}"
            "; the model needs at least two territories",
        )
    frames = chosen["epsg"].unique()
    if len(frames) > 1:
        raise SelectionError(
            "departements",
            f"the selection spans {len(frames)} overseas projection frames "
            f"(départements {', '.join(sorted(chosen['departement'].unique()))}): distances "
            "between them mean nothing; select one with departements = [...]",
        )
    return chosen


def france_territories(parameters: Parameters, folder: Path = DATA_FOLDER) -> TerritoryTable:
    """The territories a scenario with ``geometry.source = "france"`` describes.

    Columns ``engineering``, ``revenue``, ``budget`` or ``capacity_<domain>`` in a table, where
    filled, replace the endowments derived from population and area (``endowments()``).
    """
    rows = select(parameters, folder)
    columns = [*OVERRIDABLE, *(f"capacity_{m}" for m in parameters.domain_names)]
    overrides = {}
    for column in (c for c in columns if c in rows):
        text = rows[column].astype(str).str.strip()
        values = pd.to_numeric(text.replace("", np.nan), errors="coerce")
        bad = (values < 0) | (values.isna() & (text != ""))
        if bad.any():
            first = rows.loc[bad, ["code", column]].iloc[0]
            raise SelectionError(
                None,
                f"{FILES[parameters.france.level]}: column {column}: {int(bad.sum())} value(s) "
                f"not a number ≥ 0 (first: {first[column]!r} for {first['code']})",
            )
        overrides[column] = values.to_numpy(dtype=np.float64)
    return TerritoryTable(
        name=rows["name"].to_numpy(dtype=str),
        kind=rows["kind"].to_numpy(dtype=np.int8),
        population=rows["population"].to_numpy(dtype=np.float64),
        x=rows["x_km"].to_numpy(dtype=np.float64),
        y=rows["y_km"].to_numpy(dtype=np.float64),
        area=rows["area_km2"].to_numpy(dtype=np.float64),
        code=rows["code"].to_numpy(dtype=str),
        overrides=overrides,
    )


def _plain(text: str) -> str:
    """Case- and accent-insensitive form of a name (``Île-de-France`` → ``ile-de-france``)."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c)).strip()


def _resolve(key: str, asked: Iterable[str], codes: pd.Series, names: pd.Series) -> set[str]:
    """Codes of the régions or départements asked for by code or by name."""
    by_name = {_plain(n): c for c, n in zip(codes, names, strict=True)}
    known = set(codes)
    wanted, unknown = set(), []
    for item in asked:
        if item in known:
            wanted.add(item)
        elif _plain(item) in by_name:
            wanted.add(by_name[_plain(item)])
        else:
            unknown.append(item)
    if unknown:
        choices = [*known, *names]
        hints = [
            f"{item!r}"
            + (
                f" (did you mean {close[0]!r}?)"
                if (close := difflib.get_close_matches(item, choices, 1))
                else ""
            )
            for item in unknown
        ]
        listing = ", ".join(f"{c} {n}" for c, n in sorted(zip(codes, names, strict=True)))
        raise SelectionError(key, f"unknown {', '.join(hints)}; known: {listing}")
    return wanted


def _centre_of(france: France, folder: Path) -> tuple[float, float, int]:
    """Position and frame of the commune named by ``france.around`` (an INSEE code or a name)."""
    communes = read_table(FILES["commune"], folder)
    match = communes[communes["code"] == france.around]
    if match.empty:
        side = communes[communes["overseas"] == france.overseas]
        match = side[side["name"].map(_plain) == _plain(france.around)]
    if match.empty:
        close = difflib.get_close_matches(france.around, communes["name"].unique(), 3)
        hint = f" (did you mean {', '.join(map(repr, close))}?)" if close else ""
        raise SelectionError("around", f"no commune named or coded {france.around!r}{hint}")
    if len(match) > 1:
        options = ", ".join(f"{r.code} (département {r.departement})" for r in match.itertuples())
        raise SelectionError(
            "around", f"{len(match)} communes are named {france.around!r}: use a code, {options}"
        )
    row = match.iloc[0]
    return float(row["x_km"]), float(row["y_km"]), int(row["epsg"])


def _level_name(level: str) -> str:
    return "EPCI" if level == "epci" else "commune"


def _describe(france: France) -> str:
    parts = [f"level = {france.level!r}", f"overseas = {str(france.overseas).lower()}"]
    for key in ("regions", "departements", "codes"):
        if getattr(france, key):
            parts.append(f"{key} = {getattr(france, key)!r}")
    if france.around:
        parts.append(f"around = {france.around!r}, radius_km = {france.radius_km:g}")
    return ", ".join(parts)
