from django.http import HttpResponse


def census_upload(request):
    return HttpResponse(status=501)
