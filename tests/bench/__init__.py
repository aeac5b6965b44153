"""The performance benchmark (``python -m tests.bench``); not part of the pass/fail suite."""
