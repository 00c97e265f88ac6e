/* Standard normal numbers from Philox4x32-10 and Box-Muller: block k = Philox(counter
 * (c0, c1, c2, k), key) gives words (w0, w1, w2, w3) and the normals
 *     r(w0) cos a(w1), r(w0) sin a(w1), r(w2) cos a(w3), r(w2) sin a(w3),
 * with u(w) = (w + 1/2) 2^-32 in (0, 1), r(w) = sqrt(-2 log u(w)), a(w) = 2 pi u(w). */
#include <stdint.h>

/* Ten rounds of the Philox S-box (Salmon et al., SC'11). */
static inline void vk_philox_block(uint32_t c[4], uint32_t k0, uint32_t k1) {
    for (int round = 0; round < 10; round++) {
        if (round > 0) { k0 += 0x9E3779B9u; k1 += 0xBB67AE85u; }
        uint64_t p0 = (uint64_t)0xD2511F53u * c[0], p1 = (uint64_t)0xCD9E8D57u * c[2];
        uint32_t n0 = (uint32_t)(p1 >> 32) ^ c[1] ^ k0, n1 = (uint32_t)p1;
        uint32_t n2 = (uint32_t)(p0 >> 32) ^ c[3] ^ k1, n3 = (uint32_t)p0;
        c[0] = n0; c[1] = n1; c[2] = n2; c[3] = n3;
    }
}

void VK_SUFFIX(philox_normal)(uint32_t k0, uint32_t k1, uint32_t c0, uint32_t c1, uint32_t c2, float *out, long count) {
    enum { CHUNK = 256 };   /* pairs per round of vector maths */
    float radius[CHUNK], angle[CHUNK], cosines[CHUNK], sines[CHUNK];
    const long pairs = (count + 1) / 2;
    for (long first = 0; first < pairs; first += CHUNK) {
        const long n = pairs - first < CHUNK ? pairs - first : CHUNK;
        /* Pairs 2k and 2k+1 come from block (first + 2k) / 2 of the stream. */
        for (long i = 0; i < n; i += 2) {
            uint32_t c[4] = { c0, c1, c2, (uint32_t)((first + i) / 2) };
            vk_philox_block(c, k0, k1);
            radius[i] = ((float)c[0] + 0.5f) * 0x1p-32f;
            angle[i] = ((float)c[1] + 0.5f) * 0x1p-32f;
            if (i + 1 < n) { radius[i + 1] = ((float)c[2] + 0.5f) * 0x1p-32f; angle[i + 1] = ((float)c[3] + 0.5f) * 0x1p-32f; }
        }
        for (long i = 0; i < n; i += VL) {
            VF r = vsqrt(vmul(vset(-2.0f), vlog(vk_get(radius, i, n, 0.5f))));
            VF a = vmul(vset(6.2831853f), vk_get(angle, i, n, 0.5f));
            vk_put(cosines, i, n, vmul(r, vcos(a)));
            vk_put(sines, i, n, vmul(r, vsin(a)));
        }
        /* Pair p writes out[2p] and out[2p + 1] (the last maybe only the first). */
        for (long i = 0; i < n; i++) {
            const long at = 2 * (first + i);
            out[at] = cosines[i];
            if (at + 1 < count) out[at + 1] = sines[i];
        }
    }
}
