from django.urls import path

from .views import orders, testdrives, vehicles

app_name = "sales"

urlpatterns = [
    path("test-drives/", testdrives.testdrive_list, name="testdrive_list"),
    path("test-drives/new/", testdrives.testdrive_new, name="testdrive_new"),
    path("test-drives/day/", testdrives.testdrive_day, name="testdrive_day"),
    path("test-drives/<int:pk>/", testdrives.testdrive_detail, name="testdrive_detail"),
    path("orders/", orders.order_list, name="order_list"),
    path("orders/new/", orders.order_new, name="order_new"),
    path("orders/deliveries/", orders.delivery_list, name="delivery_list"),
    path("orders/<str:number>/", orders.order_detail, name="order_detail"),
    path("vehicles/", vehicles.vehicle_lookup, name="vehicle_lookup"),
    path("vehicles/<str:vin>/", vehicles.vehicle_detail, name="vehicle_detail"),
]
