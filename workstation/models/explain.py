"""Exact Shapley values over all coalitions, evaluated in one batched model call.

For ``k`` players (inputs) and a reference profile, every coalition ``S`` gives a row whose player columns come
from the patient when the player is in ``S`` and from the reference otherwise. With ``v(S)`` the model output
for that row, ``phi_i = sum_S |S|! (k-|S|-1)! / k! * (v(S + i) - v(S))``. The values sum exactly to
``v(all) - v(none)``. For an additive linear predictor they equal each term's change from the reference, and an
interaction term is shared equally between its inputs.
"""
from __future__ import annotations

from functools import lru_cache
from math import factorial

import numpy as np

MAX_PLAYERS = 12  # 4096 rows; above this the batched call stops being interactive


@lru_cache(maxsize=None)
def coalitions(k: int) -> np.ndarray:
    """Boolean matrix [2^k x k]; row m has player i when bit i of m is set. Row 2^k - 1 is the full set."""
    m = np.arange(2 ** k)[:, None]
    return ((m >> np.arange(k)[None, :]) & 1).astype(bool)


@lru_cache(maxsize=None)
def shapley_weights(k: int) -> np.ndarray:
    """Matrix W [k x 2^k] with ``phi = W @ v`` for coalition values ``v`` ordered as :func:`coalitions`."""
    if k > MAX_PLAYERS:
        raise ValueError(f"exact Shapley values over {k} players would need {2 ** k} rows")
    c = coalitions(k)
    size = c.sum(axis=1)
    w = np.array([factorial(s) * factorial(k - s - 1) / factorial(k) for s in range(k)] + [0.0])
    out = np.zeros((k, 2 ** k))
    for i in range(k):
        has = c[:, i]
        out[i, has] = w[size[has] - 1]      # + weight(|S|) for S + i, where |S| = |S + i| - 1
        out[i, ~has] = -w[size[~has]]       # - weight(|S|) for S without i
    return out


def coalition_rows(patient: np.ndarray, reference: np.ndarray, player_cols: np.ndarray) -> np.ndarray:
    """Rows [2^k x F] for every coalition (the last row is the patient, the first the reference)."""
    select = coalitions(player_cols.shape[0]).astype(np.float64) @ player_cols.astype(np.float64) > 0
    return np.where(select, patient[None, :], reference[None, :])


def shapley(values: np.ndarray, k: int) -> np.ndarray:
    """Shapley values from the coalition outputs ``values`` (length 2^k, :func:`coalitions` order)."""
    return shapley_weights(k) @ np.asarray(values, dtype=np.float64).ravel()
