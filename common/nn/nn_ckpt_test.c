#include "testing/nn_testutil.h"

#include <unistd.h>

static void build(nn_params *ps, const char *section, nn_linear *l, nn_batchnorm *bn, int out) {
    wsd_rng rng;
    wsd_rng_seed(&rng, 17);
    nn_params_init(ps, section);
    nn_linear_init(l, ps, "refiner", 4, out, 1, &rng, NN_CPU);
    nn_batchnorm_init(bn, ps, "feature_mixer.combiner.1", 3, &rng, NN_CPU);
}

static void test_checkpoint_round_trip(void) {
    char path[] = "/tmp/wsd_ckpt_XXXXXX";
    int fd = mkstemp(path);
    close(fd);
    nn_params ps;
    nn_linear l;
    nn_batchnorm bn;
    build(&ps, "model_sl", &l, &bn, 2);
    nn_tensor_fill(&bn.running_mean->value, 0.25f);
    /* two SGD steps so momentum buffers exist; the bias gradient stays absent */
    nn_optim o;
    nn_sgd_init(&o, 0.8, 1e-4);
    nn_optim_add_group(&o, &ps, 0.01);
    for (int s = 0; s < 2; s++) {
        nn_tensor_fill(nn_param_grad(l.weight), 0.5f);
        nn_optim_step(&o);
    }
    const nn_params *models[1] = {&ps};
    const nn_optim *opts[1] = {&o};
    const char *names[1] = {"cycle"};
    const char *vocab[4] = {"<bos>", "<eos>", "a man", "<oov>"};
    nn_ckpt_contents c = {models, 1, opts, names, 1, "{\"hidden\": 512}", vocab, 4};
    CHECK(nn_ckpt_save(path, &c) == 0);
    nn_ckpt *ck = nn_ckpt_open(path);
    CHECK(ck != NULL && !strcmp(nn_ckpt_path(ck), path));
    if (!ck) return;
    CHECK(nn_ckpt_has_section(ck, "model_sl") && !nn_ckpt_has_section(ck, "model_cg"));

    nn_params ps2;
    nn_linear l2;
    nn_batchnorm bn2;
    build(&ps2, "model_sl", &l2, &bn2, 2);
    nn_tensor_zero(&l2.weight->value);
    CHECK(nn_ckpt_load_params(ck, &ps2, NULL, 1) == 0);
    for (int i = 0; i < ps.n; i++)
        CHECK(memcmp(ps.items[i]->value.data, ps2.items[i]->value.data,
                     ps.items[i]->value.size * sizeof(float)) == 0);
    CHECK(bn2.running_mean->value.data[2] == 0.25f);
    nn_optim o2;
    nn_sgd_init(&o2, 0.8, 1e-4);
    nn_optim_add_group(&o2, &ps2, 0.01);
    o2.groups[0].lr = 5;
    CHECK(nn_ckpt_load_optim(ck, "cycle", &o2) == 0);
    CHECK(o2.groups[0].lr == 0.01);
    CHECK(o2.groups[0].steps[0] == 2 && o2.groups[0].steps[1] == 0);
    CHECK(memcmp(o.groups[0].state1[0].data, o2.groups[0].state1[0].data, 8 * sizeof(float)) == 0);
    char *json;
    CHECK(nn_ckpt_read_config(ck, &json) == 0 && json && !strcmp(json, "{\"hidden\": 512}"));
    free(json);
    char **words;
    int n;
    CHECK(nn_ckpt_read_vocab(ck, &words, &n) == 0 && n == 4 && !strcmp(words[2], "a man"));
    nn_ckpt_free_vocab(words, n);

    /* mismatches name the file and the key */
    nn_params ps3;
    nn_linear l3;
    nn_batchnorm bn3;
    build(&ps3, "model_sl", &l3, &bn3, 3);
    CHECK(nn_ckpt_load_params(ck, &ps3, NULL, 1) == -1);
    CHECK(strstr(wsd_error(), path) && strstr(wsd_error(), "/model_sl/refiner.weight") &&
          strstr(wsd_error(), "(2, 4)"));
    CHECK(nn_ckpt_load_params(ck, &ps3, "model_cg", 0) == -1);
    CHECK(strstr(wsd_error(), "model_cg") != NULL);
    nn_params ps4;
    nn_params_init(&ps4, "model_sl");
    wsd_rng rng;
    wsd_rng_seed(&rng, 1);
    nn_linear l4;
    nn_linear_init(&l4, &ps4, "refiner", 4, 2, 1, &rng, NN_CPU);
    CHECK(nn_ckpt_load_params(ck, &ps4, NULL, 0) == 0); /* subset: fine unless strict */
    CHECK(nn_ckpt_load_params(ck, &ps4, NULL, 1) == -1);
    CHECK(strstr(wsd_error(), "not a parameter") != NULL);
    nn_params_free(&ps3);
    nn_ckpt_close(ck);
    CHECK(nn_ckpt_open("/nonexistent/x.h5") == NULL);
    CHECK(strstr(wsd_error(), "/nonexistent/x.h5") != NULL);
    CHECK(nn_ckpt_open("/dev/null") == NULL);
    CHECK(nn_ckpt_save("/nonexistent/dir/x.h5", &c) == -1);

    nn_optim_free(&o);
    nn_optim_free(&o2);
    nn_params_free(&ps);
    nn_params_free(&ps2);
    nn_params_free(&ps4);
    unlink(path);
}

/* A parameter stepped before the checkpoint but reached by no gradient after
 * it keeps getting weight decay and momentum (PyTorch keeps its zeroed .grad):
 * the resumed optimiser must step it exactly as the uninterrupted one, and
 * the two runs' checkpoints must be the same bytes. */
static void test_resume_steps_parameters_without_new_gradient(void) {
    char a[] = "/tmp/wsd_ckpt_aXXXXXX", b[] = "/tmp/wsd_ckpt_bXXXXXX",
         r[] = "/tmp/wsd_ckpt_rXXXXXX";
    close(mkstemp(a));
    close(mkstemp(b));
    close(mkstemp(r));
    nn_params ps, ps2;
    nn_linear l, l2;
    nn_batchnorm bn, bn2;
    build(&ps, "model_sl", &l, &bn, 2);
    build(&ps2, "model_sl", &l2, &bn2, 2);
    nn_optim o, o2;
    nn_sgd_init(&o, 0.8, 1e-2);
    nn_optim_add_group(&o, &ps, 0.1);
    nn_tensor_fill(nn_param_grad(l.weight), 0.5f);
    nn_optim_step(&o);
    const nn_params *models[1] = {&ps};
    const nn_optim *opts[1] = {&o};
    const char *names[1] = {"sl"};
    nn_ckpt_contents c = {models, 1, opts, names, 1, "{}", NULL, 0};
    CHECK(nn_ckpt_save(a, &c) == 0);
    /* uninterrupted: zero the gradients, nothing reaches the weight, step */
    nn_params_zero_grad(&ps);
    nn_optim_step(&o);
    CHECK(nn_ckpt_save(b, &c) == 0);
    /* resumed from a */
    nn_sgd_init(&o2, 0.8, 1e-2);
    nn_optim_add_group(&o2, &ps2, 0.1);
    nn_ckpt *ck = nn_ckpt_open(a);
    CHECK(ck && nn_ckpt_load_params(ck, &ps2, NULL, 1) == 0 &&
          nn_ckpt_load_optim(ck, "sl", &o2) == 0);
    nn_ckpt_close(ck);
    nn_params_zero_grad(&ps2);
    nn_optim_step(&o2);
    CHECK(memcmp(l.weight->value.data, l2.weight->value.data, 8 * sizeof(float)) == 0);
    CHECK(memcmp(l.bias->value.data, l2.bias->value.data, 2 * sizeof(float)) == 0);
    CHECK(o2.groups[0].steps[0] == 2);
    const nn_params *models2[1] = {&ps2};
    const nn_optim *opts2[1] = {&o2};
    nn_ckpt_contents c2 = {models2, 1, opts2, names, 1, "{}", NULL, 0};
    CHECK(nn_ckpt_save(r, &c2) == 0);
    size_t na, nb;
    char *ba = wsd_read_file(b, &na), *br = wsd_read_file(r, &nb);
    CHECK(ba && br && na == nb && memcmp(ba, br, na) == 0);
    free(ba);
    free(br);
    nn_optim_free(&o);
    nn_optim_free(&o2);
    nn_params_free(&ps);
    nn_params_free(&ps2);
    unlink(a);
    unlink(b);
    unlink(r);
}

int main(void) {
    TEST_RUN(test_resume_steps_parameters_without_new_gradient);
    TEST_RUN(test_checkpoint_round_trip);
    return test_finish();
}
