"""docs/engine.md's example runs and gives the numbers it claims."""

from __future__ import annotations

import re
from contextlib import redirect_stdout
from io import StringIO
from pathlib import Path

DOC = Path(__file__).resolve().parents[3] / "docs" / "engine.md"


def test_the_python_example_in_engine_md_runs() -> None:
    text = DOC.read_text()
    block = re.search(r"```python\n(.*?)```", text, re.S)
    assert block is not None
    out = StringIO()
    with redirect_stdout(out):
        exec(compile(block.group(1), str(DOC), "exec"), {})
    printed = out.getvalue().splitlines()
    assert printed[0] == "101.50"
    assert any("0.035" in line and "28.00" in line for line in printed)
