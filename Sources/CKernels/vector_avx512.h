/* The vector layer of the AVX-512 path: 16 floats, masks, SLEEF's AVX-512 functions (1 ulp,
 * tanh 3.5). The whole file is compiled for AVX-512 by target attributes, so one binary runs on
 * every CPU and this code only where vk_set_path allowed it. sleef.h declares its AVX-512
 * functions only when the compiler targets AVX-512 globally, so the ones used are declared here
 * as sleef.h does. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <immintrin.h>
#pragma clang attribute push (__attribute__((target("avx512f,avx512dq,avx512vl,avx512bw,avx2,fma"))), apply_to = function)

#define VK_SUFFIX(name) vk_##name##_avx512
#define VL 16
typedef __m512 VF;
typedef __mmask16 VM;

__m512 Sleef_expf16_u10avx512f(__m512);
__m512 Sleef_logf16_u10avx512f(__m512);
__m512 Sleef_log1pf16_u10avx512f(__m512);
__m512 Sleef_tanhf16_u35avx512f(__m512);
__m512 Sleef_sinf16_u10avx512f(__m512);
__m512 Sleef_cosf16_u10avx512f(__m512);

static inline VF vset(float x) { return _mm512_set1_ps(x); }
static inline VM vmask_first(long n) { return (__mmask16)((1u << n) - 1); }
/* Loads the n < VL first floats of p; the other lanes hold `fill`. */
static inline VF vloadn(const float *p, long n, float fill) { return _mm512_mask_loadu_ps(vset(fill), vmask_first(n), p); }
static inline void vstoren(float *p, VF v, long n) { _mm512_mask_storeu_ps(p, vmask_first(n), v); }
/* Lanes [0, n) of a vector (all when n >= VL). */
static inline VM vvalid(long n) { return n >= VL ? (__mmask16)0xFFFF : vmask_first(n); }
static inline VF vload(const float *p) { return _mm512_loadu_ps(p); }
static inline void vstore(float *p, VF v) { _mm512_storeu_ps(p, v); }
static inline VF vadd(VF a, VF b) { return _mm512_add_ps(a, b); }
static inline VF vsub(VF a, VF b) { return _mm512_sub_ps(a, b); }
static inline VF vmul(VF a, VF b) { return _mm512_mul_ps(a, b); }
static inline VF vdiv(VF a, VF b) { return _mm512_div_ps(a, b); }
static inline VF vmax(VF a, VF b) { return _mm512_max_ps(a, b); }
static inline VF vabs(VF a) { return _mm512_abs_ps(a); }
static inline VM vgt(VF a, VF b) { return _mm512_cmp_ps_mask(a, b, _CMP_GT_OQ); }
static inline VM vge(VF a, VF b) { return _mm512_cmp_ps_mask(a, b, _CMP_GE_OQ); }
/* m ? a : b per lane. */
static inline VF vselect(VM m, VF a, VF b) { return _mm512_mask_blend_ps(m, b, a); }
static inline float vsum(VF a) { return _mm512_reduce_add_ps(a); }
static inline float vmaxall(VF a) { return _mm512_reduce_max_ps(a); }
static inline VF vexp(VF a) { return Sleef_expf16_u10avx512f(a); }
static inline VF vlog(VF a) { return Sleef_logf16_u10avx512f(a); }
static inline VF vlog1p(VF a) { return Sleef_log1pf16_u10avx512f(a); }
/* tanh within 3.5 ulp: 14 ns a vector here against 38 for the 1-ulp one (the GRU's n gate, the LSTM). */
static inline VF vtanh(VF a) { return Sleef_tanhf16_u35avx512f(a); }
static inline VF vsin(VF a) { return Sleef_sinf16_u10avx512f(a); }
static inline VF vcos(VF a) { return Sleef_cosf16_u10avx512f(a); }
static inline VF vsqrt(VF a) { return _mm512_sqrt_ps(a); }
