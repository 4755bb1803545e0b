#ifndef MASH_PREFETCH_H
#define MASH_PREFETCH_H

/// Asks the processor to bring the memory at `p` into its caches, without waiting for it (a hint:
/// it never faults, and does nothing where the processor has no such instruction). Swift has no
/// prefetch of its own.
static inline __attribute__((always_inline)) void mash_prefetch(const void *p) {
    __builtin_prefetch(p, 0, 3);
}

#endif
