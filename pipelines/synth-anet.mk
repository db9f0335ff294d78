# WSDEC on synthetic features made from real ActivityNet Captions sentences:
# the measurements of issue 5 without the 80 GB of C3D features. feat-synth
# gives each real sentence a learnable trace inside its real time span, so
# the numbers below say whether training and the test-time cycle work, not
# what the paper's models reach on real video.
#
#   make -f pipelines/synth-anet.mk [ANET=../shared/data/activitynet-captions]
#        [NTRAIN=1000] [NVAL=200] [OUT=runs/synth-anet] [THREADS=0]
#
# It prints, each with the command behind it:
#   - the caption loss of cg-pretrain and wsdec-train per epoch (falls; within
#     cg-pretrain's epoch 0 it can climb after a dozen batches, and the PyTorch
#     reference does the same on the same batches: cg-pretrain(1) NOTES);
#   - CIDEr on the ground-truth validation segments: the caption generator
#     trained on ground-truth segments (train_cg.py), the pretrained one (train_cg_pretrain.py), and
#     the most frequent training sentence everywhere (the floor);
#   - recall/precision at tIoU 0.5: the pretrained generator with one random
#     segment per video (eval_script/evaluate_pretrain.py) and with 15 (no
#     localizer) against the final model's test-time cycle (eval_script/evaluate.py), which keeps
#     about one segment per video;
#   - sentence localization of the final model (evaluate_localization.py,
#     densevid_eval_localization.py): every ground-truth sentence of val and val_2 localized on its
#     own, R@1 at tIoU 0.1/0.3/0.5/0.7 and mIoU (densevid-score --localization).
# Needs python3 only to cut the first NTRAIN/NVAL videos out of the JSON files
# and to write the most-frequent-sentence baseline.

ANET    ?= ../shared/data/activitynet-captions
NTRAIN  ?= 1000
NVAL    ?= 200
OUT     ?= runs/synth-anet
THREADS ?= 0
SEED    ?= 233
BIN     ?= bin
SYNTH   := --dim 100 --rows-per-second 1 --seed 7
MODEL   := --hidden 256 --embed 256 --sample-rate 1
RUN     := --seed $(SEED) --threads $(THREADS) --log-every 1000
REFS    := $(OUT)/val.json $(OUT)/val_2.json

include pipelines/recipe.mk

.PHONY: all report
all: report

$(OUT)/.dir:
	@mkdir -p $(OUT) && touch $@

# The first N videos of each file, in the file's order (val_2 keeps the ids of
# the val_1 subset, as the official evaluator reads both).
$(OUT)/train.json $(OUT)/val.json $(OUT)/val_2.json &: | $(OUT)/.dir
	python3 -c 'import json, sys; \
	  cut = lambda d, ids: {k: d[k] for k in ids if k in d}; \
	  tr = json.load(open("$(ANET)/train_modified.json")); \
	  v1 = json.load(open("$(ANET)/val_1.json")); v2 = json.load(open("$(ANET)/val_2.json")); \
	  ids = list(v1)[:$(NVAL)]; \
	  json.dump(cut(tr, list(tr)[:$(NTRAIN)]), open("$(OUT)/train.json", "w")); \
	  json.dump(cut(v1, ids), open("$(OUT)/val.json", "w")); \
	  json.dump(cut(v2, ids), open("$(OUT)/val_2.json", "w"))'

$(OUT)/%.tsr: $(OUT)/%.json
	$(BIN)/feat-synth $(SYNTH) $< -o $@

$(OUT)/vocab.json: $(OUT)/train.json
	$(BIN)/vocab-build $< -o $@

$(OUT)/cg.h5: $(OUT)/train.tsr $(OUT)/vocab.json
	[ -e $(PART) ] || rm -f $(OUT)/cg.log
	$(BIN)/cg-pretrain --feats $(OUT)/train.tsr --captions $(OUT)/train.json --vocab $(OUT)/vocab.json \
	    $(MODEL) $(RUN) --batch 36 --epochs 25 --milestones 20 --log $(OUT)/cg.log.jsonl $(RESUMABLE) 2>>$(OUT)/cg.log && $(FINISH)

$(OUT)/cg_gt.h5: $(OUT)/train.tsr $(OUT)/vocab.json
	[ -e $(PART) ] || rm -f $(OUT)/cg_gt.log
	$(BIN)/cg-pretrain --feats $(OUT)/train.tsr --captions $(OUT)/train.json --vocab $(OUT)/vocab.json \
	    --segments gt $(MODEL) $(RUN) --batch 36 --epochs 25 --milestones 20 --log $(OUT)/cg_gt.log.jsonl $(RESUMABLE) 2>>$(OUT)/cg_gt.log && $(FINISH)

$(OUT)/final.h5: $(OUT)/cg.h5
	[ -e $(PART) ] || rm -f $(OUT)/final.log
	$(BIN)/wsdec-train --feats $(OUT)/train.tsr --captions $(OUT)/train.json --cg $(OUT)/cg.h5 \
	    $(RUN) --pseudo-label-metric unigram-f --epochs 8 --log $(OUT)/final.log.jsonl $(RESUMABLE) 2>>$(OUT)/final.log && $(FINISH)

# Ground-truth segments captioned by each generator, and the floor.
$(OUT)/gt_cg_gt.jsonl: $(OUT)/cg_gt.h5 $(OUT)/val.tsr
	$(BIN)/caption -q --model $< --feats $(OUT)/val.tsr --videos $(OUT)/val.json -o $@
$(OUT)/gt_cg.jsonl: $(OUT)/cg.h5 $(OUT)/val.tsr
	$(BIN)/caption -q --model $< --feats $(OUT)/val.tsr --videos $(OUT)/val.json -o $@
$(OUT)/gt_frequent.jsonl: $(OUT)/train.json $(OUT)/val.json
	python3 -c 'import json, collections; \
	  tr = json.load(open("$(OUT)/train.json")); \
	  top = collections.Counter(s.strip().lower() for v in tr.values() for s in v["sentences"]).most_common(1)[0][0]; \
	  out = open("$@", "w"); \
	  [print(json.dumps({"video_id": k, "duration": v["duration"], \
	     "events": [{"timestamp": t, "sentence": top} for t in v["timestamps"]]}), file=out) \
	   for k, v in json.load(open("$(OUT)/val.json")).items()]'

# Pretrained generator, one random segment per video; the final model's cycle.
$(OUT)/random_cg.jsonl: $(OUT)/cg.h5 $(OUT)/val.tsr
	$(BIN)/caption -q --model $< --feats $(OUT)/val.tsr --videos $(OUT)/val.json \
	    --proposals random:1 --share 1 --seed $(SEED) -o $@
$(OUT)/random15_cg.jsonl: $(OUT)/cg.h5 $(OUT)/val.tsr
	$(BIN)/caption -q --model $< --feats $(OUT)/val.tsr --videos $(OUT)/val.json \
	    --proposals random:15 --seed $(SEED) -o $@
$(OUT)/cycle.jsonl: $(OUT)/final.h5 $(OUT)/val.tsr
	$(BIN)/caption -q --model $< --feats $(OUT)/val.tsr --videos $(OUT)/val.json --proposals random:15 --seed $(SEED) \
	  | $(BIN)/localize -q --model $< --feats $(OUT)/val.tsr \
	  | $(BIN)/caption -q --model $< --feats $(OUT)/val.tsr -o $@

# Every ground-truth sentence localized on its own, keeping its gt_timestamp.
$(OUT)/localization-%.jsonl: $(OUT)/final.h5 $(OUT)/val.tsr $(OUT)/%.json
	$(BIN)/localize -q --model $< --feats $(OUT)/val.tsr --videos $(OUT)/$*.json --no-filter -o $@

SCORE = $(BIN)/densevid-score --no-meteor --json -r $(REFS) -s
RESULTS := gt_cg_gt gt_cg gt_frequent random_cg random15_cg cycle
report: $(RESULTS:%=$(OUT)/%.jsonl) $(OUT)/localization-val.jsonl $(OUT)/localization-val_2.jsonl
	@echo "== caption loss per epoch (cg-pretrain full, cg-pretrain gt, wsdec-train cycle)"
	@grep -h "done" $(OUT)/cg.log | sed 's/^/  cg full: /'
	@grep -h "done" $(OUT)/cg_gt.log | sed 's/^/  cg gt:   /'
	@grep -h "done" $(OUT)/final.log | sed 's/^/  final:   /'
	@echo "== scores (x100; mean over tIoU 0.3/0.5/0.7/0.9, and at 0.5)"
	@for f in $(RESULTS); do \
	  $(SCORE) $(OUT)/$$f.jsonl >$(OUT)/$$f.score.json || exit 1; \
	  python3 -c 'import json, sys; m = json.load(open(sys.argv[1]))["metrics"]; \
	    print("  %-12s" % sys.argv[2], "  ".join("%s %.2f (@0.5 %.2f)" % (k, 100 * m[k]["mean"], \
	      100 * m[k]["per_tiou"]["0.5"]) for k in ("CIDEr", "Bleu_4", "Recall", "Precision")))' \
	    $(OUT)/$$f.score.json $$f; \
	done
	@python3 -c 'import json, sys; n = [len(json.loads(l)["events"]) for l in open(sys.argv[1])]; \
	  print("  cycle keeps %.2f segments per video (of 15 proposals)" % (sum(n) / len(n)))' $(OUT)/cycle.jsonl
	@echo "== sentence localization of the final model (x100; R@1 = hits / sentences, tIoU > t; mIoU)"
	@for v in val val_2; do \
	  $(BIN)/densevid-score --localization --no-meteor --json -r $(OUT)/$$v.json -s $(OUT)/localization-$$v.jsonl \
	    >$(OUT)/localization-$$v.score.json || exit 1; \
	  python3 -c 'import json, sys; d = json.load(open(sys.argv[1]))["localization"]; r = d["R@1 score"]["per_tiou"]; \
	    print("  %-6s" % sys.argv[2], "  ".join("R@1@%s %.2f" % (t, 100 * r[t]) for t in ("0.1", "0.3", "0.5", "0.7")), \
	      " mIoU %.2f (%d sentences)" % (100 * d["mIoU"], d["sentences"]))' $(OUT)/localization-$$v.score.json $$v; \
	done
	@$(BIN)/densevid-report -q -s $(OUT)/cycle.jsonl -r $(REFS) \
	    $(foreach l,cg cg_gt final,$(if $(wildcard $(OUT)/$(l).log.jsonl),--log $(l)=$(OUT)/$(l).log.jsonl)) \
	    --title "WSDEC on synthetic ActivityNet features: the final model's cycle" -o $(OUT)/report.html
	@echo "report: $(OUT)/report.html"
