"""Rebuild the trimmed fonts in static/fonts/ (see contest/fonts.py for why).

    python -m contest.certificates.trim_fonts [/usr/share/fonts/truetype/dejavu]
"""

from __future__ import annotations

from pathlib import Path

from contest.fonts import FILES, FONT_DIR, UNICODE_RANGES


def build(source_dir: str) -> None:
    """Write the trimmed fonts into static/fonts/ from the original DejaVu 2.37 files."""
    from fontTools import subset  # development dependency: only needed to rebuild the files

    for filename in FILES.values():
        subset.main([str(Path(source_dir) / filename), f"--unicodes={UNICODE_RANGES}", "--no-hinting",
                     "--layout-features=", "--drop-tables+=kern,GPOS,GSUB,GDEF,FFTM,MATH",
                     "--name-IDs=0,1,2,3,4,5,6,14",
                     f"--output-file={FONT_DIR / filename}"])


if __name__ == "__main__":
    import sys

    build(sys.argv[1] if len(sys.argv) > 1 else "/usr/share/fonts/truetype/dejavu")
