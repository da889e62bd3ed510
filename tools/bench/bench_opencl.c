/* SPDX-License-Identifier: BSD-3-Clause */
#include "bench_opencl.h"

#include <dlfcn.h>
#include <stdio.h>

bench_cl_api bench_cl;

int bench_cl_load(char *why, size_t cap)
{
    static void *lib;
    if (lib) return 1;
    void *h = dlopen("libOpenCL.so.1", RTLD_NOW | RTLD_LOCAL);
    if (!h) {
        snprintf(why, cap, "no OpenCL loader (libOpenCL.so.1: %s)", dlerror());
        return 0;
    }
#define BENCH_CL_RESOLVE(name, ret, params)                                                        \
    *(void **)&bench_cl.name = dlsym(h, "cl" #name);                                               \
    if (!bench_cl.name) {                                                                          \
        snprintf(why, cap, "libOpenCL.so.1 lacks cl%s", #name);                                    \
        dlclose(h);                                                                                \
        return 0;                                                                                  \
    }
    BENCH_CL_FUNCTIONS(BENCH_CL_RESOLVE)
#undef BENCH_CL_RESOLVE
    lib = h;
    return 1;
}
