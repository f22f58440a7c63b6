/* AdamW as torch.optim.AdamW: decoupled weight decay applied first,
 * p -= lr * wd * p, then the bias-corrected Adam step. */
#include <math.h>

#include "kernels/cpu/cpu.h"

VECTOR_CLONES void cpu_adamw(float *param, const float *grad, float *m, float *v, size_t n, float lr,
	       float beta1, float beta2, float eps, float weight_decay, long step)
{
	/* the bias corrections in double, as torch computes them in Python */
	float bias1 = (float)(1.0 - pow(beta1, (double)step));
	float step_size = lr / bias1;
	float bias2_sqrt = (float)sqrt(1.0 - pow(beta2, (double)step));
	size_t n_blocks = (n + CPU_BLOCK - 1) / CPU_BLOCK;
	/* blocks: the vector and scalar code may contract to FMAs differently */
#pragma omp parallel for schedule(static) num_threads(cpu_n_threads) if (n > CPU_PARALLEL_MIN)
	for (size_t blk = 0; blk < n_blocks; blk++) {
		size_t end = (blk + 1) * CPU_BLOCK < n ? (blk + 1) * CPU_BLOCK : n;
#pragma omp simd
		for (size_t i = blk * CPU_BLOCK; i < end; i++) {
			float g = grad[i];
			param[i] *= 1.0f - lr * weight_decay;
			m[i] = beta1 * m[i] + (1.0f - beta1) * g;
			v[i] = beta2 * v[i] + (1.0f - beta2) * g * g;
			/* torch: denom = sqrt(v) / sqrt(bias2) + eps */
			float denom = sqrtf(v[i]) / bias2_sqrt + eps;
			param[i] -= step_size * m[i] / denom;
		}
	}
}
