// What one AdamW step needs beyond its tensors, shared by the element-wise form (adamw.ts) and the fused kernel an
// engine may register under FUSED_ADAMW_KERNEL (the wasm engine's runs in one pass over the heap): the scalar
// factors, computed once in double precision as PyTorch does, so that both forms compute the same numbers.
// Apart from adamw.ts so that the engine's kernel can name its contract without loading the optimizers.

/** Inputs value, gradient, m and v (float32, one shape), attributes AdamWStepFactors; outputs value', m', v'. */
export const FUSED_ADAMW_KERNEL = 'RadLabFusedAdamW';

export interface AdamWStepFactors {
  /** What the parameters are multiplied by before the step: 1 − lr·wd, or 1 where no decay applies. */
  decay: number;
  beta1: number;
  /** 1 − β1: the gradient's share of the new first moment. */
  gradientShare1: number;
  beta2: number;
  /** 1 − β2: the squared gradient's share of the new second moment. */
  gradientShare2: number;
  /** √(1 − β2^t): the second moment's bias correction, applied to its root. */
  biasCorrection2Root: number;
  epsilon: number;
  /** lr / (1 − β1^t): the learning rate with the first moment's bias correction. */
  stepSize: number;
}
