"""Kinds of territory and of structure: their names, the integer codes the model's arrays hold.

Which territory kinds are urban, which structure kinds grow beyond their founders.

>>> import numpy as np
>>> is_urban(np.array([METROPOLE, URBAN, PERIURBAN, RURAL]))
array([ True,  True, False, False])
"""

from __future__ import annotations

import numpy as np

KINDS: tuple[str, ...] = ("metropole", "urban", "periurban", "rural")
"""Territory kinds, in the order of their integer codes in the model arrays."""
METROPOLE, URBAN, PERIURBAN, RURAL = range(4)


STRUCTURE_KINDS: tuple[str, ...] = ("entente", "contrat", "syndicat", "pole")
"""Kinds of cooperation structure, in the order of their codes in the registry."""
ENTENTE, CONTRAT, SYNDICAT, POLE = range(4)
GROWABLE = (ENTENTE, SYNDICAT, POLE)
"""Kinds that accept members beyond their two founders (a contrat stays bilateral)."""


def is_urban(kind: np.ndarray) -> np.ndarray:
    """Whether each territory is urban: a métropole or another urban centre."""
    return (kind == METROPOLE) | (kind == URBAN)
