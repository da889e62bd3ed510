# SPDX-License-Identifier: BSD-3-Clause
"""pgemm: matrix products of numpy arrays on GPUs, through libpgemm (HIP on
AMD and NVIDIA GPUs, OpenCL elsewhere; a selector picks the kernel).

    import numpy as np, pgemm
    c = pgemm.matmul(a, b)                    # float32, like a @ b
    c = pgemm.matmul(a, b, precision="fp16")  # fp16 tiles, fp32 accumulation
    print(pgemm.last_call())                  # what ran, and why

    with pgemm.Context(backend="opencl", platform="pocl") as ctx:
        da, db = ctx.array(a), ctx.array(b)   # device arrays: no transfers
        dc = ctx.matmul(da, db.T)             # between repeated products
        c = dc.numpy()

libpgemm.so.0 is found by the dynamic linker, or at PGEMM_LIBRARY. Errors of
the library raise pgemm.Error with its message.
"""

from ._core import (CallInfo, Context, DeviceArray, DeviceInfo, Error, default_context, info,
                    last_call, matmul, version)

__all__ = ["CallInfo", "Context", "DeviceArray", "DeviceInfo", "Error", "default_context",
           "info", "last_call", "matmul", "version"]
__version__ = "0.1.0"
