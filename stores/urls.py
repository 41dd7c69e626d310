from django.urls import path

from . import views

app_name = "stores"

urlpatterns = [
    path("", views.store_list, name="list"),
    path("nearest/", views.store_nearest, name="nearest"),
    path("<str:code>/", views.store_detail, name="detail"),
]
