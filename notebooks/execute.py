"""Execute notebooks headless with nbclient; a failing cell fails the run, and so does a cell
that plots but shows no figure.

A cell plots when its code makes a matplotlib figure (`plt.subplots(`, `plt.figure(`); each such
cell must leave at least one `image/png` output, as it does in Jupyter with the inline backend.
The count of image outputs per notebook is printed.

Usage: python notebooks/execute.py NOTEBOOK.ipynb...  (outputs are not written back: the
committed notebooks stay without outputs)."""
import re
import sys
import time

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

PLOTS = re.compile(r"\bplt\.(subplots|figure)\(")


def images(cell):
    """The number of image/png outputs of an executed cell."""
    return sum(1 for o in cell.get("outputs", []) if "image/png" in o.get("data", {}))


def check_figures(nb):
    """(plotting cells, image outputs, plotting cells without an image: their indices)."""
    plotting = [(i, c) for i, c in enumerate(nb.cells) if c.cell_type == "code" and PLOTS.search(c.source)]
    blank = [i for i, c in plotting if images(c) == 0]
    total = sum(images(c) for c in nb.cells if c.cell_type == "code")
    return len(plotting), total, blank


passed, failed = 0, 0
for path in sys.argv[1:]:
    nb = nbformat.read(path, as_version=4)
    start = time.time()
    try:
        NotebookClient(nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": "."}}).execute()
    except CellExecutionError as e:
        failed += 1
        print(f"FAILED: {path}\n{e}")
        continue
    plotting, total, blank = check_figures(nb)
    print(f"{path}: {plotting} plotting cells, {total} image/png outputs")
    if blank:
        failed += 1
        print(f"FAILED: {path}: plotting cells {blank} show no image/png output")
    else:
        passed += 1
        print(f"ok: {path} ({time.time() - start:.1f} s)")
print(f"notebooks: {passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
