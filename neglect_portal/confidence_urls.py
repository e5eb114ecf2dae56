from django.urls import path

from . import confidence_views as views

app_name = "confidence"

urlpatterns = [
    path("", views.my_surveys, name="my_surveys"),
    path("new/", views.survey_add, name="survey_add"),
    path("<int:pk>/", views.survey_detail, name="survey"),
    path("paper/", views.paper_survey_add, name="paper_survey_add"),
    path("paper/<int:pk>/saved/", views.paper_survey_saved, name="paper_survey_saved"),
]
