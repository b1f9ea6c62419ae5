// How many values an optimizer update takes together: the slot optimizers flatten their variables into groups of
// at most this many and update each group with one chain of element-wise operations, so an update's temporaries
// are a few copies of one group. Apart from the optimizers (and tfjs) so that the editor's memory estimate, which
// must not load the engine, reads the same figure.

/** 16 MiB of float32: one group per ~4M parameters keeps the operation count low without a heap-sized concatenation. */
export const GROUP_VALUES = 1 << 22;
