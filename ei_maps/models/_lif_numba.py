"""Jitted spike propagation for :class:`ei_maps.models.lif.LIFSheet` (``engine="kernel"``).

On the torus every neuron's outgoing weights are the same disk of offsets, so
a spike needs no stored synapse list: its weights are scattered straight onto
the targets' synaptic traces. Brian2's ``Synapses`` path (``engine="synapses"``)
does the same arithmetic and is kept to check this one.
"""
from __future__ import annotations

from numba import njit


@njit(cache=True, nogil=True)
def scatter_spikes(spiking, src_x, src_y, dy, dx, weight, skip_self, trace, target_side, spacing, side):
    """Add ``weight[k]`` to the trace of the target at offset ``(dy[k], dx[k])`` of each spiking source.

    Parameters
    ----------
    spiking : int array
        Indices of the sources that fired this step.
    src_x, src_y : int arrays
        Source sites.
    dy, dx, weight : arrays over the disk offsets
        Offsets (sites) and their weights.
    skip_self : bool
        Leave out the zero offset (no self-connections within a population).
    trace : float array
        Targets' trace, updated in place; targets sit every ``spacing`` sites
        and are numbered row-major on a ``target_side`` grid.
    """
    for a in range(spiking.shape[0]):
        n = spiking[a]
        x = src_x[n]
        y = src_y[n]
        for k in range(dy.shape[0]):
            if skip_self and dy[k] == 0 and dx[k] == 0:
                continue
            ty = (y + dy[k]) % side
            tx = (x + dx[k]) % side
            if spacing > 1 and (ty % spacing != 0 or tx % spacing != 0):
                continue
            trace[(ty // spacing) * target_side + tx // spacing] += weight[k]
