from django.urls import path

from . import views

app_name = "aftersales"

urlpatterns = [
    path("tickets/", views.placeholder, name="ticket_list"),
    path("unassigned/", views.placeholder, name="unassigned"),
    path("recalls/", views.placeholder, name="recall_list"),
]
