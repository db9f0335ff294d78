# Included by every recipe in pipelines/: a pipeline in a rule fails when any
# of its programs fails, not only the last, and a failed rule leaves no
# half-written target behind (make would otherwise take it as up to date).
# A rule that writes several files names them as a grouped target (`&:`), so
# `make -j` runs it once, not once per file.
SHELL := /bin/bash
.SHELLFLAGS := -o pipefail -c
.DELETE_ON_ERROR:

# Trainings resume by themselves. A trainer writes its per-epoch checkpoint to
# TARGET.part.h5 (no make target: neither .DELETE_ON_ERROR nor an interrupt
# removes it) and continues from it when it is there and newer than every
# prerequisite; the target appears (mv) only after the last epoch, with the
# numbered --keep-every copies renamed beside it. Kill make or the trainer at
# any moment and run make again: the final checkpoint is byte for byte the
# one an uninterrupted run writes. In a rule:
#     $(BIN)/cg-pretrain ... $(RESUMABLE) && $(FINISH)
PART = $(basename $@).part.h5
RESUMABLE = --out $(PART) $$([ -e $(PART) ] && [ -z "$$(find $^ -newer $(PART))" ] && echo --resume $(PART))
FINISH = for f in $(basename $@).part.epoch*.h5; do [ ! -e "$$f" ] || mv -f "$$f" "$${f/.part.epoch/.epoch}"; done; \
    mv -f $(PART) $@
