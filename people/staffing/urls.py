from django.urls import path

from people.staffing import views

app_name = "people"

urlpatterns = [
    path("", views.people_list, name="list"),
    path("roster/", views.roster_upload, name="roster_upload"),
    path("roster/template.csv", views.roster_template, name="roster_template"),
    path("assign/", views.department_assign, name="department_assign"),
    path("<str:username>/assign/", views.person_assign, name="person_assign"),
]
