"""Jitted kernels of :class:`ei_maps.models.wave_sheet.WaveSheet`: spike propagation for Brian2
(``engine="kernel"``) and the whole time loop (``engine="numba"``, :func:`run_steps`).

On the torus every neuron's outgoing weights are the same disk of offsets, so
a spike needs no stored synapse list: its weights are scattered straight onto
the targets' synaptic traces. Brian2's ``Synapses`` path (``engine="synapses"``)
does the same arithmetic and is kept to check this one.

The inner loop does no integer division: wrapping round the torus and mapping
a site to a target on a coarser grid are table look-ups, and offsets that miss
a coarser target grid are removed in advance for each parity class of source.
"""
from __future__ import annotations

import types
from collections import namedtuple

import numpy as np
from numba import njit, prange
from numba.core import types as _types
from numba.extending import intrinsic


def offset_tables(dy: np.ndarray, dx: np.ndarray, weight: np.ndarray, spacing: int, skip_self: bool,
                  side: int):
    """Per-source-class offset lists and the wrap tables used by :func:`scatter_spikes`.

    Sources are classed by the parity of their site (for ``spacing`` 2: which
    offsets land on the target grid depends on it). Returns ``(start, cdy,
    cdx, cw, row, col)``: offsets of class ``c`` are ``start[c]:start[c+1]``;
    ``row[y + r] + col[x + r]`` is the target index of site ``(y, x)`` shifted
    by an offset, with ``r`` the largest offset.
    """
    keep = ~((dy == 0) & (dx == 0)) if skip_self else np.ones(dy.shape, bool)
    starts, cdy, cdx, cw = [0], [], [], []
    for cls in range(spacing * spacing):
        py, px = divmod(cls, spacing)
        ok = keep & ((py + dy) % spacing == 0) & ((px + dx) % spacing == 0)
        cdy.append(dy[ok])
        cdx.append(dx[ok])
        cw.append(weight[ok])
        starts.append(starts[-1] + int(ok.sum()))
    r = int(max(np.abs(dy).max(), np.abs(dx).max()))
    sites = (np.arange(-r, side + r) % side) // spacing
    target_side = side // spacing
    return (np.asarray(starts, np.int64), np.concatenate(cdy).astype(np.int64),
            np.concatenate(cdx).astype(np.int64), np.concatenate(cw).astype(np.float64),
            (sites * target_side).astype(np.int64), sites.astype(np.int64), r)


@njit(cache=True, nogil=True)
def scatter_spikes(spiking, src_x, src_y, src_class, start, dy, dx, weight, row, col, r, trace):
    """Add each spiking source's weights to its targets' trace (see :func:`offset_tables`)."""
    for a in range(spiking.shape[0]):
        n = spiking[a]
        y = src_y[n] + r
        x = src_x[n] + r
        c = src_class[n]
        for k in range(start[c], start[c + 1]):
            trace[row[y + dy[k]] + col[x + dx[k]]] += weight[k]


# --------------------------------------------------------------------------- engine "numba": the whole time loop
#
# Brian2 compiles its generated code with -O3 -ffast-math -march=native. On
# x86-64 with FMA, GCC then evaluates the membrane step (read back from the
# compiled state updater of this model) as
#     a  = (v - v_exc) * (g_exc + s_e)
#     x  = fma(v_leak - v, g_leak, -a)
#     x  = fma(-(v - v_inh), g_inh + s_i, x)
#     v' = fma(x, dt, v)
# (it also regroups L - (E + I) into (L - E) - I), and the synaptic filter as
# s' = fma(a_d, s, c * q). The loop below spells out the same operations with
# explicit fused multiply-adds and without fastmath, so LLVM cannot choose a
# different contraction: v stays bit-identical to the kernel engine's.
# ``fused=False`` evaluates the written formulas unfused instead, which is
# what plain NumPy computes (``_reference.py``): that is how the loop is
# checked bit for bit without Brian2.

#: Layout of the ``params`` vector of :func:`run_steps` (SI units, as Brian2 holds them).
PARAMS = ("g_leak", "v_leak", "v_exc", "v_inh", "g_exc", "g_inh", "v_threshold", "v_reset", "dt",
          "a_d_e", "a_r_e", "a_d_i", "a_r_i", "c_e", "c_i")


@intrinsic
def _fma(typingctx, a, b, c):
    """``a * b + c`` rounded once (LLVM ``llvm.fma.f64``: one instruction on CPUs with FMA)."""
    sig = _types.float64(_types.float64, _types.float64, _types.float64)

    def codegen(context, builder, signature, args):
        return builder.fma(*args)

    return sig, codegen


def band_tables(x: np.ndarray, y: np.ndarray, n_exc: int, side: int, spacing: int,
                w_exc_disk: np.ndarray, w_inh_disk: np.ndarray, dy: np.ndarray, dx: np.ndarray,
                n_bands: int, n_threads: int = 1) -> dict:
    """Everything :func:`run_steps` needs besides the state, for ``n_bands`` row bands of the sheet.

    A band is a range of site rows (a multiple of ``spacing`` rows) and owns
    the excitatory and inhibitory neurons on it; a spike's weights are added
    by the band that owns each target, so no two threads write one trace.
    Per pathway (E->E, E->I, I->E, I->I, the kernel engine's order) and
    source parity class, the disk's offsets are grouped by ``dy``:
    ``gstart[p, c, g]:gstart[p, c, g + 1]`` are the offsets with
    ``dy = g - r``, given by ``cdx`` and ``cw``. ``band_order`` deals the
    bands to the ``n_threads`` threads in stripes (Numba hands each thread
    one contiguous run of a ``prange``), so a wave in one part of the sheet
    is shared out.
    """
    inh_side = side // spacing
    n_class = spacing * spacing
    # a neuron's synapse onto itself is kept with weight 0 rather than left out, so that every row of the disk
    # stays one run of consecutive targets; adding +0.0 leaves a trace (never -0.0) exactly as it was
    itself = (dy == 0) & (dx == 0)
    no_self = {True: lambda w: np.where(itself, 0.0, w), False: lambda w: w}
    specs = ((w_exc_disk, 1, True), (w_exc_disk, spacing, False), (w_inh_disk, 1, False),
             (w_inh_disk, spacing, True))
    tables = [offset_tables(dy, dx, no_self[skip](w), t, False, side) for w, t, skip in specs]
    r = tables[0][6]
    gstart = np.zeros((4, n_class, 2 * r + 2), np.int64)
    cdx, cw, base = [], [], 0
    runs = True  # does every row of every offset list reach consecutive targets? (not on a wrapped small torus)
    for p, (start, tdy, tdx, tw, _, _, _) in enumerate(tables):
        t = specs[p][1]
        classes = start.size - 1
        for c in range(classes):
            seg = slice(start[c], start[c + 1])
            # offsets are in raster order, so each dy is one run of them
            counts = np.bincount(tdy[seg] + r, minlength=2 * r + 1)
            pointers = base + np.concatenate([[0], np.cumsum(counts)])
            for g in range(2 * r + 1):
                row_dx = tdx[seg][pointers[g] - base:pointers[g + 1] - base]
                runs &= bool(np.all(np.diff(row_dx) == t)) and row_dx.size <= side // t
            for cls in (range(n_class) if classes == 1 else (c,)):
                gstart[p, cls] = pointers
            cdx.append(tdx[seg])
            cw.append(tw[seg])
            base += int(start[c + 1] - start[c])
    row_t = np.stack([tables[0][4], tables[1][4]])
    col_t = np.stack([tables[0][5], tables[1][5]])
    wrow = np.arange(-r, side + r) % side
    units = side // spacing
    n_bands = max(1, min(int(n_bands), units))
    edges = spacing * np.round(np.linspace(0, units, n_bands + 1)).astype(np.int64)
    band_of_row = np.repeat(np.arange(n_bands), np.diff(edges)).astype(np.int64)
    relevant = np.zeros((n_bands, side), np.bool_)
    for g in range(2 * r + 1):
        relevant[band_of_row[wrow[np.arange(side) + g]], np.arange(side)] = True
    threads = max(1, int(n_threads))
    per_thread = -(-n_bands // threads)
    band_order = np.argsort([(b % threads) * per_thread + b // threads for b in range(n_bands)], kind="stable")
    return {
        "band_order": band_order.astype(np.int64),
        "e_lo": edges[:-1] * side, "e_hi": edges[1:] * side,
        "i_lo": n_exc + edges[:-1] // spacing * inh_side, "i_hi": n_exc + edges[1:] // spacing * inh_side,
        "band_of_row": band_of_row, "relevant": relevant,
        "src_x": np.asarray(x, np.int64), "src_y": np.asarray(y, np.int64),
        "src_class": np.asarray((y % spacing) * spacing + x % spacing, np.int64),
        "gstart": gstart, "cdx": np.concatenate(cdx).astype(np.int64), "cw": np.concatenate(cw).astype(np.float64),
        "wrow": wrow.astype(np.int64), "row_t": row_t, "col_t": col_t, "r": r, "runs": runs,
    }


@njit(cache=True, nogil=True)
def _scatter_band(b, lo, hi, p, kind, toff, trace, pending, relevant, band_of_row, src_x, src_y, src_class,
                  gstart, cdx, cw, wrow, row_t, col_t, r, width, runs):
    # pending is in ascending neuron order, so every target receives its
    # additions in the order the kernel engine (and Brian2's Synapses) make them
    for a in range(lo, hi):
        n = pending[a]
        y = src_y[n]
        if not relevant[b, y]:
            continue
        x = src_x[n] + r
        c = src_class[n]
        for g in range(2 * r + 1):
            if band_of_row[wrow[y + g]] != b:
                continue
            base = toff + row_t[kind, y + g]
            k0 = gstart[p, c, g]
            k1 = gstart[p, c, g + 1]
            if k1 == k0:
                continue
            if runs:
                # a row of the disk reaches consecutive targets (round the torus at most once): two unit-stride
                # runs; unsigned indices spare Numba's negative-index checks
                first = col_t[kind, x + cdx[k0]]
                m = k1 - k0
                head = min(m, width - first)
                o = np.uint64(base + first)
                kk = np.uint64(k0)
                for j in range(np.uint64(head)):
                    trace[o + j] += cw[kk + j]
                o = np.uint64(base)
                kk = np.uint64(k0 + head)
                for j in range(np.uint64(m - head)):
                    trace[o + j] += cw[kk + j]
            else:
                for k in range(k0, k1):
                    trace[base + col_t[kind, x + cdx[k]]] += cw[k]


@njit(cache=True, nogil=True)
def _filter(s, q, a_d, a_r, c, fused):
    # separate short loops over band slices: with few arrays LLVM's alias checks stay cheap and it vectorizes
    if fused:
        for i in range(s.shape[0]):
            qq = q[i]
            s[i] = _fma(a_d, s[i], c * qq)
            q[i] = qq * a_r
    else:
        for i in range(s.shape[0]):
            qq = q[i]
            s[i] = a_d * s[i] + c * qq
            q[i] = qq * a_r


@njit(cache=True, nogil=True)
def _membrane(v, s_e, s_i, last, step, ref_steps, params, fused):
    """The Euler step of ``v``; returns how many neurons end above threshold (so most blocks skip the scan)."""
    g_leak, v_leak, v_exc, v_inh = params[0], params[1], params[2], params[3]
    g_exc, g_inh, v_threshold, dt = params[4], params[5], params[6], params[8]
    above = 0
    if fused:
        for i in range(v.shape[0]):
            vv = v[i]
            x = _fma(v_leak - vv, g_leak, -((vv - v_exc) * (g_exc + s_e[i])))
            x = _fma(-(vv - v_inh), g_inh + s_i[i], x)
            vn = _fma(x, dt, vv)
            vn = vn if step - last[i] >= ref_steps else vv
            v[i] = vn
            above += vn > v_threshold
    else:
        for i in range(v.shape[0]):
            vv = v[i]
            vn = dt * ((g_leak * (v_leak - vv) - (vv - v_exc) * (g_exc + s_e[i])) - (vv - v_inh) * (g_inh + s_i[i])) + vv
            vn = vn if step - last[i] >= ref_steps else vv
            v[i] = vn
            above += vn > v_threshold
    return above


#: Neurons per block of :func:`_update_range`: its passes over a block run while the block is in cache.
BLOCK = 512


@njit(cache=True, nogil=True)
def _update_range(lo, hi, step, ref_steps, v, s_e, s_i, q_e, q_i, last, params, fused, buf, vbuf):
    """Filters, Euler step and threshold of neurons ``lo:hi``; returns the number of spikes (in ``buf[lo:]``)."""
    n = 0
    for a in range(lo, hi, BLOCK):
        z = min(a + BLOCK, hi)
        # Brian2's order: the synaptic filters (groups slot, order -1), then the Euler step
        _filter(s_e[a:z], q_e[a:z], params[9], params[10], params[13], fused)
        _filter(s_i[a:z], q_i[a:z], params[11], params[12], params[14], fused)
        if _membrane(v[a:z], s_e[a:z], s_i[a:z], last[a:z], step, ref_steps, params, fused):
            n += _threshold_range(a, z, lo + n, step, ref_steps, v, last, params[6], params[7], buf, vbuf)
    return n


@njit(cache=True, nogil=True)
def _threshold_range(lo, hi, out, step, ref_steps, v, last, v_threshold, v_reset, buf, vbuf):
    # Brian2 tests the not_refractory flag its state update set in this step;
    # the potential before the reset is kept so the state can be shown as
    # Brian2 holds it between runs (its reset comes in the next step)
    n = 0
    for i in range(lo, hi):
        if v[i] > v_threshold and step - last[i] >= ref_steps:
            vbuf[out + n] = v[i]
            v[i] = v_reset
            last[i] = step + 1
            buf[out + n] = i
            n += 1
    return n


def _steps(step0, n_steps, fused, v, s_e, s_i, q_e, q_i, last, params, ref_steps, n_exc,
              band_order, e_lo, e_hi, i_lo, i_hi, band_of_row, relevant, src_x, src_y, src_class, gstart, cdx, cw, wrow,
              row_t, col_t, r, runs, pending, pending_v, counts, buf, vbuf, band_count, rec_neuron, rec_step):
    """Simulate steps ``step0, step0 + 1, ...`` (at most ``n_steps``); returns how many were done.

    Each step is Brian2's ``thresholds, resets, synapses, groups`` shifted
    by one slot: ``pending`` holds the spikes of ``step`` (detected, reset
    and recorded at the end of the step before), then one parallel region
    over the row bands scatters them (``q``), runs the synaptic filters and
    the Euler step of the band's neurons, and detects and resets the spikes
    of ``step + 1`` (``pending_v``: their potentials before the reset).
    ``counts`` is ``(excitatory pending, inhibitory pending, recorded)``; the loop stops early, before a step whose spikes
    might not fit in ``rec_neuron``/``rec_step``, for the caller to grow them.
    """
    n_bands = e_lo.shape[0]
    n_total = v.shape[0]
    width_e = col_t[0].max() + 1
    width_i = col_t[1].max() + 1
    done = 0
    for it in range(n_steps):
        if counts[2] + n_total > rec_neuron.shape[0]:
            break
        step = step0 + it
        n_e = counts[0]
        n_i = counts[1]
        for j in prange(n_bands):
            b = band_order[j]
            _scatter_band(b, 0, n_e, 0, 0, 0, q_e, pending, relevant, band_of_row, src_x, src_y, src_class,
                          gstart, cdx, cw, wrow, row_t, col_t, r, width_e, runs)
            _scatter_band(b, 0, n_e, 1, 1, n_exc, q_e, pending, relevant, band_of_row, src_x, src_y, src_class,
                          gstart, cdx, cw, wrow, row_t, col_t, r, width_i, runs)
            _scatter_band(b, n_e, n_e + n_i, 2, 0, 0, q_i, pending, relevant, band_of_row, src_x, src_y,
                          src_class, gstart, cdx, cw, wrow, row_t, col_t, r, width_e, runs)
            _scatter_band(b, n_e, n_e + n_i, 3, 1, n_exc, q_i, pending, relevant, band_of_row, src_x, src_y,
                          src_class, gstart, cdx, cw, wrow, row_t, col_t, r, width_i, runs)
            band_count[b, 0] = _update_range(e_lo[b], e_hi[b], step, ref_steps, v, s_e, s_i, q_e, q_i, last,
                                             params, fused, buf, vbuf)
            band_count[b, 1] = _update_range(i_lo[b], i_hi[b], step, ref_steps, v, s_e, s_i, q_e, q_i, last,
                                             params, fused, buf, vbuf)
        # gather the bands' spikes: all excitatory (ascending), then all
        # inhibitory: the order of Brian2's two spike monitors, time-sorted
        n = 0
        for pop in range(2):
            for b in range(n_bands):
                lo = e_lo[b] if pop == 0 else i_lo[b]
                for k in range(band_count[b, pop]):
                    pending[n] = buf[lo + k]
                    pending_v[n] = vbuf[lo + k]
                    n += 1
            if pop == 0:
                counts[0] = n
        counts[1] = n - counts[0]
        m = counts[2]
        for k in range(n):
            rec_neuron[m + k] = pending[k]
            rec_step[m + k] = step + 1
        counts[2] = m + n
        done += 1
    return done


def _renamed(function, name: str):
    """``function`` under another name: Numba keys its on-disk cache by the function's qualified name,
    not its compile flags, so each compiled variant of one loop needs a name of its own."""
    copy = types.FunctionType(function.__code__, function.__globals__, name, function.__defaults__,
                              function.__closure__)
    copy.__qualname__, copy.__module__, copy.__doc__ = name, function.__module__, function.__doc__
    return copy


#: The loop on Numba's threads: one parallel region per step. Numba takes the GIL to launch each region,
#: so a busy Python thread in the same process delays every step by up to its switch interval (5 ms).
_run_steps = njit(parallel=True, cache=True)(_renamed(_steps, "_run_steps"))
#: The same loop on the calling thread, the bands one after the other (``prange`` is then ``range``):
#: no parallel region, and the GIL released for the whole call. The same spikes as the parallel loop.
_run_steps_serial = njit(cache=True, nogil=True)(_renamed(_steps, "_run_steps_serial"))

# The entry points take the loop's arrays grouped; they unpack them outside the parallel region (numba's
# parallel passes treat an array unpacked from a tuple as the function's own and may drop a write to it).
#: The sheet's state: potentials, synaptic filters, the last spike of each neuron.
WaveState = namedtuple("WaveState", "v s_e s_i q_e q_i last")
#: The connectivity by row bands (:func:`band_tables`) and the neurons' refractory steps.
BandTables = namedtuple("BandTables", "band_order e_lo e_hi i_lo i_hi band_of_row relevant src_x src_y src_class "
                                      "gstart cdx cw wrow row_t col_t r runs")
#: Spikes in flight and recorded (see :func:`_steps`).
SpikeBuffers = namedtuple("SpikeBuffers", "pending pending_v counts buf vbuf band_count rec_neuron rec_step")


#: The loop an entry point calls: bound in each compiled copy's globals by :func:`_entry`.
_loop = _run_steps


def _grouped_steps(step0, n_steps, fused, state, params, ref_steps, n_exc, tables, spikes):
    """:func:`_steps` with its arrays grouped (``state`` a :data:`WaveState`, ``tables`` a :data:`BandTables`,
    ``spikes`` a :data:`SpikeBuffers`); returns how many steps were done."""
    v, s_e, s_i, q_e, q_i, last = state
    (band_order, e_lo, e_hi, i_lo, i_hi, band_of_row, relevant, src_x, src_y, src_class, gstart, cdx, cw, wrow,
     row_t, col_t, r, runs) = tables
    pending, pending_v, counts, buf, vbuf, band_count, rec_neuron, rec_step = spikes
    return _loop(step0, n_steps, fused, v, s_e, s_i, q_e, q_i, last, params, ref_steps, n_exc,
                 band_order, e_lo, e_hi, i_lo, i_hi, band_of_row, relevant, src_x, src_y, src_class, gstart, cdx,
                 cw, wrow, row_t, col_t, r, runs, pending, pending_v, counts, buf, vbuf, band_count, rec_neuron,
                 rec_step)


def _entry(loop, name: str):
    """:func:`_grouped_steps` compiled to call ``loop`` (a name of its own: the on-disk cache is keyed by it)."""
    function = types.FunctionType(_grouped_steps.__code__, {**_grouped_steps.__globals__, "_loop": loop}, name)
    function.__qualname__, function.__module__, function.__doc__ = name, __name__, _grouped_steps.__doc__
    return function


#: The loop on Numba's threads (:data:`_run_steps`), its arrays grouped.
run_steps = njit(cache=True)(_entry(_run_steps, "run_steps"))
#: The loop on the calling thread (:data:`_run_steps_serial`), its arrays grouped; the GIL released.
run_steps_serial = njit(cache=True, nogil=True)(_entry(_run_steps_serial, "run_steps_serial"))
