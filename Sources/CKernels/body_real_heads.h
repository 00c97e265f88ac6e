/* Output heads of real-valued data: negative log-likelihood per row and, with grad, scale times
 * its gradient with respect to the head's parameters. sigma = softplus(raw) + floor. */

#define VK_HALF_LOG_2PI 0.9189385f

/* sum_d log(2 pi)/2 + log sigma + (x - mu)^2 / (2 sigma^2); params [mu (d), raw (d)]:
 * d mu = -(x - mu) / sigma^2, d raw = (1/sigma - (x - mu)^2 / sigma^3) sigmoid(raw). */
void VK_SUFFIX(gaussian_nll)(const float *params, const float *x, long rows, long d, float floor, float scale, float *grad, float *nll) {
    for (long r = 0; r < rows; r++) {
        const float *p = params + r * 2 * d, *xr = x + r * d;
        VF total = vset(0.0f);
        for (long j = 0; j < d; j += VL) {
            VF softplus, slope;
            vsoftplus_sigmoid(vk_get(p + d, j, d, 0), &softplus, &slope);
            VF sigma = vadd(softplus, vset(floor)), diff = vsub(vk_get(xr, j, d, 0), vk_get(p, j, d, 0));
            VF w = vdiv(vset(1.0f), vmul(sigma, sigma));
            VF term = vadd(vadd(vset(VK_HALF_LOG_2PI), vlog(sigma)), vmul(vmul(vset(0.5f), vmul(diff, diff)), w));
            total = vadd(total, vselect(vvalid(d - j), term, vset(0.0f)));
            if (grad) {
                float *g = grad + r * 2 * d;
                vk_put(g, j, d, vmul(vset(-scale), vmul(diff, w)));
                vk_put(g + d, j, d, vmul(vmul(vset(scale), vsub(vdiv(vset(1.0f), sigma), vdiv(vmul(vmul(diff, diff), w), sigma))), slope));
            }
        }
        nll[r] = vsum(total);
    }
}

/* sum_d softplus(l) - x l;  d l = sigmoid(l) - x. */
void VK_SUFFIX(bernoulli_nll)(const float *logits, const float *x, long rows, long d, float scale, float *grad, float *nll) {
    for (long r = 0; r < rows; r++) {
        const float *l = logits + r * d, *xr = x + r * d;
        VF total = vset(0.0f);
        for (long j = 0; j < d; j += VL) {
            VF v = vk_get(l, j, d, 0), softplus, sigmoid;
            vsoftplus_sigmoid(v, &softplus, &sigmoid);
            VF target = vk_get(xr, j, d, 0);
            total = vadd(total, vselect(vvalid(d - j), vsub(softplus, vmul(target, v)), vset(0.0f)));
            if (grad) vk_put(grad + r * d, j, d, vmul(vset(scale), vsub(sigmoid, target)));
        }
        nll[r] = vsum(total);
    }
}

/* -lse_c(a_c), a_c = log pi_c + sum_j log N(x_j; mu_cj, sigma_cj), log pi = log softmax(logits);
 * params [k logits, mu (k x d), raw (k x d)]. With gamma = softmax(a): d logit_c = pi_c - gamma_c,
 * d mu_cj = -gamma_c (x - mu)/sigma^2, d raw_cj = gamma_c (1/sigma - (x - mu)^2/sigma^3) sigmoid(raw). */
void VK_SUFFIX(gmm_nll)(const float *params, const float *x, long rows, long d, long k, float floor, float scale, float *grad, float *nll) {
    const long width = k * (1 + 2 * d);
    float *a = malloc((size_t)k * sizeof(float));   /* a_c of one row */
    for (long r = 0; r < rows; r++) {
        const float *p = params + r * width, *mu = p + k, *raw = p + k + k * d, *xr = x + r * d;
        float top = -INFINITY, sum = 0;
        for (long c = 0; c < k; c++) top = p[c] > top ? p[c] : top;
        for (long c = 0; c < k; c++) sum += expf(p[c] - top);
        const float logitLSE = top + logf(sum);
        for (long c = 0; c < k; c++) {
            VF density = vset(0.0f);
            for (long j = 0; j < d; j += VL) {
                VF softplus, slope;
                vsoftplus_sigmoid(vk_get(raw + c * d, j, d, 0), &softplus, &slope);
                VF sigma = vadd(softplus, vset(floor)), diff = vsub(vk_get(xr, j, d, 0), vk_get(mu + c * d, j, d, 0));
                VF term = vadd(vadd(vset(VK_HALF_LOG_2PI), vlog(sigma)), vdiv(vmul(vset(0.5f), vmul(diff, diff)), vmul(sigma, sigma)));
                density = vadd(density, vselect(vvalid(d - j), term, vset(0.0f)));
            }
            a[c] = p[c] - logitLSE - vsum(density);
        }
        top = -INFINITY; sum = 0;
        for (long c = 0; c < k; c++) top = a[c] > top ? a[c] : top;
        for (long c = 0; c < k; c++) sum += expf(a[c] - top);
        const float total = top + logf(sum);
        nll[r] = -total;
        if (!grad) continue;
        float *g = grad + r * width;
        for (long c = 0; c < k; c++) {
            const float gamma = expf(a[c] - total);
            g[c] = scale * (expf(p[c] - logitLSE) - gamma);
            for (long j = 0; j < d; j += VL) {
                VF softplus, slope;
                vsoftplus_sigmoid(vk_get(raw + c * d, j, d, 0), &softplus, &slope);
                VF sigma = vadd(softplus, vset(floor)), diff = vsub(vk_get(xr, j, d, 0), vk_get(mu + c * d, j, d, 0));
                VF w = vdiv(vset(1.0f), vmul(sigma, sigma)), weight = vset(scale * gamma);
                vk_put(g + k + c * d, j, d, vmul(vmul(weight, vset(-1.0f)), vmul(diff, w)));
                vk_put(g + k + k * d + c * d, j, d,
                       vmul(vmul(weight, vsub(vdiv(vset(1.0f), sigma), vdiv(vmul(vmul(diff, diff), w), sigma))), slope));
            }
        }
    }
    free(a);
}

/* Component c of the pen head for VL rows: sigmas (with their slopes d sigma / d raw),
 * tanh(raw rho), rho, q = 1 - rho^2, the standardised offsets and Z = zx^2 + zy^2 - 2 rho zx zy. */
typedef struct { VF sx, sy, slopeX, slopeY, t, rho, q, zx, zy, z; } vk_bivariate;

static inline vk_bivariate vk_pen_component(const float *p, long width, long n, long k, long c, VF dx, VF dy, float floor, float rho_limit) {
    const float *mu = p + 1 + k + 2 * c, *rawSigma = p + 1 + 3 * k + 2 * c, *rawRho = p + 1 + 5 * k + c;
    vk_bivariate b;
    vsoftplus_sigmoid(vk_gather(rawSigma, width, n, 0), &b.sx, &b.slopeX);
    vsoftplus_sigmoid(vk_gather(rawSigma + 1, width, n, 0), &b.sy, &b.slopeY);
    b.sx = vadd(b.sx, vset(floor));
    b.sy = vadd(b.sy, vset(floor));
    b.t = vtanh(vk_gather(rawRho, width, n, 0));
    b.rho = vmul(vset(rho_limit), b.t);
    b.q = vsub(vset(1.0f), vmul(b.rho, b.rho));
    b.zx = vdiv(vsub(dx, vk_gather(mu, width, n, 0)), b.sx);
    b.zy = vdiv(vsub(dy, vk_gather(mu + 1, width, n, 0)), b.sy);
    b.z = vsub(vadd(vmul(b.zx, b.zx), vmul(b.zy, b.zy)), vmul(vmul(vset(2.0f), b.rho), vmul(b.zx, b.zy)));
    return b;
}

/* The pen head, vectorised across rows (VL rows at a time, fields gathered by stride). Frame
 * [dx, dy, p]; params [e, k logits, mu (k x [x, y]), raw sigma (k x [x, y]), raw rho (k)]:
 *     -log p = softplus(e) - p e - lse_c a_c,
 *     a_c = log pi_c - log(2 pi sx sy sqrt(q)) - Z / (2 q),  q = 1 - rho^2, rho = rho_limit tanh(raw rho),
 *     Z = zx^2 + zy^2 - 2 rho zx zy,  zx = (dx - mu_x) / sx,  zy = (dy - mu_y) / sy.
 * With weight_c = scale gamma_c (gamma = softmax(a)), ax = zx - rho zy, ay = zy - rho zx:
 *     d e = scale (sigmoid(e) - p),  d logit_c = scale pi_c - weight_c,
 *     d mu_x = -weight ax / (q sx),  d sx = weight (1/sx - zx ax / (q sx)) (and y alike),
 *     d rho = weight (-(rho + zx zy) / q + rho Z / q^2), through d rho / d raw = rho_limit (1 - tanh^2). */
void VK_SUFFIX(pen_nll)(const float *params, const float *x, long rows, long k, float floor, float rho_limit, float scale, float *grad,
                        float *nll) {
    const long width = 1 + 6 * k;
    VF *a = aligned_alloc(sizeof(VF), (size_t)k * sizeof(VF));   /* a_c of VL rows */
    for (long first = 0; first < rows; first += VL) {
        const long n = rows - first < VL ? rows - first : VL;
        const float *p = params + first * width, *xr = x + first * 3;
        VF e = vk_gather(p, width, n, 0), up = vk_gather(xr + 2, 3, n, 0), softplusE, sigmoidE;
        vsoftplus_sigmoid(e, &softplusE, &sigmoidE);
        VF loss = vsub(softplusE, vmul(up, e));
        VF dx = vk_gather(xr, 3, n, 0), dy = vk_gather(xr + 1, 3, n, 0);
        VF top = vset(-INFINITY), sum = vset(0.0f);
        for (long c = 0; c < k; c++) top = vmax(top, vk_gather(p + 1 + c, width, n, 0));
        for (long c = 0; c < k; c++) sum = vadd(sum, vexp(vsub(vk_gather(p + 1 + c, width, n, 0), top)));
        VF logitLSE = vadd(top, vlog(sum));
        VF best = vset(-INFINITY);
        for (long c = 0; c < k; c++) {
            const vk_bivariate b = vk_pen_component(p, width, n, k, c, dx, dy, floor, rho_limit);
            VF negLog = vadd(vadd(vset(2 * VK_HALF_LOG_2PI), vlog(vmul(b.sx, b.sy))),
                             vadd(vmul(vset(0.5f), vlog(b.q)), vdiv(vmul(vset(0.5f), b.z), b.q)));
            a[c] = vsub(vsub(vk_gather(p + 1 + c, width, n, 0), logitLSE), negLog);
            best = vmax(best, a[c]);
        }
        VF total = vset(0.0f);
        for (long c = 0; c < k; c++) total = vadd(total, vexp(vsub(a[c], best)));
        total = vadd(best, vlog(total));
        vk_scatter(nll + first, 1, n, vsub(loss, total));
        if (!grad) continue;
        float *g = grad + first * width;
        vk_scatter(g, width, n, vmul(vset(scale), vsub(sigmoidE, up)));
        for (long c = 0; c < k; c++) {
            const vk_bivariate b = vk_pen_component(p, width, n, k, c, dx, dy, floor, rho_limit);
            const VF sx = b.sx, sy = b.sy, slopeX = b.slopeX, slopeY = b.slopeY, t = b.t, rho = b.rho, q = b.q, zx = b.zx, zy = b.zy, z = b.z;
            VF weight = vmul(vset(scale), vexp(vsub(a[c], total)));
            VF pi = vexp(vsub(vk_gather(p + 1 + c, width, n, 0), logitLSE));
            vk_scatter(g + 1 + c, width, n, vsub(vmul(vset(scale), pi), weight));
            VF ax = vsub(zx, vmul(rho, zy)), ay = vsub(zy, vmul(rho, zx));
            vk_scatter(g + 1 + k + 2 * c, width, n, vdiv(vmul(vmul(weight, vset(-1.0f)), ax), vmul(q, sx)));
            vk_scatter(g + 1 + k + 2 * c + 1, width, n, vdiv(vmul(vmul(weight, vset(-1.0f)), ay), vmul(q, sy)));
            vk_scatter(g + 1 + 3 * k + 2 * c, width, n,
                       vmul(vmul(weight, vsub(vdiv(vset(1.0f), sx), vdiv(vmul(zx, ax), vmul(q, sx)))), slopeX));
            vk_scatter(g + 1 + 3 * k + 2 * c + 1, width, n,
                       vmul(vmul(weight, vsub(vdiv(vset(1.0f), sy), vdiv(vmul(zy, ay), vmul(q, sy)))), slopeY));
            VF dRho = vadd(vdiv(vmul(vset(-1.0f), vadd(rho, vmul(zx, zy))), q), vdiv(vmul(rho, z), vmul(q, q)));
            vk_scatter(g + 1 + 5 * k + c, width, n, vmul(vmul(weight, dRho), vmul(vset(rho_limit), vsub(vset(1.0f), vmul(t, t)))));
        }
    }
    free(a);
}
