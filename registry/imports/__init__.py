"""Bulk import of registry records from CSV and XLSX files (see ``pipeline``)."""
