# SPDX-License-Identifier: BSD-3-Clause
"""Contexts, device arrays and matmul over libpgemm."""

import ctypes
import threading
import weakref
from dataclasses import dataclass

import numpy as np

from . import _lib

_L = _lib.load()
_PRECISIONS = {"fp32": _lib.PRECISION_FP32, "fp16": _lib.PRECISION_FP16_MIXED}
_PRECISION_NAMES = {v: k for k, v in _PRECISIONS.items()}
_TYPES = {np.dtype(np.float32): _lib.F32, np.dtype(np.float16): _lib.F16}


def _names(fn):
    """{name: value} of an enum whose names fn gives (NULL past the last)."""
    names, value = {}, 0
    while fn(value) is not None:
        names[fn(value).decode()] = value
        value += 1
    return names


_ACTIVATIONS = _names(_L.pgemm_activation_name)   # "none", "relu", "gelu_tanh", "silu"
_BIASES = {v: k for k, v in _names(_L.pgemm_bias_name).items()}


class Error(RuntimeError):
    """A call libpgemm refused or failed: .status is its pgemm_status, .reason
    the status's name, and the message the library's own."""

    def __init__(self, status, message):
        self.status = status
        self.reason = _L.pgemm_status_string(status).decode()
        super().__init__("%s (%s)" % (message or self.reason, self.reason))


def _check(status, ctx_handle):
    if status != _lib.SUCCESS:
        raise Error(status, _L.pgemm_last_error(ctx_handle).decode(errors="replace"))


def version():
    """The version of the libpgemm loaded, "0.1.0"."""
    return _L.pgemm_version_string().decode()


def _text(field):
    return field.decode(errors="replace")


@dataclass(frozen=True)
class DeviceInfo:
    """What a context runs on (pgemm_info)."""
    backend: str
    platform: str
    device: str
    driver: str
    device_version: str
    arch: str
    device_is_cpu: bool
    compute_units: int
    global_mem_bytes: int
    max_buffer_bytes: int
    local_mem_bytes: int
    has_fp16_tiles: bool
    variant_count: int
    why: str


@dataclass(frozen=True)
class CallInfo:
    """What the last product of this thread on a context ran (pgemm_last_call)."""
    backend: str
    variant: str
    precision_requested: str
    precision_used: str
    why: str
    activation: str = "none"
    bias: str = "none"
    epilogue_fused: bool = False
    split_k: int = 1


def _precision(name):
    try:
        return _PRECISIONS[name]
    except (KeyError, TypeError):
        raise ValueError("precision must be 'fp32' or 'fp16', not %r" % (name,)) from None


def _dtype_of(x, what):
    dt = np.dtype(x.dtype)
    if dt not in _TYPES:
        raise TypeError("pgemm multiplies float32 or float16 arrays; %s is %s "
                        "(convert it with .astype(numpy.float32))" % (what, dt))
    return dt


class Context:
    """A pgemm context: one backend and device, its selector and kernels.

    backend   "auto" (HIP if a HIP device is present, else OpenCL), "hip" or
              "opencl"; the environment's PGEMM_BACKEND overrides it
    device    device index (None: the first usable one)
    platform  OpenCL platform: index or name substring ("pocl", "rusticl")
    precision default precision of products: "fp32" or "fp16" (fp16 tiles
              with fp32 accumulation where the backend has them)
    """

    def __init__(self, backend="auto", device=None, platform=None, precision="fp32",
                 model_dir=None, log=None):
        opts = _lib.Options()
        _L.pgemm_options_init(ctypes.byref(opts))
        code = ctypes.c_int()
        if not isinstance(backend, str) or not _L.pgemm_backend_from_name(
                backend.encode(), ctypes.byref(code)):
            raise ValueError("backend must be one of %s, not %r"
                             % (_L.pgemm_backend_names().decode(), backend))
        opts.backend = code.value
        if device is not None:
            opts.device_index = int(device)
        self._keep = [platform.encode() if platform else None,
                      str(model_dir).encode() if model_dir else None]
        opts.opencl_platform, opts.model_dir = self._keep
        self._precision = _precision(precision)
        opts.precision = self._precision
        if log is not None:
            opts.log_level = int(log)
        handle = ctypes.c_void_p()
        _check(_L.pgemm_context_create(ctypes.byref(opts), ctypes.byref(handle)), None)
        self._h = handle
        self._lock = threading.Lock()
        self._buffers = weakref.WeakSet()

    # -------------------------------------------------------------- life
    def close(self):
        """Frees the device arrays still alive and the context."""
        if getattr(self, "_h", None):
            for arr in list(self._buffers):
                arr._free()
            _L.pgemm_context_destroy(self._h)
            self._h = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __del__(self):
        self.close()

    def _handle(self):
        if not self._h:
            raise ValueError("this pgemm context is closed")
        return self._h

    # -------------------------------------------------------------- facts
    @property
    def info(self):
        raw = _lib.Info()
        _check(_L.pgemm_context_info(self._handle(), ctypes.byref(raw)), self._h)
        return DeviceInfo(_text(raw.backend_name), _text(raw.platform), _text(raw.device),
                          _text(raw.driver), _text(raw.device_version), _text(raw.arch),
                          bool(raw.device_is_cpu), raw.compute_units, raw.global_mem_bytes,
                          raw.max_buffer_bytes, raw.local_mem_bytes, bool(raw.has_fp16_tiles),
                          raw.variant_count, _text(raw.why))

    @property
    def variants(self):
        """The kernel variants the selector chooses from."""
        h = self._handle()
        return [_L.pgemm_variant_name(h, i).decode() for i in range(_L.pgemm_variant_count(h))]

    def force_variant(self, name):
        """Runs every following product on the named variant (None: the
        selector chooses again)."""
        _check(_L.pgemm_force_variant(self._handle(), name.encode() if name else None), self._h)

    def set_split_k(self, parts):
        """Split-K: 0 lets pgemm split a product along K where its tiles
        would leave a GPU idle (the default), 1 never splits, 2..64 splits
        every non-batched product into about that many parts."""
        _check(_L.pgemm_set_split_k(self._handle(), int(parts)), self._h)

    def last_call(self):
        """What this thread's last product on this context ran, and why;
        None before the first."""
        raw = _lib.CallInfo()
        if _L.pgemm_last_call(self._handle(), ctypes.byref(raw)) != _lib.SUCCESS:
            return None
        act = _L.pgemm_activation_name(raw.activation)
        return CallInfo(_L.pgemm_backend_name(raw.backend).decode(), _text(raw.variant),
                        _PRECISION_NAMES.get(raw.precision_requested, "?"),
                        _PRECISION_NAMES.get(raw.precision_used, "?"), _text(raw.why),
                        act.decode() if act else "?", _BIASES.get(raw.bias, "?"),
                        bool(raw.epilogue_fused), raw.split_k)

    def synchronize(self):
        _check(_L.pgemm_synchronize(self._handle()), self._h)

    # ------------------------------------------------------ device arrays
    def array(self, x):
        """A device copy of x (float32 or float16, 1 to 3 dimensions)."""
        x = np.asarray(x)
        _dtype_of(x, "the array")
        d = self.empty(x.shape, x.dtype)
        d.write(x)
        return d

    def empty(self, shape, dtype=np.float32):
        """An uninitialised device array."""
        return DeviceArray(self, shape, dtype)

    # ------------------------------------------------------------ products
    def matmul(self, a, b, out=None, precision=None, alpha=1.0, beta=0.0, bias=None,
               activation=None):
        """activation(alpha * (a @ b) + beta * out + bias), with numpy's
        matmul shapes: 2-D matrices, 1-D vectors (promoted, then dropped),
        3-D stacks (one strided-batched call; a 2-D operand is shared by
        every product). a and b are numpy arrays (float32 or float16;
        transposed views and slices are used in place) or both DeviceArrays
        of this context. The result is float32: out, or a new array (a
        DeviceArray on the device path). beta != 0 needs out, whose values
        are then read; with beta == 0 they are not (NaN in out does not
        propagate).

        bias (float32, broadcast as numpy adds it to the result; one vector
        for every product of a stack): shape (n,) or (1, n) adds bias[j] to
        column j, (m, 1) adds bias[i] to row i. activation: None, "relu",
        "gelu_tanh" or "silu". Both run in the GEMM kernel's store (the
        library's epilogue): one pass over the result."""
        p = self._precision if precision is None else _precision(precision)
        epi = _Epilogue(activation, bias)
        if isinstance(a, DeviceArray) or isinstance(b, DeviceArray) or \
                isinstance(out, DeviceArray):
            return self._matmul_device(a, b, out, p, float(alpha), float(beta), epi)
        return self._matmul_host(np.asarray(a), np.asarray(b), out, p, float(alpha),
                                 float(beta), epi)

    def _run(self, precision, fn, *args):
        h = self._handle()
        with self._lock:
            _check(_L.pgemm_set_precision(h, precision), h)
            _check(fn(h, *args), h)

    def _matmul_host(self, a, b, out, precision, alpha, beta, epi):
        shape = _Shapes(a.shape, b.shape)
        ta, tb = _dtype_of(a, "a"), _dtype_of(b, "b")
        epi.fit(shape)
        if out is not None:
            if not isinstance(out, np.ndarray) or out.dtype != np.float32:
                raise TypeError("out must be a float32 numpy array")
            if out.shape != shape.out:
                raise ValueError("out has shape %s; the product's is %s"
                                 % (out.shape, shape.out))
            if not out.flags.writeable:
                raise ValueError("out is read-only")
        elif beta != 0.0:
            raise ValueError("beta != 0 needs out (the C it scales)")
        result = out if out is not None else np.empty(shape.out, np.float32)
        if result.size == 0:
            return result
        if shape.k == 0 and not epi:
            # CBLAS: C = beta * C, and with beta == 0 C is not read.
            if beta == 0.0:
                result[...] = 0.0
            else:
                result *= np.float32(beta)
            return result
        a3, b3 = shape.stack_a(a), shape.stack_b(b)
        c3 = result.reshape(shape.stack_c)
        if shape.batch == 1 and ta == tb == np.float32 and not epi:
            self._host_2d(a3[0], b3[0], c3[0], precision, alpha, beta)
        else:
            self._host_batched(a3, b3, c3, shape, precision, alpha, beta, epi)
        return result

    def _host_2d(self, a, b, c, precision, alpha, beta):
        ca = _matrix(c)
        if ca is None or ca.trans:
            # C by columns: compute C^T = B^T A^T into its rows; else a copy.
            if ca is not None:
                self._host_2d(b.T, a.T, c.T, precision, alpha, beta)
                return
            tmp = np.ascontiguousarray(c) if beta != 0.0 else np.empty(c.shape, np.float32)
            self._host_2d(a, b, tmp, precision, alpha, beta)
            c[...] = tmp
            return
        # Operands whose strides are neither rows nor columns are copied;
        # the copies live until the call returns.
        a, b = _in_place(a), _in_place(b)
        ma, mb = _matrix(a), _matrix(b)
        m, k = a.shape
        n = b.shape[1]
        self._run(precision, _L.pgemm_sgemm_host, _lib.ROW_MAJOR, ma.op, mb.op, m, n, k, alpha,
                  ma.ptr, ma.ld, mb.ptr, mb.ld, beta, ca.ptr, ca.ld)

    def _host_batched(self, a3, b3, c3, shape, precision, alpha, beta, epi=None):
        da = self._upload(a3)
        db = self._upload(b3)
        dc = self.empty(shape.stack_c, np.float32)
        try:
            if beta != 0.0:
                dc.write(c3)
            self._device_product(da, db, dc, shape, precision, alpha, beta, epi)
            c3[...] = dc.numpy()
        finally:
            for d in (da[0], db[0], dc):
                d._free()

    def _upload(self, x3):
        """x3 (batch, rows, cols) onto the device as one contiguous stack;
        a stack whose matrices are all one (stride 0) as that one matrix."""
        shared = x3.shape[0] > 1 and x3.strides[0] == 0
        src = np.ascontiguousarray(x3[:1] if shared else x3)
        return self.array(src), 0 if shared else src.shape[1] * src.shape[2]

    def _device_product(self, da, db, dc, shape, precision, alpha, beta, epi=None):
        """dc = alpha * da @ db + beta * dc (then the epilogue) on device
        stacks: da and db are (DeviceArray, stride between matrices: 0 for
        one matrix shared by every product)."""
        oa, ob = _operand(*da, vector_row=True), _operand(*db, vector_row=False)
        if shape.k == 0:
            # A and B are not read: no buffers, the smallest valid ld.
            oa = (None, _lib.F32, _lib.NO_TRANS, 1, 0)
            ob = (None, _lib.F32, _lib.NO_TRANS, max(shape.n, 1), 0)
        args = (_lib.ROW_MAJOR, oa[2], ob[2], shape.m, shape.n, shape.k, alpha, *oa[:2], 0,
                *oa[3:], *ob[:2], 0, *ob[3:], beta, dc._buf, 0, shape.n, shape.m * shape.n,
                shape.batch)
        if not epi:
            self._run(precision, _L.pgemm_gemm_strided_batched_ex, *args)
            return
        bias = epi.device_bias(self)
        try:
            raw = epi.struct(bias)
            self._run(precision, _L.pgemm_gemm_strided_batched_epilogue, *args,
                      ctypes.byref(raw))
        finally:
            if bias is not None and bias is not epi.bias:
                bias._free()

    def _matmul_device(self, a, b, out, precision, alpha, beta, epi):
        for x, what in ((a, "a"), (b, "b")):
            if not isinstance(x, DeviceArray):
                raise TypeError("%s is a %s: with a DeviceArray operand both must be "
                                "DeviceArrays (ctx.array(x) makes one)" % (what, type(x).__name__))
            if x.context is not self:
                raise ValueError("%s belongs to another pgemm context" % what)
        shape = _Shapes(a.shape, b.shape)
        epi.fit(shape)
        if out is None:
            if beta != 0.0:
                raise ValueError("beta != 0 needs out (the C it scales)")
            out = self.empty(shape.out, np.float32)
        elif not isinstance(out, DeviceArray) or out.context is not self:
            raise TypeError("out must be a DeviceArray of this context")
        elif out.dtype != np.float32 or out.shape != shape.out or out.transposed:
            raise ValueError("out must be a float32 DeviceArray of shape %s, not transposed"
                             % (shape.out,))
        if out.size == 0:
            return out
        if shape.k == 0 and not epi:
            out.write(np.zeros(shape.out, np.float32) if beta == 0.0
                      else out.numpy() * np.float32(beta))
            return out

        def stride(x):
            return 0 if x.ndim <= 2 else x._rows * x._cols
        self._device_product((a, stride(a)), (b, stride(b)), out, shape, precision, alpha, beta,
                             epi)
        return out


class DeviceArray:
    """A float32 or float16 array in device memory (C order), for products
    repeated without transfers: ctx.array(x), ctx.empty(shape), .numpy(),
    .write(x), .T (a transposed view of a matrix or of each matrix of a
    stack)."""

    def __init__(self, ctx, shape, dtype, _base=None):
        self.context = ctx
        self.dtype = np.dtype(dtype)
        if self.dtype not in _TYPES:
            raise TypeError("device arrays hold float32 or float16, not %s" % self.dtype)
        self.shape = tuple(int(s) for s in shape)
        if not 1 <= len(self.shape) <= 3 or min(self.shape) < 0:
            raise ValueError("device arrays have 1 to 3 dimensions of size >= 0, not %s"
                             % (self.shape,))
        self.transposed = False
        if _base is not None:
            self._base, self._buf = _base, _base._buf
            return
        self._base = None
        self._buf = ctypes.c_void_p()
        nbytes = max(self.nbytes, 1)
        _check(_L.pgemm_buffer_create(ctx._handle(), nbytes, ctypes.byref(self._buf)), ctx._h)
        ctx._buffers.add(self)

    # storage: (rows, cols) of each stored matrix, C order
    @property
    def _rows(self):
        return self._stored[-2] if len(self._stored) >= 2 else 1

    @property
    def _cols(self):
        return self._stored[-1]

    @property
    def _stored(self):
        s = self.shape
        return s[:-2] + (s[-1], s[-2]) if self.transposed else s

    @property
    def ndim(self):
        return len(self.shape)

    @property
    def size(self):
        return int(np.prod(self.shape, dtype=np.int64))

    @property
    def nbytes(self):
        return self.size * self.dtype.itemsize

    @property
    def T(self):
        if self.ndim < 2:
            return self
        view = DeviceArray(self.context, self.shape[:-2] + (self.shape[-1], self.shape[-2]),
                           self.dtype, _base=self._base or self)
        view.transposed = not self.transposed
        return view

    def _live(self):
        if not self._buf or (self._base is not None and not self._base._buf):
            raise ValueError("this device array was freed (its context is closed)")
        return self._buf

    def write(self, x):
        """Copies x (same shape; converted to this array's type) to the device."""
        if self.transposed:
            raise ValueError("write to the array itself, not to its transposed view")
        x = np.ascontiguousarray(x, dtype=self.dtype)
        if x.shape != self.shape:
            raise ValueError("writing shape %s into a device array of shape %s"
                             % (x.shape, self.shape))
        if x.size:
            _check(_L.pgemm_buffer_write(self._live(), 0, x.nbytes, x.ctypes.data),
                   self.context._h)

    def numpy(self):
        """The array's values, copied to the host (waits for the products
        that write it)."""
        host = np.empty(self._stored, self.dtype)
        if host.size:
            _check(_L.pgemm_buffer_read(self._live(), 0, host.nbytes, host.ctypes.data),
                   self.context._h)
        return np.swapaxes(host, -1, -2) if self.transposed else host

    def _free(self):
        if self._base is None and self._buf:
            _L.pgemm_buffer_destroy(self._buf)
        self._buf = ctypes.c_void_p()

    def __del__(self):
        ctx = getattr(self, "context", None)
        if ctx is not None and getattr(ctx, "_h", None):
            self._free()

    def __repr__(self):
        return "DeviceArray(shape=%s, dtype=%s%s)" % (self.shape, self.dtype,
                                                     ", transposed" if self.transposed else "")


class _Shapes:
    """numpy matmul's shape rules for 1-D, 2-D and 3-D operands."""

    def __init__(self, sa, sb):
        if not (1 <= len(sa) <= 3 and 1 <= len(sb) <= 3):
            raise ValueError("pgemm multiplies 1-D, 2-D and 3-D arrays; got %d-D and %d-D"
                             % (len(sa), len(sb)))
        self.va, self.vb = len(sa) == 1, len(sb) == 1
        ma = (1,) + tuple(sa) if self.va else tuple(sa)
        mb = tuple(sb) + (1,) if self.vb else tuple(sb)
        if ma[-1] != mb[-2]:
            raise ValueError("matmul: a has %d columns, b has %d rows (shapes %s and %s)"
                             % (ma[-1], mb[-2], tuple(sa), tuple(sb)))
        ba = ma[0] if len(ma) == 3 else None
        bb = mb[0] if len(mb) == 3 else None
        if ba is not None and bb is not None and ba != bb:
            raise ValueError("matmul: stacks of %d and %d matrices" % (ba, bb))
        self.batch = ba if ba is not None else (bb if bb is not None else 1)
        self.stacked = ba is not None or bb is not None
        self.m, self.k, self.n = ma[-2], ma[-1], mb[-1]
        self.stack_c = (self.batch, self.m, self.n)
        out = ((self.batch,) if self.stacked else ()) + (self.m, self.n)
        if self.va:
            out = out[:-2] + out[-1:]
        if self.vb:
            out = out[:-1]
        self.out = out

    def _stack(self, x, vector_row):
        if x.ndim == 1:
            x = x[None, :] if vector_row else x[:, None]
        if x.ndim == 2:
            x = np.broadcast_to(x, (self.batch,) + x.shape) if self.batch > 1 else x[None]
        return x

    def stack_a(self, a):
        return self._stack(a, True)

    def stack_b(self, b):
        return self._stack(b, False)


class _Epilogue:
    """A product's activation and bias (Context.matmul), checked against
    its shape by fit(); false when there is neither."""

    def __init__(self, activation, bias):
        name = "none" if activation is None else activation
        if name not in _ACTIVATIONS:
            raise ValueError("activation must be None or one of %s, not %r"
                             % (", ".join(repr(n) for n in _ACTIVATIONS if n != "none"),
                                activation))
        self.activation = _ACTIVATIONS[name]
        if bias is not None and not isinstance(bias, DeviceArray):
            bias = np.asarray(bias)
        if bias is not None and bias.dtype != np.float32:
            raise TypeError("bias must be float32, not %s" % bias.dtype)
        self.bias = bias
        self.kind = _lib.BIAS_NONE

    def __bool__(self):
        return self.activation != _ACTIVATIONS["none"] or self.bias is not None

    def fit(self, shape):
        """Which way the bias runs for a product of this shape (numpy's
        broadcasting against the result); ValueError when it does not fit."""
        if self.bias is None:
            return
        b = self.bias.shape
        m, n = shape.m, shape.n
        if len(b) == 1 and shape.vb and not shape.va:
            # The result is a column (m,): its one value per row.
            self.kind = _lib.BIAS_PER_ROW if b == (m,) else None
        elif len(b) == 1 and not shape.vb:
            self.kind = _lib.BIAS_PER_COLUMN if b == (n,) else None
        elif len(b) == 2 and not shape.va and not shape.vb:
            self.kind = (_lib.BIAS_PER_COLUMN if b == (1, n) else
                         _lib.BIAS_PER_ROW if b == (m, 1) else None)
        else:
            self.kind = None
        if self.kind is None:
            raise ValueError("bias has shape %s; a product of shape %s takes a bias of shape "
                             "(%d,) or (1, %d) (per column) or (%d, 1) (per row)"
                             % (b, shape.out, n, n, m))
        if isinstance(self.bias, DeviceArray) and self.bias.transposed:
            raise ValueError("bias must be a DeviceArray itself, not a transposed view")

    def device_bias(self, ctx):
        """The bias on ctx's device: the DeviceArray given, or a copy."""
        if self.bias is None or isinstance(self.bias, DeviceArray):
            if self.bias is not None and self.bias.context is not ctx:
                raise ValueError("bias belongs to another pgemm context")
            return self.bias
        return ctx.array(np.ascontiguousarray(self.bias))

    def struct(self, bias):
        raw = _lib.Epilogue()
        _L.pgemm_epilogue_init(ctypes.byref(raw))
        raw.activation = self.activation
        if bias is not None:
            raw.bias, raw.bias_buffer = self.kind, bias._live()
        return raw


class _Matrix:
    __slots__ = ("ptr", "ld", "op", "trans")

    def __init__(self, ptr, ld, trans):
        self.ptr, self.ld, self.trans = ptr, ld, trans
        self.op = _lib.TRANS if trans else _lib.NO_TRANS


def _matrix(x):
    """x (2-D) as row-major storage in place: its rows (NO_TRANS) or its
    columns (TRANS) at unit stride with a leading dimension; None when its
    strides are neither."""
    r, c = x.shape
    it = x.itemsize
    s0, s1 = x.strides
    if (c == 1 or s1 == it) and (r == 1 or (s0 > 0 and s0 % it == 0 and s0 // it >= c)):
        return _Matrix(x.ctypes.data, s0 // it if r > 1 else max(c, 1), False)
    if (r == 1 or s0 == it) and (c == 1 or (s1 > 0 and s1 % it == 0 and s1 // it >= r)):
        return _Matrix(x.ctypes.data, s1 // it if c > 1 else max(r, 1), True)
    return None


def _operand(x, stride, vector_row):
    """A device operand as the call takes it: (buffer, type, transpose,
    leading dimension, stride). Storage is row-major; a transposed view is
    its storage with TRANS, and a vector b (k,) is stored as a 1 x k row
    used transposed."""
    trans = x.transposed or (x.ndim == 1 and not vector_row)
    return (x._live(), _TYPES[x.dtype], _lib.TRANS if trans else _lib.NO_TRANS, x._cols,
            stride)


def _in_place(x):
    return x if _matrix(x) is not None else np.ascontiguousarray(x)


_DEFAULT = {}
_DEFAULT_LOCK = threading.Lock()


def default_context(backend="auto"):
    """The context the module-level functions use for a backend, created on
    first use and kept."""
    with _DEFAULT_LOCK:
        ctx = _DEFAULT.get(backend)
        if ctx is None:
            ctx = _DEFAULT[backend] = Context(backend=backend)
        return ctx


def matmul(a, b, out=None, precision="fp32", backend=None, alpha=1.0, beta=0.0, bias=None,
           activation=None):
    """activation(alpha * (a @ b) + beta * out + bias) on the default
    context of backend ("auto" when None); see Context.matmul."""
    return default_context(backend or "auto").matmul(a, b, out=out, precision=precision,
                                                     alpha=alpha, beta=beta, bias=bias,
                                                     activation=activation)


def last_call(backend=None):
    """What this thread's last module-level product on backend ran."""
    return default_context(backend or "auto").last_call()


def info(backend=None):
    """The device the module-level functions use for backend."""
    return default_context(backend or "auto").info
