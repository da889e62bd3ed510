/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A plugin file looked at before dlopen maps it: the dynamic linker trusts
 * the ELF headers it reads, and a file cut short (an interrupted copy, a full
 * disk) makes it touch pages past the end of the file, which kills the
 * process with SIGBUS inside dlopen. Checked here: an ELF shared object of
 * this machine's class, byte order and architecture whose program headers
 * and every loadable segment lie inside the file.
 */
#ifndef PGEMM_ELF_CHECK_H
#define PGEMM_ELF_CHECK_H

#include <stddef.h>

/* 1 if path is a regular file that passes the checks above; 0 with the
 * reason in why ("... is truncated: segment 2 ends at byte 20480 of a
 * 16384-byte file"). */
int pgemm_elf_plugin_sound(const char *path, char *why, size_t cap);

#endif
