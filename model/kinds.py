"""Territory kinds: their names, the integer codes the model's arrays hold, and which are urban.

>>> import numpy as np
>>> is_urban(np.array([METROPOLE, URBAN, PERIURBAN, RURAL]))
array([ True,  True, False, False])
"""

from __future__ import annotations

import numpy as np

KINDS: tuple[str, ...] = ("metropole", "urban", "periurban", "rural")
"""Territory kinds, in the order of their integer codes in the model arrays."""
METROPOLE, URBAN, PERIURBAN, RURAL = range(4)


def is_urban(kind: np.ndarray) -> np.ndarray:
    """Whether each territory is urban: a métropole or another urban centre."""
    return (kind == METROPOLE) | (kind == URBAN)
