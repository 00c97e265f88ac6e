/* The diagonal Gaussians of the latent variable: rows [mu (zw), raw (zw)] with
 * sigma = softplus(raw) + floor; the posterior's sigma and its slope are kept from sampling. */

/* z = mu + sigma eps; keeps sigma and sigmoid(raw) = d sigma / d raw for the KL and backward. */
void VK_SUFFIX(sample_latent)(const float *q, const float *eps, float *z, float *sigma, float *slope, long rows, long zw, float floor) {
    for (long r = 0; r < rows; r++) {
        const float *row = q + r * 2 * zw, *e = eps + r * zw;
        float *zr = z + r * zw, *sr = sigma + r * zw, *gr = slope + r * zw;
        for (long j = 0; j < zw; j += VL) {
            VF softplus, sigmoid;
            vsoftplus_sigmoid(vk_get(row + zw, j, zw, 0), &softplus, &sigmoid);
            VF s = vadd(softplus, vset(floor)), m = vk_get(row, j, zw, 0);
            vk_put(sr, j, zw, s);
            vk_put(gr, j, zw, sigmoid);
            vk_put(zr, j, zw, vadd(m, vmul(s, vk_get(e, j, zw, 0))));
        }
    }
}

/* The residual posterior: q = [a (zw), b (zw)] relative to the prior p = [mu_p, raw_p] (NULL for
 * N(0, I)), with sp = softplus(raw_p) + floor and ratio = softplus(b) + floor:
 *     mu_q = mu_p + sp a,  sigma_q = sp ratio,  z = mu_q + sigma_q eps.
 * Keeps sigma_q and sigmoid(b) = d ratio / d b. */
void VK_SUFFIX(sample_latent_residual)(const float *q, const float *p, const float *eps, float *z, float *sigma, float *slope,
                                       long rows, long zw, float floor) {
    for (long r = 0; r < rows; r++) {
        const float *row = q + r * 2 * zw, *pr = p ? p + r * 2 * zw : NULL, *e = eps + r * zw;
        float *zr = z + r * zw, *sr = sigma + r * zw, *gr = slope + r * zw;
        for (long j = 0; j < zw; j += VL) {
            VF ratio, sigmoid, mp = vset(0.0f), sp = vset(1.0f), slopep;
            vsoftplus_sigmoid(vk_get(row + zw, j, zw, 0), &ratio, &sigmoid);
            ratio = vadd(ratio, vset(floor));
            if (pr) {
                mp = vk_get(pr, j, zw, 0);
                vsoftplus_sigmoid(vk_get(pr + zw, j, zw, 0), &sp, &slopep);
                sp = vadd(sp, vset(floor));
            }
            VF m = vadd(mp, vmul(sp, vk_get(row, j, zw, 0))), s = vmul(sp, ratio);
            vk_put(sr, j, zw, s);
            vk_put(gr, j, zw, sigmoid);
            vk_put(zr, j, zw, vadd(m, vmul(s, vk_get(e, j, zw, 0))));
        }
    }
}

/* The latent ranges (LatentRanges) as the KL kernels gather them over their rows: the extremes of
 * sigma_q and sigma_p and the largest |mu_q - mu_p| / sigma_p, lane by lane (minima kept as
 * maxima of the negated values), then out = [min sigma_q, max sigma_q, min sigma_p, max sigma_p,
 * largest gap]. */
typedef struct { VF qLow, qHigh, pLow, pHigh, gap; } vk_ranges;

static inline vk_ranges vk_ranges_start(void) {
    vk_ranges r = {vset(-INFINITY), vset(0.0f), vset(-INFINITY), vset(0.0f), vset(0.0f)};
    return r;
}

static inline void vk_ranges_add(vk_ranges *r, VM valid, VF sq, VF sp, VF gap) {
    const VF minus = vset(-1.0f);
    r->qHigh = vmax(r->qHigh, vselect(valid, sq, vset(0.0f)));
    r->qLow = vmax(r->qLow, vselect(valid, vmul(minus, sq), vset(-INFINITY)));
    r->pHigh = vmax(r->pHigh, vselect(valid, sp, vset(0.0f)));
    r->pLow = vmax(r->pLow, vselect(valid, vmul(minus, sp), vset(-INFINITY)));
    r->gap = vmax(r->gap, vselect(valid, gap, vset(0.0f)));
}

static inline void vk_ranges_store(const vk_ranges *r, float *out) {
    out[0] = -vmaxall(r->qLow);
    out[1] = vmaxall(r->qHigh);
    out[2] = -vmaxall(r->pLow);
    out[3] = vmaxall(r->pHigh);
    out[4] = vmaxall(r->gap);
}

/* KL(q || p) of the residual posterior, which depends on q's own outputs only:
 *     KL_j = -log ratio + (ratio^2 + a^2) / 2 - 1/2
 * (log(sp / sq) = -log ratio and (sq^2 + (mq - mp)^2) / (2 sp^2) = (ratio^2 + a^2) / 2). kl and
 * penalty as vk_gaussian_kl; with dq, writes scale * d penalty / d (a, ratio) (ratio still as
 * d/d ratio); the prior gets no gradient from it. Also the latent ranges (vk_ranges) from
 * sigma_q = sp ratio: sigma_p = sigma_q / ratio, and |mu_q - mu_p| / sigma_p = |a|. */
void VK_SUFFIX(residual_kl)(const float *q, const float *sigma_q, long rows, long zw, float floor, float free_nats, float scale, float *dq,
                            float *kl, float *penalty, float *ranges) {
    vk_ranges extremes = vk_ranges_start();
    for (long r = 0; r < rows; r++) {
        const float *row = q + r * 2 * zw, *sqr = sigma_q + r * zw;
        float *dqr = dq ? dq + r * 2 * zw : NULL;
        VF total = vset(0.0f), floored = vset(0.0f);
        for (long j = 0; j < zw; j += VL) {
            VM valid = vvalid(zw - j);
            VF ratio, sigmoid, a = vk_get(row, j, zw, 0);
            vsoftplus_sigmoid(vk_get(row + zw, j, zw, 0), &ratio, &sigmoid);
            ratio = vadd(ratio, vset(floor));
            VF sq = vk_get(sqr, j, zw, 1.0f);
            vk_ranges_add(&extremes, valid, sq, vdiv(sq, ratio), vabs(a));
            VF klj = vsub(vmul(vadd(vmul(ratio, ratio), vmul(a, a)), vset(0.5f)), vadd(vlog(ratio), vset(0.5f)));
            VM active = vge(klj, vset(free_nats));
            total = vadd(total, vselect(valid, klj, vset(0.0f)));
            floored = vadd(floored, vselect(valid, vselect(active, klj, vset(free_nats)), vset(0.0f)));
            if (dqr) {
                VF s = vselect(active, vset(scale), vset(0.0f));
                vk_put(dqr, j, zw, vmul(s, a));
                vk_put(dqr + zw, j, zw, vmul(s, vsub(ratio, vdiv(vset(1.0f), ratio))));
            }
        }
        kl[r] = vsum(total);
        penalty[r] = vsum(floored);
    }
    vk_ranges_store(&extremes, ranges);
}

/* The residual posterior's path z = mu_p + sp (a + ratio eps), given dz and dq = [d a, d ratio]
 * (the KL's part) on entry:
 *     d a += dz sp,  d b = (d ratio + dz sp eps) sigmoid(b),
 *     d mu_p += dz,  d raw_p += dz (a + ratio eps) sigmoid(raw_p)   (with p; slope = sigmoid(b)). */
void VK_SUFFIX(residual_backward)(const float *q, const float *p, const float *eps, const float *slope, const float *dz, float *dq, float *dp,
                                  long rows, long zw, float floor) {
    for (long r = 0; r < rows; r++) {
        const float *row = q + r * 2 * zw, *pr = p ? p + r * 2 * zw : NULL, *e = eps + r * zw, *gr = slope + r * zw, *dzr = dz + r * zw;
        float *d = dq + r * 2 * zw, *dpr = p ? dp + r * 2 * zw : NULL;
        for (long j = 0; j < zw; j += VL) {
            VF sp = vset(1.0f), slopep = vset(0.0f), ratio, unused;
            if (pr) {
                vsoftplus_sigmoid(vk_get(pr + zw, j, zw, 0), &sp, &slopep);
                sp = vadd(sp, vset(floor));
            }
            vsoftplus_sigmoid(vk_get(row + zw, j, zw, 0), &ratio, &unused);
            ratio = vadd(ratio, vset(floor));
            VF g = vk_get(dzr, j, zw, 0), ej = vk_get(e, j, zw, 0), a = vk_get(row, j, zw, 0);
            vk_put(d, j, zw, vadd(vk_get(d, j, zw, 0), vmul(g, sp)));
            VF dRatio = vadd(vk_get(d + zw, j, zw, 0), vmul(vmul(g, sp), ej));
            vk_put(d + zw, j, zw, vmul(dRatio, vk_get(gr, j, zw, 0)));
            if (dpr) {
                vk_put(dpr, j, zw, vadd(vk_get(dpr, j, zw, 0), g));
                VF dRaw = vmul(vmul(g, vadd(a, vmul(ratio, ej))), slopep);
                vk_put(dpr + zw, j, zw, vadd(vk_get(dpr + zw, j, zw, 0), dRaw));
            }
        }
    }
}

void VK_SUFFIX(reparameterisation_backward)(const float *slope, const float *dz, const float *eps, float *dq, long rows, long zw) {
    for (long r = 0; r < rows; r++) {
        const float *gr = slope + r * zw, *dzr = dz + r * zw, *e = eps + r * zw;
        float *d = dq + r * 2 * zw;
        for (long j = 0; j < zw; j += VL) {
            VF g = vk_get(dzr, j, zw, 0);
            vk_put(d, j, zw, vadd(vk_get(d, j, zw, 0), g));
            VF dSigma = vadd(vk_get(d + zw, j, zw, 0), vmul(g, vk_get(e, j, zw, 0)));
            vk_put(d + zw, j, zw, vmul(dSigma, vk_get(gr, j, zw, 0)));
        }
    }
}

/* Per dimension, with diff = mq - mp and w = 1 / sp^2 (a dimension under its free nats adds
 * free_nats to the penalty and no gradient):
 *     d mu_q = diff w,  d sigma_q = sq w - 1/sq,  d mu_p = -diff w,  d sigma_p = 1/sp - (sq^2 + diff^2) w / sp,
 * the last turned into d raw_p by sigmoid(raw_p). */
void VK_SUFFIX(gaussian_kl)(const float *q, const float *sigma_q, const float *p, long rows, long zw, float floor, float free_nats,
                            float scale, float *dq, float *dp, float *kl, float *penalty, float *ranges) {
    vk_ranges extremes = vk_ranges_start();
    for (long r = 0; r < rows; r++) {
        const float *qr = q + r * 2 * zw, *sqr = sigma_q + r * zw, *pr = p ? p + r * 2 * zw : NULL;
        float *dqr = dq ? dq + r * 2 * zw : NULL, *dpr = dp ? dp + r * 2 * zw : NULL;
        VF total = vset(0.0f), floored = vset(0.0f);
        for (long j = 0; j < zw; j += VL) {
            VM valid = vvalid(zw - j);
            VF mq = vk_get(qr, j, zw, 0), sq = vk_get(sqr, j, zw, 1.0f);
            VF mp = vset(0.0f), sp = vset(1.0f), slopep = vset(0.0f);
            if (pr) {
                mp = vk_get(pr, j, zw, 0);
                vsoftplus_sigmoid(vk_get(pr + zw, j, zw, 0), &sp, &slopep);
                sp = vadd(sp, vset(floor));
            }
            VF diff = vsub(mq, mp), w = vdiv(vset(1.0f), vmul(sp, sp));
            vk_ranges_add(&extremes, valid, sq, sp, vdiv(vabs(diff), sp));
            VF spread = vadd(vmul(sq, sq), vmul(diff, diff));
            VF klj = vsub(vadd(vlog(vdiv(sp, sq)), vmul(vmul(spread, vset(0.5f)), w)), vset(0.5f));
            VM active = vge(klj, vset(free_nats));
            total = vadd(total, vselect(valid, klj, vset(0.0f)));
            floored = vadd(floored, vselect(valid, vselect(active, klj, vset(free_nats)), vset(0.0f)));
            if (dqr) {
                VF s = vselect(active, vset(scale), vset(0.0f));
                vk_put(dqr, j, zw, vmul(s, vmul(diff, w)));
                vk_put(dqr + zw, j, zw, vmul(s, vsub(vmul(sq, w), vdiv(vset(1.0f), sq))));
                if (dpr) {
                    vk_put(dpr, j, zw, vmul(vmul(s, vset(-1.0f)), vmul(diff, w)));
                    VF dSigmaP = vmul(s, vsub(vdiv(vset(1.0f), sp), vdiv(vmul(spread, w), sp)));
                    vk_put(dpr + zw, j, zw, vmul(dSigmaP, slopep));
                }
            }
        }
        kl[r] = vsum(total);
        penalty[r] = vsum(floored);
    }
    vk_ranges_store(&extremes, ranges);
}
