/* Element-wise kernels of the VRNN, vectorised with SLEEF's 1-ulp vector maths and chosen at run
 * time among an AVX-512 path, an AVX2+FMA path and a portable path (the lowest every rank has).
 * All buffers are row-major float32; `rows` counts rows, widths are in floats. Each entry point
 * calls the active path's version; vk_set_path changes the path for the whole process. */
#ifndef CKERNELS_H
#define CKERNELS_H

#include <stdint.h>

/* Paths, lowest first: a cluster agrees on the minimum. */
enum { VK_PORTABLE = 0, VK_AVX2 = 1, VK_AVX512 = 2 };

/* The best path this CPU (and its operating system) supports. */
int vk_best_path(void);
/* The path in use. At load it is VRNN_KERNELS (avx512, avx2 or portable) when that is set and
 * supported, else the best path. */
int vk_active_path(void);
/* Selects a path; returns 0, or -1 (and changes nothing) when the CPU lacks it. */
int vk_set_path(int path);
/* The VRNN_KERNELS value that could not be honoured at load (unknown name or a path this CPU
 * lacks), or NULL. */
const char *vk_environment_problem(void);

/* Activations in place over n floats; backward scales d by f'(pre) expressed through y = f(pre). */
void vk_relu_forward(float *x, long n);
void vk_relu_backward(const float *y, float *d, long n);
void vk_elu_forward(float *x, long n);                     /* x > 0 ? x : exp(x) - 1 */
void vk_elu_backward(const float *y, float *d, long n);    /* d *= y > 0 ? 1 : y + 1 */
void vk_tanh_forward(float *x, long n);
void vk_tanh_backward(const float *y, float *d, long n);   /* d *= 1 - y^2 */

/* c[r, 0..<cols] = bias for every row (leading dimension ldc). */
void vk_broadcast_rows(const float *bias, float *c, long rows, long cols, long ldc);
/* out[j] += sum_r x[r, j]: a bias gradient. */
void vk_add_column_sums(const float *x, long rows, long cols, long ldx, float *out);

/* GRU step as PyTorch's, gates r, z, n. gi, gh [rows, 3h] (input and hidden pre-activations with
 * their biases); hprev [rows, h]. Writes gates [rows, 3h] = (r, z, n), hn [rows, h] = the hidden
 * part of n's pre-activation, hout = (1 - z) n + z hprev. */
void vk_gru_forward(const float *gi, const float *gh, const float *hprev, float *gates, float *hn, float *hout, long rows, long h);
/* In: dh [rows, h] = d loss / d h_t. Out: dgi, dgh [rows, 3h] (d loss / d pre-activations of
 * the input and hidden parts); dh becomes its direct part z * dh (the caller adds dgh W_hh). */
void vk_gru_backward(const float *gates, const float *hn, const float *hprev, float *dh, float *dgi, float *dgh, long rows, long h);
/* LSTM step, gates i, f, g, o: c = f cprev + i g, h = o tanh(c). gates [rows, 4h]. */
void vk_lstm_forward(const float *gi, const float *gh, const float *cprev, float *gates, float *cout, float *hout, long rows, long h);
/* In: dh, dc [rows, h] from later steps. Out: dgi [rows, 4h] (input and hidden parts are equal
 * for an LSTM); dc becomes d loss / d cprev, dh is zeroed (the caller adds dgi W_hh). */
void vk_lstm_backward(const float *gates, const float *cprev, const float *cout, float *dh, float *dc, float *dgi, long rows, long h);

/* Gaussian rows q = [mu (zw), raw (zw)], sigma = softplus(raw) + floor.
 * z = mu + sigma * eps for every row; sigma and slope = sigmoid(raw) = d sigma / d raw
 * [rows, zw] are kept for the KL and backward. */
void vk_sample_latent(const float *q, const float *eps, float *z, float *sigma, float *slope, long rows, long zw, float floor);
/* The residual posterior, q = [a, b] relative to p = [mu_p, raw_p] rows (NULL: N(0, I)):
 * mu_q = mu_p + sp a, sigma_q = sp (softplus(b) + floor), z = mu_q + sigma_q eps; keeps
 * sigma_q and slope = sigmoid(b) [rows, zw]. */
void vk_sample_latent_residual(const float *q, const float *p, const float *eps, float *z, float *sigma, float *slope,
                               long rows, long zw, float floor);
/* Its KL, KL_j = -log ratio + (ratio^2 + a^2) / 2 - 1/2 with ratio = softplus(b) + floor; kl,
 * penalty and free nats as vk_gaussian_kl; with dq, scale * d penalty / d (a, ratio). Also the
 * latent ranges as vk_gaussian_kl's, from sigma_q (vk_sample_latent_residual's):
 * sigma_p = sigma_q / ratio and |mu_q - mu_p| / sigma_p = |a|. */
void vk_residual_kl(const float *q, const float *sigma_q, long rows, long zw, float floor, float free_nats, float scale, float *dq,
                    float *kl, float *penalty, float *ranges);
/* Its path z = mu_p + sp (a + ratio eps): adds dz's part to dq = [d a, d ratio] and turns d ratio
 * into d b; adds d mu_p = dz and d raw_p = dz (a + ratio eps) sigmoid(raw_p) into dp. */
void vk_residual_backward(const float *q, const float *p, const float *eps, const float *slope, const float *dz, float *dq, float *dp,
                          long rows, long zw, float floor);
/* dq = [d mu (zw), d sigma (zw)] on entry (the KL's part); adds the path z = mu + sigma eps and
 * turns d sigma into d raw: d mu += dz, d raw = (d sigma + dz eps) slope. */
void vk_reparameterisation_backward(const float *slope, const float *dz, const float *eps, float *dq, long rows, long zw);
/* KL(q || p) per row, with sigma_q [rows, zw] from vk_sample_latent and p = [mu, raw] rows or
 * NULL for N(0, I):
 *     KL_j = log sp - log sq + (sq^2 + (mq - mp)^2) / (2 sp^2) - 1/2
 * kl[r] = sum_j KL_j, penalty[r] = sum_j max(KL_j, free_nats). With dq (and dp), writes
 * scale * d penalty / d (mu_q, sigma_q) into dq (sigma still as d/d sigma) and
 * scale * d penalty / d (mu_p, raw_p) into dp; a dimension under its free nats gets none.
 * Also writes the latent ranges over the rows into ranges (5 floats), from the values the KL
 * has at hand: [min sigma_q, max sigma_q, min sigma_p, max sigma_p, max |mu_q - mu_p| / sigma_p]
 * (LatentRanges), sigma_p = softplus(raw_p) + floor or 1 for N(0, I). */
void vk_gaussian_kl(const float *q, const float *sigma_q, const float *p, long rows, long zw, float floor, float free_nats, float scale,
                    float *dq, float *dp, float *kl, float *penalty, float *ranges);
/* rows rows of count standard normals from Philox4x32-10 under key (k0, k1): row i from the blocks
 * (c0, c1 + i, c2, 0), (c0, c1 + i, c2, 1), ..., written at out + i * stride, by Box-Muller, 4 per
 * block: r(w0) cos a(w1), r(w0) sin a(w1), r(w2) cos a(w3), r(w2) sin a(w3) with
 * u(w) = (w + 1/2) 2^-32, r = sqrt(-2 log u), a = 2 pi u. */
void vk_philox_normal_rows(uint32_t k0, uint32_t k1, uint32_t c0, uint32_t c1, uint32_t c2, float *out, long count, long rows,
                           long stride);
/* nll[r] = logsumexp(logits[r]) - logits[r, tokens[r]]; with grad, grad[r] = scale (softmax - onehot).
 * grad must not alias logits (it holds the exponentials while a row is read). */
void vk_categorical_nll(const float *logits, const int *tokens, long rows, long v, float scale, float *grad, float *nll);
/* Heads of real-valued frames x [rows, d]: nll[r] = -log p(x_r | params_r) and, with grad,
 * grad[r] = scale * d nll / d params_r (sigma = softplus(raw) + floor throughout).
 * Gaussian params [mu (d), raw (d)]; Bernoulli logits [d]; mixture of k diagonal Gaussians
 * [k logits, mu (k x d), raw (k x d)]; pen (d = 3: dx, dy, pen-up) [e, k logits, mu (k x 2),
 * raw sigma (k x 2), raw rho (k)] with rho = rho_limit tanh(raw rho). The formulas are in
 * body_real_heads.h and docs/MODEL.md. */
void vk_gaussian_nll(const float *params, const float *x, long rows, long d, float floor, float scale, float *grad, float *nll);
void vk_bernoulli_nll(const float *logits, const float *x, long rows, long d, float scale, float *grad, float *nll);
void vk_gmm_nll(const float *params, const float *x, long rows, long d, long k, float floor, float scale, float *grad, float *nll);
void vk_pen_nll(const float *params, const float *x, long rows, long k, float floor, float rho_limit, float scale, float *grad, float *nll);

#endif
