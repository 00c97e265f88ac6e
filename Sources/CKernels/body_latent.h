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
            VF s = vadd(softplus, vset(floor));
            vk_put(sr, j, zw, s);
            vk_put(gr, j, zw, sigmoid);
            vk_put(zr, j, zw, vadd(vk_get(row, j, zw, 0), vmul(s, vk_get(e, j, zw, 0))));
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
                            float scale, float *dq, float *dp, float *kl, float *penalty) {
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
}
