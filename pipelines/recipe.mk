# Included by every recipe in pipelines/: a pipeline in a rule fails when any
# of its programs fails, not only the last, and a failed rule leaves no
# half-written target behind (make would otherwise take it as up to date).
SHELL := /bin/bash
.SHELLFLAGS := -o pipefail -c
.DELETE_ON_ERROR:
