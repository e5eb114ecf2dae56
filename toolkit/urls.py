from django.urls import path

from . import views

app_name = "toolkit"

urlpatterns = [
    path("my-children/", views.my_children, name="my_children"),
]
