/* Output heads: negative log-likelihood and its gradient in one pass over the parameters. */

/* lse = m + log sum_i e^{l_i - m} with m = max l (lanes past v are -inf, so they add nothing);
 * nll = lse - l[x]; grad = scale (e^{l - lse} - onehot(x)). An infinite maximum is returned as
 * it is, a NaN anywhere makes the sum NaN. */
void VK_SUFFIX(categorical_nll)(const float *logits, const int *tokens, long rows, long v, float scale, float *grad, float *nll) {
    for (long r = 0; r < rows; r++) {
        const float *l = logits + r * v;
        VF high = vset(-INFINITY);
        for (long i = 0; i < v; i += VL) high = vmax(high, vk_get(l, i, v, -INFINITY));
        const float m = vmaxall(high);
        float lse = m;
        if (!isinf(m)) {
            VF sum = vset(0.0f);
            for (long i = 0; i < v; i += VL) sum = vadd(sum, vexp(vsub(vk_get(l, i, v, -INFINITY), vset(m))));
            lse = m + logf(vsum(sum));
        }
        const int x = tokens[r];
        nll[r] = lse - l[x];
        if (grad) {
            float *g = grad + r * v;
            for (long i = 0; i < v; i += VL) vk_put(g, i, v, vmul(vset(scale), vexp(vsub(vk_get(l, i, v, 0), vset(lse)))));
            g[x] -= scale;
        }
    }
}
