from django.urls import path

from . import views

app_name = "sales"

urlpatterns = [
    path("test-drives/", views.placeholder, name="testdrive_list"),
    path("orders/", views.placeholder, name="order_list"),
]
