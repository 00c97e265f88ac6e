/* The element-wise kernels of the portable path: the shared bodies over vector_portable.h. */

#include "vector_portable.h"
#include "body_common.h"
#include "body_activations.h"
#include "body_cells.h"
#include "body_latent.h"
#include "body_heads.h"
#include "body_real_heads.h"
#include "body_noise.h"


