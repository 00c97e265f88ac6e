/* Run-time choice of the kernels' path: CPU detection, VRNN_KERNELS, and the entry points that
 * call the active path's version (one table of function pointers per path, from kernel_list.h). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "CKernels.h"
#include "kernel_list.h"

#define DECLARE(name, parameters, arguments) void vk_##name##_portable parameters;
VK_KERNELS(DECLARE)
#undef DECLARE
#if defined(__x86_64__)
#define DECLARE(name, parameters, arguments) void vk_##name##_avx2 parameters; void vk_##name##_avx512 parameters;
VK_KERNELS(DECLARE)
#undef DECLARE
#endif

typedef struct {
#define FIELD(name, parameters, arguments) void (*name) parameters;
    VK_KERNELS(FIELD)
#undef FIELD
} vk_table;

static const vk_table portable_table = {
#define FILL(name, parameters, arguments) .name = vk_##name##_portable,
    VK_KERNELS(FILL)
#undef FILL
};
#if defined(__x86_64__)
static const vk_table avx2_table = {
#define FILL(name, parameters, arguments) .name = vk_##name##_avx2,
    VK_KERNELS(FILL)
#undef FILL
};
static const vk_table avx512_table = {
#define FILL(name, parameters, arguments) .name = vk_##name##_avx512,
    VK_KERNELS(FILL)
#undef FILL
};
#endif

static const vk_table *active = &portable_table;
static int active_path = VK_PORTABLE;
static const char *environment_problem = NULL;

int vk_best_path(void) {
#if defined(__x86_64__)
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512bw")
        && __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("fma")) return VK_AVX512;
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return VK_AVX2;
#endif
    return VK_PORTABLE;
}

int vk_active_path(void) { return active_path; }

int vk_set_path(int path) {
    if (path < VK_PORTABLE || path > vk_best_path()) return -1;
#if defined(__x86_64__)
    active = path == VK_AVX512 ? &avx512_table : path == VK_AVX2 ? &avx2_table : &portable_table;
#else
    active = &portable_table;
#endif
    active_path = path;
    return 0;
}

const char *vk_environment_problem(void) { return environment_problem; }

/* At load: VRNN_KERNELS when it names a path this CPU has, else the best path. */
__attribute__((constructor)) static void vk_choose_at_load(void) {
    const char *wanted = getenv("VRNN_KERNELS");
    int path = vk_best_path();
    if (wanted && *wanted) {
        int named = !strcmp(wanted, "avx512") ? VK_AVX512 : !strcmp(wanted, "avx2") ? VK_AVX2 : !strcmp(wanted, "portable") ? VK_PORTABLE : -1;
        if (named < 0 || named > path) environment_problem = wanted;
        else path = named;
    }
    vk_set_path(path);
}

#define CALL(name, parameters, arguments) void vk_##name parameters { active->name arguments; }
VK_KERNELS(CALL)
#undef CALL
