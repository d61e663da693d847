# The Python package (python/ssmheads; issue 18, doc/python.md): pure Python
# over the JSON entry point of libssmheads (mk/api.mk), installed into the
# site directory of the interpreter configure chose (--without-python: not).
PYTHON_PACKAGE = python/ssmheads/__init__.py python/ssmheads/_native.py \
	python/ssmheads/errors.py python/ssmheads/exact.py python/ssmheads/model.py \
	python/ssmheads/attention.py python/ssmheads/results.py python/ssmheads/certificates.py \
	python/ssmheads/batch.py python/ssmheads/tensors.py python/ssmheads/weights.py \
	python/ssmheads/scan.py python/ssmheads/progress.py
PYTHON_TESTS = tests/python_corpus.test tests/python_exact.test tests/python_robust.test \
	tests/python_modules.test
EXTRA_DIST += $(PYTHON_PACKAGE) python/ssmheads/_config.py.in python/pyproject.toml \
	doc/python.md $(PYTHON_TESTS) tests/python_support.py tests/python_corpus.py \
	tests/python_exact.py tests/python_robust.py tests/python_modules.py \
	tests/s4d_transcription.py tests/lru_pytorch_transcription.py

# _config.py records where `make install` puts the library and the programs
# (expanded by make, so it holds real paths), for the package to find the
# library it was built with.
python/ssmheads/_config.py: $(srcdir)/python/ssmheads/_config.py.in Makefile
	$(AM_V_GEN)$(MKDIR_P) python/ssmheads && \
	sed -e 's|@libdir[@]|$(libdir)|g' -e 's|@bindir[@]|$(bindir)|g' \
	    -e 's|@PACKAGE_VERSION[@]|$(PACKAGE_VERSION)|g' \
	    $(srcdir)/python/ssmheads/_config.py.in > $@.tmp && mv $@.tmp $@
CLEANFILES += python/ssmheads/_config.py

if HAVE_PYTHON
pkgpython_PYTHON = $(PYTHON_PACKAGE)
nodist_pkgpython_PYTHON = python/ssmheads/_config.py
all-local: python/ssmheads/_config.py
TESTS += $(PYTHON_TESTS)

# `make installcheck` (distcheck runs it): the installed package, found by
# the chosen interpreter in pythondir, loads the installed library.
PYTHON_INSTALLCHECK = installcheck-python
installcheck-python:
	cd / && PYTHONPATH="$(DESTDIR)$(pythondir)" PYTHONDONTWRITEBYTECODE=1 \
	  env -u SSMHEADS_LIBRARY -u SSMHEADS_PROGRAM -u SSMHEADS_VERIFY_PROGRAM \
	  $(PYTHON) -c 'import ssmheads, sys; m = ssmheads.Model([[0, -1], [1, 0]], [[1, 0], [0, 1]], [[1, 0], [0, 1]]); k = m.heads(n=4).k; print("installed ssmheads", ssmheads.__version__, "from", ssmheads.__file__, ": k =", k); sys.exit(k != 2)'
endif
installcheck-local: $(PYTHON_INSTALLCHECK)
.PHONY: installcheck-python
AM_TESTS_ENVIRONMENT += SSMH_PYTHON='$(PYTHON)'; export SSMH_PYTHON;
