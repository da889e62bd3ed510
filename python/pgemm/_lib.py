# SPDX-License-Identifier: BSD-3-Clause
"""libpgemm through ctypes: finding the library, its structures and its
functions' prototypes (include/pgemm.h)."""

import ctypes
import ctypes.util
import os

# include/pgemm.h
NAME_LEN = 128
REASON_LEN = 512
ROW_MAJOR = 101
NO_TRANS, TRANS = 111, 112
PRECISION_FP32, PRECISION_FP16_MIXED = 0, 1
F32, F16 = 0, 1
BIAS_NONE, BIAS_PER_ROW, BIAS_PER_COLUMN = 0, 1, 2
SUCCESS = 0


class Options(ctypes.Structure):
    _fields_ = [
        ("backend", ctypes.c_int),
        ("device_index", ctypes.c_int),
        ("opencl_platform", ctypes.c_char_p),
        ("model_dir", ctypes.c_char_p),
        ("precision", ctypes.c_int),
        ("log_level", ctypes.c_int),
    ]


class Info(ctypes.Structure):
    _fields_ = [
        ("backend", ctypes.c_int),
        ("backend_name", ctypes.c_char * 32),
        ("platform", ctypes.c_char * NAME_LEN),
        ("device", ctypes.c_char * NAME_LEN),
        ("driver", ctypes.c_char * NAME_LEN),
        ("device_version", ctypes.c_char * NAME_LEN),
        ("arch", ctypes.c_char * 64),
        ("device_is_cpu", ctypes.c_int),
        ("work_items_as_loops", ctypes.c_int),
        ("compute_units", ctypes.c_uint),
        ("global_mem_bytes", ctypes.c_uint64),
        ("max_buffer_bytes", ctypes.c_uint64),
        ("local_mem_bytes", ctypes.c_uint64),
        ("has_fp16_tiles", ctypes.c_int),
        ("variant_count", ctypes.c_size_t),
        ("why", ctypes.c_char * REASON_LEN),
    ]


class CallInfo(ctypes.Structure):
    _fields_ = [
        ("backend", ctypes.c_int),
        ("variant", ctypes.c_char * NAME_LEN),
        ("precision_requested", ctypes.c_int),
        ("precision_used", ctypes.c_int),
        ("why", ctypes.c_char * REASON_LEN),
        ("activation", ctypes.c_int),
        ("bias", ctypes.c_int),
        ("epilogue_fused", ctypes.c_int),
        ("split_k", ctypes.c_size_t),
    ]


class Epilogue(ctypes.Structure):
    _fields_ = [
        ("activation", ctypes.c_int),
        ("bias", ctypes.c_int),
        ("bias_buffer", ctypes.c_void_p),
        ("bias_offset", ctypes.c_size_t),
        ("stride_bias", ctypes.c_size_t),
    ]


def _candidates():
    """PGEMM_LIBRARY alone when it is set; else the dynamic linker's search
    (an installed libpgemm), then what ctypes.util finds."""
    forced = os.environ.get("PGEMM_LIBRARY")
    if forced:
        return [forced]
    found = ctypes.util.find_library("pgemm")
    return ["libpgemm.so.0"] + ([found] if found else [])


def load():
    errors = []
    for name in _candidates():
        try:
            lib = ctypes.CDLL(name)
        except OSError as e:
            errors.append(str(e))
            continue
        _declare(lib)
        return lib
    hint = ("PGEMM_LIBRARY names the library" if os.environ.get("PGEMM_LIBRARY")
            else "install pgemm, or set PGEMM_LIBRARY to the path of libpgemm.so.0")
    raise ImportError("pgemm: cannot load libpgemm (%s): %s" % (hint, "; ".join(errors)))


def _declare(lib):
    c_size, c_float, c_int, c_void = ctypes.c_size_t, ctypes.c_float, ctypes.c_int, ctypes.c_void_p
    ctx_p, buf_p = ctypes.c_void_p, ctypes.c_void_p
    protos = {
        "pgemm_status_string": (ctypes.c_char_p, [c_int]),
        "pgemm_version_string": (ctypes.c_char_p, []),
        "pgemm_backend_name": (ctypes.c_char_p, [c_int]),
        "pgemm_backend_from_name": (c_int, [ctypes.c_char_p, ctypes.POINTER(c_int)]),
        "pgemm_backend_names": (ctypes.c_char_p, []),
        "pgemm_options_init": (None, [ctypes.POINTER(Options)]),
        "pgemm_context_create": (c_int, [ctypes.POINTER(Options), ctypes.POINTER(ctx_p)]),
        "pgemm_context_destroy": (None, [ctx_p]),
        "pgemm_last_error": (ctypes.c_char_p, [ctx_p]),
        "pgemm_set_precision": (c_int, [ctx_p, c_int]),
        "pgemm_context_info": (c_int, [ctx_p, ctypes.POINTER(Info)]),
        "pgemm_buffer_create": (c_int, [ctx_p, c_size, ctypes.POINTER(buf_p)]),
        "pgemm_buffer_write": (c_int, [buf_p, c_size, c_size, c_void]),
        "pgemm_buffer_read": (c_int, [buf_p, c_size, c_size, c_void]),
        "pgemm_buffer_destroy": (None, [buf_p]),
        "pgemm_synchronize": (c_int, [ctx_p]),
        "pgemm_sgemm_host": (c_int, [ctx_p, c_int, c_int, c_int, c_size, c_size, c_size, c_float,
                                     c_void, c_size, c_void, c_size, c_float, c_void, c_size]),
        "pgemm_gemm_strided_batched_ex": (
            c_int, [ctx_p, c_int, c_int, c_int, c_size, c_size, c_size, c_float,
                    buf_p, c_int, c_size, c_size, c_size,
                    buf_p, c_int, c_size, c_size, c_size,
                    c_float, buf_p, c_size, c_size, c_size, c_size]),
        "pgemm_gemm_strided_batched_epilogue": (
            c_int, [ctx_p, c_int, c_int, c_int, c_size, c_size, c_size, c_float,
                    buf_p, c_int, c_size, c_size, c_size,
                    buf_p, c_int, c_size, c_size, c_size,
                    c_float, buf_p, c_size, c_size, c_size, c_size, ctypes.POINTER(Epilogue)]),
        "pgemm_epilogue_init": (None, [ctypes.POINTER(Epilogue)]),
        "pgemm_activation_name": (ctypes.c_char_p, [c_int]),
        "pgemm_bias_name": (ctypes.c_char_p, [c_int]),
        "pgemm_last_call": (c_int, [ctx_p, ctypes.POINTER(CallInfo)]),
        "pgemm_variant_count": (c_size, [ctx_p]),
        "pgemm_variant_name": (ctypes.c_char_p, [ctx_p, c_size]),
        "pgemm_force_variant": (c_int, [ctx_p, ctypes.c_char_p]),
        "pgemm_set_split_k": (c_int, [ctx_p, ctypes.c_size_t]),
    }
    for name, (restype, argtypes) in protos.items():
        fn = getattr(lib, name)
        fn.restype = restype
        fn.argtypes = argtypes
