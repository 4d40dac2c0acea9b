"""Periodic reports (定期报告) of the command centre: weekly, monthly and quarterly figures per town and for
the district, archived as XLSX and PDF with their SHA-256 and pushed to subscribers through the outbox."""
