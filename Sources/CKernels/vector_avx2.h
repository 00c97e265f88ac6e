/* The vector layer of the AVX2+FMA path: 8 floats, lane masks as float vectors, SLEEF's AVX2
 * functions (1 ulp, tanh 3.5). Compiled for AVX2 by target attributes (see vector_avx512.h for
 * why the SLEEF functions are declared here). */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <immintrin.h>
#pragma clang attribute push (__attribute__((target("avx2,fma"))), apply_to = function)

#define VK_SUFFIX(name) vk_##name##_avx2
#define VL 8
typedef __m256 VF;
typedef __m256 VM;

__m256 Sleef_expf8_u10avx2(__m256);
__m256 Sleef_logf8_u10avx2(__m256);
__m256 Sleef_log1pf8_u10avx2(__m256);
__m256 Sleef_tanhf8_u35avx2(__m256);
__m256 Sleef_sinf8_u10avx2(__m256);
__m256 Sleef_cosf8_u10avx2(__m256);

static inline VF vset(float x) { return _mm256_set1_ps(x); }
static inline __m256i vmask_first(long n) {
    return _mm256_cmpgt_epi32(_mm256_set1_epi32((int)n), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
}
/* Loads the n < VL first floats of p; the other lanes hold `fill`. */
static inline VF vloadn(const float *p, long n, float fill) {
    __m256i m = vmask_first(n);
    return _mm256_blendv_ps(vset(fill), _mm256_maskload_ps(p, m), _mm256_castsi256_ps(m));
}
static inline void vstoren(float *p, VF v, long n) { _mm256_maskstore_ps(p, vmask_first(n), v); }
/* Lanes [0, n) of a vector (all when n >= VL). */
static inline VM vvalid(long n) { return _mm256_castsi256_ps(vmask_first(n >= VL ? VL : n)); }
static inline VF vload(const float *p) { return _mm256_loadu_ps(p); }
static inline void vstore(float *p, VF v) { _mm256_storeu_ps(p, v); }
static inline VF vadd(VF a, VF b) { return _mm256_add_ps(a, b); }
static inline VF vsub(VF a, VF b) { return _mm256_sub_ps(a, b); }
static inline VF vmul(VF a, VF b) { return _mm256_mul_ps(a, b); }
static inline VF vdiv(VF a, VF b) { return _mm256_div_ps(a, b); }
static inline VF vmax(VF a, VF b) { return _mm256_max_ps(a, b); }
static inline VF vabs(VF a) { return _mm256_andnot_ps(vset(-0.0f), a); }
static inline VM vgt(VF a, VF b) { return _mm256_cmp_ps(a, b, _CMP_GT_OQ); }
static inline VM vge(VF a, VF b) { return _mm256_cmp_ps(a, b, _CMP_GE_OQ); }
/* m ? a : b per lane. */
static inline VF vselect(VM m, VF a, VF b) { return _mm256_blendv_ps(b, a, m); }
static inline float vsum(VF a) {
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(a), _mm256_extractf128_ps(a, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
}
static inline float vmaxall(VF a) {
    __m128 s = _mm_max_ps(_mm256_castps256_ps128(a), _mm256_extractf128_ps(a, 1));
    s = _mm_max_ps(s, _mm_movehl_ps(s, s));
    s = _mm_max_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
}
static inline VF vexp(VF a) { return Sleef_expf8_u10avx2(a); }
static inline VF vlog(VF a) { return Sleef_logf8_u10avx2(a); }
static inline VF vlog1p(VF a) { return Sleef_log1pf8_u10avx2(a); }
/* tanh within 3.5 ulp, as on the AVX-512 path (vector_avx512.h). */
static inline VF vtanh(VF a) { return Sleef_tanhf8_u35avx2(a); }
static inline VF vsin(VF a) { return Sleef_sinf8_u10avx2(a); }
static inline VF vcos(VF a) { return Sleef_cosf8_u10avx2(a); }
static inline VF vsqrt(VF a) { return _mm256_sqrt_ps(a); }
