"""The multi-agency case audit's working pages: rounds, their sample and team, each child's
audit and its moderation (under /dataset/audits/)."""

urlpatterns: list = []
