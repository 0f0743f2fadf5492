"""Execute notebooks headless with nbclient; a failing cell fails the run.

Usage: python notebooks/execute.py NOTEBOOK.ipynb...  (outputs are not written back: the
committed notebooks stay without outputs)."""
import sys
import time

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

passed, failed = 0, 0
for path in sys.argv[1:]:
    nb = nbformat.read(path, as_version=4)
    start = time.time()
    try:
        NotebookClient(nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": "."}}).execute()
        passed += 1
        print(f"ok: {path} ({time.time() - start:.1f} s)")
    except CellExecutionError as e:
        failed += 1
        print(f"FAILED: {path}\n{e}")
print(f"notebooks: {passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
