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

/* Row i (0 <= i < rows) of `count` normals from the blocks (c0, c1 + i, c2, k), k = 0, 1, ..., written
 * at out + i * stride. The blocks of all rows go through Philox and Box-Muller together, CHUNK
 * blocks at a time, so short rows (a time step's latent noise) fill the vectors as long ones do. */
void VK_SUFFIX(philox_normal_rows)(uint32_t k0, uint32_t k1, uint32_t c0, uint32_t c1, uint32_t c2, float *out, long count,
                                   long rows, long stride) {
    enum { CHUNK = 128, PAIRS = 2 * CHUNK };   /* blocks per round of vector maths, and their pairs */
    float radius[PAIRS], angle[PAIRS], cosines[PAIRS], sines[PAIRS];
    uint32_t w0[CHUNK], w1[CHUNK], w2[CHUNK], w3[CHUNK];
    const long perRow = (count + 3) / 4, blocks = perRow * rows;   /* 4 normals per block */
    for (long first = 0; first < blocks; first += CHUNK) {
        const long n = blocks - first < CHUNK ? blocks - first : CHUNK;
        /* Flat block f is block k = f % perRow of row f / perRow. */
        for (long b = 0; b < n; b++) {
            const long f = first + b;
            w0[b] = c0; w1[b] = c1 + (uint32_t)(f / perRow); w2[b] = c2; w3[b] = (uint32_t)(f % perRow);
        }
        vk_philox_blocks(w0, w1, w2, w3, n, k0, k1);
        /* Pairs 2b and 2b + 1 of the chunk: words (0, 1) and (2, 3) of block b. */
        for (long b = 0; b < n; b++) {
            radius[2 * b] = ((float)w0[b] + 0.5f) * 0x1p-32f;
            angle[2 * b] = ((float)w1[b] + 0.5f) * 0x1p-32f;
            radius[2 * b + 1] = ((float)w2[b] + 0.5f) * 0x1p-32f;
            angle[2 * b + 1] = ((float)w3[b] + 0.5f) * 0x1p-32f;
        }
        for (long i = 0; i < 2 * n; i += VL) {
            VF r = vsqrt(vmul(vset(-2.0f), vlog(vk_get(radius, i, 2 * n, 0.5f))));
            VF a = vmul(vset(6.2831853f), vk_get(angle, i, 2 * n, 0.5f));
            vk_put(cosines, i, 2 * n, vmul(r, vcos(a)));
            vk_put(sines, i, 2 * n, vmul(r, vsin(a)));
        }
        /* Block k of a row writes its normals 4k .. 4k + 3 (those below count). */
        for (long b = 0; b < n; b++) {
            const long f = first + b, at = 4 * (f % perRow), left = count - at;
            float *row = out + (f / perRow) * stride + at;
            row[0] = cosines[2 * b];
            if (left > 1) row[1] = sines[2 * b];
            if (left > 2) row[2] = cosines[2 * b + 1];
            if (left > 3) row[3] = sines[2 * b + 1];
        }
    }
}
