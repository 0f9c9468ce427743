"""The webhooks' pages (under the ``metrics:`` namespace), HR's and the admins'."""

from django.urls import path

from metrics.webhooks import views

urlpatterns = [
    path("webhooks/", views.webhook_list_view, name="webhooks"),
    path("webhooks/new/", views.webhook_create_view, name="webhook_create"),
    path("webhooks/<int:pk>/", views.webhook_view, name="webhook"),
    path("webhooks/<int:pk>/edit/", views.webhook_update_view, name="webhook_update"),
    path("webhooks/<int:pk>/delete/", views.webhook_delete_view, name="webhook_delete"),
    path("webhooks/<int:pk>/secret/", views.webhook_secret_view, name="webhook_secret"),
    path("webhooks/<int:pk>/test/", views.webhook_test_view, name="webhook_test"),
    path("webhooks/deliveries/<int:pk>/", views.delivery_view, name="webhook_delivery"),
    path("webhooks/deliveries/<int:pk>/resend/", views.delivery_resend_view, name="webhook_resend"),
]
