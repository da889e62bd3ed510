# SPDX-License-Identifier: BSD-3-Clause
# cuBLAS SGEMM (TF32 off) through PyTorch, the vendor reference for the NVIDIA
# figures: median of 10 event-timed runs after 3 warm-ups, two input sets
# alternating, random data in [-1, 1).
#   python3 bench/cublas_reference.py 1024,2048,4096
import sys, torch
torch.backends.cuda.matmul.allow_tf32 = False
torch.backends.cudnn.allow_tf32 = False
sizes = [int(s) for s in sys.argv[1].split(",")]
print("cublas_fp32 n, median_ms, tflops")
for n in sizes:
    a = [torch.rand(n, n, device="cuda") * 2 - 1 for _ in range(2)]
    b = [torch.rand(n, n, device="cuda") * 2 - 1 for _ in range(2)]
    for _ in range(3): torch.mm(a[0], b[0])
    torch.cuda.synchronize()
    ts = []
    for r in range(10):
        s, e = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        s.record(); torch.mm(a[r % 2], b[r % 2]); e.record(); torch.cuda.synchronize()
        ts.append(s.elapsed_time(e))
    ts.sort(); med = ts[len(ts) // 2]
    print(f"cublas_fp32 {n} {med:.3f} {2*n**3/med/1e9:.1f}")
