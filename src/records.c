/* SPDX-License-Identifier: BSD-3-Clause */
#include "records.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

typedef struct thread_records {
    uint64_t clock;
    pgemm_record slot[PGEMM_RECORDS_PER_THREAD];
} thread_records;

static pthread_key_t g_key;
static int g_key_ok;
static pthread_once_t g_once = PTHREAD_ONCE_INIT;

static void make_key(void) { g_key_ok = pthread_key_create(&g_key, free) == 0; }

uint64_t pgemm_record_new_context(void)
{
    static atomic_uint_fast64_t next = 1;
    return atomic_fetch_add(&next, 1);
}

pgemm_record *pgemm_record_find(uint64_t context, int create)
{
    pthread_once(&g_once, make_key);
    if (!g_key_ok) return NULL;
    thread_records *t = pthread_getspecific(g_key);
    if (!t) {
        if (!create) return NULL;
        t = calloc(1, sizeof *t);
        if (!t || pthread_setspecific(g_key, t) != 0) {
            free(t);
            return NULL;
        }
    }
    pgemm_record *oldest = &t->slot[0];
    for (size_t i = 0; i < PGEMM_RECORDS_PER_THREAD; i++) {
        pgemm_record *r = &t->slot[i];
        if (r->context == context) {
            r->used = ++t->clock;
            return r;
        }
        if (r->used < oldest->used) oldest = r;
    }
    if (!create) return NULL;
    memset(oldest, 0, sizeof *oldest);
    oldest->context = context;
    oldest->used = ++t->clock;
    return oldest;
}
