/* SPDX-License-Identifier: BSD-3-Clause */
/* The OpenCL calls the CLBlast comparison makes, from the OpenCL loader
 * (libOpenCL.so.1) opened at run time: the pgemm tool that holds the bench
 * starts on a machine without any OpenCL, like the library. */
#ifndef PGEMM_BENCH_OPENCL_H
#define PGEMM_BENCH_OPENCL_H

#include <stddef.h>

#define CL_TARGET_OPENCL_VERSION 110
#include <CL/cl.h>

/* X(name, return type, parameter list) for each function used. */
#define BENCH_CL_FUNCTIONS(X)                                                                      \
    X(GetPlatformIDs, cl_int, (cl_uint, cl_platform_id *, cl_uint *))                              \
    X(GetPlatformInfo, cl_int, (cl_platform_id, cl_platform_info, size_t, void *, size_t *))       \
    X(GetDeviceIDs, cl_int, (cl_platform_id, cl_device_type, cl_uint, cl_device_id *, cl_uint *))  \
    X(GetDeviceInfo, cl_int, (cl_device_id, cl_device_info, size_t, void *, size_t *))             \
    X(CreateContext, cl_context,                                                                   \
      (const cl_context_properties *, cl_uint, const cl_device_id *,                               \
       void(CL_CALLBACK *)(const char *, const void *, size_t, void *), void *, cl_int *))         \
    X(CreateCommandQueue, cl_command_queue,                                                        \
      (cl_context, cl_device_id, cl_command_queue_properties, cl_int *))                           \
    X(CreateBuffer, cl_mem, (cl_context, cl_mem_flags, size_t, void *, cl_int *))                  \
    X(EnqueueWriteBuffer, cl_int,                                                                  \
      (cl_command_queue, cl_mem, cl_bool, size_t, size_t, const void *, cl_uint, const cl_event *, \
       cl_event *))                                                                                \
    X(EnqueueReadBuffer, cl_int,                                                                   \
      (cl_command_queue, cl_mem, cl_bool, size_t, size_t, void *, cl_uint, const cl_event *,       \
       cl_event *))                                                                                \
    X(EnqueueMarker, cl_int, (cl_command_queue, cl_event *))                                       \
    X(WaitForEvents, cl_int, (cl_uint, const cl_event *))                                          \
    X(Finish, cl_int, (cl_command_queue))                                                          \
    X(ReleaseEvent, cl_int, (cl_event))                                                            \
    X(ReleaseMemObject, cl_int, (cl_mem))                                                          \
    X(ReleaseCommandQueue, cl_int, (cl_command_queue))                                             \
    X(ReleaseContext, cl_int, (cl_context))

typedef struct bench_cl_api {
#define BENCH_CL_POINTER(name, ret, params) ret(CL_API_CALL *name) params;
    BENCH_CL_FUNCTIONS(BENCH_CL_POINTER)
#undef BENCH_CL_POINTER
} bench_cl_api;

/* Filled by bench_cl_load. */
extern bench_cl_api bench_cl;

/* Opens the OpenCL loader and resolves every function once; returns 1, or
 * 0 with the reason in why. */
int bench_cl_load(char *why, size_t cap);

#endif
