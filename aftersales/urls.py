from django.urls import path

from .views import fragments, recalls, tickets, unassigned

app_name = "aftersales"

urlpatterns = [
    path("tickets/", tickets.ticket_list, name="ticket_list"),
    path("tickets/new/", tickets.ticket_create, name="ticket_create"),
    path("tickets/bulk/", tickets.ticket_bulk, name="ticket_bulk"),
    path("tickets/<str:number>/", tickets.ticket_detail, name="ticket_detail"),
    path("tickets/<str:number>/job-card/", tickets.ticket_job_card, name="ticket_job_card"),
    path("tickets/<str:number>/status/", tickets.ticket_transition, name="ticket_transition"),
    path("tickets/<str:number>/comment/", tickets.ticket_comment, name="ticket_comment"),
    path("tickets/<str:number>/assign/", tickets.ticket_assign, name="ticket_assign"),
    path("tickets/<str:number>/priority/", tickets.ticket_priority, name="ticket_priority"),
    path("tickets/<str:number>/payer/", tickets.ticket_payer, name="ticket_payer"),
    path("tickets/<str:number>/component/", tickets.ticket_component, name="ticket_component"),
    path("tickets/<str:number>/attachments/", tickets.ticket_attach, name="ticket_attach"),
    path("tickets/<str:number>/attachments/<int:pk>/", tickets.attachment_download, name="attachment"),
    path("vehicles/<str:vin>/work/", fragments.vehicle_work, name="vehicle_work"),
    path("stores/<str:code>/open-work/", fragments.store_open_work, name="store_open_work"),
    path("unassigned/", unassigned.unassigned_list, name="unassigned"),
    path("unassigned/<str:number>/assign/", unassigned.unassigned_assign, name="unassigned_assign"),
    path("recalls/", recalls.recall_list, name="recall_list"),
    path("recalls/new/", recalls.recall_create, name="recall_create"),
    path("recalls/<int:pk>/", recalls.recall_detail, name="recall_detail"),
    path("recalls/<int:pk>/vin-list/", recalls.recall_vin_list, name="recall_vin_list"),
    path("recalls/<int:pk>/launch/", recalls.recall_launch, name="recall_launch"),
]
