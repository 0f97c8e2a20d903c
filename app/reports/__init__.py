"""Printable documents: each report is a context builder plus a template; pdf.py renders."""
