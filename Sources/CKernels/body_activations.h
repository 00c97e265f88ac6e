/* Activations of the MLPs and the rows helpers of linear layers. */

/* x < 0 ? 0 : x, so a NaN stays NaN (and shows in the loss). */
void VK_SUFFIX(relu_forward)(float *x, long n) {
    for (long i = 0; i < n; i += VL) {
        VF v = vk_get(x, i, n, 0);
        vk_put(x, i, n, vselect(vgt(vset(0.0f), v), vset(0.0f), v));
    }
}

/* d = 0 where y <= 0; a NaN y leaves d as it is. */
void VK_SUFFIX(relu_backward)(const float *y, float *d, long n) {
    for (long i = 0; i < n; i += VL) vk_put(d, i, n, vselect(vge(vset(0.0f), vk_get(y, i, n, 0)), vset(0.0f), vk_get(d, i, n, 0)));
}

/* x = x where x > 0, else e^x - 1. As exp(x) - 1 rather than expm1(x): SLEEF's exp is 3.4 times
 * as fast as its expm1 on AVX-512 (8.5 against 29 ns a vector), and for small |x| the
 * cancellation costs at most 1e-7 in absolute terms, the size of the rounding of the product
 * that made x (ElementwiseTests holds it to 1e-6). */
void VK_SUFFIX(elu_forward)(float *x, long n) {
    for (long i = 0; i < n; i += VL) {
        VF v = vk_get(x, i, n, 0);
        vk_put(x, i, n, vselect(vgt(v, vset(0.0f)), v, vsub(vexp(v), vset(1.0f))));
    }
}

/* d *= y + 1 where y <= 0 (a NaN y leaves d as it is). */
void VK_SUFFIX(elu_backward)(const float *y, float *d, long n) {
    for (long i = 0; i < n; i += VL) {
        VF v = vk_get(y, i, n, 0);
        vk_put(d, i, n, vmul(vk_get(d, i, n, 0), vselect(vge(vset(0.0f), v), vadd(v, vset(1.0f)), vset(1.0f))));
    }
}

void VK_SUFFIX(tanh_forward)(float *x, long n) {
    for (long i = 0; i < n; i += VL) vk_put(x, i, n, vtanh(vk_get(x, i, n, 0)));
}

void VK_SUFFIX(tanh_backward)(const float *y, float *d, long n) {
    for (long i = 0; i < n; i += VL) {
        VF v = vk_get(y, i, n, 0);
        vk_put(d, i, n, vmul(vk_get(d, i, n, 0), vsub(vset(1.0f), vmul(v, v))));
    }
}

void VK_SUFFIX(broadcast_rows)(const float *bias, float *c, long rows, long cols, long ldc) {
    for (long r = 0; r < rows; r++) memcpy(c + r * ldc, bias, (size_t)cols * sizeof(float));
}

/* Row by row, so each out[j] adds the rows in order 0, 1, ... (out stays in L1). */
void VK_SUFFIX(add_column_sums)(const float *x, long rows, long cols, long ldx, float *out) {
    for (long r = 0; r < rows; r++) {
        const float *row = x + r * ldx;
        for (long j = 0; j < cols; j += VL) vk_put(out, j, cols, vadd(vk_get(out, j, cols, 0), vk_get(row, j, cols, 0)));
    }
}
