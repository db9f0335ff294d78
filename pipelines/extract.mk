# C3D features of a list of videos, the official ActivityNet recipe
# (feat-extract(1)), in shards that run side by side:
#
#   make -f pipelines/extract.mk LIST=videos.txt [OUT=runs/extract] [SHARDS=8] [-j 8]
#        [C3D_DIR=data/c3d] [WEIGHTS=..] [MEAN=..] [PCA=..|NO_PCA=1] [DEVICE=cpu] [BIN=bin]
#
# LIST has one video per line, "ID PATH" or "PATH" (id = file name), as
# feat-extract --videos reads it. Video i goes to shard i mod SHARDS; each
# shard extracts its videos one by one into OUT/videos/ID.tsr, skipping those
# already there (a finished video is never redone; a failed one leaves its
# message in OUT/failed/ID.txt and fails its shard, after the shard's other
# videos), then concatenates them into OUT/shard-K.tsr. OUT/features.tsr is
# the shards concatenated (tensor streams concatenate with cat), and
# `make ... hdf5` writes OUT/features.hdf5 in the official layout. Re-running
# after adding videos to LIST extracts only the new ones.
# C3D_DIR is where `sh data/download.sh c3d` put the model, mean and PCA.
include pipelines/recipe.mk

LIST    ?= videos.txt
OUT     ?= runs/extract
SHARDS  ?= 8
BIN     ?= bin
DEVICE  ?= cpu
C3D_DIR ?= data/c3d
WEIGHTS ?= $(C3D_DIR)/conv3d_deepnetA_sport1m_iter_1900000
MEAN    ?= $(C3D_DIR)/sport1m_train16_128_mean.binaryproto
PCA     ?= $(C3D_DIR)/PCA_activitynet_v1-3.hdf5
NO_PCA  ?=
FE_OPTS ?=
FE      := $(BIN)/feat-extract --weights $(WEIGHTS) --mean $(MEAN) $(if $(NO_PCA),--no-pca,--pca $(PCA)) \
           --device $(DEVICE) $(FE_OPTS) -q

SHARD_IDS := $(shell seq 0 $$(($(SHARDS) - 1)))
SHARD_TSR := $(SHARD_IDS:%=$(OUT)/shard-%.tsr)

.PHONY: all hdf5 lists
all: $(OUT)/features.tsr
hdf5: $(OUT)/features.hdf5

# The shard lists are rewritten only when their content changes, so that
# finished shards stay up to date.
$(OUT)/lists.stamp: $(LIST)
	@mkdir -p $(OUT)/videos $(OUT)/failed
	awk -v n=$(SHARDS) -v out=$(OUT) 'BEGIN { for (k = 0; k < n; k++) printf "" > (out "/shard-" k ".new") } \
	    /^[ \t]*(#|$$)/ { next } { print > (out "/shard-" (i++ % n) ".new") }' $(LIST)
	for k in $(SHARD_IDS); do cmp -s $(OUT)/shard-$$k.new $(OUT)/shard-$$k.list || mv $(OUT)/shard-$$k.new $(OUT)/shard-$$k.list; \
	    rm -f $(OUT)/shard-$$k.new; done
	touch $@

$(OUT)/shard-%.list: $(OUT)/lists.stamp ;

# One shard: every video not yet done, then the shard's stream in list order.
$(OUT)/shard-%.tsr: $(OUT)/shard-%.list
	bad=0; while read -r a b; do \
	    if [ -n "$$b" ]; then id=$$a; path=$$b; else path=$$a; id=$$(basename "$${a%.*}"); fi; \
	    [ -s "$(OUT)/videos/$$id.tsr" ] && continue; \
	    if $(FE) --video "$$path" --id "$$id" -o "$(OUT)/videos/$$id.tsr" 2>"$(OUT)/failed/$$id.txt"; then \
	        rm -f "$(OUT)/failed/$$id.txt"; else echo "extract.mk: $$id failed: $$(cat "$(OUT)/failed/$$id.txt")" >&2; bad=1; fi; \
	done <$<; [ $$bad = 0 ]
	while read -r a b; do \
	    if [ -n "$$b" ]; then id=$$a; else id=$$(basename "$${a%.*}"); fi; cat "$(OUT)/videos/$$id.tsr"; \
	done <$< >$@

$(OUT)/features.tsr: $(SHARD_TSR)
	cat $^ >$@

$(OUT)/features.hdf5: $(OUT)/features.tsr
	$(BIN)/feat-extract $< --format hdf5 -o $@ -q
