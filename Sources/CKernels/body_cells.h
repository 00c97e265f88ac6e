/* GRU and LSTM steps over `rows` rows of width h (gates 3h or 4h), forward and backward. */

void VK_SUFFIX(gru_forward)(const float *gi, const float *gh, const float *hprev, float *gates, float *hn, float *hout, long rows, long h) {
    const long g = 3 * h;
    for (long b = 0; b < rows; b++) {
        const float *gib = gi + b * g, *ghb = gh + b * g, *hpb = hprev + b * h;
        float *ab = gates + b * g, *hnb = hn + b * h, *hob = hout + b * h;
        for (long j = 0; j < h; j += VL) {
            VF r = vsigmoid(vadd(vk_get(gib, j, h, 0), vk_get(ghb, j, h, 0)));
            VF z = vsigmoid(vadd(vk_get(gib + h, j, h, 0), vk_get(ghb + h, j, h, 0)));
            VF hidden = vk_get(ghb + 2 * h, j, h, 0);
            VF n = vtanh(vadd(vk_get(gib + 2 * h, j, h, 0), vmul(r, hidden)));
            vk_put(ab, j, h, r);
            vk_put(ab + h, j, h, z);
            vk_put(ab + 2 * h, j, h, n);
            vk_put(hnb, j, h, hidden);
            vk_put(hob, j, h, vadd(vmul(vsub(vset(1.0f), z), n), vmul(z, vk_get(hpb, j, h, 0))));
        }
    }
}

/* With d = dh: dn = d (1 - z)(1 - n^2), dz = d (hprev - n) z (1 - z), dr = dn hn r (1 - r);
 * the hidden part of n's pre-activation is r * hn, so its gradient is dn r. */
void VK_SUFFIX(gru_backward)(const float *gates, const float *hn, const float *hprev, float *dh, float *dgi, float *dgh, long rows, long h) {
    const long g = 3 * h;
    for (long b = 0; b < rows; b++) {
        const float *ab = gates + b * g, *hnb = hn + b * h, *hpb = hprev + b * h;
        float *dhb = dh + b * h, *dgib = dgi + b * g, *dghb = dgh + b * g;
        for (long j = 0; j < h; j += VL) {
            VF r = vk_get(ab, j, h, 0), z = vk_get(ab + h, j, h, 0), n = vk_get(ab + 2 * h, j, h, 0), d = vk_get(dhb, j, h, 0);
            VF one = vset(1.0f);
            VF dn = vmul(vmul(d, vsub(one, z)), vsub(one, vmul(n, n)));
            VF dz = vmul(vmul(vmul(d, vsub(vk_get(hpb, j, h, 0), n)), z), vsub(one, z));
            VF dr = vmul(vmul(vmul(dn, vk_get(hnb, j, h, 0)), r), vsub(one, r));
            vk_put(dgib, j, h, dr);
            vk_put(dgib + h, j, h, dz);
            vk_put(dgib + 2 * h, j, h, dn);
            vk_put(dghb, j, h, dr);
            vk_put(dghb + h, j, h, dz);
            vk_put(dghb + 2 * h, j, h, vmul(dn, r));
            vk_put(dhb, j, h, vmul(d, z));
        }
    }
}

void VK_SUFFIX(lstm_forward)(const float *gi, const float *gh, const float *cprev, float *gates, float *cout, float *hout, long rows, long h) {
    const long g = 4 * h;
    for (long b = 0; b < rows; b++) {
        const float *gib = gi + b * g, *ghb = gh + b * g, *cpb = cprev + b * h;
        float *ab = gates + b * g, *cob = cout + b * h, *hob = hout + b * h;
        for (long j = 0; j < h; j += VL) {
            VF i = vsigmoid(vadd(vk_get(gib, j, h, 0), vk_get(ghb, j, h, 0)));
            VF f = vsigmoid(vadd(vk_get(gib + h, j, h, 0), vk_get(ghb + h, j, h, 0)));
            VF gg = vtanh(vadd(vk_get(gib + 2 * h, j, h, 0), vk_get(ghb + 2 * h, j, h, 0)));
            VF o = vsigmoid(vadd(vk_get(gib + 3 * h, j, h, 0), vk_get(ghb + 3 * h, j, h, 0)));
            VF c = vadd(vmul(f, vk_get(cpb, j, h, 0)), vmul(i, gg));
            vk_put(ab, j, h, i);
            vk_put(ab + h, j, h, f);
            vk_put(ab + 2 * h, j, h, gg);
            vk_put(ab + 3 * h, j, h, o);
            vk_put(cob, j, h, c);
            vk_put(hob, j, h, vmul(o, vtanh(c)));
        }
    }
}

/* dcTotal = dc + dh o (1 - tanh(c)^2); di = dcTotal g i (1 - i), df = dcTotal cprev f (1 - f),
 * dg = dcTotal i (1 - g^2), do = dh tanh(c) o (1 - o); d cprev = dcTotal f. */
void VK_SUFFIX(lstm_backward)(const float *gates, const float *cprev, const float *cout, float *dh, float *dc, float *dgi, long rows, long h) {
    const long g = 4 * h;
    for (long b = 0; b < rows; b++) {
        const float *ab = gates + b * g, *cpb = cprev + b * h, *cob = cout + b * h;
        float *dhb = dh + b * h, *dcb = dc + b * h, *dgib = dgi + b * g;
        for (long j = 0; j < h; j += VL) {
            VF one = vset(1.0f);
            VF i = vk_get(ab, j, h, 0), f = vk_get(ab + h, j, h, 0), gg = vk_get(ab + 2 * h, j, h, 0), o = vk_get(ab + 3 * h, j, h, 0);
            VF tc = vtanh(vk_get(cob, j, h, 0)), d = vk_get(dhb, j, h, 0);
            VF total = vadd(vk_get(dcb, j, h, 0), vmul(vmul(d, o), vsub(one, vmul(tc, tc))));
            vk_put(dgib, j, h, vmul(vmul(vmul(total, gg), i), vsub(one, i)));
            vk_put(dgib + h, j, h, vmul(vmul(vmul(total, vk_get(cpb, j, h, 0)), f), vsub(one, f)));
            vk_put(dgib + 2 * h, j, h, vmul(vmul(total, i), vsub(one, vmul(gg, gg))));
            vk_put(dgib + 3 * h, j, h, vmul(vmul(vmul(d, tc), o), vsub(one, o)));
            vk_put(dcb, j, h, vmul(total, f));
            vk_put(dhb, j, h, vset(0.0f));
        }
    }
}
