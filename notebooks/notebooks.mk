# Graphs: PNGs, report.html and an executed notebook from one results folder.
# Python only: these targets compile nothing, so they work on a folder copied from elsewhere.
#
#   make graph                       plots + report.html for results/latest
#   make graph RESULTS=results/ID    ... for another run
#   make notebook RESULTS=...        executes notebooks/responsiveness.ipynb on that run and
#                                    leaves the executed copy next to the report

RESULTS ?= results/latest
# Debian's interpreter: its matplotlib and pandas come from `make deps` (no PyPI here).
GRAPH_PYTHON := /usr/bin/python3
GRAPH_PACKAGES := python3-matplotlib python3-pandas
NOTEBOOK_PACKAGES := $(GRAPH_PACKAGES) jupyter-nbconvert python3-ipykernel

.PHONY: graph notebook

graph:
	@$(call apt_install,$(GRAPH_PACKAGES))
	@$(GRAPH_PYTHON) notebooks/offload_graphs.py "$(RESULTS)"

notebook:
	@$(call apt_install,$(NOTEBOOK_PACKAGES))
	@test -d "$(RESULTS)" || { echo "make notebook: $(RESULTS): no such results folder" >&2; exit 2; }
	@OFFLOAD_RESULTS="$(abspath $(RESULTS))" PYDEVD_DISABLE_FILE_VALIDATION=1 \
	  $(GRAPH_PYTHON) -m nbconvert --to notebook --execute notebooks/responsiveness.ipynb \
	  --output-dir "$(RESULTS)" --output responsiveness.ipynb --log-level WARN
	@echo "$(RESULTS)/responsiveness.ipynb"
