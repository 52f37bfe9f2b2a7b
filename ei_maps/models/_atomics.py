"""Atomic operations on int64 array elements for jitted code, as LLVM intrinsics.

Numba's CPU target has no atomics; the barrier-free worker loops (see
:mod:`ei_maps.models._workers`) need four, on single elements of 1-D int64
arrays: a load, a store, an add that returns the old value, and a
compare-and-swap. All are sequentially consistent, so plain stores made
before an atomic store are seen by any thread whose atomic load reads it.
"""
from __future__ import annotations

from numba import types
from numba.core import cgutils
from numba.extending import intrinsic

__all__ = ["atomic_add", "atomic_cas", "atomic_load", "atomic_store"]

_ORDER = "seq_cst"


def _check(arr) -> None:
    if not (isinstance(arr, types.Array) and arr.dtype == types.int64 and arr.ndim == 1):
        raise TypeError(f"atomics need a 1-D int64 array, got {arr}")


def _pointer(context, builder, arr_type, arr, index):
    ary = context.make_array(arr_type)(context, builder, arr)
    return cgutils.get_item_pointer(context, builder, arr_type, ary, [index], wraparound=False)


@intrinsic
def atomic_load(typingctx, arr, index):
    """``arr[index]``, read atomically."""
    _check(arr)

    def codegen(context, builder, sig, args):
        ptr = _pointer(context, builder, sig.args[0], args[0], args[1])
        return builder.load_atomic(ptr, _ORDER, 8)

    return types.int64(arr, types.intp), codegen


@intrinsic
def atomic_store(typingctx, arr, index, value):
    """``arr[index] = value``, atomically."""
    _check(arr)

    def codegen(context, builder, sig, args):
        ptr = _pointer(context, builder, sig.args[0], args[0], args[1])
        val = context.cast(builder, args[2], sig.args[2], types.int64)
        builder.store_atomic(val, ptr, _ORDER, 8)
        return context.get_dummy_value()

    return types.void(arr, types.intp, types.int64), codegen


@intrinsic
def atomic_add(typingctx, arr, index, value):
    """``arr[index] += value`` atomically; returns the value before the addition."""
    _check(arr)

    def codegen(context, builder, sig, args):
        ptr = _pointer(context, builder, sig.args[0], args[0], args[1])
        val = context.cast(builder, args[2], sig.args[2], types.int64)
        return builder.atomic_rmw("add", ptr, val, _ORDER)

    return types.int64(arr, types.intp, types.int64), codegen


@intrinsic
def atomic_cas(typingctx, arr, index, expected, value):
    """If ``arr[index] == expected`` set it to ``value``, atomically; returns whether it did."""
    _check(arr)

    def codegen(context, builder, sig, args):
        ptr = _pointer(context, builder, sig.args[0], args[0], args[1])
        old = context.cast(builder, args[2], sig.args[2], types.int64)
        new = context.cast(builder, args[3], sig.args[3], types.int64)
        pair = builder.cmpxchg(ptr, old, new, _ORDER, _ORDER)
        return builder.extract_value(pair, 1)

    return types.boolean(arr, types.intp, types.int64, types.int64), codegen
