/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The forwarded entry points (forward_names.h): each is a few instructions
 * that jump through a slot holding the CPU BLAS's (or LAPACK's) function.
 *
 * A forwarder cannot be a C function: it would have to know each routine's
 * arguments (2,352 of them, some variadic, some returning complex values on
 * the stack). A jump through a pointer passes every register and stack
 * argument and the return value untouched, whatever they are.
 *
 * Slots start empty. The first call of a name goes to pgemm_blas_lazy_entry,
 * which saves the argument registers, asks pgemm_blas_resolve for the
 * function (loading the CPU BLAS on the first of all), fills the slot,
 * restores the registers and jumps there; later calls take the slot's
 * pointer straight away. Nothing is loaded when a program never calls a
 * forwarded name, and a process that only ever calls sgemm_ never resolves
 * the other 2,351.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cpu_blas.h"

#if !defined(__x86_64__) || !defined(__ELF__)
#error "libpgemm_blas.so's forwarders are written for x86-64 ELF"
#endif

/* The slots, one per name. Hidden: the assembly refers to them by name. */
#define PGEMM_BLAS_FORWARD(name) \
    __attribute__((visibility("hidden"), used)) void *pgemm_fwd_slot_##name = NULL;
#include "forward_names.h"
#undef PGEMM_BLAS_FORWARD

/* slot -> name, for the resolver. */
typedef struct forward_entry {
    void **slot;
    const char *name;
} forward_entry;

static const forward_entry forward_table[] = {
#define PGEMM_BLAS_FORWARD(name) {&pgemm_fwd_slot_##name, #name},
#include "forward_names.h"
#undef PGEMM_BLAS_FORWARD
};

/* Called from pgemm_blas_lazy_entry with the slot of the name being called;
 * returns the function to jump to, or ends the process as the dynamic
 * loader would have ("symbol lookup error"): there is nothing to return to. */
__attribute__((visibility("hidden"), used)) void *pgemm_blas_resolve(void **slot)
{
    const char *name = NULL;
    size_t count = sizeof forward_table / sizeof forward_table[0];
    for (size_t i = 0; i < count && !name; i++)
        if (forward_table[i].slot == slot) name = forward_table[i].name;
    if (!name) {
        fprintf(stderr, "pgemm_blas: internal error: a forwarder without a name\n");
        abort();
    }
    void *fn = pgemm_blas_cpu_symbol(name);
    if (!fn) {
        fprintf(stderr,
                "pgemm_blas: %s is called, but the CPU BLAS and LAPACK (%s) do not define it; "
                "name a library that does with PGEMM_BLAS_CPU (docs/BLAS.md)\n",
                name, pgemm_blas_cpu_describe());
        fflush(stderr);
        _Exit(127);
    }
    __atomic_store_n(slot, fn, __ATOMIC_RELEASE);
    return fn;
}

/* The common slow path, entered by a jump with the slot's address in r11
 * and the stack as the caller left it (the return address on top, stack
 * arguments above it). Saves every argument register of the SysV ABI (rdi,
 * rsi, rdx, rcx, r8, r9, rax for variadic calls, xmm0-7), keeps the stack
 * 16-byte aligned for the call, and leaves by a jump so that the resolved
 * function returns straight to the caller. */
__asm__(".text\n"
        ".p2align 4\n"
        ".hidden pgemm_blas_lazy_entry\n"
        ".type pgemm_blas_lazy_entry, @function\n"
        "pgemm_blas_lazy_entry:\n"
        "  pushq %rbp\n"
        "  movq %rsp, %rbp\n"
        "  subq $192, %rsp\n"
        "  movq %rdi, 0(%rsp)\n"
        "  movq %rsi, 8(%rsp)\n"
        "  movq %rdx, 16(%rsp)\n"
        "  movq %rcx, 24(%rsp)\n"
        "  movq %r8, 32(%rsp)\n"
        "  movq %r9, 40(%rsp)\n"
        "  movq %rax, 48(%rsp)\n"
        "  movups %xmm0, 64(%rsp)\n"
        "  movups %xmm1, 80(%rsp)\n"
        "  movups %xmm2, 96(%rsp)\n"
        "  movups %xmm3, 112(%rsp)\n"
        "  movups %xmm4, 128(%rsp)\n"
        "  movups %xmm5, 144(%rsp)\n"
        "  movups %xmm6, 160(%rsp)\n"
        "  movups %xmm7, 176(%rsp)\n"
        "  movq %r11, %rdi\n"
        "  call pgemm_blas_resolve\n"
        "  movq %rax, %r11\n"
        "  movq 0(%rsp), %rdi\n"
        "  movq 8(%rsp), %rsi\n"
        "  movq 16(%rsp), %rdx\n"
        "  movq 24(%rsp), %rcx\n"
        "  movq 32(%rsp), %r8\n"
        "  movq 40(%rsp), %r9\n"
        "  movq 48(%rsp), %rax\n"
        "  movups 64(%rsp), %xmm0\n"
        "  movups 80(%rsp), %xmm1\n"
        "  movups 96(%rsp), %xmm2\n"
        "  movups 112(%rsp), %xmm3\n"
        "  movups 128(%rsp), %xmm4\n"
        "  movups 144(%rsp), %xmm5\n"
        "  movups 160(%rsp), %xmm6\n"
        "  movups 176(%rsp), %xmm7\n"
        "  leave\n"
        "  jmpq *%r11\n"
        ".size pgemm_blas_lazy_entry, .-pgemm_blas_lazy_entry\n");

/* One exported forwarder per name: the slot's function, or the slow path.
 * r11 is free at a call boundary in the SysV ABI (no argument uses it). */
#define PGEMM_BLAS_FORWARD(name)                                                             \
    __asm__(".text\n"                                                                        \
            ".p2align 4\n"                                                                   \
            ".globl " #name "\n"                                                             \
            ".type " #name ", @function\n" #name ":\n"                                       \
            "  movq pgemm_fwd_slot_" #name "(%rip), %r11\n"                                  \
            "  testq %r11, %r11\n"                                                           \
            "  jz 1f\n"                                                                      \
            "  jmpq *%r11\n"                                                                 \
            "1:\n"                                                                           \
            "  leaq pgemm_fwd_slot_" #name "(%rip), %r11\n"                                  \
            "  jmp pgemm_blas_lazy_entry\n"                                                  \
            ".size " #name ", .-" #name "\n");
#include "forward_names.h"
#undef PGEMM_BLAS_FORWARD
