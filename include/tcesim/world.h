/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * tcesim/world.h - the world: one simulated host (memory, PHBs, IOMMUs, KVM,
 * processes) with its options. There is no global library state: every
 * object hangs off a world, so each test builds its own.
 */
#ifndef TCESIM_WORLD_H
#define TCESIM_WORLD_H

#include <stdbool.h>
#include <tcesim/types.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * struct tcesim_world_cfg - options of a world (scenario `set` lines)
 * @size: sizeof(struct tcesim_world_cfg), for growth
 * @flavour: upstream era modelled
 * @quirks: reproduce documented upstream bugs or report them cleanly
 * @hcall: hypercall tiers
 * @host_page_shift: simulated host PAGE_SHIFT: 12 (4K, default) or 16 (64K)
 * @seed: seed for anything random in the model (pool hash of the DMA API)
 * @max_page_order: MAX_PAGE_ORDER of the page allocator, the largest order
 *	(log2 of host pages) one physically contiguous allocation may have;
 *	TCE level blocks above it are -ENOMEM (scenario `set max_page_order=`).
 *	TCESIM_MAX_PAGE_ORDER_DEFAULT (-1, what tcesim_world_cfg_init() sets)
 *	takes upstream's ppc64 default for @host_page_shift: 12 with 4K pages,
 *	8 with 64K pages (16 MiB either way; arch/powerpc/Kconfig
 *	ARCH_FORCE_MAX_ORDER). tcesim_world_cfg() reports the value at
 *	creation, resolved; tcesim_world_max_page_order() the one in force.
 */
struct tcesim_world_cfg {
	size_t size;
	enum tcesim_flavour flavour;
	enum tcesim_quirks quirks;
	enum tcesim_hcall_mode hcall;
	unsigned int host_page_shift;
	uint64_t seed;
	int max_page_order;
};

/* struct tcesim_world_cfg.max_page_order: upstream's default for the page size */
#define TCESIM_MAX_PAGE_ORDER_DEFAULT	(-1)
/* largest max_page_order a world accepts (2^40 host pages) */
#define TCESIM_MAX_PAGE_ORDER_LIMIT	40

/**
 * tcesim_world_cfg_init() - Fill a world config with the defaults
 * @cfg: config to fill (modern, safe, kvm+qemu, 4K host pages, seed 1,
 *	max_page_order TCESIM_MAX_PAGE_ORDER_DEFAULT)
 *
 * Models: none (tcesim infrastructure).
 * Context: any thread.
 * Return: nothing.
 */
TCESIM_EXPORT void tcesim_world_cfg_init(struct tcesim_world_cfg *cfg);

/**
 * tcesim_world_create() - Create a simulated host
 * @cfg: options; NULL for the defaults
 * @out: the new world
 *
 * Models: none (tcesim infrastructure).
 * Context: any thread; the world's objects are then used from any thread
 *          registered with tcesim_thread_enter().
 * Return: 0, or
 *  * -EINVAL - @out NULL, @cfg->size too small, bad flavour/quirks/hcall,
 *              host_page_shift other than 12 or 16, or max_page_order neither
 *              TCESIM_MAX_PAGE_ORDER_DEFAULT nor 0..TCESIM_MAX_PAGE_ORDER_LIMIT
 *  * -ENOMEM - allocation failed
 */
TCESIM_EXPORT int tcesim_world_create(const struct tcesim_world_cfg *cfg,
				      struct tcesim_world **out);

/**
 * tcesim_world_destroy() - Destroy a world and everything it holds
 * @w: world, or NULL
 *
 * Tears down objects in reverse dependency order (KVM, SVA, PHBs, processes,
 * memory) after an RCU barrier.
 *
 * Models: none (tcesim infrastructure).
 * Context: no other thread may use @w; calling thread registered with RCU.
 * Return: the number of model allocations still live after the teardown
 *         (tcesim_world_live_allocs() at the end): 0, unless tcesim itself
 *         leaks (the scenario runner reports a non-zero count as a failure;
 *         a C test can assert it). 0 for a NULL @w.
 */
TCESIM_EXPORT long tcesim_world_destroy(struct tcesim_world *w);

/**
 * tcesim_world_cfg() - Options the world was created with
 * @w: world
 *
 * Models: none.
 * Context: any thread; immutable after create.
 * Return: pointer to the world's copy of its config.
 */
TCESIM_EXPORT const struct tcesim_world_cfg *tcesim_world_cfg(const struct tcesim_world *w);

/**
 * tcesim_world_set_max_page_order() - Change the page allocator's MAX_PAGE_ORDER
 * @w: world
 * @order: 0..TCESIM_MAX_PAGE_ORDER_LIMIT, or TCESIM_MAX_PAGE_ORDER_DEFAULT for
 *	upstream's ppc64 default (12 with 4K host pages, 8 with 64K)
 *
 * Applies to TCE level blocks allocated from then on (table create and
 * on-demand levels): a block of more than 2^@order host pages is -ENOMEM,
 * as alloc_pages_node() beyond MAX_PAGE_ORDER returns NULL.
 *
 * Models: include/linux/mmzone.h MAX_PAGE_ORDER (MAX_ORDER before v6.8),
 *         set by arch/powerpc/Kconfig ARCH_FORCE_MAX_ORDER; mm/page_alloc.c
 *         __alloc_pages() refusing larger orders.
 * Context: any thread (atomic store); allocations racing with the call see
 *          the old or the new value.
 * Return: 0, or -EINVAL for a NULL @w or @order out of range (nothing
 *         changed).
 */
TCESIM_EXPORT int tcesim_world_set_max_page_order(struct tcesim_world *w, int order);

/**
 * tcesim_world_max_page_order() - The page allocator's MAX_PAGE_ORDER
 * @w: world
 *
 * Models: include/linux/mmzone.h MAX_PAGE_ORDER.
 * Context: any thread (atomic load).
 * Return: the order in force (resolved: never TCESIM_MAX_PAGE_ORDER_DEFAULT),
 *         or -EINVAL for a NULL @w.
 */
TCESIM_EXPORT int tcesim_world_max_page_order(const struct tcesim_world *w);

/**
 * tcesim_world_inject_fail_alloc() - Make the N-th model allocation fail
 * @w: world
 * @nth: 1 = the next allocation fails; 0 disarms. A new call replaces an
 *       armed injection. After the failure injection is off again.
 *
 * Models: the kernel's fail_nth / CONFIG_FAIL_IOMMU fault injection.
 * Context: any thread (atomic counter).
 * Return: nothing.
 */
TCESIM_EXPORT void tcesim_world_inject_fail_alloc(struct tcesim_world *w, unsigned long nth);

/**
 * tcesim_world_fail_alloc_armed() - Whether an injected failure is still pending
 * @w: world
 *
 * Models: none.
 * Context: any thread.
 * Return: true while the injected allocation failure has not fired.
 */
TCESIM_EXPORT bool tcesim_world_fail_alloc_armed(const struct tcesim_world *w);

/**
 * tcesim_world_live_allocs() - Model allocations not yet freed
 * @w: world
 *
 * The radix-tree harness's nr_allocated: tests assert it returns to its
 * earlier value after an operation is undone.
 *
 * Models: none (leak oracle).
 * Context: any thread; exact only when no other thread is allocating and
 *          after tcesim_rcu_barrier().
 * Return: number of live allocations made through the world's allocator.
 */
TCESIM_EXPORT long tcesim_world_live_allocs(const struct tcesim_world *w);

/**
 * tcesim_thread_enter() - Register the calling thread with RCU
 *
 * Every thread that calls into tcesim must be registered (liburcu-memb's
 * urcu_memb_register_thread()). Nested calls are counted.
 *
 * Models: none (liburcu requirement).
 * Context: any thread.
 * Return: nothing.
 */
TCESIM_EXPORT void tcesim_thread_enter(void);

/**
 * tcesim_thread_exit() - Unregister the calling thread from RCU
 *
 * Models: none.
 * Context: a thread that called tcesim_thread_enter(); must not be inside
 *          a read-side section.
 * Return: nothing.
 */
TCESIM_EXPORT void tcesim_thread_exit(void);

/**
 * tcesim_rcu_barrier() - Wait for every queued RCU callback to run
 *
 * After it returns, objects freed with call_rcu are gone, so leak counters
 * are exact. Returns at once (no grace period, no liburcu batching delay)
 * when no tcesim call_rcu was queued by any thread since the newest
 * completed barrier began: then no callback can be pending.
 *
 * Models: rcu_barrier().
 * Context: registered thread, outside any read-side section.
 * Return: nothing.
 */
TCESIM_EXPORT void tcesim_rcu_barrier(void);

/**
 * tcesim_errname() - Symbolic name of an errno, H_* code or special value
 * @code: negative errno (-EINVAL -> "EINVAL"), 0 ("ok")
 *
 * Models: none (the kernel's %pe formatting).
 * Context: any thread.
 * Return: static string, e.g. "EBUSY"; "E?123" style text for unknown codes
 *         is never returned: unknown values give NULL.
 */
TCESIM_EXPORT const char *tcesim_errname(int code);

/**
 * tcesim_errno_from_name() - Parse an errno name
 * @name: "EINVAL", "ENOMEM", ... (without sign)
 * @out: positive errno value
 *
 * Models: none.
 * Context: any thread.
 * Return: 0, or -ENOENT when @name is not an errno name.
 */
TCESIM_EXPORT int tcesim_errno_from_name(const char *name, int *out);

/**
 * tcesim_hcall_name() - Symbolic name of a PAPR hypercall return code
 * @ret: H_SUCCESS, H_PARAMETER, ..., H_TOO_HARD
 *
 * Models: none.
 * Context: any thread.
 * Return: static string ("H_PARAMETER"), or NULL for an unknown code.
 */
TCESIM_EXPORT const char *tcesim_hcall_name(long ret);

/**
 * tcesim_hcall_from_name() - Parse a PAPR return code name
 * @name: "H_SUCCESS", "H_PARAMETER", ...
 * @out: the code
 *
 * Models: none.
 * Context: any thread.
 * Return: 0, or -ENOENT when @name is unknown.
 */
TCESIM_EXPORT int tcesim_hcall_from_name(const char *name, long *out);

/**
 * tcesim_flavour_name() - Name of a flavour as written in scenarios
 * @f: flavour
 *
 * Models: none.
 * Context: any thread.
 * Return: "modern", "legacy_2013", ...; NULL for an out-of-range value.
 */
TCESIM_EXPORT const char *tcesim_flavour_name(enum tcesim_flavour f);

/**
 * tcesim_flavour_from_name() - Parse a flavour name
 * @name: "modern", "legacy_2013", "legacy_2015", "legacy_2016",
 *        "legacy_2020", "legacy_2024", "legacy_2019"
 * @out: the flavour
 *
 * Models: none.
 * Context: any thread.
 * Return: 0, or -EINVAL for an unknown name.
 */
TCESIM_EXPORT int tcesim_flavour_from_name(const char *name, enum tcesim_flavour *out);

/**
 * tcesim_world_set_log() - Receive the model's kernel-style messages
 * @w: world
 * @fn: called with each line ("iommu_tce: it_map is not empty"), or NULL
 * @ctx: passed to @fn
 *
 * The last 32 lines are also kept in the world (tcesim_world_log_contains()).
 *
 * Models: printk/pr_err/WARN of the modelled code.
 * Context: any thread; @fn is called with the world's log lock held, so it
 *          must not call back into the world.
 * Return: nothing.
 */
TCESIM_EXPORT void tcesim_world_set_log(struct tcesim_world *w,
					void (*fn)(void *ctx, const char *line), void *ctx);

/**
 * tcesim_world_log_contains() - Whether a recent message contains a string
 * @w: world
 * @needle: substring to look for in the last 32 messages
 *
 * Models: none (tests grep for upstream's messages).
 * Context: any thread (takes the log lock).
 * Return: true when found.
 */
TCESIM_EXPORT bool tcesim_world_log_contains(struct tcesim_world *w, const char *needle);

/**
 * tcesim_world_log_count() - Number of messages logged since create
 * @w: world
 *
 * Models: none.
 * Context: any thread (takes the log lock).
 * Return: the count.
 */
TCESIM_EXPORT unsigned int tcesim_world_log_count(struct tcesim_world *w);

#ifdef __cplusplus
}
#endif
#endif /* TCESIM_WORLD_H */
