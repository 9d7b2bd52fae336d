"""QR codes drawn as vector shapes.

segno computes the module matrix (pure Python, about a millisecond for a URL); the dark
modules go into one PDF path, one rectangle per horizontal run. reportlab's own QR widget
builds a drawing object per module and was six times slower than a bare page.

The mask pattern is fixed: choosing the "best" of the eight masks costs segno about 9 ms a
code (more than a whole page), and every mask gives a valid, readable symbol.
"""

from __future__ import annotations

import segno
from reportlab.pdfgen.canvas import Canvas

QUIET_ZONE = 4  # modules of light margin a scanner needs around the symbol
MASK = 0


def qr_matrix(data: str) -> tuple[bytearray, ...]:
    """Rows of 0/1 modules (no quiet zone) for `data` at error correction level M (15 %)."""
    return segno.make_qr(data, error="m", mask=MASK, boost_error=False).matrix


def dark_runs(matrix: tuple[bytearray, ...]) -> list[tuple[int, int, int]]:
    """(row, first column, length) of every horizontal run of dark modules."""
    runs = []
    for row_index, row in enumerate(matrix):
        start = None
        for column, module in enumerate(row):
            if module and start is None:
                start = column
            elif not module and start is not None:
                runs.append((row_index, start, column - start))
                start = None
        if start is not None:
            runs.append((row_index, start, len(row) - start))
    return runs


def draw_qr(canvas: Canvas, data: str, x: float, y: float, size: float) -> None:
    """Draw the symbol with its quiet zone inside the square of side `size` at (x, y).

    The runs are written as raw path operators in module units under one transformation:
    whole numbers print fast and short, where reportlab's path API formats every float.
    """
    matrix = qr_matrix(data)
    module = size / (len(matrix) + 2 * QUIET_ZONE)
    operators = " ".join(f"{column} {-row - 1} {length} 1 re" for row, column, length in dark_runs(matrix))
    canvas.saveState()
    canvas.translate(x + QUIET_ZONE * module, y + size - QUIET_ZONE * module)
    canvas.scale(module, module)
    canvas.setFillColorRGB(0, 0, 0)
    canvas.addLiteral(operators + " f")
    canvas.restoreState()
