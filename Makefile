# Two entry points, each setting up what it needs on a fresh machine with Python 3.11:
#   make demo   train a CNN on the built-in digits, render its graph, print where the outputs are
#   make test   run the whole test suite
#   make gpu-check   on a machine with an NVIDIA GPU: the gpu-marked tests and the GPU benchmark (<= 5 min)
VENV ?= .venv
PY := $(VENV)/bin/python

.PHONY: demo test graphviz openmpi docs bench gpu-check

# openmpi first: pip may build mpi4py against it (the binary wheel finds it at run time)
$(VENV)/.installed: setup.cfg pyproject.toml | openmpi
	python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -e ".[dev]"
	touch $@

# graphviz's `dot` renders the graphs; Debian's package, installed when we are root and it is missing.
graphviz:
	@command -v dot >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq graphviz >/dev/null; \
	  else echo "note: graphviz's 'dot' is missing (apt-get install graphviz / brew install graphviz)"; fi; }

# Open MPI (mpirun) runs the data-parallel tests and examples; Debian's, installed when we are root.
openmpi:
	@command -v mpirun >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq openmpi-bin libopenmpi-dev >/dev/null; \
	  else echo "note: Open MPI is missing (apt-get install openmpi-bin libopenmpi-dev / brew install open-mpi)"; fi; }

demo: $(VENV)/.installed graphviz
	$(PY) examples/train_digits.py

test: $(VENV)/.installed graphviz openmpi
	$(PY) -m pytest -q

docs: $(VENV)/.installed
	$(PY) -m mkdocs build --strict

bench: $(VENV)/.installed
	$(PY) benchmarks/run_all.py

# installs the CuPy wheel matching the driver when CuPy is missing; fails with the reason without a GPU
gpu-check: $(VENV)/.installed
	$(PY) benchmarks/gpu_check.py --python $(PY)
