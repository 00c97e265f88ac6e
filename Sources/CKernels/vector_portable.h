/* The vector layer of the portable path: one float per "vector", the C library's maths. It runs
 * on any CPU (and is what the other paths are tested against). */
#include <math.h>

#define VK_SUFFIX(name) vk_##name##_portable
#define VL 1
typedef float VF;
typedef int VM;

static inline VF vset(float x) { return x; }
static inline VF vloadn(const float *p, long n, float fill) { return n > 0 ? *p : fill; }
static inline void vstoren(float *p, VF v, long n) { if (n > 0) *p = v; }
static inline VM vvalid(long n) { return n > 0; }
static inline VF vload(const float *p) { return *p; }
static inline void vstore(float *p, VF v) { *p = v; }
static inline VF vadd(VF a, VF b) { return a + b; }
static inline VF vsub(VF a, VF b) { return a - b; }
static inline VF vmul(VF a, VF b) { return a * b; }
static inline VF vdiv(VF a, VF b) { return a / b; }
static inline VF vmax(VF a, VF b) { return a > b ? a : b; }
static inline VF vabs(VF a) { return fabsf(a); }
static inline VM vgt(VF a, VF b) { return a > b; }
static inline VM vge(VF a, VF b) { return a >= b; }
static inline VF vselect(VM m, VF a, VF b) { return m ? a : b; }
static inline float vsum(VF a) { return a; }
static inline float vmaxall(VF a) { return a; }
static inline VF vexp(VF a) { return expf(a); }
static inline VF vlog(VF a) { return logf(a); }
static inline VF vlog1p(VF a) { return log1pf(a); }
static inline VF vtanh(VF a) { return tanhf(a); }
static inline VF vsin(VF a) { return sinf(a); }
static inline VF vcos(VF a) { return cosf(a); }
static inline VF vsqrt(VF a) { return sqrtf(a); }
