"""The HHS staff workspace. Every model admin is registered here, in one place."""

from django.contrib import admin
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.models import WebAuthnAttestation, WebAuthnCredential

from ratings.admin import program, workqueue
from ratings.admin.accounts import OrganizationAdmin, ProgramAdmin, UserAdmin
from ratings.admin.assignment import ConflictOfInterestAdmin
from ratings.admin.assistance import AssistanceCaseAdmin
from ratings.admin.authorizations import RatingAuthorizationAdmin
from ratings.admin.calendar import ClosureDayAdmin
from ratings.admin.credentials import ApiTokenAdmin, AuthorityGrantAdmin
from ratings.admin.notifications import NotificationAdmin
from ratings.admin.orders import RatedOrderAdmin
from ratings.admin.program.families import ItemFamilyAdmin
from ratings.admin.reconsideration import ReconsiderationAdmin
from ratings.admin.requests import RatingRequestAdmin
from ratings.admin.site import admin_site_has_permission
from ratings.models import (
    ApiToken,
    AssistanceCase,
    AuthorityGrant,
    ClosureDay,
    ConflictOfInterest,
    ItemFamily,
    Notification,
    Organization,
    Program,
    RatedOrder,
    RatingAuthorization,
    RatingRequest,
    Reconsideration,
    User,
)

admin.site.site_header = "DPA Priority Ratings — HHS/ASPR"
admin.site.site_title = "DPA Priority Ratings"
admin.site.index_title = "Work queue"
admin.site.has_permission = admin_site_has_permission  # type: ignore[method-assign]
# The home page is the caller's work queue (ratings.admin.workqueue), not a list of models.
admin.site.index = workqueue.index  # type: ignore[method-assign,assignment]
admin.site.index_template = "admin/ratings/workqueue.html"
# Full width for the case and the lists: the queue and breadcrumbs are the navigation.
admin.site.enable_nav_sidebar = False

MODEL_ADMINS = (
    (RatingRequest, RatingRequestAdmin),
    (RatedOrder, RatedOrderAdmin),
    (RatingAuthorization, RatingAuthorizationAdmin),
    (Notification, NotificationAdmin),
    (User, UserAdmin),
    (Organization, OrganizationAdmin),
    (Program, ProgramAdmin),
    (ConflictOfInterest, ConflictOfInterestAdmin),
    (ClosureDay, ClosureDayAdmin),
    (AssistanceCase, AssistanceCaseAdmin),
    (Reconsideration, ReconsiderationAdmin),
    (ApiToken, ApiTokenAdmin),
    (AuthorityGrant, AuthorityGrantAdmin),
    (ItemFamily, ItemFamilyAdmin),
)
for model, model_admin in MODEL_ADMINS:
    admin.site.register(model, model_admin)

# The program view's pages (dashboard, concentration, network, suppliers) sit beside the models.
_site_urls = admin.site.get_urls
admin.site.get_urls = lambda: program.urls(admin.site) + _site_urls()  # type: ignore[method-assign]

# Second-factor devices hold secrets (TOTP keys, recovery codes): never shown in the admin.
# People manage their own in Account security; an administrator resets them from the user page.
for _model in (TOTPDevice, StaticDevice, WebAuthnCredential, WebAuthnAttestation):
    if admin.site.is_registered(_model):
        admin.site.unregister(_model)
