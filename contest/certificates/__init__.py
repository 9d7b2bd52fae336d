"""Certificates: diplomas, participation certificates and letters of thanks as PDF.

This package so far holds the pure renderer (`pdf`), its fonts (`fonts`), the QR drawing
(`qr`) and the verification codes (`codes`); issuing builds on top of them.
"""

from contest.certificates.codes import new_code, normalize_code
from contest.certificates.pdf import (
    FRAME_STYLES,
    Document,
    DocumentKind,
    Signatory,
    pdf_filename,
    render,
    render_many,
    write_zip,
)

__all__ = ["FRAME_STYLES", "Document", "DocumentKind", "Signatory", "new_code", "normalize_code", "pdf_filename",
           "render", "render_many", "write_zip"]
