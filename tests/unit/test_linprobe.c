/* The linear probe and k-NN: L-BFGS, the logistic regression's gradient,
 * accuracy on separable data and on data with a known Bayes error, label
 * handling, determinism, the eigenbasis, .npy files, --split, one whole
 * evaluation with its checks and its saved head. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "check.h"
#include "common/err.h"
#include "eval/knn.h"
#include "eval/lbfgs.h"
#include "eval/linprobe.h"
#include "formats/npy.h"
#include "eval/probe_basis.h"
#include "eval/probe_eval.h"
#include "eval/probe_run.h"
#include "eval/probe_split.h"
#include "formats/safetensors.h"
#include "common/rng.h"

static double gaussian(rng *g)
{
	/* Box-Muller */
	double u = rng_uniform(g), v = rng_uniform(g);
	return sqrt(-2 * log(1 - u)) * cos(2 * M_PI * v);
}

/* n examples of `dim` features: class c (label labels[c]) centred at
 * `sep` * e_c, unit Gaussian noise. */
static void make_blobs(probe_set *s, size_t n, size_t dim, int n_classes, const int64_t *labels,
		       double sep, uint64_t seed)
{
	rng g;
	rng_seed(&g, seed, 0);
	float *x = malloc(dim * sizeof(float));
	for (size_t i = 0; i < n; i++) {
		int c = (int)(i % (size_t)n_classes);
		for (size_t j = 0; j < dim; j++)
			x[j] = (float)(gaussian(&g) + (j == (size_t)c ? sep : 0));
		CHECK_EQ(probe_set_add(s, x, dim, labels[c], seed * 1000003 + i), 0);
	}
	free(x);
}

static double rosenbrock(const double *x, double *g, size_t n, void *ctx)
{
	(void)n;
	(void)ctx;
	double a = 1 - x[0], b = x[1] - x[0] * x[0];
	g[0] = -2 * a - 400 * x[0] * b;
	g[1] = 200 * b;
	return a * a + 100 * b * b;
}

static void lbfgs_finds_rosenbrock_minimum(void)
{
	double x[2] = {-1.2, 1};
	lbfgs_opts o = {5, 500, 0, 1e-8};
	lbfgs_report r;
	CHECK_EQ(lbfgs_minimize(rosenbrock, NULL, x, 2, &o, &r), 0);
	CHECK(fabs(x[0] - 1) < 1e-4 && fabs(x[1] - 1) < 1e-4);
	CHECK(r.f < 1e-8);
	CHECK(r.iterations < 200);
}

static double not_finite(const double *x, double *g, size_t n, void *ctx)
{
	(void)x, (void)g, (void)n, (void)ctx;
	return NAN;
}

static void lbfgs_rejects_nan_objective(void)
{
	double x[1] = {0};
	lbfgs_opts o = {5, 10, 0, 0};
	CHECK_EQ(lbfgs_minimize(not_finite, NULL, x, 1, &o, NULL), -1);
	CHECK(strstr(err_msg(), "not finite") != NULL);
}

/* The analytic gradient against central differences, in double where it
 * matters: the loss is evaluated in float GEMMs, so the step is large. */
static void logreg_gradient_matches_differences(void)
{
	const size_t n = 40, dim = 5;
	const int k = 4;
	rng g;
	rng_seed(&g, 3, 0);
	float x[40 * 5];
	int32_t cls[40];
	for (size_t i = 0; i < n * dim; i++)
		x[i] = (float)gaussian(&g);
	for (size_t i = 0; i < n; i++)
		cls[i] = i == 7 ? -1 : (int32_t)(i % k);
	logreg m;
	CHECK_EQ(logreg_init(&m, dim, k), 0);
	for (size_t i = 0; i < dim * k; i++)
		m.w[i] = (float)(0.5 * gaussian(&g));
	for (int c = 0; c < k; c++)
		m.b[c] = (float)(0.5 * gaussian(&g));
	float dw[20], db[4], dw2[20], db2[4];
	const double wd = 0.3, eps = 1e-2;
	double loss, up, down;
	CHECK_EQ(logreg_loss(&m, x, cls, n, wd, dw, db, &loss), 0);
	double worst = 0;
	for (size_t i = 0; i < dim * k + k; i++) {
		float *p = i < dim * k ? &m.w[i] : &m.b[i - dim * k];
		float keep = *p;
		*p = keep + (float)eps;
		CHECK_EQ(logreg_loss(&m, x, cls, n, wd, dw2, db2, &up), 0);
		*p = keep - (float)eps;
		CHECK_EQ(logreg_loss(&m, x, cls, n, wd, dw2, db2, &down), 0);
		*p = keep;
		double numeric = (up - down) / (2 * eps);
		double analytic = i < dim * k ? dw[i] : db[i - dim * k];
		worst = fmax(worst, fabs(numeric - analytic));
	}
	if (worst > 1e-3)
		fprintf(stderr, "largest gradient difference %g\n", worst);
	CHECK(worst < 1e-3);
	logreg_free(&m);
}

static linprobe_opts sweep_opts(void)
{
	linprobe_opts o = {{1e-2, 1e-3, 1e-4}, 3, 0.2, 1, 100};
	return o;
}

/* Fits on train, scores test: top-1 accuracy (and acc for more). */
static double probe_top1(probe_set *train, probe_set *test, const linprobe_opts *o,
			 probe_accuracy *acc_out, linprobe *p_out)
{
	probe_classes classes;
	CHECK_EQ(probe_classes_of(&classes, train), 0);
	CHECK_EQ(probe_set_classify(train, &classes), 0);
	CHECK_EQ(probe_set_classify(test, &classes), 0);
	linprobe p;
	CHECK_EQ(linprobe_fit(&p, train, classes.n, o), 0);
	probe_standardise(test, p.mean, p.sd);
	float *scores = malloc(test->n * classes.n * sizeof(float));
	logreg_scores(&p.head, test->x, test->n, scores);
	probe_accuracy acc;
	CHECK_EQ(probe_accuracy_of(&acc, scores, test->cls, test->n, classes.n), 0);
	double top1 = acc.top1;
	if (acc_out)
		*acc_out = acc;
	else
		probe_accuracy_free(&acc);
	if (p_out)
		*p_out = p;
	else
		linprobe_free(&p);
	free(scores);
	probe_classes_free(&classes);
	return top1;
}

static void separable_data_is_learnt(void)
{
	const int64_t labels[6] = {0, 1, 2, 3, 4, 5};
	probe_set train, test;
	probe_set_init(&train);
	probe_set_init(&test);
	make_blobs(&train, 600, 8, 6, labels, 12, 1);
	make_blobs(&test, 600, 8, 6, labels, 12, 2);
	linprobe_opts o = sweep_opts();
	probe_accuracy acc;
	double top1 = probe_top1(&train, &test, &o, &acc, NULL);
	CHECK(top1 == 1.0);
	CHECK(acc.top5 == 1.0);
	for (int c = 0; c < 6; c++)
		CHECK_EQ(acc.class_right[c], 100);
	probe_accuracy_free(&acc);
	probe_set_free(&train);
	probe_set_free(&test);
}

/* Two unit Gaussians 2 apart along one axis, three noise axes: the Bayes
 * classifier errs with probability Phi(-1) = 15.87%. On 20,000 test
 * examples the standard error of an accuracy is 0.26 points. */
static void known_bayes_error_is_reached(void)
{
	const int64_t labels[2] = {0, 1};
	probe_set train, test;
	probe_set_init(&train);
	probe_set_init(&test);
	make_blobs(&train, 4000, 4, 2, labels, 0, 5);
	make_blobs(&test, 20000, 4, 2, labels, 0, 6);
	/* shift class 1 by 2 along axis 0 */
	for (size_t i = 1; i < train.n; i += 2)
		train.x[i * 4] += 2;
	for (size_t i = 1; i < test.n; i += 2)
		test.x[i * 4] += 2;
	linprobe_opts o = sweep_opts();
	double top1 = probe_top1(&train, &test, &o, NULL, NULL);
	double bayes = 1 - 0.5 * erfc(1 / sqrt(2));
	if (fabs(top1 - bayes) > 0.01)
		fprintf(stderr, "top-1 %.4f, Bayes %.4f\n", top1, bayes);
	CHECK(fabs(top1 - bayes) < 0.01);
	probe_set_free(&train);
	probe_set_free(&test);
}

static void labels_need_not_be_contiguous(void)
{
	const int64_t labels[3] = {42, -3, 7};
	probe_set train, test;
	probe_set_init(&train);
	probe_set_init(&test);
	make_blobs(&train, 300, 3, 3, labels, 10, 1);
	make_blobs(&test, 300, 3, 3, labels, 10, 2);
	float x[3] = {0, 0, 0};
	CHECK_EQ(probe_set_add(&test, x, 3, 99, 12345), 0);
	probe_classes classes;
	CHECK_EQ(probe_classes_of(&classes, &train), 0);
	CHECK_EQ(classes.n, 3);
	CHECK(classes.label[0] == -3 && classes.label[1] == 7 && classes.label[2] == 42);
	CHECK_EQ(probe_classes_find(&classes, 7), 1);
	CHECK_EQ(probe_classes_find(&classes, 8), -1);
	probe_classes_free(&classes);
	linprobe_opts o = sweep_opts();
	probe_accuracy acc;
	double top1 = probe_top1(&train, &test, &o, &acc, NULL);
	/* the example labelled 99 is unknown to the classifier: counted wrong */
	CHECK_EQ(acc.n_unknown, 1);
	CHECK(fabs(top1 - 300.0 / 301) < 1e-12);
	probe_accuracy_free(&acc);
	probe_set_free(&train);
	probe_set_free(&test);
}

static void fits_are_deterministic(void)
{
	const int64_t labels[4] = {0, 1, 2, 3};
	linprobe p[2];
	for (int run = 0; run < 2; run++) {
		probe_set train, test;
		probe_set_init(&train);
		probe_set_init(&test);
		make_blobs(&train, 400, 6, 4, labels, 1.5, 1);
		make_blobs(&test, 40, 6, 4, labels, 1.5, 2);
		linprobe_opts o = sweep_opts();
		probe_top1(&train, &test, &o, NULL, &p[run]);
		probe_set_free(&train);
		probe_set_free(&test);
	}
	CHECK(memcmp(p[0].head.w, p[1].head.w, 6 * 4 * sizeof(float)) == 0);
	CHECK(memcmp(p[0].val_top1, p[1].val_top1, sizeof p[0].val_top1) == 0);
	CHECK(p[0].wd == p[1].wd);
	CHECK(p[0].n_val > 40 && p[0].n_val < 120);
	linprobe_free(&p[0]);
	linprobe_free(&p[1]);
}

/* Features that sum to a constant (as LayerNorm outputs do) leave a zero
 * eigenvalue; without weight decay the fit must still be finite. */
static void zero_wd_on_rank_deficient_features(void)
{
	const int64_t labels[3] = {0, 1, 2};
	probe_set train, test;
	probe_set_init(&train);
	probe_set_init(&test);
	make_blobs(&train, 300, 4, 3, labels, 3, 1);
	make_blobs(&test, 300, 4, 3, labels, 3, 2);
	probe_set *sets[2] = {&train, &test};
	for (int k = 0; k < 2; k++)
		for (size_t i = 0; i < sets[k]->n; i++)
			sets[k]->x[i * 4 + 3] = -sets[k]->x[i * 4] - sets[k]->x[i * 4 + 1] -
						sets[k]->x[i * 4 + 2];
	linprobe_opts o = {{0}, 1, 0.2, 1, 100};
	double top1 = probe_top1(&train, &test, &o, NULL, NULL);
	CHECK(top1 > 0.9);
	probe_set_free(&train);
	probe_set_free(&test);
}

/* Which examples are held out depends on their keys, not their order. */
static void hold_out_depends_on_ids_only(void)
{
	probe_set a, b, held_a, held_b;
	probe_set_init(&a);
	probe_set_init(&b);
	probe_set_init(&held_a);
	probe_set_init(&held_b);
	for (int i = 0; i < 200; i++) {
		float x = (float)i, y = (float)(199 - i);
		probe_set_add(&a, &x, 1, 0, (uint64_t)i * 7919);
		probe_set_add(&b, &y, 1, 0, (uint64_t)(199 - i) * 7919);
	}
	CHECK_EQ(probe_set_hold_out(&a, &held_a, 0.25, 9), 0);
	CHECK_EQ(probe_set_hold_out(&b, &held_b, 0.25, 9), 0);
	CHECK_EQ(held_a.n, held_b.n);
	CHECK(held_a.n > 30 && held_a.n < 70);
	CHECK_EQ(a.n + held_a.n, 200);
	for (size_t i = 0; i < held_a.n && i < held_b.n; i++)
		CHECK(held_a.x[i] == held_b.x[held_b.n - 1 - i]);
	probe_set_free(&a);
	probe_set_free(&b);
	probe_set_free(&held_a);
	probe_set_free(&held_b);
}

static void records_give_examples_or_clear_errors(void)
{
	probe_set s;
	probe_set_init(&s);
	rec r;
	rec_init(&r);
	float emb[3] = {1, 2, 3};
	rec_set_bin(&r, "emb", emb, sizeof emb);
	CHECK_EQ(probe_set_add_record(&s, &r, 0), -1);
	CHECK(strstr(err_msg(), "no label") != NULL);
	rec_set_int(&r, "label", 4);
	CHECK_EQ(probe_set_add_record(&s, &r, 0), 0);
	CHECK_EQ(s.dim, 3);
	CHECK(s.x[2] == 3 && s.label[0] == 4);
	rec_set_bin(&r, "emb", emb, 5);
	CHECK_EQ(probe_set_add_record(&s, &r, 0), -1);
	CHECK(strstr(err_msg(), "float32") != NULL);
	rec_set_bin(&r, "emb", emb, 8);
	CHECK_EQ(probe_set_add_record(&s, &r, 0), -1);
	CHECK(strstr(err_msg(), "2 features") != NULL);
	rec_set_str(&r, "label", "seven");
	CHECK_EQ(probe_set_add_record(&s, &r, 0), -1);
	CHECK(strstr(err_msg(), "label") != NULL);
	/* labels are class indices, 0 to PROBE_MAX_CLASSES - 1 */
	rec_set_bin(&r, "emb", emb, sizeof emb);
	const int64_t bad[3] = {-1, PROBE_MAX_CLASSES, (int64_t)1 << 40};
	for (int i = 0; i < 3; i++) {
		rec_set_int(&r, "label", bad[i]);
		CHECK_EQ(probe_set_add_record(&s, &r, 0), -1);
		CHECK(strstr(err_msg(), "not a class index") != NULL);
	}
	rec_set_int(&r, "label", PROBE_MAX_CLASSES - 1);
	CHECK_EQ(probe_set_add_record(&s, &r, 0), 0);
	CHECK(s.label[1] == PROBE_MAX_CLASSES - 1);
	rec_set_int(&r, "label", 1);
	CHECK_EQ(probe_set_add_record(&s, &r, 1), -1);
	CHECK(strstr(err_msg(), "img") != NULL);
	rec_clear(&r);
	rec_set_int(&r, "label", 1);
	CHECK_EQ(probe_set_add_record(&s, &r, 0), -1);
	CHECK(strstr(err_msg(), "no emb") != NULL);
	rec_free(&r);
	probe_set_free(&s);
}

static void pixels_are_features(void)
{
	probe_set s;
	probe_set_init(&s);
	rec r;
	rec_init(&r);
	uint8_t px[6] = {0, 51, 102, 153, 204, 255};
	img im = {3, 2, 1, px};
	CHECK_EQ(rec_make_image(&r, "a:0", 2, -1, &im), 0);
	CHECK_EQ(probe_set_add_record(&s, &r, 1), 0);
	CHECK_EQ(s.dim, 6);
	CHECK(fabsf(s.x[1] - 0.2f) < 1e-6f && s.x[5] == 1.0f);
	rec_free(&r);
	probe_set_free(&s);
}

static void accuracy_ranks_ties_by_class_index(void)
{
	/* 7 classes; example 0 of class 6 tied with all: rank 6, not top-5 */
	float scores[2 * 7] = {1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 5, 4, 3, 2};
	int32_t cls[2] = {6, 5};
	probe_accuracy a;
	CHECK_EQ(probe_accuracy_of(&a, scores, cls, 2, 7), 0);
	CHECK(a.top1 == 0);
	CHECK(a.top5 == 0.5);
	CHECK_EQ(a.class_n[6], 1);
	probe_accuracy_free(&a);
	/* a NaN score (a diverged model) is an error, not a right answer */
	scores[7 + 5] = NAN;
	CHECK_EQ(probe_accuracy_of(&a, scores, cls, 2, 7), -1);
	CHECK(strstr(err_msg(), "test example 1: the score of class 5 is not finite") != NULL);
	probe_accuracy_free(&a);
}

static void knn_votes_by_nearest_neighbours(void)
{
	/* class 0 along x, class 1 along y; a test point near x */
	const float train[4 * 2] = {1, 0, 2, 0.1f, 0, 1, 0.1f, 3};
	const int32_t cls[4] = {0, 0, 1, 1};
	const float test[2 * 2] = {5, 0.2f, -0.1f, 1};
	float votes[2 * 2];
	CHECK_EQ(knn_votes(train, cls, 4, test, 2, 2, 3, KNN_TEMPERATURE, 2, votes), 0);
	CHECK(votes[0] > votes[1]);
	CHECK(votes[3] > votes[2]);
	/* k = 1: one neighbour, weight exp(cos / T) */
	CHECK_EQ(knn_votes(train, cls, 4, test, 1, 2, 1, 0.5, 2, votes), 0);
	CHECK(votes[1] == 0);
	double cos0 = (5 * 2 + 0.2 * 0.1) / (sqrt(25.04) * sqrt(4.01));
	CHECK(fabs(votes[0] - exp(cos0 / 0.5)) < 1e-4);
}

static void eigenbasis_of_known_covariance(void)
{
	/* rows (a, a) and (b, -b): covariance eigenvectors along the diagonals */
	float x[4 * 2] = {1, 1, -1, -1, 2, -2, -2, 2};
	float u[4];
	double lambda[2];
	CHECK_EQ(probe_eigenbasis(x, 4, 2, u, lambda), 0);
	/* ascending: 0.5 * 2 = 1 along (1, 1), 0.5 * 8 = 4 along (1, -1) */
	CHECK(fabs(lambda[0] - 1) < 1e-6 && fabs(lambda[1] - 4) < 1e-6);
	CHECK(fabsf(fabsf(u[0]) - (float)M_SQRT1_2) < 1e-6f);
	CHECK(fabsf(u[0] - u[2]) < 1e-6f);
	CHECK(fabsf(u[1] + u[3]) < 1e-6f);
}

static void npy_files_have_numpys_header(void)
{
	char path[512];
	snprintf(path, sizeof path, "%s/a.npy", check_tmpdir());
	const float data[6] = {1, 2, 3, 4, 5, 6};
	size_t shape[2] = {2, 3};
	CHECK_EQ(npy_write(path, "<f4", shape, 2, data, sizeof(float)), 0);
	FILE *f = fopen(path, "rb");
	uint8_t buf[256];
	size_t len = f ? fread(buf, 1, sizeof buf, f) : 0;
	if (f)
		fclose(f);
	CHECK_EQ(len, 128 + 24);
	CHECK(memcmp(buf, "\x93NUMPY\x01\x00", 8) == 0);
	CHECK_EQ(buf[8] | buf[9] << 8, 118);
	CHECK(memcmp(buf + 10, "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }", 59) == 0);
	CHECK_EQ(buf[127], '\n');
	CHECK(memcmp(buf + 128, data, 24) == 0);
	size_t one[1] = {0};
	CHECK_EQ(npy_write(path, "<i8", one, 1, data, 8), 0);
	CHECK_EQ(npy_write(path, "<i8", one, 3, data, 8), -1);
}

/* A record of one feature, its label and (when id is not NULL) its id. */
static void make_record(rec *r, float feature, int64_t label, const char *id)
{
	rec_clear(r);
	rec_set_bin(r, "emb", &feature, sizeof feature);
	rec_set_int(r, "label", label);
	if (id)
		rec_set_str(r, "id", id);
}

static void split_by_prefix_or_fraction(void)
{
	probe_split split;
	CHECK_EQ(probe_split_parse(&split, "1.5"), -1);
	CHECK_STR(err_msg(), "--split: a fraction is between 0 and 1, not '1.5'");
	CHECK_EQ(probe_split_parse(&split, "0"), -1);
	CHECK_EQ(probe_split_parse(&split, "0.25"), 0);
	CHECK(split.fraction == 0.25 && !split.prefix);
	CHECK_EQ(probe_split_parse(&split, "val/"), 0);
	CHECK(split.fraction == 0 && strcmp(split.prefix, "val/") == 0);

	probe_set all, test;
	probe_set_init(&all);
	probe_set_init(&test);
	probe_reading reading = {&all, 0, &split};
	const char *ids[5] = {"train/0", "val/1", "val", "train/val/3", "val/4"};
	rec r;
	rec_init(&r);
	for (int i = 0; i < 5; i++) {
		make_record(&r, (float)i, i % 2, ids[i]);
		CHECK_EQ(probe_read_record(&reading, &r), 0);
	}
	make_record(&r, 5, 0, NULL);
	CHECK_EQ(probe_read_record(&reading, &r), -1);
	CHECK_STR(err_msg(), "no id to split by");
	all.n = 5; /* the example without an id, added before its id was missed */
	CHECK_EQ(probe_split_apply(&split, &all, &test, 0), 0);
	CHECK_EQ(all.n, 3);
	CHECK_EQ(test.n, 2);
	CHECK(all.x[0] == 0 && all.x[1] == 2 && all.x[2] == 3 && test.x[0] == 1 && test.x[1] == 4);
	probe_split_free(&split);

	/* a fraction: no id needed, the draws of probe_set_hold_out */
	probe_set again, held, expected;
	probe_set_init(&again);
	probe_set_init(&held);
	probe_set_init(&expected);
	CHECK_EQ(probe_split_parse(&split, "0.5"), 0);
	reading = (probe_reading){&again, 0, &split};
	for (int i = 0; i < 40; i++) {
		make_record(&r, (float)i, i % 2, NULL);
		r.index = (uint64_t)i;
		CHECK_EQ(probe_read_record(&reading, &r), 0);
	}
	CHECK(split.take == NULL);
	probe_set copy = {0};
	for (size_t i = 0; i < again.n; i++)
		CHECK_EQ(probe_set_add(&copy, again.x + i, 1, again.label[i], again.key[i]), 0);
	CHECK_EQ(probe_split_apply(&split, &again, &held, 9), 0);
	CHECK_EQ(probe_set_hold_out(&copy, &expected, 0.5, 9), 0);
	CHECK(held.n > 0 && held.n < 40);
	CHECK_EQ(held.n, expected.n);
	for (size_t i = 0; i < held.n && i < expected.n; i++)
		CHECK(held.x[i] == expected.x[i]);
	probe_split_free(&split);
	rec_free(&r);
	probe_set_free(&all);
	probe_set_free(&test);
	probe_set_free(&again);
	probe_set_free(&held);
	probe_set_free(&expected);
	probe_set_free(&copy);
}

static void one_run_checks_evaluates_and_saves(void)
{
	const int64_t labels[3] = {2, 5, 7};
	probe_set train, test, empty, narrow;
	probe_set_init(&train);
	probe_set_init(&test);
	probe_set_init(&empty);
	probe_set_init(&narrow);
	make_blobs(&train, 300, 4, 3, labels, 12, 1);
	make_blobs(&test, 90, 4, 3, labels, 12, 2);
	make_blobs(&narrow, 10, 3, 3, labels, 12, 3);
	linprobe_opts lo = sweep_opts();
	probe_run_opts o = {.features = "emb", .train_name = "a.rec", .test_name = "b.rec", .split = 1,
			    .temperature = 0.07, .probe = &lo};
	probe_result res;
	CHECK_EQ(probe_run(&res, &train, &empty, &o), -1);
	CHECK_STR(err_msg(), "b.rec: no test examples after the --split");
	CHECK_EQ(probe_run(&res, &train, &narrow, &o), -1);
	CHECK_STR(err_msg(), "a.rec: 4 features, b.rec: 3");
	probe_set one_class;
	probe_set_init(&one_class);
	make_blobs(&one_class, 10, 4, 1, labels + 1, 12, 4);
	CHECK_EQ(probe_run(&res, &one_class, &test, &o), -1);
	CHECK_STR(err_msg(), "a.rec: the training examples have one class (label 5): nothing to learn");

	char head_path[512], npy_prefix[512], npy_path[600];
	snprintf(head_path, sizeof head_path, "%s/head.st", check_tmpdir());
	snprintf(npy_prefix, sizeof npy_prefix, "%s/ex", check_tmpdir());
	o.save_head = head_path;
	o.export_npy = npy_prefix;
	CHECK_EQ(probe_run(&res, &train, &test, &o), 0);
	CHECK(res.acc.top1 == 1.0);
	CHECK_EQ(res.classes.n, 3);
	CHECK(res.report.probe == &res.probe && res.report.n_train == 300 && res.report.n_test == 90);
	st_file f;
	CHECK_EQ(st_read(&f, head_path), 0);
	const st_tensor *w = st_find(&f, "weight"), *cls = st_find(&f, "classes");
	CHECK(w && w->shape[0] == 3 && w->shape[1] == 4);
	float saved[3] = {0};
	if (cls && cls->n_floats == 3)
		st_copy(saved, cls);
	CHECK(saved[0] == 2 && saved[1] == 5 && saved[2] == 7);
	CHECK_STR(st_meta(&f, "features"), "emb");
	st_free(&f);
	snprintf(npy_path, sizeof npy_path, "%s_test_y.npy", npy_prefix);
	FILE *fp = fopen(npy_path, "rb");
	CHECK(fp != NULL);
	if (fp)
		fclose(fp);
	probe_result_free(&res);

	/* k-NN: no probe in the report */
	o.knn = 5;
	o.save_head = o.export_npy = NULL;
	CHECK_EQ(probe_run(&res, &train, &test, &o), 0);
	CHECK(res.acc.top1 == 1.0 && res.report.probe == NULL && res.report.knn_k == 5);
	probe_result_free(&res);
	probe_set_free(&train);
	probe_set_free(&test);
	probe_set_free(&narrow);
	probe_set_free(&one_class);
}

int main(void)
{
	RUN(lbfgs_finds_rosenbrock_minimum);
	RUN(lbfgs_rejects_nan_objective);
	RUN(logreg_gradient_matches_differences);
	RUN(separable_data_is_learnt);
	RUN(known_bayes_error_is_reached);
	RUN(labels_need_not_be_contiguous);
	RUN(fits_are_deterministic);
	RUN(zero_wd_on_rank_deficient_features);
	RUN(hold_out_depends_on_ids_only);
	RUN(records_give_examples_or_clear_errors);
	RUN(pixels_are_features);
	RUN(accuracy_ranks_ties_by_class_index);
	RUN(knn_votes_by_nearest_neighbours);
	RUN(eigenbasis_of_known_covariance);
	RUN(npy_files_have_numpys_header);
	RUN(split_by_prefix_or_fraction);
	RUN(one_run_checks_evaluates_and_saves);
	return check_exit();
}
