"""The one random-state protocol every sampler shares, so a run resumes to exactly the same batches."""
from __future__ import annotations

import json


class SeededSampler:
    """Base of the samplers: ``get_state``/``set_state`` of ``self._rng`` (a NumPy Generator)."""

    def get_state(self) -> dict:
        """The random generator's state, JSON-serialisable (plain dicts, str and int)."""
        # the JSON round trip guarantees serialisability and hands out a deep copy
        return json.loads(json.dumps(self._rng.bit_generator.state))

    def set_state(self, state: dict) -> None:
        """Restore a state from :meth:`get_state`; the next batches repeat exactly.

        Parameters
        ----------
        state : dict
            A state returned by :meth:`get_state` of a sampler with the same
            bit generator.

        Raises
        ------
        ValueError
            If ``state`` is not a state of this sampler's bit generator.
        """
        if not isinstance(state, dict):
            raise ValueError(f"sampler state must be a dict from get_state(), got {type(state).__name__}")
        try:
            self._rng.bit_generator.state = state
        except (TypeError, ValueError, KeyError) as exc:
            raise ValueError(f"invalid sampler state ({exc})") from exc
