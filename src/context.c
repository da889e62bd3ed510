/* SPDX-License-Identifier: BSD-3-Clause */
/* Context creation: options, environment overrides, backend choice. */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "backends.h"
#include "common/cache_dir.h"
#include "common/log.h"
#include "common/text.h"
#include "internal.h"
#include "loader.h"
#include "paths.h"
#include "records.h"
#include "split_k.h"
#include "staging.h"

void pgemm_options_init(pgemm_options *opts)
{
    if (!opts) return;
    memset(opts, 0, sizeof *opts);
    opts->backend = PGEMM_BACKEND_AUTO;
    opts->device_index = -1;
    opts->precision = PGEMM_PRECISION_FP32;
}

static int parse_index(const char *text, long *out)
{
    char *end;
    errno = 0;
    long v = strtol(text, &end, 10);
    if (errno || end == text || *end != '\0' || v < 0 || v > 1000000) return 0;
    *out = v;
    return 1;
}

/* Applies PGEMM_BACKEND, PGEMM_DEVICE, PGEMM_OPENCL_PLATFORM, PGEMM_LOG. */
static pgemm_status apply_environment(pgemm_options *o)
{
    const char *v = getenv("PGEMM_BACKEND");
    if (v && *v) {
        if (!pgemm_backend_from_name(v, &o->backend))
            return pgemm_fail(NULL, PGEMM_ERROR_INVALID_ARGUMENT,
                              "PGEMM_BACKEND=\"%s\": expected %s", v, pgemm_backend_names());
    }
    v = getenv("PGEMM_DEVICE");
    if (v && *v) {
        long idx;
        if (!parse_index(v, &idx))
            return pgemm_fail(NULL, PGEMM_ERROR_INVALID_ARGUMENT,
                              "PGEMM_DEVICE=\"%s\": expected a device index (0, 1, ...)", v);
        o->device_index = (int)idx;
    }
    v = getenv("PGEMM_OPENCL_PLATFORM");
    if (v && *v) o->opencl_platform = v;
    v = getenv("PGEMM_MODEL_DIR");
    if (v && *v) o->model_dir = v;
    v = getenv("PGEMM_LOG");
    if (v && *v) {
        int level = pgemm_log_parse_level(v);
        if (level < 0)
            return pgemm_fail(NULL, PGEMM_ERROR_INVALID_ARGUMENT,
                              "PGEMM_LOG=\"%s\": expected 0/off, 1/info or 2/debug", v);
        o->log_level = level;
    }
    return PGEMM_SUCCESS;
}

static pgemm_status check_options(const pgemm_options *o)
{
    if (o->log_level < 0 || o->log_level > 2)
        return pgemm_fail(NULL, PGEMM_ERROR_INVALID_ARGUMENT,
                          "opts->log_level (%d) must be 0, 1 or 2", o->log_level);
    if (!pgemm_backend_known(o->backend))
        return pgemm_fail(NULL, PGEMM_ERROR_INVALID_ARGUMENT,
                          "opts->backend (%d) is not a pgemm_backend value", (int)o->backend);
    if (o->precision != PGEMM_PRECISION_FP32 && o->precision != PGEMM_PRECISION_FP16_MIXED)
        return pgemm_fail(NULL, PGEMM_ERROR_INVALID_ARGUMENT,
                          "opts->precision (%d) is not a pgemm_precision value", (int)o->precision);
    if (o->device_index < -1)
        return pgemm_fail(NULL, PGEMM_ERROR_INVALID_ARGUMENT,
                          "opts->device_index (%d) must be -1 (first usable) or >= 0",
                          o->device_index);
    return PGEMM_SUCCESS;
}

/* `cache_why` (may be NULL) receives why there is no cache dir. */
static void fill_config(pgemm_backend_config *cfg, const pgemm_options *o, char *cache_buf,
                        size_t cache_cap, char *cache_why, size_t why_cap)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->device_index = o->device_index;
    cfg->opencl_platform = o->opencl_platform;
    char why[PGEMM_REASON_LEN];
    cfg->cache_dir = pgemm_cache_dir_trusted(cache_buf, cache_cap, why, sizeof why);
    if (!cfg->cache_dir && strcmp(why, "off") != 0)
        pgemm_log(PGEMM_LOG_INFO, "cache: not used (kernels and tuned models): %s", why);
    if (cache_why) pgemm_text_copy(cache_why, why_cap, cfg->cache_dir ? "" : why);
    cfg->log_level = o->log_level;
    cfg->log = pgemm_log_line;
}

/* Loads one backend and creates its context; on failure `why` says why. */
static pgemm_status try_backend(pgemm_backend which, const pgemm_backend_config *cfg,
                                pgemm_context *ctx, char *why, size_t cap)
{
    const char *name = pgemm_backend_name(which);
    pgemm_status st = pgemm_plugin_load(name, &ctx->plugin, why, cap);
    if (st != PGEMM_SUCCESS) return st;
    pgemm_log(PGEMM_LOG_DEBUG, "%s: %s", name, why);
    pgemm_err err = {{0}};
    memset(&ctx->info, 0, sizeof ctx->info);
    st = ctx->plugin.iface->create(cfg, &ctx->bctx, &ctx->info, &err);
    if (st != PGEMM_SUCCESS) {
        pgemm_text_copy(why, cap, err.msg[0] ? err.msg : pgemm_status_string(st));
        pgemm_plugin_unload(&ctx->plugin);
        ctx->bctx = NULL;
        return st;
    }
    ctx->info.backend = which;
    pgemm_text_copy(ctx->info.backend_name, sizeof ctx->info.backend_name, name);
    ctx->info.variant_count = ctx->plugin.iface->variant_count(ctx->bctx);
    if (ctx->info.variant_count == 0 || ctx->info.variant_count > PGEMM_MAX_VARIANTS) {
        pgemm_text_format(why, cap, "the plugin lists %zu kernel variants (1 to %d)",
                          ctx->info.variant_count, PGEMM_MAX_VARIANTS);
        ctx->plugin.iface->destroy(ctx->bctx);
        pgemm_plugin_unload(&ctx->plugin);
        ctx->bctx = NULL;
        return PGEMM_ERROR_INTERNAL;
    }
    /* Derived from the variant list, so that it can never disagree with what
     * the selector and the fp16 operand check see. */
    ctx->info.has_fp16_tiles = 0;
    for (size_t i = 0; i < ctx->info.variant_count; i++)
        if (ctx->plugin.iface->variant(ctx->bctx, i)->fp16) ctx->info.has_fp16_tiles = 1;
    return PGEMM_SUCCESS;
}

pgemm_status pgemm_context_create(const pgemm_options *opts, pgemm_context **out)
{
    return pgemm_context_create_on(opts, NULL, out);
}

pgemm_status pgemm_context_create_on(const pgemm_options *opts, const pgemm_native_target *native,
                                     pgemm_context **out)
{
    pgemm_clear_error(NULL);
    if (!out) return pgemm_fail(NULL, PGEMM_ERROR_INVALID_ARGUMENT, "out is NULL");
    *out = NULL;

    pgemm_options o;
    pgemm_options_init(&o);
    if (opts) o = *opts;
    /* The caller's options are checked as given, before the environment
     * overrides any of them: a bad value is a bug in the caller. */
    pgemm_status st = check_options(&o);
    if (st != PGEMM_SUCCESS) return st;
    st = apply_environment(&o);
    if (st != PGEMM_SUCCESS) return st;
    if (o.log_level > pgemm_log_level()) pgemm_log_set_level(o.log_level);
    if (native) {
        /* The caller's queue decides backend, platform and device. */
        o.backend = native->backend;
        o.device_index = native->device;
        o.opencl_platform = NULL;
    }

    pgemm_context *ctx = calloc(1, sizeof *ctx);
    if (!ctx) return pgemm_fail(NULL, PGEMM_ERROR_OUT_OF_MEMORY, "cannot allocate a context");
    pthread_mutex_init(&ctx->lock, NULL);
    ctx->precision = o.precision;
    ctx->forced_variant = -1;
    ctx->serial = pgemm_record_new_context();
    ctx->log_level = o.log_level;

    char cache_buf[1024];
    pgemm_backend_config cfg;
    fill_config(&cfg, &o, cache_buf, sizeof cache_buf, NULL, 0);
    if (native) {
        cfg.interop = 1;
        cfg.native_queue = native->queue;
    }

    int automatic = o.backend == PGEMM_BACKEND_AUTO;
    size_t count = automatic ? pgemm_backend_count() : 1;
    char tried[PGEMM_REASON_LEN] = "";
    pgemm_status last = PGEMM_ERROR_NO_BACKEND;
    for (size_t i = 0; i < count; i++) {
        char why[PGEMM_REASON_LEN];
        pgemm_backend which = automatic ? pgemm_backend_at(i) : o.backend;
        const char *name = pgemm_backend_name(which);
        last = try_backend(which, &cfg, ctx, why, sizeof why);
        if (last == PGEMM_SUCCESS) {
            char device_why[PGEMM_REASON_LEN];
            pgemm_text_copy(device_why, sizeof device_why, ctx->info.why);
            pgemm_text_format(ctx->info.why, sizeof ctx->info.why, "%s%s%s: %s",
                              o.backend == PGEMM_BACKEND_AUTO ? "AUTO: " : "forced: ", tried,
                              name, device_why);
            pgemm_log(PGEMM_LOG_INFO, "backend %s, device \"%s\" (%s)", name, ctx->info.device,
                      ctx->info.why);
            break;
        }
        pgemm_log(PGEMM_LOG_INFO, "backend %s skipped: %s", name, why);
        pgemm_text_append(tried, sizeof tried, "%s unavailable (%s); ", name, why);
    }
    if (last != PGEMM_SUCCESS) {
        pthread_mutex_destroy(&ctx->lock);
        free(ctx);
        size_t n = strlen(tried);
        if (n >= 2) tried[n - 2] = '\0';
        if (o.backend == PGEMM_BACKEND_AUTO)
            return pgemm_fail(NULL, PGEMM_ERROR_NO_BACKEND, "AUTO tried every backend: %s", tried);
        /* The caller's mistakes (a bad queue) and limits stay what they are. */
        int passes = last == PGEMM_ERROR_INVALID_ARGUMENT || last == PGEMM_ERROR_UNSUPPORTED;
        return pgemm_fail(NULL, passes ? last : PGEMM_ERROR_BACKEND_UNAVAILABLE,
                          "backend %s requested but not usable: %s",
                          pgemm_backend_name(o.backend), tried);
    }

    {
        const pgemm_variant_desc *list[PGEMM_MAX_VARIANTS];
        size_t n = ctx->info.variant_count;
        for (size_t i = 0; i < n; i++) list[i] = ctx->plugin.iface->variant(ctx->bctx, i);
        char shipped[PATH_MAX];
        pgemm_shipped_model_dir(shipped, sizeof shipped);
        pgemm_model_dirs dirs = {o.model_dir, cfg.cache_dir, shipped};
        pgemm_selector_init(&ctx->selector, list, n, &ctx->info, &dirs);
        pgemm_autotune_init(&ctx->autotune, &ctx->info, list, n, cfg.cache_dir);
    }

    const char *split = getenv("PGEMM_SPLIT_K");
    if (split && *split) {
        long parts = -1;
        if (!strcmp(split, "auto"))
            parts = 0;
        else if (!strcmp(split, "off"))
            parts = 1;
        else if (!parse_index(split, &parts) || parts < 1 || parts > PGEMM_SPLIT_K_MAX)
            parts = -1;
        if (parts < 0) {
            pgemm_fail(NULL, PGEMM_ERROR_INVALID_ARGUMENT,
                       "PGEMM_SPLIT_K=\"%s\": expected auto, off, or a count of parts from 1 "
                       "to %d",
                       split, PGEMM_SPLIT_K_MAX);
            pgemm_context_destroy(ctx);
            return PGEMM_ERROR_INVALID_ARGUMENT;
        }
        ctx->split_k = (size_t)parts;
    }

    const char *forced = getenv("PGEMM_VARIANT");
    if (forced && *forced) {
        st = pgemm_force_variant(ctx, forced);
        if (st != PGEMM_SUCCESS) {
            pgemm_fail(NULL, st, "PGEMM_VARIANT: %s", pgemm_last_error(ctx));
            pgemm_context_destroy(ctx);
            return st;
        }
    }
    *out = ctx;
    return PGEMM_SUCCESS;
}

void pgemm_context_destroy(pgemm_context *ctx)
{
    if (!ctx) return;
    pgemm_staging_free(ctx);
    if (ctx->plugin.iface && ctx->bctx) ctx->plugin.iface->destroy(ctx->bctx);
    pgemm_plugin_unload(&ctx->plugin);
    pgemm_selector_free(&ctx->selector);
    pgemm_autotune_free(&ctx->autotune);
    pthread_mutex_destroy(&ctx->lock);
    free(ctx);
}

pgemm_status pgemm_set_precision(pgemm_context *ctx, pgemm_precision precision)
{
    if (!ctx) return PGEMM_ERROR_INVALID_ARGUMENT;
    pgemm_clear_error(ctx);
    if (precision != PGEMM_PRECISION_FP32 && precision != PGEMM_PRECISION_FP16_MIXED)
        return pgemm_fail(ctx, PGEMM_ERROR_INVALID_ARGUMENT,
                          "precision (%d) is not a pgemm_precision value", (int)precision);
    pthread_mutex_lock(&ctx->lock);
    ctx->precision = precision;
    pthread_mutex_unlock(&ctx->lock);
    return PGEMM_SUCCESS;
}

pgemm_status pgemm_context_info(const pgemm_context *ctx, pgemm_info *out)
{
    if (!ctx || !out) return PGEMM_ERROR_INVALID_ARGUMENT;
    *out = ctx->info;
    return PGEMM_SUCCESS;
}

size_t pgemm_variant_count(const pgemm_context *ctx)
{
    return ctx ? ctx->plugin.iface->variant_count(ctx->bctx) : 0;
}

const char *pgemm_variant_name(const pgemm_context *ctx, size_t index)
{
    if (!ctx || index >= pgemm_variant_count(ctx)) return NULL;
    return ctx->plugin.iface->variant(ctx->bctx, index)->name;
}

pgemm_status pgemm_force_variant(pgemm_context *ctx, const char *name)
{
    if (!ctx) return PGEMM_ERROR_INVALID_ARGUMENT;
    pgemm_clear_error(ctx);
    long found = -1;
    if (name) {
        size_t n = pgemm_variant_count(ctx);
        for (size_t i = 0; i < n; i++)
            if (!strcmp(pgemm_variant_name(ctx, i), name)) found = (long)i;
        if (found < 0) {
            char list[PGEMM_REASON_LEN] = "";
            for (size_t i = 0; i < n; i++)
                pgemm_text_append(list, sizeof list, "%s%s", i ? ", " : "",
                                  pgemm_variant_name(ctx, i));
            return pgemm_fail(ctx, PGEMM_ERROR_INVALID_ARGUMENT,
                              "no variant \"%s\" in backend %s (variants: %s)", name,
                              ctx->info.backend_name, list);
        }
    }
    pthread_mutex_lock(&ctx->lock);
    ctx->forced_variant = found;
    pthread_mutex_unlock(&ctx->lock);
    return PGEMM_SUCCESS;
}

pgemm_status pgemm_set_split_k(pgemm_context *ctx, size_t parts)
{
    if (!ctx) return PGEMM_ERROR_INVALID_ARGUMENT;
    pgemm_clear_error(ctx);
    if (parts > PGEMM_SPLIT_K_MAX)
        return pgemm_fail(ctx, PGEMM_ERROR_INVALID_ARGUMENT,
                          "split-K parts (%zu): at most %d (0: automatic, 1: never split)", parts,
                          PGEMM_SPLIT_K_MAX);
    pthread_mutex_lock(&ctx->lock);
    ctx->split_k = parts;
    pthread_mutex_unlock(&ctx->lock);
    return PGEMM_SUCCESS;
}

pgemm_status pgemm_describe_system(char *text, size_t cap, size_t *needed)
{
    char report[16384] = "";
    pgemm_options o;
    pgemm_options_init(&o);
    pgemm_status st = apply_environment(&o);
    if (st != PGEMM_SUCCESS) return st;
    char cache_buf[1024], cache_why[PGEMM_REASON_LEN];
    pgemm_backend_config cfg;
    fill_config(&cfg, &o, cache_buf, sizeof cache_buf, cache_why, sizeof cache_why);
    for (size_t i = 0; i < pgemm_backend_count(); i++) {
        const char *name = pgemm_backend_name(pgemm_backend_at(i));
        pgemm_plugin plugin;
        char why[PGEMM_REASON_LEN];
        if (pgemm_plugin_load(name, &plugin, why, sizeof why) != PGEMM_SUCCESS) {
            pgemm_text_append(report, sizeof report, "%s: unavailable: %s\n", name, why);
            continue;
        }
        pgemm_text_append(report, sizeof report, "%s: %s\n", name, why);
        size_t used = strlen(report);
        plugin.iface->describe(&cfg, report + used, sizeof report - used);
        pgemm_plugin_unload(&plugin);
    }
    if (cfg.cache_dir)
        pgemm_text_append(report, sizeof report, "cache (kernels, models): %s\n", cfg.cache_dir);
    else pgemm_text_append(report, sizeof report, "cache (kernels, models): %s%s\n",
                           strcmp(cache_why, "off") ? "not used: " : "", cache_why);
    size_t len = strlen(report);
    if (needed) *needed = len + 1;
    if (text && cap) pgemm_text_copy(text, cap, report);
    return PGEMM_SUCCESS;
}
