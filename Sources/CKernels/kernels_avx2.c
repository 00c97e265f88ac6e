/* The element-wise kernels of the avx2 path: the shared bodies over vector_avx2.h. */
#if defined(__x86_64__)
#include "vector_avx2.h"
#include "body_common.h"
#include "body_activations.h"
#include "body_cells.h"
#include "body_latent.h"
#include "body_heads.h"
#include "body_real_heads.h"
#include "body_noise.h"
#pragma clang attribute pop
#endif
