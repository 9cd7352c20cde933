"""Who may use the reports API: the whole policy, in one place (see docs/security.md)."""

from rest_framework.permissions import SAFE_METHODS, BasePermission

from reports import selectors
from uscpis.roles import is_admin, may_use_reports


class UsesReports(BasePermission):
    """Clinical staff and admins; patients with a login (STUDENT, FACULTY) may not."""

    message = "Your role does not give access to reports."

    def has_permission(self, request, view):
        return may_use_reports(request.user)


class MayUseTemplate(BasePermission):
    """A template is usable by the roles it allows (and by admins)."""

    message = "Your role may not use this report template."

    def has_object_permission(self, request, view, obj):
        return selectors.may_use_template(request.user, obj)


class IsClinicAdmin(BasePermission):
    """ADMIN (or a superuser) only."""

    message = "Only administrators may see this."

    def has_permission(self, request, view):
        return is_admin(request.user)


class IsPresetOwnerOrReadOnly(BasePermission):
    """A preset shared with the caller may be read and run; only its owner changes or deletes it."""

    message = "Only the preset's owner may change or delete it."

    def has_object_permission(self, request, view, obj):
        return request.method in SAFE_METHODS or view.action == "run" or obj.owner_id == request.user.pk
