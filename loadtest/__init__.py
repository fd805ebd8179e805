"""The load test (`make load`) and the building blocks the fault test (`make test-faults`) shares with it.

`run.py` prepares a database `load_<scale>` (a generated world, caseworker accounts with single-use backup
codes, cases for each of them to work on), starts gunicorn and a Celery worker on 127.0.0.1, drives them with
locust (`locustfile.py`: work list -> case -> needs assessment -> decision -> letter) and checks the budget.
`servers.py` starts and stops the processes; `pages.py` reads forms out of the HTML the app serves.
"""
