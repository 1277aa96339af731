from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import path

from ratings import views
from ratings.portal import notifications as notification_views

admin.site.site_header = "DPA Priority Ratings — HHS/ASPR"
admin.site.site_title = "DPA Priority Ratings"
admin.site.index_title = "Work queue"

urlpatterns = [
    path("", views.home, name="home"),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("attachments/<int:pk>/download/", views.attachment_download, name="attachment-download"),
    path("admin/", admin.site.urls),
    # Notifications and invitations (issue 4)
    path("notifications/", notification_views.notification_list, name="notification-list"),
    path("notifications/<int:pk>/read/", notification_views.notification_mark_read, name="notification-read"),
    path(
        "invitations/<str:uidb64>/<str:token>/",
        notification_views.invitation_accept,
        name="invitation-accept",
    ),
]
