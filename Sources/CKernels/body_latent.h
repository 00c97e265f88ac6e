/* The diagonal Gaussians of the latent variable: rows [mu (zw), raw (zw)] with
 * sigma = softplus(raw) + floor. */

void VK_SUFFIX(sample_latent)(const float *q, const float *eps, float *z, long rows, long zw, float floor) {
    for (long r = 0; r < rows; r++) {
        const float *row = q + r * 2 * zw, *e = eps + r * zw;
        float *zr = z + r * zw;
        for (long j = 0; j < zw; j += VL) {
            VF sigma = vadd(vsoftplus(vk_get(row + zw, j, zw, 0)), vset(floor));
            vk_put(zr, j, zw, vadd(vk_get(row, j, zw, 0), vmul(sigma, vk_get(e, j, zw, 0))));
        }
    }
}

void VK_SUFFIX(reparameterisation_backward)(const float *q, const float *dz, const float *eps, float *dq, long rows, long zw) {
    for (long r = 0; r < rows; r++) {
        const float *row = q + r * 2 * zw, *dzr = dz + r * zw, *e = eps + r * zw;
        float *d = dq + r * 2 * zw;
        for (long j = 0; j < zw; j += VL) {
            VF g = vk_get(dzr, j, zw, 0);
            vk_put(d, j, zw, vadd(vk_get(d, j, zw, 0), g));
            VF dSigma = vadd(vk_get(d + zw, j, zw, 0), vmul(g, vk_get(e, j, zw, 0)));
            vk_put(d + zw, j, zw, vmul(dSigma, vsigmoid(vk_get(row + zw, j, zw, 0))));
        }
    }
}

/* Per dimension, with diff = mq - mp and w = 1 / sp^2 (a dimension under its free nats adds
 * free_nats to the penalty and no gradient):
 *     d mu_q = diff w,  d sigma_q = sq w - 1/sq,  d mu_p = -diff w,  d sigma_p = 1/sp - (sq^2 + diff^2) w / sp,
 * the last turned into d raw_p by sigmoid(raw_p). */
void VK_SUFFIX(gaussian_kl)(const float *q, const float *p, long rows, long zw, float floor, float free_nats, float scale,
                            float *dq, float *dp, float *kl, float *penalty) {
    for (long r = 0; r < rows; r++) {
        const float *qr = q + r * 2 * zw, *pr = p ? p + r * 2 * zw : NULL;
        float *dqr = dq ? dq + r * 2 * zw : NULL, *dpr = dp ? dp + r * 2 * zw : NULL;
        VF total = vset(0.0f), floored = vset(0.0f);
        for (long j = 0; j < zw; j += VL) {
            VM valid = vvalid(zw - j);
            VF mq = vk_get(qr, j, zw, 0), sq = vadd(vsoftplus(vk_get(qr + zw, j, zw, 0)), vset(floor));
            VF mp = vset(0.0f), sp = vset(1.0f), rawp = vset(0.0f);
            if (pr) {
                mp = vk_get(pr, j, zw, 0);
                rawp = vk_get(pr + zw, j, zw, 0);
                sp = vadd(vsoftplus(rawp), vset(floor));
            }
            VF diff = vsub(mq, mp), w = vdiv(vset(1.0f), vmul(sp, sp));
            VF spread = vadd(vmul(sq, sq), vmul(diff, diff));
            VF klj = vsub(vadd(vsub(vlog(sp), vlog(sq)), vmul(vmul(spread, vset(0.5f)), w)), vset(0.5f));
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
                    vk_put(dpr + zw, j, zw, vmul(dSigmaP, vsigmoid(rawp)));
                }
            }
        }
        kl[r] = vsum(total);
        penalty[r] = vsum(floored);
    }
}
