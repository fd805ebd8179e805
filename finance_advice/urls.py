app_name = "finance_advice"

urlpatterns: list = []
