/* SPDX-License-Identifier: BSD-3-Clause */
#include "elf_check.h"

#include <elf.h>
#include <link.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/file_io.h"
#include "common/text.h"

#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define PGEMM_ELF_DATA ELFDATA2LSB
#else
#define PGEMM_ELF_DATA ELFDATA2MSB
#endif
#if UINTPTR_MAX > 0xffffffffu
#define PGEMM_ELF_CLASS ELFCLASS64
#else
#define PGEMM_ELF_CLASS ELFCLASS32
#endif

/* The machine this library was built for, from its own ELF header. */
static int own_machine(void)
{
    extern const ElfW(Ehdr) __ehdr_start __attribute__((weak));
    return &__ehdr_start ? __ehdr_start.e_machine : -1;
}

static int read_at(int fd, void *dst, size_t len, uint64_t offset)
{
    size_t got = 0;
    while (got < len) {
        ssize_t n = pread(fd, (char *)dst + got, len - got, (off_t)(offset + got));
        if (n <= 0) return -1;
        got += (size_t)n;
    }
    return 0;
}

int pgemm_elf_plugin_sound(const char *path, char *why, size_t cap)
{
    struct stat st;
    char reason[PGEMM_REASON_LEN];
    int fd = pgemm_file_open_regular(path, &st, reason, sizeof reason);
    if (fd < 0) {
        pgemm_text_format(why, cap, "%s: %s", path, reason);
        return 0;
    }
    uint64_t size = (uint64_t)st.st_size;
    ElfW(Ehdr) eh;
    int ok = 0;
    if (size < sizeof eh || read_at(fd, &eh, sizeof eh, 0) != 0 ||
        memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0) {
        pgemm_text_format(why, cap, "%s is not an ELF file (%llu bytes)", path,
                          (unsigned long long)size);
        goto out;
    }
    if (eh.e_ident[EI_CLASS] != PGEMM_ELF_CLASS || eh.e_ident[EI_DATA] != PGEMM_ELF_DATA ||
        (own_machine() >= 0 && eh.e_machine != own_machine())) {
        pgemm_text_format(why, cap, "%s is an ELF file for another machine (class %u, data %u, "
                          "machine %u)", path, eh.e_ident[EI_CLASS], eh.e_ident[EI_DATA],
                          (unsigned)eh.e_machine);
        goto out;
    }
    if (eh.e_type != ET_DYN) {
        pgemm_text_format(why, cap, "%s is not a shared object (ELF type %u)", path,
                          (unsigned)eh.e_type);
        goto out;
    }
    if (eh.e_phentsize != sizeof(ElfW(Phdr)) || eh.e_phnum == 0 || eh.e_phoff > size ||
        (uint64_t)eh.e_phnum * sizeof(ElfW(Phdr)) > size - eh.e_phoff) {
        pgemm_text_format(why, cap, "%s is truncated or damaged: its %u program headers do not "
                          "fit in its %llu bytes", path, (unsigned)eh.e_phnum,
                          (unsigned long long)size);
        goto out;
    }
    for (unsigned i = 0; i < eh.e_phnum; i++) {
        ElfW(Phdr) ph;
        if (read_at(fd, &ph, sizeof ph, eh.e_phoff + (uint64_t)i * sizeof ph) != 0) {
            pgemm_text_format(why, cap, "%s: cannot read program header %u", path, i);
            goto out;
        }
        if (ph.p_type != PT_LOAD && ph.p_type != PT_DYNAMIC) continue;
        if (ph.p_offset > size || ph.p_filesz > size - ph.p_offset) {
            pgemm_text_format(why, cap, "%s is truncated: segment %u ends at byte %llu of a "
                              "%llu-byte file", path, i,
                              (unsigned long long)ph.p_offset + ph.p_filesz,
                              (unsigned long long)size);
            goto out;
        }
    }
    ok = 1;
out:
    close(fd);
    return ok;
}
