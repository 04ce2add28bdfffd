"""Whether scenarios can be compared seed by seed: the same region, or not.

Replicate r of every scenario runs from the same seed. When the scenarios share a region (the
same territories, network and services), that seed draws the same territories and the same
burn-in, so each scenario's run r differs from the reference's run r only by the policy and the
per-seed differences are the right thing to average (paired statistics). Across two different
regions the same seed draws unrelated worlds: the pairing means nothing, and the scenarios are
compared as independent samples (Welch intervals), which the report says.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

REGION_GROUPS = ("geometry", "network", "services", "france")
"""Parameter groups that make the region: its territories, their links and their services."""


def region(parameters: Mapping[str, Any]) -> dict[str, Any]:
    """The region part of a scenario's parameters (as ``Parameters.model_dump(mode="json")``)."""
    return {group: parameters.get(group) for group in REGION_GROUPS}


def unpaired(names: Sequence[str], parameters: Sequence[Mapping[str, Any]]) -> frozenset[str]:
    """The scenarios (after the first, the reference) that do not run on the reference's region.

    >>> base = {"geometry": {"n": 100}, "network": {}, "services": {}, "france": {}}
    >>> sorted(unpaired(["ref", "same", "other"], [base, base, {**base, "geometry": {}}]))
    ['other']
    """
    reference = region(parameters[0])
    return frozenset(n for n, p in zip(names, parameters, strict=True) if region(p) != reference)
