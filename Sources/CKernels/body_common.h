/* What every kernel body uses on top of a vector layer: loads and stores at position i of a row
 * of n floats (a whole vector, or the tail), and the stable sigmoid and softplus. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* p[i..<i+VL], lanes past n filled with `fill`. */
static inline VF vk_get(const float *p, long i, long n, float fill) { return n - i >= VL ? vload(p + i) : vloadn(p + i, n - i, fill); }
static inline void vk_put(float *p, long i, long n, VF v) { if (n - i >= VL) vstore(p + i, v); else vstoren(p + i, v, n - i); }

/* 1 / (1 + e^-x) through e = e^-|x|, so neither branch overflows: x >= 0 ? 1/(1+e) : e/(1+e). */
static inline VF vsigmoid(VF x) {
    VF e = vexp(vmul(vset(-1.0f), vabs(x)));
    VF s = vdiv(vset(1.0f), vadd(vset(1.0f), e));
    return vselect(vge(x, vset(0.0f)), s, vmul(e, s));
}

/* softplus(x) = log(1 + e^x) = max(x, 0) + log1p(e^-|x|), finite for every finite x, and
 * sigmoid(x) = d softplus / dx, from one exponential e = e^-|x|. */
static inline void vsoftplus_sigmoid(VF x, VF *softplus, VF *sigmoid) {
    VF e = vexp(vmul(vset(-1.0f), vabs(x)));
    VF s = vdiv(vset(1.0f), vadd(vset(1.0f), e));
    *softplus = vadd(vmax(x, vset(0.0f)), vlog1p(e));
    *sigmoid = vselect(vge(x, vset(0.0f)), s, vmul(e, s));
}

/* Lanes i < n of base[i * stride] (the others `fill`), and the reverse: the same field of up to
 * VL rows of a strided layout, for kernels vectorised across rows. */
static inline VF vk_gather(const float *base, long stride, long n, float fill) {
    float lanes[VL];
    for (long i = 0; i < VL; i++) lanes[i] = i < n ? base[i * stride] : fill;
    return vload(lanes);
}
static inline void vk_scatter(float *base, long stride, long n, VF v) {
    float lanes[VL];
    vstore(lanes, v);
    for (long i = 0; i < n && i < VL; i++) base[i * stride] = lanes[i];
}
