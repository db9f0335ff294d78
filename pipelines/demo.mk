# The embedded demo: the whole WSDEC chain on data the project makes itself
# (testdata/demo captions -> feat-synth features), ending in the official
# score table. `make demo` runs it; it needs no download and no GPU.
#
#   make -f pipelines/demo.mk [DEMO=dir] [SEED=n] [THREADS=n] [DEVICE=auto|cpu|cuda] [CG_EPOCHS=n] [WSD_EPOCHS=n]
#
# The models are smaller than the paper's (hidden 128, not 512) so the chain
# finishes in minutes on two cores; pipelines/anet.mk is the full recipe.
# Debian ships no Meteor 1.5 data, so the pseudo-labels of the SL epochs use
# the unigram-F stand-in (wsdec-train says so on stderr) and the score table
# leaves METEOR out unless WSD_METEOR_DIR names a Meteor data tree.
# It ends by writing $(DEMO)/report.html (densevid-report: score table,
# timelines of every validation video, both training curves) and printing its path.

BIN     ?= bin
DEMO    ?= runs/demo
SEED    ?= 233
THREADS ?= 0
DEVICE  ?= auto
CG_EPOCHS  ?= 30
WSD_EPOCHS ?= 8
DATA    := testdata/demo
MODEL   := --hidden 128 --embed 128 --sample-rate 1
RUN     := --seed $(SEED) --threads $(THREADS) --device $(DEVICE)

include pipelines/recipe.mk

.PHONY: all scores report
all: report

$(DEMO)/.dir:
	@mkdir -p $(DEMO) && touch $@

$(DEMO)/%.tsr: $(DATA)/captions_%.json | $(DEMO)/.dir
	$(BIN)/feat-synth --dim 100 --seed 1 $< -o $@

$(DEMO)/vocab.json: $(DATA)/captions_train.json | $(DEMO)/.dir
	$(BIN)/vocab-build -q $< -o $@

# Caption generator pretrained on whole-video segments (train_cg_pretrain.py).
$(DEMO)/cg.h5: $(DEMO)/train.tsr $(DEMO)/vocab.json
	$(BIN)/cg-pretrain --feats $(DEMO)/train.tsr --captions $(DATA)/captions_train.json \
	    --vocab $(DEMO)/vocab.json $(MODEL) $(RUN) --batch 20 --epochs $(CG_EPOCHS) --milestones 20 \
	    --log-every 100 --log $(DEMO)/cg.log.jsonl $(RESUMABLE) && $(FINISH)

# The final model: SL epochs 0 and 5 (pseudo-labels), cycle epochs between.
$(DEMO)/final.h5: $(DEMO)/cg.h5 $(DEMO)/train.tsr
	$(BIN)/wsdec-train --feats $(DEMO)/train.tsr --captions $(DATA)/captions_train.json \
	    --cg $(DEMO)/cg.h5 $(RUN) --pseudo-label-metric unigram-f --epochs $(WSD_EPOCHS) --batch 20 \
	    --milestones 6 --log-every 100 --log $(DEMO)/wsdec.log.jsonl $(RESUMABLE) && $(FINISH)

# The test-time cycle as a pipeline: random proposals -> captions -> segments
# (filtered, merged) -> captions of the kept segments.
$(DEMO)/pred.jsonl: $(DEMO)/final.h5 $(DEMO)/val.tsr
	$(BIN)/caption --model $(DEMO)/final.h5 --feats $(DEMO)/val.tsr --videos $(DATA)/captions_val.json \
	    --proposals random:15 --seed $(SEED) --threads $(THREADS) --device $(DEVICE) \
	  | $(BIN)/localize --model $(DEMO)/final.h5 --feats $(DEMO)/val.tsr --threads $(THREADS) --device $(DEVICE) \
	  | $(BIN)/caption --model $(DEMO)/final.h5 --feats $(DEMO)/val.tsr --threads $(THREADS) --device $(DEVICE) -o $@

scores: $(DEMO)/pred.jsonl
	$(BIN)/densevid-score $(if $(WSD_METEOR_DIR),,--no-meteor) -s $< -r $(DATA)/captions_val.json \
	    --per-video $(DEMO)/per-video.jsonl

# Everything on one page; the training logs of earlier runs may be absent.
report: scores
	$(BIN)/densevid-report -q -s $(DEMO)/pred.jsonl -r $(DATA)/captions_val.json --scores $(DEMO)/per-video.jsonl \
	    $(foreach l,cg wsdec,$(if $(wildcard $(DEMO)/$(l).log.jsonl),--log $(l)=$(DEMO)/$(l).log.jsonl)) \
	    --title "wsdec demo" -o $(DEMO)/report.html
	@echo "report: $(DEMO)/report.html"
