/* Output heads: negative log-likelihood and its gradient in one pass over the parameters. */

/* lse = m + log S, S = sum_i e^{l_i - m} with m = max l (lanes past v are -inf, so they add
 * nothing); nll = lse - l[x]; grad = scale (e^{l - m} / S - onehot(x)), the exponentials kept in
 * grad from the sum. An infinite maximum is returned as it is (its grad from e^{l - lse}), a NaN
 * anywhere makes the sum NaN. */
void VK_SUFFIX(categorical_nll)(const float *logits, const int *tokens, long rows, long v, float scale, float *grad, float *nll) {
    for (long r = 0; r < rows; r++) {
        const float *l = logits + r * v;
        float *g = grad ? grad + r * v : NULL;
        VF high = vset(-INFINITY);
        for (long i = 0; i < v; i += VL) high = vmax(high, vk_get(l, i, v, -INFINITY));
        const float m = vmaxall(high);
        float lse = m;
        if (!isinf(m)) {
            VF sum = vset(0.0f);
            for (long i = 0; i < v; i += VL) {
                VF e = vexp(vsub(vk_get(l, i, v, -INFINITY), vset(m)));
                sum = vadd(sum, e);
                if (g) vk_put(g, i, v, e);
            }
            const float total = vsum(sum);
            lse = m + logf(total);
            if (g) for (long i = 0; i < v; i += VL) vk_put(g, i, v, vmul(vset(scale / total), vk_get(g, i, v, 0)));
        } else if (g) {
            for (long i = 0; i < v; i += VL) vk_put(g, i, v, vmul(vset(scale), vexp(vsub(vk_get(l, i, v, 0), vset(lse)))));
        }
        const int x = tokens[r];
        nll[r] = lse - l[x];
        if (g) g[x] -= scale;
    }
}
