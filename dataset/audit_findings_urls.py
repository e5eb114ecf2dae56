"""The multi-agency case audit's findings: results, learning and themes, agreed actions and
the export (under /dataset/audits/)."""

urlpatterns: list = []
