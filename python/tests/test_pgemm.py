# SPDX-License-Identifier: BSD-3-Clause
"""The pgemm Python package against numpy's float64 products.

The device comes from the environment (PGEMM_BACKEND, PGEMM_OPENCL_PLATFORM,
PGEMM_PLUGIN_DIR). PGEMM_TEST_FP16=1 says it has fp16 tiles (the CPU stub
of the test suite, or a GPU): the fp16 paths must then run on them; without
it they must be refused or fall back to fp32, as libpgemm documents.
"""

import os
import threading

import numpy as np
import pytest

import pgemm

FP16 = os.environ.get("PGEMM_TEST_FP16") == "1"
rng = np.random.default_rng(12345)


def rand(*shape, dtype=np.float32):
    return rng.uniform(-1.0, 1.0, size=shape).astype(dtype)


def ref(a, b, alpha=1.0, beta=0.0, c=None):
    r = alpha * (a.astype(np.float64) @ b.astype(np.float64))
    if c is not None and beta != 0.0:
        r = r + beta * c.astype(np.float64)
    return r


def close(got, want, k):
    assert got.dtype == np.float32
    assert got.shape == want.shape
    tol = 1e-5 * (k + 4)
    err = np.max(np.abs(got - want)) if got.size else 0.0
    assert err <= tol + 1e-6 * max(1.0, np.max(np.abs(want), initial=0.0)), err


@pytest.fixture(scope="module")
def ctx():
    with pgemm.Context() as c:
        yield c


def ran_pgemm(ctx):
    call = ctx.last_call()
    assert call is not None and call.variant, "no kernel ran"
    assert call.backend in ("opencl", "hip")
    return call


def test_version_and_info(ctx):
    assert pgemm.version() == pgemm.__version__
    info = ctx.info
    assert info.backend in ("opencl", "hip") and info.device and info.variant_count > 0
    assert info.has_fp16_tiles == FP16
    assert len(ctx.variants) == info.variant_count


@pytest.mark.parametrize("m,n,k", [(1, 1, 1), (37, 21, 13), (64, 64, 64), (129, 3, 250),
                                   (5, 300, 7)])
def test_shapes(ctx, m, n, k):
    a, b = rand(m, k), rand(k, n)
    close(ctx.matmul(a, b), ref(a, b), k)
    ran_pgemm(ctx)


@pytest.mark.parametrize("layout", ["C", "F", "T", "slice", "strided"])
def test_layouts_in_place_and_copied(ctx, layout):
    base_a, base_b = rand(90, 70), rand(70, 90)
    if layout == "C":
        a, b = base_a[:33, :17], base_b[:17, :29]
    elif layout == "F":
        a, b = np.asfortranarray(base_a[:33, :17]), np.asfortranarray(base_b[:17, :29])
    elif layout == "T":
        a, b = base_b[:17, :33].T, base_a[:29, :17].T
    elif layout == "slice":
        a, b = base_a[3:36, 5:22], base_b[10:27, 40:69]
    else:
        a, b = base_a[::2, ::3][:33, :17], base_b[::3, ::2][:17, :29]
    before = (a.copy(), b.copy())
    close(ctx.matmul(a, b), ref(a, b), 17)
    assert np.array_equal(a, before[0]) and np.array_equal(b, before[1])
    ran_pgemm(ctx)


@pytest.mark.parametrize("order", ["C", "F", "padded"])
def test_out_alpha_beta(ctx, order):
    a, b = rand(40, 23), rand(23, 31)
    c0 = rand(40, 31)
    if order == "padded":
        big = np.full((40, 40), 7.0, np.float32)
        out = big[:, :31]
        out[...] = c0
    else:
        out = np.array(c0, order=order)
    got = ctx.matmul(a, b, out=out, alpha=-0.5, beta=2.0)
    assert got is out
    close(out, ref(a, b, -0.5, 2.0, c0), 23)
    if order == "padded":
        assert np.all(big[:, 31:] == 7.0), "padding beside out was written"


def test_beta_zero_does_not_read_out(ctx):
    a, b = rand(17, 9), rand(9, 12)
    out = np.full((17, 12), np.nan, np.float32)
    ctx.matmul(a, b, out=out)
    close(out, ref(a, b), 9)


def test_vectors(ctx):
    a, b, x, y = rand(20, 30), rand(30, 10), rand(30), rand(20)
    close(ctx.matmul(a, x), ref(a, x), 30)
    close(ctx.matmul(y, a), ref(y, a), 20)
    got = ctx.matmul(x, b)
    assert got.shape == (10,)
    close(got, ref(x, b), 30)


def test_batched(ctx):
    a, b = rand(6, 19, 11), rand(6, 11, 14)
    close(ctx.matmul(a, b), ref(a, b), 11)
    ran_pgemm(ctx)
    shared = rand(11, 14)
    close(ctx.matmul(a, shared), ref(a, shared), 11)
    left = rand(19, 11)
    close(ctx.matmul(left, b), ref(left, b), 11)
    out = rand(6, 19, 14)
    c0 = out.copy()
    ctx.matmul(a.transpose(0, 2, 1).copy().transpose(0, 2, 1), b, out=out, alpha=2.0, beta=-1.0)
    close(out, ref(a, b, 2.0, -1.0, c0), 11)


def test_zero_sizes(ctx):
    assert ctx.matmul(rand(0, 5), rand(5, 4)).shape == (0, 4)
    assert ctx.matmul(rand(3, 5), rand(5, 0)).shape == (3, 0)
    z = ctx.matmul(rand(3, 0), rand(0, 4))
    assert z.shape == (3, 4) and np.all(z == 0)
    out = np.ones((3, 4), np.float32)
    ctx.matmul(rand(3, 0), rand(0, 4), out=out, beta=3.0)
    assert np.all(out == 3.0)
    assert ctx.matmul(rand(0, 3, 5), rand(0, 5, 4)).shape == (0, 3, 4)


def test_device_arrays(ctx):
    a, b = rand(45, 20), rand(33, 20)
    da, db = ctx.array(a), ctx.array(b)
    dc = ctx.matmul(da, db.T)
    assert isinstance(dc, pgemm.DeviceArray) and dc.shape == (45, 33)
    close(dc.numpy(), ref(a, b.T), 20)
    ran_pgemm(ctx)
    c0 = dc.numpy()
    ctx.matmul(da, db.T, out=dc, alpha=1.0, beta=1.0)
    close(dc.numpy(), ref(a, b.T, 1.0, 1.0, c0), 20)
    stack = ctx.array(rand(3, 20, 8))
    close(ctx.matmul(da, stack).numpy(), ref(a, stack.numpy()), 20)
    assert np.array_equal(db.T.numpy(), b.T)
    with pytest.raises(TypeError, match="both must be DeviceArrays"):
        ctx.matmul(da, b.T)
    with pytest.raises(ValueError, match="shape"):
        ctx.matmul(da, db.T, out=ctx.empty((45, 34)))


def test_precision_fp16(ctx):
    a, b = rand(64, 48), rand(48, 80)
    got = ctx.matmul(a, b, precision="fp16")
    call = ran_pgemm(ctx)
    assert call.precision_requested == "fp16"
    if FP16:
        assert call.precision_used == "fp16"
        want = ref(a.astype(np.float16), b.astype(np.float16))
        assert np.max(np.abs(got - want)) <= 1e-5 * 48
    else:
        assert call.precision_used == "fp32"
        close(got, ref(a, b), 48)
    assert ctx.matmul(a, b).shape == (64, 80)
    assert ctx.last_call().precision_requested == "fp32"


def test_float16_operands(ctx):
    a, b = rand(30, 16, dtype=np.float16), rand(16, 21, dtype=np.float16)
    if FP16:
        got = ctx.matmul(a, b)
        assert got.dtype == np.float32
        assert np.max(np.abs(got - ref(a, b))) <= 1e-5 * 16
        assert ran_pgemm(ctx).precision_used == "fp16"
    else:
        with pytest.raises(pgemm.Error) as e:
            ctx.matmul(a, b)
        assert e.value.reason == "unsupported" and "fp16 operands need fp16 tiles" in str(e.value)


def act_ref(name, x):
    """The activations of include/pgemm.h in float64."""
    if name == "relu":
        return np.where(x < 0, 0.0, x)
    if name == "gelu_tanh":
        return 0.5 * x * (1.0 + np.tanh(np.sqrt(2.0 / np.pi) * (x + 0.044715 * x ** 3)))
    if name == "silu":
        return x / (1.0 + np.exp(-x))
    return x


def ran_epilogue(ctx, activation, bias):
    call = ran_pgemm(ctx)
    assert call.epilogue_fused and call.activation == (activation or "none")
    assert call.bias == bias, call


@pytest.mark.parametrize("activation", [None, "relu", "gelu_tanh", "silu"])
@pytest.mark.parametrize("orient", ["column", "column2d", "row"])
def test_epilogue(ctx, activation, orient):
    m, n, k = 37, 29, 41
    a, b = rand(k, m).T, rand(n, k).T          # transposed views, used in place
    bias = {"column": rand(n), "column2d": rand(1, n), "row": rand(m, 1)}[orient]
    kind = "per_row" if orient == "row" else "per_column"
    out = rand(m, n)
    want = act_ref(activation, ref(a, b, 0.5, 1.5, out) + bias)
    got = ctx.matmul(a, b, out=out, alpha=0.5, beta=1.5, bias=bias, activation=activation)
    assert got is out
    close(got, want, k)
    ran_epilogue(ctx, activation, kind)
    # On device arrays, with the bias a device array too.
    dc = ctx.matmul(ctx.array(a), ctx.array(b), bias=ctx.array(bias), activation=activation)
    close(dc.numpy(), act_ref(activation, ref(a, b) + bias), k)
    ran_epilogue(ctx, activation, kind)


def test_epilogue_alone_stacks_and_vectors(ctx):
    # An activation without a bias, on a stack sharing one matrix.
    a3, b = rand(3, 9, 11), rand(11, 6)
    close(ctx.matmul(a3, b, activation="relu"), act_ref("relu", ref(a3, b)), 11)
    ran_epilogue(ctx, "relu", "none")
    # One bias for every product of the stack.
    bias = rand(6)
    close(ctx.matmul(a3, b, bias=bias, activation="silu"),
          act_ref("silu", ref(a3, b) + bias), 11)
    # Vectors: x @ W + b (per column), W @ x + b (per row).
    x, w = rand(11), rand(11, 6)
    close(ctx.matmul(x, w, bias=bias, activation="gelu_tanh"),
          act_ref("gelu_tanh", ref(x, w) + bias), 11)
    ran_epilogue(ctx, "gelu_tanh", "per_column")
    wt, bias_m = rand(6, 11), rand(6)
    close(ctx.matmul(wt, x, bias=bias_m), ref(wt, x) + bias_m, 11)
    ran_epilogue(ctx, None, "per_row")


def test_epilogue_with_k_zero(ctx):
    # k == 0: act(beta out + bias), one pass of the library.
    out = rand(5, 4)
    want = act_ref("relu", 2.0 * out.astype(np.float64) + np.arange(4) - 1.5)
    got = ctx.matmul(np.zeros((5, 0), np.float32), np.zeros((0, 4), np.float32), out=out,
                     beta=2.0, bias=np.arange(4, dtype=np.float32) - 1.5, activation="relu")
    close(got, want, 0)
    ran_epilogue(ctx, "relu", "per_column")


def test_epilogue_errors_leave_out_untouched(ctx):
    a, b = rand(4, 5), rand(5, 7)
    out = np.full((4, 7), 5.0, np.float32)
    with pytest.raises(ValueError, match="activation must be None or one of 'relu'"):
        ctx.matmul(a, b, out=out, activation="tanh")
    with pytest.raises(ValueError, match=r"bias has shape \(4,\); a product of shape \(4, 7\)"):
        ctx.matmul(a, b, out=out, bias=rand(4))
    with pytest.raises(ValueError, match="bias has shape"):
        ctx.matmul(a, b, out=out, bias=rand(4, 7))
    with pytest.raises(TypeError, match="bias must be float32"):
        ctx.matmul(a, b, out=out, bias=np.zeros(7))
    assert np.all(out == 5.0)
    with pytest.raises(ValueError, match="bias has shape"):
        ctx.matmul(rand(3), rand(3), bias=rand(1))


def test_split_k(ctx):
    m, n, k = 23, 19, 301
    a, b, out = rand(m, k), rand(k, n), rand(m, n)
    want = act_ref("relu", ref(a, b, 1.0, 0.5, out) + 0.25)
    try:
        ctx.set_split_k(5)
        got = ctx.matmul(a, b, out=out, beta=0.5, bias=np.full(n, 0.25, np.float32),
                         activation="relu")
        close(got, want, k)
        call = ran_pgemm(ctx)
        # 5 parts of depth 60 (301 / 5 rounded down to a multiple of 4), and one of 1
        assert call.split_k == 6 and "split-K: 5 parts of k = 60 and one of 1" in call.why, call
        ctx.set_split_k(1)
        close(ctx.matmul(a, b), ref(a, b), k)
        assert ran_pgemm(ctx).split_k == 1
        with pytest.raises(pgemm.Error) as e:
            ctx.set_split_k(65)
        assert e.value.reason == "invalid argument" and "at most" in str(e.value)
    finally:
        ctx.set_split_k(0)


def test_errors_leave_out_untouched(ctx):
    a, b = rand(4, 5), rand(6, 7)
    out = np.full((4, 7), 5.0, np.float32)
    with pytest.raises(ValueError, match="a has 5 columns, b has 6 rows"):
        ctx.matmul(a, b, out=out)
    assert np.all(out == 5.0)
    with pytest.raises(TypeError, match="float32 or float16"):
        ctx.matmul(rand(3, 3).astype(np.float64), rand(3, 3))
    with pytest.raises(ValueError, match="out has shape"):
        ctx.matmul(rand(3, 4), rand(4, 5), out=np.zeros((5, 3), np.float32))
    with pytest.raises(ValueError, match="beta != 0 needs out"):
        ctx.matmul(rand(3, 4), rand(4, 5), beta=1.0)
    with pytest.raises(ValueError, match="precision must be"):
        ctx.matmul(rand(3, 4), rand(4, 5), precision="bf16")
    with pytest.raises(ValueError, match="1-D, 2-D and 3-D"):
        ctx.matmul(rand(2, 2, 2, 2), rand(2, 2))
    with pytest.raises(ValueError, match="backend must be one of auto, hip or opencl"):
        pgemm.Context(backend="cuda")
    with pytest.raises(pgemm.Error) as e:
        ctx.force_variant("no-such-variant")
    assert "no-such-variant" in str(e.value) and e.value.status == 1


def test_unavailable_backend_is_an_error():
    other = "hip" if pgemm.info().backend == "opencl" else "opencl"
    if os.environ.get("PGEMM_BACKEND"):
        pytest.skip("PGEMM_BACKEND overrides the backend asked for")
    try:
        pgemm.Context(backend=other).close()
    except pgemm.Error as e:
        assert "backend %s requested but not usable" % other in str(e)


def test_closed_context():
    c = pgemm.Context()
    d = c.array(rand(3, 3))
    c.close()
    with pytest.raises(ValueError, match="closed"):
        c.matmul(rand(3, 3), rand(3, 3))
    with pytest.raises(ValueError, match="freed"):
        d.numpy()


def test_threads(ctx):
    errors = []

    def work(seed):
        r = np.random.default_rng(seed)
        try:
            for _ in range(10):
                m, n, k = r.integers(1, 60, size=3)
                a = r.uniform(-1, 1, (m, k)).astype(np.float32)
                b = r.uniform(-1, 1, (k, n)).astype(np.float32)
                close(ctx.matmul(a, b), ref(a, b), k)
        except Exception as e:  # reported below, with the thread's seed
            errors.append((seed, e))

    threads = [threading.Thread(target=work, args=(s,)) for s in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors


def test_module_level_functions():
    a, b = rand(12, 8), rand(8, 5)
    close(pgemm.matmul(a, b), ref(a, b), 8)
    assert pgemm.last_call().variant
