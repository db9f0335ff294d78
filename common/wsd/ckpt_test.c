#include "wsd/ckpt.h"

#include <unistd.h>

#include "base/util.h"
#include "testing/test.h"

static void numbered_paths_keep_the_h5_extension(void) {
    char *a = wsd_ckpt_numbered_path("runs/m.h5", 7), *b = wsd_ckpt_numbered_path("m", 120);
    CHECK_MSG(!strcmp(a, "runs/m.epoch007.h5"), "%s", a);
    CHECK_MSG(!strcmp(b, "m.epoch120"), "%s", b);
    free(a);
    free(b);
}

/* Saved every epoch, a numbered copy every keep_every; resume reads the epoch
 * back and refuses another trainer's file; the vocabulary comes back. */
static void save_resume_and_vocabulary(void) {
    char dir[] = "/tmp/wsd_ckpt_testXXXXXX", path[256], copy[256];
    CHECK(mkdtemp(dir) != NULL);
    snprintf(path, sizeof path, "%s/m.h5", dir);
    snprintf(copy, sizeof copy, "%s/m.epoch004.h5", dir);
    const char *words[] = {"<bos>", "<eos>", "man", "walks", "<oov>"};
    nn_ckpt_contents c = {.vocab = words, .n_vocab = 5};
    for (int epoch = 3; epoch <= 4; epoch++) {
        cJSON *cfg = wsd_ckpt_config_new("cg-pretrain", epoch);
        CHECK(wsd_ckpt_save_epoch(path, epoch, 2, c, cfg) == 0);
        CHECK((access(copy, F_OK) == 0) == (epoch == 4));
        cJSON_Delete(cfg);
    }
    int epoch = -1;
    nn_ckpt *ck = nn_ckpt_open(path), *ck_copy = nn_ckpt_open(copy);
    CHECK(ck && ck_copy);
    if (!ck || !ck_copy) return;
    CHECK(wsd_ckpt_resume_epoch(ck, "cg-pretrain", &epoch) == 0 && epoch == 4);
    CHECK(wsd_ckpt_resume_epoch(ck, "wsdec-train", &epoch) == -1);
    CHECK(strstr(wsd_error(), "not a wsdec-train checkpoint") != NULL);
    /* a checkpoint without a localizer: wsd_sl_load names the file and the group */
    wsd_sl sl;
    CHECK(wsd_sl_load(&sl, ck, NN_CPU) == -1);
    CHECK(strstr(wsd_error(), path) && strstr(wsd_error(), "/model_sl"));
    nn_ckpt_close(ck);
    wsd_vocab *v = wsd_ckpt_vocab(ck_copy);
    nn_ckpt_close(ck_copy);
    CHECK(v && v->n == 5 && !strcmp(v->words[2], "man"));
    wsd_vocab_free(v);
    unlink(path);
    unlink(copy);
    rmdir(dir);
}

int main(void) {
    TEST_RUN(numbered_paths_keep_the_h5_extension);
    TEST_RUN(save_resume_and_vocabulary);
    return test_finish();
}
