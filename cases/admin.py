from django.contrib import admin

from .models import ChildListAccess


@admin.register(ChildListAccess)
class ChildListAccessAdmin(admin.ModelAdmin):
    """Administrators read the log here; nobody, administrators included, adds to it, changes
    it or deletes from it by hand, or it would no longer be evidence of what was disclosed."""

    list_display = ["at", "user", "kind", "what", "children"]
    list_filter = ["kind", "at"]
    list_select_related = ["user"]
    search_fields = ["user__username"]
    fields = ["at", "user", "kind", "what", "children"]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
