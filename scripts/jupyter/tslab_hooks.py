# nbclient hooks for the tslab kernel, loaded by scripts/jupyter/execute-notebook.ts with
# `jupyter nbconvert --execute --config=<this file>`. The per-cell time limit comes from the
# environment variable CVLAB_CELL_TIMEOUT (seconds).
#
# - tslab sends no execute_input, so cells get no execution_count: take it from the execute_reply.
# - A failing tslab cell has only stderr text and an execute_reply {status: "error"} with no ename:
#   add an `error` output built from that text, and tag the later code cells `skip-execution`
#   (nbclient skips them), so the run stops at the first error but the notebook is still written.
#   (tslab also aborts requests that reach it within 200 ms of an error, so running on is useless.)
# - A cell over the time limit is interrupted (SIGINT: tslab breaks out of the cell) and recorded
#   the same way.
import os
import re

from nbformat.v4 import new_output

CELL_TIMEOUT = int(os.environ.get("CVLAB_CELL_TIMEOUT", "300"))

_run = {}


def _notebook_start(notebook=None, **kwargs):
    _run["nb"] = notebook


def _cell_executed(cell=None, cell_index=None, execute_reply=None, **kwargs):
    content = (execute_reply or {}).get("content") or {}
    count = content.get("execution_count")
    if isinstance(count, int):
        cell["execution_count"] = count


def _error_from_stderr(lines):
    """ename and evalue for a tslab failure: compile errors first, then a thrown error's first line."""
    compile_errors = [l for l in lines if re.match(r"^\d+:\d+ - ", l)]
    thrown = [m for m in (re.match(r"^([A-Za-z_$][\w$]*): (.*)$", l) for l in lines) if m]
    if compile_errors:
        return "TypeScriptError", "\n".join(compile_errors)
    if thrown:
        return thrown[0].group(1), thrown[0].group(2)
    return "TslabError", (lines[-1] if lines else "the cell failed")


def _skip_later_cells(cell_index):
    nb = _run.get("nb")
    if nb is None or cell_index is None:
        return
    for later in nb.cells[cell_index + 1:]:
        if later.get("cell_type") == "code":
            later["outputs"] = []
            later["execution_count"] = None
            tags = later.setdefault("metadata", {}).setdefault("tags", [])
            if "skip-execution" not in tags:
                tags.append("skip-execution")


def _cell_error(cell=None, cell_index=None, execute_reply=None, **kwargs):
    content = (execute_reply or {}).get("content") or {}
    stderr = "".join(
        o.get("text", "") for o in cell.get("outputs", [])
        if o.get("output_type") == "stream" and o.get("name") == "stderr")
    ename = content.get("ename") or ""
    evalue = content.get("evalue") or ""
    if not ename:
        ename, evalue = _error_from_stderr([l for l in stderr.splitlines() if l.strip()])
    traceback = content.get("traceback") or stderr.splitlines() or [ename + ": " + evalue]
    if not any(o.get("output_type") == "error" for o in cell.get("outputs", [])):
        cell.outputs.append(new_output("error", ename=ename, evalue=evalue, traceback=traceback))
    _skip_later_cells(cell_index)


c.ExecutePreprocessor.on_notebook_start = _notebook_start  # noqa: F821 (`c` is the config traitlets provides)
c.ExecutePreprocessor.on_cell_executed = _cell_executed  # noqa: F821
c.ExecutePreprocessor.on_cell_error = _cell_error  # noqa: F821
c.ExecutePreprocessor.allow_errors = True  # noqa: F821
c.ExecutePreprocessor.skip_cells_with_tag = "skip-execution"  # noqa: F821
c.ExecutePreprocessor.timeout = CELL_TIMEOUT  # noqa: F821
c.ExecutePreprocessor.interrupt_on_timeout = True  # noqa: F821
c.ExecutePreprocessor.error_on_timeout = {  # noqa: F821
    "ename": "CellTimeoutError",
    "evalue": f"the cell did not finish within {CELL_TIMEOUT} s (interrupted)",
    "traceback": [f"CellTimeoutError: the cell did not finish within {CELL_TIMEOUT} s (interrupted)"],
}
