"""The compiled returns and structure shapes are the numpy implementation's, to the last bit."""

import numpy as np
import pytest

from cohesim.model import TerritoryModel
from cohesim.model import engineering as engineering_model
from cohesim.model.kinds import POLE
from cohesim.model.membership_kernels import edge_structures
from cohesim.model.registry import kind_table
from cohesim.model.returns import Returns, returns
from cohesim.model.shapes import structure_shape
from cohesim.model.structures import engineering_commitments

from helpers import params


def numpy_returns(model):
    """The numpy implementation the kernel replaced (main before 7 December 2026)."""
    reg, net, p = model.registry, model.network, model.parameters
    st, mb = reg.structures, reg.members
    s_p, f = p.structures, p.funding
    n = len(model.population)
    held, engineering = engineering_commitments(model)
    if len(held) == 0:  # returns() answers without the kernel
        return None
    territory, structure = mb["territory"][held], mb["structure"][held]
    kind = st["kind"][structure]
    n_dom = st["domains"][structure].sum(axis=1)
    kinds = kind_table(p)
    synergy = np.array([k.synergy for k in kinds])[kind]
    setup = np.array([k.setup_cost for k in kinds])[kind]
    running = np.array([k.running_cost for k in kinds])[kind]
    scale = np.where(kind == POLE, n_dom, 1)
    age = model.steps - st["formed"][structure]

    cover = model.cover[territory]
    staffing = engineering_model.delivered_shares(structure, engineering, cover, st.size)
    delivers = staffing * (1 + st["quality"])
    value = (1 - s_p.non_member_share) * (synergy - 1) * s_p.contribution * n_dom
    value = value * model.population[territory] * delivers[structure]
    instalment = np.where(age < s_p.amortisation_years, scale * setup / s_p.amortisation_years, 0)
    funded = age < f.grant_years
    matching = np.where(funded, f.matching_share * instalment, 0.0)
    size = np.bincount(structure, minlength=st.size)
    grant = np.where(funded, f.conditional_grant / np.maximum(size[structure], 1), 0.0)
    cost = instalment + scale * running
    total_value = np.bincount(structure, value, st.size) / max(1 - s_p.non_member_share, 1e-12)

    # (edge, structure) for every structure an edge's source holds, by edge then structure:
    # shared when the destination holds it too
    pairs = edge_structures(net.src, net.dst, reg.memberships(n), st["domains"])
    # net spill-over cost on edge e (src serving dst's residents, minus dst serving src's)
    spill = model.edge_spillover(pairs.edges) - model.edge_spillover(net.rev[pairs.edges])
    per_pair = (spill[pairs.group] * st["domains"][pairs.structure]).sum(axis=1)
    # an edge's domain is settled once, however many structures cover it
    edge_transfer = np.zeros(len(net.src))
    edge_transfer[pairs.edges] = (spill * pairs.covered).sum(axis=1)
    in_structure = np.zeros(len(net.src), dtype=bool)
    in_structure[pairs.edges] = True
    # a slot is the source's membership: its position in ``held``
    transfer = np.bincount(pairs.slot, per_pair, len(held))

    # engineering time valued at ω_H, times the transaction-cost factor of the structure
    geometry = numpy_structure_shape(model)
    span = geometry["largest"] / np.where(geometry["smallest"] > 0, geometry["smallest"], 1.0)
    factor = engineering_model.transaction_factor(
        s_p,
        geometry["members"][structure],
        np.log10(np.maximum(span, 1.0))[structure],
        2 * geometry["spread"][structure],
        cover,
    )
    coordination = p.engineering.fte_cost * engineering * factor

    # non-members receive φ V_S through their flows, in proportion to interdependence
    outward_edge, outward_col = pairs.outward_edge, pairs.outward_structure
    weight = net.interdependence[outward_edge]
    total_weight = np.bincount(outward_col, weight, st.size)
    share = s_p.non_member_share * total_value[outward_col] * weight
    share = np.divide(
        share,
        total_weight[outward_col],
        out=np.zeros_like(share),
        where=total_weight[outward_col] > 0,
    )
    outside = np.bincount(net.dst[outward_edge], share, n)
    delivered = np.bincount(structure, value, st.size) + np.bincount(outward_col, share, st.size)
    return Returns(
        held=held,
        territory=territory,
        structure=structure,
        value=value,
        transfer=transfer,
        grant=grant,
        matching=matching,
        cost=cost,
        engineering=engineering,
        coordination=coordination,
        outside=outside,
        edge_transfer=edge_transfer,
        in_structure=in_structure,
        delivered=delivered,
    )


def numpy_structure_shape(model):
    """The numpy implementation the compiled geometry replaced (main before 7 December 2026)."""
    reg = model.registry
    size = reg.structures.size
    held = reg.active_members()
    t, s = reg.members["territory"][held], reg.members["structure"][held]
    count = np.bincount(s, minlength=size).astype(float)
    pop = model.population[t]
    smallest = np.full(size, np.inf)
    largest = np.zeros(size)
    np.minimum.at(smallest, s, pop)
    np.maximum.at(largest, s, pop)
    with np.errstate(invalid="ignore", divide="ignore"):
        cx = np.bincount(s, model.x[t], size) / count
        cy = np.bincount(s, model.y[t], size) / count
        spread = np.bincount(s, np.hypot(model.x[t] - cx[s], model.y[t] - cy[s]), size) / count
    return {
        "members": count,
        "smallest": smallest,
        "largest": largest,
        "x": cx,
        "y": cy,
        "spread": np.nan_to_num(spread),
    }


@pytest.mark.parametrize(
    "levers",
    [
        {},  # defaults: a few structures of every kind
        {"funding": {"matching_share": 0.6, "conditional_grant": 40_000.0}},
        {"engineering": {"state_support": 0.5, "lending_share": 0.2}},
        {"structures": {"non_member_share": 0.6, "contribution": 60.0}},
    ],
)
def test_the_compiled_returns_and_shapes_are_the_numpy_ones(levers):
    model = TerritoryModel(params(geometry={"n": 120}, **levers), rng=5)
    compared = 0
    for _ in range(30):
        model.step()
        shape, expected_shape = structure_shape(model), numpy_structure_shape(model)
        for name, column in expected_shape.items():
            np.testing.assert_array_equal(shape[name], column, err_msg=name)
        got, expected = returns(model), numpy_returns(model)
        if expected is None:
            continue
        for name in Returns.__dataclass_fields__:
            np.testing.assert_array_equal(getattr(got, name), getattr(expected, name), err_msg=name)
        compared += len(got.held)
    assert compared > 0  # the premise: memberships were held
