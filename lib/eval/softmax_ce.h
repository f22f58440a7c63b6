/* Softmax cross-entropy of one row of class scores, with optional label
 * smoothing (Szegedy et al. 2016, as timm's LabelSmoothingCrossEntropy that
 * MAE fine-tuning uses): the target is (1 - eps) on the true class plus
 * eps / k on every class. Shared by the linear probe and fine-tuning. */
#ifndef MASKPIPE_SOFTMAX_CE_H
#define MASKPIPE_SOFTMAX_CE_H

/* The loss of scores s [k] for class y, and s turned in place into
 * scale * dloss/ds = scale * (softmax(s) - target). */
double softmax_ce_row(float *s, int k, int y, double eps, double scale);

#endif
