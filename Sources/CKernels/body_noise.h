/* Standard normal numbers from Philox4x32-10 and Box-Muller: block k = Philox(counter
 * (c0, c1, c2, k), key) gives words (w0, w1, w2, w3) and the normals
 *     r(w0) cos a(w1), r(w0) sin a(w1), r(w2) cos a(w3), r(w2) sin a(w3),
 * with u(w) = (w + 1/2) 2^-32 in (0, 1), r(w) = sqrt(-2 log u(w)), a(w) = 2 pi u(w). */
#include <stdint.h>

/* Philox4x32-10 (Salmon et al., SC'11) of `count` consecutive blocks at once, words in four
 * arrays (each round is one loop over the blocks, which the compiler vectorises). */
static inline void vk_philox_blocks(uint32_t *w0, uint32_t *w1, uint32_t *w2, uint32_t *w3, long count, uint32_t k0, uint32_t k1) {
    for (int round = 0; round < 10; round++) {
        if (round > 0) { k0 += 0x9E3779B9u; k1 += 0xBB67AE85u; }
        for (long b = 0; b < count; b++) {
            uint64_t p0 = (uint64_t)0xD2511F53u * w0[b], p1 = (uint64_t)0xCD9E8D57u * w2[b];
            uint32_t n0 = (uint32_t)(p1 >> 32) ^ w1[b] ^ k0, n2 = (uint32_t)(p0 >> 32) ^ w3[b] ^ k1;
            w0[b] = n0; w1[b] = (uint32_t)p1; w2[b] = n2; w3[b] = (uint32_t)p0;
        }
    }
}

void VK_SUFFIX(philox_normal)(uint32_t k0, uint32_t k1, uint32_t c0, uint32_t c1, uint32_t c2, float *out, long count) {
    enum { CHUNK = 256, BLOCKS = CHUNK / 2 };   /* pairs per round of vector maths, and their blocks */
    float radius[CHUNK], angle[CHUNK], cosines[CHUNK], sines[CHUNK];
    uint32_t w0[BLOCKS], w1[BLOCKS], w2[BLOCKS], w3[BLOCKS];
    const long pairs = (count + 1) / 2;
    for (long first = 0; first < pairs; first += CHUNK) {
        const long n = pairs - first < CHUNK ? pairs - first : CHUNK, blocks = (n + 1) / 2;
        /* Pairs 2k and 2k+1 come from block (first / 2 + k) of the stream: words (0, 1) and (2, 3). */
        for (long b = 0; b < blocks; b++) { w0[b] = c0; w1[b] = c1; w2[b] = c2; w3[b] = (uint32_t)(first / 2 + b); }
        vk_philox_blocks(w0, w1, w2, w3, blocks, k0, k1);
        for (long b = 0; b < blocks; b++) {
            radius[2 * b] = ((float)w0[b] + 0.5f) * 0x1p-32f;
            angle[2 * b] = ((float)w1[b] + 0.5f) * 0x1p-32f;
            radius[2 * b + 1] = ((float)w2[b] + 0.5f) * 0x1p-32f;
            angle[2 * b + 1] = ((float)w3[b] + 0.5f) * 0x1p-32f;
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
