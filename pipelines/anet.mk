# The full WSDEC reproduction on ActivityNet Captions (XgDuan/WSDEC train_script/, eval_script/):
# pretraining, the final model, both baselines, the three evaluations and the
# author's random-seed sweep. The data are downloaded by data/download.sh.
#
#   make -f pipelines/anet.mk [ANET=data/anet] [METEOR_DIR=dir] [DEVICE=cuda] [-j N]
#
# ANET holds train_modified.json (or train.json: set TRAIN=), val_1.json,
# val_2.json and sub_activitynet_v1-3.c3d.hdf5. METEOR_DIR is a Meteor 1.5
# data tree (english.words, english.prefixes, paraphrase-en.gz): the SL epochs'
# pseudo-labels and the scorer's METEOR need it; Debian ships only WordNet.
# Everything lands in OUT; each target is one command, so `make -n` shows the
# recipe, `make -j` runs the independent trainings side by side, and a failed
# or killed training resumes where it stopped when make runs again (its
# checkpoint, OUT/NAME.part.h5, is written every epoch; see recipe.mk).
#
# Targets: features, pretrain, final, baselines, eval (the default: every
# evaluation below), sweep.

ANET       ?= data/anet
TRAIN      ?= $(ANET)/train_modified.json
VAL1       ?= $(ANET)/val_1.json
VAL2       ?= $(ANET)/val_2.json
C3D        ?= $(ANET)/sub_activitynet_v1-3.c3d.hdf5
OUT        ?= runs/anet
BIN        ?= bin
DEVICE     ?= auto
METEOR_DIR ?= $(WSD_METEOR_DIR)
SEED       ?= 233
# Checkpoint selection (train_cg_pretrain.py, GitHub issue #7): the author's advice is
# the pretraining epoch near 20, not the last of 100.
CG_EPOCHS  ?= 20
# Extra options for every cg-pretrain / wsdec-train run (model sizes, batch
# sizes, --pseudo-label-metric for a run without Meteor data) and the sweep's
# grid.
CG_OPTS    ?=
WSD_OPTS   ?=
SWEEP_N    ?= 10 15 20
SWEEP_SEEDS ?= 233 346 581 910 191
REFS       := $(VAL1) $(VAL2)
RUN        := --device $(DEVICE) --seed $(SEED)
METEOR     := $(if $(METEOR_DIR),--meteor-dir $(METEOR_DIR))
SCORE      := $(BIN)/densevid-score $(if $(METEOR_DIR),--meteor-dir $(METEOR_DIR),--no-meteor) -r $(REFS)

include pipelines/recipe.mk

# Predictions are results too: keep them, not only the score tables.
.SECONDARY:
.PHONY: all features pretrain final baselines eval sweep
all: eval

$(OUT)/.dir:
	@mkdir -p $(OUT)/eval $(OUT)/sweep && touch $@

# Features: the official HDF5 cut into one tensor stream per split. Shard with
# `split`, GNU parallel or a job array and `cat` the pieces for big runs.
$(OUT)/train.tsr: $(TRAIN) | $(OUT)/.dir
	$(BIN)/feat-extract --hdf5 $(C3D) --ids $(TRAIN) -o $@
$(OUT)/val.tsr: $(VAL1) | $(OUT)/.dir
	$(BIN)/feat-extract --hdf5 $(C3D) --ids $(VAL1) -o $@
features: $(OUT)/train.tsr $(OUT)/val.tsr

$(OUT)/vocab.json: $(TRAIN) | $(OUT)/.dir
	$(BIN)/vocab-build $(TRAIN) -o $@

# train_cg_pretrain.py: caption generator on whole-video segments, validation loss per epoch.
# The training loss may climb within the first epoch: the reference's recipe
# (lr 0.01, momentum 0.8, no clipping) does so in PyTorch too (cg-pretrain(1)).
$(OUT)/cg.h5: $(OUT)/train.tsr $(OUT)/val.tsr $(OUT)/vocab.json
	$(BIN)/cg-pretrain --feats $(OUT)/train.tsr --captions $(TRAIN) --vocab $(OUT)/vocab.json \
	    --val-captions $(VAL1) --val-feats $(OUT)/val.tsr --epochs $(CG_EPOCHS) --keep-every 5 \
	    $(RUN) $(CG_OPTS) --log $(@:.h5=.log.jsonl) $(RESUMABLE) && $(FINISH)
pretrain: $(OUT)/cg.h5

# train_final.py final model; train_baseline_regressor.py no-classification
# baseline; train_final.py --regressor_scale 0 no-regression baseline.
$(OUT)/final.h5: $(OUT)/cg.h5
	$(BIN)/wsdec-train --feats $(OUT)/train.tsr --captions $(TRAIN) --cg $(OUT)/cg.h5 $(METEOR) \
	    $(RUN) $(WSD_OPTS) --keep-every 5 --log $(@:.h5=.log.jsonl) $(RESUMABLE) && $(FINISH)
$(OUT)/noclass.h5: $(OUT)/cg.h5
	$(BIN)/wsdec-train --feats $(OUT)/train.tsr --captions $(TRAIN) --cg $(OUT)/cg.h5 \
	    --baseline no-class $(RUN) $(WSD_OPTS) --keep-every 10 --log $(@:.h5=.log.jsonl) $(RESUMABLE) && $(FINISH)
$(OUT)/noregress.h5: $(OUT)/cg.h5
	$(BIN)/wsdec-train --feats $(OUT)/train.tsr --captions $(TRAIN) --cg $(OUT)/cg.h5 $(METEOR) \
	    --regressor-scale 0 $(RUN) $(WSD_OPTS) --keep-every 5 --log $(@:.h5=.log.jsonl) $(RESUMABLE) && $(FINISH)
final: $(OUT)/final.h5
baselines: $(OUT)/noclass.h5 $(OUT)/noregress.h5

# eval_script/evaluate.py dense captioning: random proposals -> caption -> localize (filter,
# merge) -> caption, for the final model and each baseline.
$(OUT)/eval/%.jsonl: $(OUT)/%.h5 $(OUT)/val.tsr | $(OUT)/.dir
	$(BIN)/caption --model $< --feats $(OUT)/val.tsr --videos $(VAL1) --proposals random:15 --seed $(SEED) \
	  | $(BIN)/localize --model $< --feats $(OUT)/val.tsr \
	  | $(BIN)/caption --model $< --feats $(OUT)/val.tsr -o $@

# eval_script/evaluate_pretrain.py: the pretrained generator alone, one random
# segment per video.
$(OUT)/eval/pretrain-random.jsonl: $(OUT)/cg.h5 $(OUT)/val.tsr | $(OUT)/.dir
	$(BIN)/caption --model $< --feats $(OUT)/val.tsr --videos $(VAL1) --proposals random:1 --share 1 \
	    --seed $(SEED) -o $@

# eval_script/evaluate_localization.py: every ground-truth sentence of val_1 (and of
# val_2, whose videos are val_1's) localized on its own, no filter, each
# keeping its reference segment as gt_timestamp; scored as WSDEC's
# scripts/densevid_eval_localization.py does (ANETcaptions.evaluate_new_detection): R@1 at tIoU 0.1-0.9 and
# mIoU, against that one reference file. METEOR of the ground-truth sentences
# themselves would only cost time.
$(OUT)/eval/localization.jsonl: $(OUT)/final.h5 $(OUT)/val.tsr | $(OUT)/.dir
	$(BIN)/localize --model $< --feats $(OUT)/val.tsr --videos $(VAL1) --no-filter -o $@
$(OUT)/eval/localization-val2.jsonl: $(OUT)/final.h5 $(OUT)/val.tsr | $(OUT)/.dir
	$(BIN)/localize --model $< --feats $(OUT)/val.tsr --videos $(VAL2) --no-filter -o $@

$(OUT)/eval/%.txt: $(OUT)/eval/%.jsonl
	$(SCORE) -s $< --per-video $(@:.txt=.per-video.jsonl) >$@
	cat $@
$(OUT)/eval/localization.txt: $(OUT)/eval/localization.jsonl
	$(BIN)/densevid-score --localization --no-meteor -r $(VAL1) -s $< >$@
	cat $@
$(OUT)/eval/localization-val2.txt: $(OUT)/eval/localization-val2.jsonl
	$(BIN)/densevid-score --localization --no-meteor -r $(VAL2) -s $< >$@
	cat $@

# The final model's predictions against val_1/val_2 (timelines, its scores)
# and the training curves of the pretraining and of the three models.
$(OUT)/report.html: $(OUT)/eval/final.txt
	$(BIN)/densevid-report -q -s $(OUT)/eval/final.jsonl -r $(REFS) --scores $(OUT)/eval/final.per-video.jsonl \
	    $(foreach l,cg final noclass noregress,$(if $(wildcard $(OUT)/$(l).log.jsonl),--log $(l)=$(OUT)/$(l).log.jsonl)) \
	    --title "WSDEC on ActivityNet Captions val_1: the final model" -o $@
	@echo "report: $@"

eval: $(foreach e,final noclass noregress pretrain-random localization localization-val2,$(OUT)/eval/$(e).txt) $(OUT)/report.html

# The author's scripts/run_random_test.sh: n_rand 10/15/20 x 5 seeds.
SWEEP := $(foreach n,$(SWEEP_N),$(foreach s,$(SWEEP_SEEDS),$(OUT)/sweep/final-n$(n)-s$(s).txt))
$(OUT)/sweep/final-n%.txt: $(OUT)/final.h5 $(OUT)/val.tsr | $(OUT)/.dir
	n=$$(echo $* | sed 's/-s.*//'); s=$$(echo $* | sed 's/.*-s//'); \
	$(BIN)/caption --model $< --feats $(OUT)/val.tsr --videos $(VAL1) --proposals random:$$n --seed $$s \
	  | $(BIN)/localize --model $< --feats $(OUT)/val.tsr \
	  | $(BIN)/caption --model $< --feats $(OUT)/val.tsr \
	  | $(SCORE) >$@
sweep: $(SWEEP)
	@for f in $(SWEEP); do printf '%s ' "$$(basename $$f .txt)"; grep -A9 Average $$f | grep CIDEr; done
