"""The HHS staff workspace. Every model admin is registered here, in one place."""

from django.contrib import admin

from ratings.admin.accounts import OrganizationAdmin, ProgramAdmin, UserAdmin
from ratings.admin.notifications import NotificationAdmin
from ratings.admin.orders import RatedOrderAdmin
from ratings.admin.requests import RatingRequestAdmin
from ratings.admin.site import admin_site_has_permission
from ratings.models import Notification, Organization, Program, RatedOrder, RatingRequest, User

admin.site.site_header = "DPA Priority Ratings — HHS/ASPR"
admin.site.site_title = "DPA Priority Ratings"
admin.site.index_title = "Work queue"
admin.site.has_permission = admin_site_has_permission  # type: ignore[method-assign]

admin.site.register(RatingRequest, RatingRequestAdmin)
admin.site.register(RatedOrder, RatedOrderAdmin)
admin.site.register(Notification, NotificationAdmin)
admin.site.register(User, UserAdmin)
admin.site.register(Organization, OrganizationAdmin)
admin.site.register(Program, ProgramAdmin)
