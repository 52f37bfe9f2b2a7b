"""Jitted settling loops of :class:`ei_maps.models.ActivationModel`.

Two parallel schemes compute the same bits; the model runs whichever has
been faster lately (:class:`ei_maps.models._workers.FastestOf`):

- :func:`settle_batch` ("barrier"): one call runs the whole fixed-point
  iteration, each update a ``prange`` loop over tiles with a barrier after
  it. Fastest on an idle machine.
- :func:`settle_worker` and :func:`finish_worker` ("free"): every thread
  takes tiles one update at a time through atomic counters and never waits
  for a particular thread; a thread the OS has paused holds nobody up,
  because an idle thread redoes its update and the first result published
  wins. Several times faster than the barrier scheme beside a busy process.

Inside either, for one stimulus, the lateral input
of both sheets is summed with the row-separable form of the kernels (see
:mod:`ei_maps.sheet`) and fused with the soft-threshold update. The stopping
rule needs the change of the *whole batch*, so each stimulus leaves its
squared change and squared size in a per-stimulus slot and the serial part
adds them in a fixed order (the result does not depend on the thread count).

Layout: the batch is cut into tiles of ``TILE`` stimuli stored innermost,
``(tile, y, x, lane)``. Every stencil operation is then a fixed-length loop
over the lanes of contiguous memory, which LLVM unrolls into whole SIMD
vectors with no remainder loop (the sheet's own rows, 40 long, vectorize
badly). A partial last tile is filled with zero stimuli, whose activity stays
exactly zero and adds nothing to the stopping rule.

State arrays are padded by ``pad = max(r_exc, r_inh)`` on every side: with a
zero boundary the halo is never written and stays 0, with a periodic boundary
it is refreshed from the opposite edge before each update. Either way the
inner loops need no bounds tests.
"""
from __future__ import annotations

from collections import namedtuple

import numpy as np
from numba import njit, prange

from .._atomics import atomic_add, atomic_cas, atomic_load, atomic_store
from .._learning_numba import residual_rows


#: Stimuli per tile (lanes).
TILE = 16

# The entry points take their arrays grouped (numba passes named tuples of arrays and numbers as they are):
#: A row-separable kernel as the loops read it (:class:`ei_maps.sheet.RowSeparableKernel`).
Kernel = namedtuple("Kernel", "radius vertical horizontal levels level_of_row")
#: What is settled: the tiled drive (tiles, L, L * TILE), the padded states, the halo width, the torus flag.
Sheet = namedtuple("Sheet", "drive state_e state_i pad periodic")
#: Scratch of one update: ring buffers and rows of each sheet, per tile (barrier) or per thread (free).
Scratch = namedtuple("Scratch", "ring_e ring_i exc inh sums")
#: Per-stimulus squared change and size of the updates (what the stopping rule reads).
History = namedtuple("History", "change size")
#: The dynamics: threshold (and the per-row excitatory thresholds), step, leak, stopping rule.
Dynamics = namedtuple("Dynamics", "lam lam_e eta leak eps max_iter")
# Numba's parallel passes treat an array unpacked from a tuple as the function's own and may drop a write to
# it: a ``parallel=True`` function takes its arrays one by one, behind an entry point that unpacks them.
#: The free scheme's hand-out state (see :func:`settle_worker`).
Handout = namedtuple("Handout", "done claimed owner count control")
#: Where the free scheme's settled state is: its buffers, the slot of the final update, who published each
#: tile's updates (``owner``, ``stride`` updates per tile), the number of updates and the halo width.
Settled = namedtuple("Settled", "state_e state_i slot owner stride n pad")
#: The hand-out of :func:`finish_worker`: tiles given out and finished, tiles done, threads still writing.
Finishing = namedtuple("Finishing", "counter finished inside")
#: What the learning step's residual needs: ``x - code_scale * a phi_t`` into ``residual`` (no rows: none).
Reconstruction = namedtuple("Reconstruction", "phi_t x code_scale residual")

# Inner loops index 1-D views with the bare loop counter: numba then knows
# the index is non-negative, drops its negative-index wraparound test, and
# LLVM vectorizes them. 'reassoc' lets the per-lane sums vectorize too; NaN
# and inf semantics are kept because divergence is detected through them.
_FAST = {"reassoc", "contract", "nsz"}


@njit(cache=True, nogil=True)
def _wrap_halo(a, pad, side):
    """Refresh the halo of one padded tile, shape (n, n * TILE), from the opposite edges."""
    n = a.shape[0]
    for i in range(n):
        src_row = a[pad + (i - pad) % side]
        row = a[i]
        inner_row = pad <= i < pad + side
        for j in range(n):
            if inner_row and pad <= j < pad + side:
                continue
            sj = (pad + (j - pad) % side) * TILE
            dst = row[j * TILE:(j + 1) * TILE]
            src = src_row[sj:sj + TILE]
            for t in range(TILE):
                dst[t] = src[t]


@njit(cache=True, nogil=True, fastmath=_FAST)
def _horizontal(a, i, pad, side, horizontal, levels, h):
    """Horizontal sums of padded row ``i`` of ``a`` for every level into ``h`` (levels, side * TILE).

    Rows are flat ``(x, lane)`` runs, so a shift by ``d`` columns is a shift by
    ``d * TILE`` in memory. Level ``k`` sums ``horizontal[|dx|] * a[i, x+dx]``
    out to half-width ``levels[k]``; each level is the previous one plus its
    extra tap pairs, so a row costs one pass per tap pair.
    """
    width = side * TILE
    row = a[i]
    center = row[pad * TILE:pad * TILE + width]
    g0 = horizontal[0]
    for k in range(levels.shape[0]):
        hk = h[k]
        first = 1
        if k == 0:
            for x in range(width):
                hk[x] = g0 * center[x]
        else:
            prev = h[k - 1]
            d = levels[k - 1] + 1
            gd = horizontal[d]
            right = row[(pad + d) * TILE:(pad + d) * TILE + width]
            left = row[(pad - d) * TILE:(pad - d) * TILE + width]
            for x in range(width):
                hk[x] = prev[x] + gd * (right[x] + left[x])
            first = d + 1
        for d in range(first, levels[k] + 1):
            gd = horizontal[d]
            right = row[(pad + d) * TILE:(pad + d) * TILE + width]
            left = row[(pad - d) * TILE:(pad - d) * TILE + width]
            for x in range(width):
                hk[x] += gd * (right[x] + left[x])


@njit(cache=True, nogil=True, fastmath=_FAST)
def _vertical(ring, i, radius, vertical, level_of_row, out):
    """out = sum over dy of vertical[dy] * (level sums of padded row i + dy), mirrored rows added first.

    ``ring[j % (2 radius + 1)]`` holds the level sums of padded row ``j``.
    """
    n = 2 * radius + 1
    mid = ring[i % n, level_of_row[radius]]
    c = vertical[radius]
    for x in range(out.shape[0]):
        out[x] = c * mid[x]
    for r in range(radius):
        c = vertical[r]
        lev = level_of_row[r]
        up = ring[(i + r - radius) % n, lev]
        down = ring[(i + radius - r) % n, lev]
        for x in range(out.shape[0]):
            out[x] += c * (up[x] + down[x])


@njit(cache=True, nogil=True, fastmath=_FAST)
def _sweep(s, a_e, a_i, new_e, new_i, pad, side,
           exc_radius, exc_vertical, exc_horizontal, exc_levels, exc_level_of_row, ring_e,
           inh_radius, inh_vertical, inh_horizontal, inh_levels, inh_level_of_row, ring_i,
           exc, inh, sums, change, size, lam, lam_e, eta, leak):
    """One update of one tile, row by row.

    The lateral input of output row ``y`` needs the horizontal sums of rows
    ``y - r .. y + r``; they are kept in ring buffers of ``2 r + 1`` rows, so
    each row is summed once and the tile's working set stays in cache. The
    soft-thresholded update of both sheets follows at once, with the squared
    change and size of each ``(x, lane)`` accumulated in ``sums`` and folded
    into per-lane ``change`` and ``size`` (TILE,) at the end. The excitatory
    sheet's threshold is per unit (``lam_e`` (L, L * TILE), lanes repeated; all
    ``lam`` unless a model adapts thresholds per unit), the inhibitory one's ``lam``.
    """
    width = side * TILE
    n_e = 2 * exc_radius + 1
    n_i = 2 * inh_radius + 1
    for i in range(pad - exc_radius, pad + exc_radius):
        _horizontal(a_e, i, pad, side, exc_horizontal, exc_levels, ring_e[i % n_e])
    for i in range(pad - inh_radius, pad + inh_radius):
        _horizontal(a_i, i, pad, side, inh_horizontal, inh_levels, ring_i[i % n_i])
    # typed like the state so float32 runs stay float32 in the vector loop
    zero = lam * 0
    acc_change = sums[0]
    acc_size = sums[1]
    for x in range(width):
        acc_change[x] = 0
        acc_size[x] = 0
    for y in range(side):
        i = pad + y
        _horizontal(a_e, i + exc_radius, pad, side, exc_horizontal, exc_levels,
                    ring_e[(i + exc_radius) % n_e])
        _horizontal(a_i, i + inh_radius, pad, side, inh_horizontal, inh_levels,
                    ring_i[(i + inh_radius) % n_i])
        _vertical(ring_e, i, exc_radius, exc_vertical, exc_level_of_row, exc)
        _vertical(ring_i, i, inh_radius, inh_vertical, inh_level_of_row, inh)
        ae_row = a_e[i, pad * TILE:pad * TILE + width]
        ai_row = a_i[i, pad * TILE:pad * TILE + width]
        ne_row = new_e[i, pad * TILE:pad * TILE + width]
        ni_row = new_i[i, pad * TILE:pad * TILE + width]
        s_row = s[y]
        lam_row = lam_e[y]
        for x in range(width):
            ae = ae_row[x]
            ai = ai_row[x]
            e = exc[x]
            ue = ae + eta * (-leak * ae + s_row[x] + e - inh[x])
            ui = ai + eta * (-leak * ai + e)
            # two-sided soft threshold, branch-free so the loop vectorizes
            le = lam_row[x]
            ne = max(ue - le, zero) - max(-ue - le, zero)
            ni = max(ui - lam, zero) - max(-ui - lam, zero)
            ne_row[x] = ne
            ni_row[x] = ni
            de = ne - ae
            di = ni - ai
            acc_change[x] += de * de + di * di
            acc_size[x] += ae * ae + ai * ai
    for t in range(TILE):
        change[t] = 0
        size[t] = 0
    for x0 in range(0, width, TILE):
        for t in range(TILE):
            change[t] += acc_change[x0 + t]
            size[t] += acc_size[x0 + t]


@njit(cache=True)
def settle_batch(sheet, k_exc, k_inh, scratch, history, dynamics, last_ratio):
    """Iterate the E/I dynamics of a tiled batch to the fixed point.

    Parameters
    ----------
    sheet : Sheet
        ``drive`` (tiles, L, L * TILE): feed-forward drive of the excitatory
        sheet, lanes innermost; ``state_e``, ``state_i`` (2, tiles, L + 2 pad,
        (L + 2 pad) * TILE): double-buffered padded activations, slot 0 the
        start state (zeros), the result after ``n`` updates in slot ``n % 2``.
    k_exc, k_inh : Kernel
    scratch : Scratch
        Per-tile scratch.
    history : History
        (tiles, TILE): per-stimulus squared change and size of the last update (state dtype).
    dynamics : Dynamics
    last_ratio : (1,) float64
        Output: the stopping rule's ratio at the last update (large when the
        activity is still growing at ``max_iter``).

    Returns
    -------
    int
        Number of updates ``n``; ``-n`` if the state became non-finite at
        update ``n`` (the dynamics diverged).
    """
    # unpacked here, outside the parallel loops: numba's parallel passes treat an array unpacked from a tuple
    # as the function's own, and drop a write to it that the function itself never reads back
    s, state_e, state_i, pad, periodic = sheet
    exc_radius, exc_vertical, exc_horizontal, exc_levels, exc_level_of_row = k_exc
    inh_radius, inh_vertical, inh_horizontal, inh_levels, inh_level_of_row = k_inh
    ring_e, ring_i, exc, inh, sums = scratch
    change2, size2 = history
    lam, lam_e, eta, leak, eps, max_iter = dynamics
    return _settle_batch(s, state_e, state_i, pad, periodic,
                         exc_radius, exc_vertical, exc_horizontal, exc_levels, exc_level_of_row,
                         inh_radius, inh_vertical, inh_horizontal, inh_levels, inh_level_of_row,
                         ring_e, ring_i, exc, inh, sums, change2, size2,
                         lam, lam_e, eta, leak, eps, max_iter, last_ratio)


@njit(cache=True, parallel=True)
def _settle_batch(s, state_e, state_i, pad, periodic,
                  exc_radius, exc_vertical, exc_horizontal, exc_levels, exc_level_of_row,
                  inh_radius, inh_vertical, inh_horizontal, inh_levels, inh_level_of_row,
                  ring_e, ring_i, exc, inh, sums, change2, size2,
                  lam, lam_e, eta, leak, eps, max_iter, last_ratio):
    """:func:`settle_batch` on its arrays one by one (the parallel loops)."""
    tiles = s.shape[0]
    side = s.shape[1]
    for it in range(1, max_iter + 1):
        src = (it - 1) % 2
        dst = it % 2
        for b in prange(tiles):
            a_e = state_e[src, b]
            a_i = state_i[src, b]
            if periodic:
                _wrap_halo(a_e, pad, side)
                _wrap_halo(a_i, pad, side)
            _sweep(s[b], a_e, a_i, state_e[dst, b], state_i[dst, b], pad, side,
                   exc_radius, exc_vertical, exc_horizontal, exc_levels, exc_level_of_row, ring_e[b],
                   inh_radius, inh_vertical, inh_horizontal, inh_levels, inh_level_of_row, ring_i[b],
                   exc[b], inh[b], sums[b], change2[b], size2[b], lam, lam_e, eta, leak)
        # fixed summation order: the result does not depend on the thread count
        change = 0.0
        size = 0.0
        for b in range(tiles):
            for t in range(TILE):
                change += np.float64(change2[b, t])
                size += np.float64(size2[b, t])
        if not (np.isfinite(change) and np.isfinite(size)):
            last_ratio[0] = np.inf
            return -it
        last_ratio[0] = np.sqrt(change) / (eps + np.sqrt(size))
        if last_ratio[0] < eps:
            return it
    return max_iter


@njit(cache=True)
def to_tiles(s, drive):
    """Copy a batch (B, L, L) into lanes-innermost tiles (tiles, L, L * TILE); spare lanes get 0."""
    batch, side = s.shape[0], s.shape[1]
    for k in range(drive.shape[0]):
        for y in range(side):
            row = drive[k, y]
            for x in range(side):
                for t in range(TILE):
                    b = k * TILE + t
                    row[x * TILE + t] = s[b, y, x] if b < batch else 0


@njit(cache=True)
def from_tiles(state, slot, pad, out):
    """Copy the interior of a padded tiled state (2, tiles, n, n * TILE) slot into out (B, L, L)."""
    batch, side = out.shape[0], out.shape[1]
    for k in range(state.shape[1]):
        for y in range(side):
            row = state[slot, k, pad + y]
            for x in range(side):
                for t in range(TILE):
                    b = k * TILE + t
                    if b < batch:
                        out[b, y, x] = row[(pad + x) * TILE + t]


@njit(cache=True)
def clear_slot(state, slot):
    """Zero one slot of a tiled state in parallel."""
    for k in range(state.shape[1]):
        tile = state[slot, k]
        for i in range(tile.shape[0]):
            row = tile[i]
            for j in range(row.shape[0]):
                row[j] = 0


# ----------------------------------------------------------------------------- barrier-free settling
# Slots of the shared ``control`` array of settle_worker.
DECIDED, RESULT, DECISION_LOCK = 0, 1, 2

#: State slots per tile and thread: a tile may run this many updates minus one past the last decided one.
STATE_SLOTS = 4

#: Units per piece of the dictionary update.
UNIT_CHUNK = 32


@njit(cache=True, nogil=True)
def spin_until(counter, index, target, patience):
    """Whether ``counter[index]`` reached ``target`` within ``patience`` checks."""
    for _ in range(patience):
        if atomic_load(counter, index) >= target:
            return True
    return atomic_load(counter, index) >= target


@njit(cache=True, nogil=True)
def _decide(control, count, owner, change_hist, size_hist, tiles, eps, max_iter, last_ratio):
    """Apply the stopping rule to every update all tiles have finished, in order.

    Whoever holds the decision lock adds the per-stimulus squared changes and
    sizes of update ``j``, each read from the thread that published it
    (``owner``), in the fixed (tile, lane) order: the decision does not
    depend on which threads did the work. ``control[RESULT]`` becomes the
    number of updates ``n`` (``-n`` if the state became non-finite).
    """
    if not atomic_cas(control, DECISION_LOCK, 0, 1):
        return
    stride = max_iter + 1
    while atomic_load(control, RESULT) == 0:
        j = atomic_load(control, DECIDED) + 1
        if atomic_load(count, j) < tiles:
            break
        change = 0.0
        size = 0.0
        for b in range(tiles):
            w = atomic_load(owner, b * stride + j)
            for t in range(TILE):
                change += np.float64(change_hist[w, j, b, t])
                size += np.float64(size_hist[w, j, b, t])
        if not (np.isfinite(change) and np.isfinite(size)):
            last_ratio[0] = np.inf
            atomic_store(control, RESULT, -j)
            break
        last_ratio[0] = np.sqrt(change) / (eps + np.sqrt(size))
        if last_ratio[0] < eps or j >= max_iter:
            atomic_store(control, RESULT, j)
            break
        atomic_store(control, DECIDED, j)
    atomic_store(control, DECISION_LOCK, 0)


@njit(cache=True, nogil=True)
def settle_worker(worker, workers, sheet, k_exc, k_inh, scratch, history, handout, dynamics, last_ratio, patience):
    """One of ``workers`` threads settling a tiled batch, with no barrier between updates.

    Tiles are independent until the stopping rule, which needs every tile's
    change at the same update. So instead of all threads waiting for each
    other after every update (a thread the OS has paused for a time slice
    then stalls all of them), a thread takes whichever free tile is furthest
    behind and gives it one update. It writes the new state into its *own*
    buffer (``state_e[slot, worker, tile]``) and the update's per-stimulus
    change and size into its own rows of ``change_hist``/``size_hist``, then
    publishes: the first thread to set ``owner[tile, j]`` for update ``j``
    makes its result the tile's update ``j``. A thread that finds no free
    tile for ``patience`` checks takes the furthest-behind tile another
    thread holds and computes that update itself, so a paused thread never
    holds the others up; whichever finishes second throws its result away.

    Tiles run at most ``R - 1`` updates past the last decided one (``R``
    slots per thread; update ``j`` is in slot ``j % R``), so the state at the
    stopping update is still there when it is decided. Every update takes the
    same arithmetic as a serial loop would: the result does not depend on
    the number of threads or on the timing.

    With a periodic boundary each new state's halo is refreshed by the
    thread that wrote it, so no thread ever writes into another's buffer.

    Parameters
    ----------
    worker, workers : int
        This thread's number and the number of threads.
    sheet : Sheet
        As for :func:`settle_batch`, with ``state_e``, ``state_i`` (R,
        workers, tiles, L + 2 pad, (L + 2 pad) * TILE): update 0 (silence)
        is slot 0 of thread 0.
    k_exc, k_inh : Kernel
    scratch : Scratch
        Per-thread scratch (first axis: thread).
    history : History
        (workers, max_iter + 1, tiles, TILE): per-stimulus squared change and size of every update, per thread.
    handout : Handout
        The fields below.
    dynamics : Dynamics
    done, claimed : (tiles,) int64
        Updates published for each tile; 1 + the thread working on it, or 0.
    owner : (tiles * (max_iter + 1),) int64
        The thread whose result is update ``j`` of tile ``b`` (index
        ``b * (max_iter + 1) + j``), -1 before it is published.
    count : (max_iter + 2,) int64
        Tiles that have published each update.
    control : (3,) int64
        ``DECIDED``: last update found not converged; ``RESULT``: 0 while
        running, then the number of updates ``n`` (``-n`` on divergence);
        ``DECISION_LOCK``.
    patience : int
        Checks for a free tile before taking over another thread's [count].

    Returns
    -------
    bool
        Always True: the batch is settled when it returns.
    """
    s, state_e, state_i, pad, periodic = sheet
    exc_radius, exc_vertical, exc_horizontal, exc_levels, exc_level_of_row = k_exc
    inh_radius, inh_vertical, inh_horizontal, inh_levels, inh_level_of_row = k_inh
    ring_e, ring_i, exc, inh, sums = scratch
    change_hist, size_hist = history
    done, claimed, owner, count, control = handout
    lam, lam_e, eta, leak, eps, max_iter = dynamics
    tiles = s.shape[0]
    side = s.shape[1]
    slots = state_e.shape[0]
    stride = max_iter + 1
    idle = 0
    while atomic_load(control, RESULT) == 0:
        limit = min(atomic_load(control, DECIDED) + slots, max_iter)
        best = -1
        best_key = 4 * (max_iter + 2)
        held = -1
        held_done = max_iter + 1
        for b in range(tiles):
            d = atomic_load(done, b)
            if d >= limit:
                continue
            if atomic_load(claimed, b) == 0:
                # furthest behind first, but a thread's own tiles count one update less: a tile stays
                # with its thread (its state in that core's cache) unless another is a full update behind
                other = 0 if b % workers == worker else 1
                key = 2 * (d + other) + other
                if key < best_key:
                    best, best_key = b, key
            elif d < held_done:
                held, held_done = b, d
        mine = False
        if best >= 0 and atomic_cas(claimed, best, 0, worker + 1):
            mine = True
            idle = 0
        elif best < 0 and held >= 0 and idle >= patience:
            best = held
            idle = 0
        else:
            _decide(control, count, owner, change_hist, size_hist, tiles, eps, max_iter, last_ratio)
            idle += 1
            continue
        m = atomic_load(done, best)
        if m < min(atomic_load(control, DECIDED) + slots, max_iter) and atomic_load(control, RESULT) == 0:
            src_w = atomic_load(owner, best * stride + m)
            new_e = state_e[(m + 1) % slots, worker, best]
            new_i = state_i[(m + 1) % slots, worker, best]
            _sweep(s[best], state_e[m % slots, src_w, best], state_i[m % slots, src_w, best], new_e, new_i,
                   pad, side,
                   exc_radius, exc_vertical, exc_horizontal, exc_levels, exc_level_of_row, ring_e[worker],
                   inh_radius, inh_vertical, inh_horizontal, inh_levels, inh_level_of_row, ring_i[worker],
                   exc[worker], inh[worker], sums[worker], change_hist[worker, m + 1, best],
                   size_hist[worker, m + 1, best], lam, lam_e, eta, leak)
            if periodic:  # the halo goes with the state: readers never write another thread's buffer
                _wrap_halo(new_e, pad, side)
                _wrap_halo(new_i, pad, side)
            if atomic_cas(owner, best * stride + m + 1, -1, worker):
                atomic_store(done, best, m + 1)
                atomic_add(count, m + 1, 1)
        if mine:
            atomic_store(claimed, best, 0)
        _decide(control, count, owner, change_hist, size_hist, tiles, eps, max_iter, last_ratio)
    return True


@njit(cache=True, nogil=True)
def _copy_tile(state, k, pad, out):
    batch, side = out.shape[0], out.shape[1]
    for y in range(side):
        row = state[k, pad + y]
        for x in range(side):
            for t in range(TILE):
                b = k * TILE + t
                if b < batch:
                    out[b, y, x] = row[(pad + x) * TILE + t]


@njit(cache=True, nogil=True)
def finish_worker(worker, settled, a_e, a_i, finishing, patience, reconstruction, acc):
    """Copy each tile's settled state into ``a_e``, ``a_i`` (B, L, L) and, when the residual has rows,
    compute that tile's reconstruction residuals
    (:func:`~ei_maps.models._learning_numba.residual_rows`) while its activity is in cache.

    ``settled`` is a :data:`Settled`, ``finishing`` a :data:`Finishing`,
    ``reconstruction`` a :data:`Reconstruction`; ``acc`` is this thread's
    scratch row. ``counter[0]`` hands out tiles and ``counter[1]`` counts
    the finished ones; ``finished[k]`` marks tile ``k`` done. A thread left
    with nothing to hand out redoes, after ``patience`` checks, the tiles
    still unfinished (another thread may be paused in one): both write the
    same values from the same inputs. ``inside[worker]`` is 1 while this
    thread may still write (the caller waits for 0 before handing ``a_e``
    out). Returns once every tile is finished.
    """
    state_e, state_i, slot, owner, stride, n, pad = settled
    counter, finished, inside = finishing
    phi_t, x, code_scale, residual = reconstruction
    atomic_store(inside, worker, 1)
    batch, side = a_e.shape[0], a_e.shape[1]
    tiles = state_e.shape[2]
    a_flat = a_e.reshape(batch, side * side)
    k = atomic_add(counter, 0, 1)
    idle = 0
    while atomic_load(counter, 1) < tiles:
        if k >= tiles:  # none left to hand out: after a while, redo one still unfinished
            if idle < patience:
                idle += 1
                continue
            for c in range(tiles):
                if atomic_load(finished, c) == 0:
                    k = c
                    break
            if k >= tiles:
                continue
        idle = 0
        w = atomic_load(owner, k * stride + n)
        _copy_tile(state_e[slot, w], k, pad, a_e)
        _copy_tile(state_i[slot, w], k, pad, a_i)
        if residual.shape[0] > 0:
            residual_rows(phi_t, x, a_flat, code_scale, residual, k * TILE, min((k + 1) * TILE, batch), acc)
        if atomic_cas(finished, k, 0, 1):
            atomic_add(counter, 1, 1)
        k = atomic_add(counter, 0, 1)
    atomic_store(inside, worker, 0)
    return True


@njit(cache=True, nogil=True)
def wait_while_any(flags):
    """Spin until every entry of ``flags`` is 0."""
    busy = True
    while busy:
        busy = False
        for w in range(flags.shape[0]):
            if atomic_load(flags, w) != 0:
                busy = True
