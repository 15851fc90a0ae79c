import gc

from service.app import create_app
from service.quotes import tariff_book
from vouchers.care_calendar import load_holidays

app = create_app()
with app.app_context():  # a worker's first quotes should not pay for building holiday calendars
    load_holidays(tariff_book().years)
# the app's long-lived objects (routes, schemas, tariffs, catalogues) need no garbage collection:
# moving them out of its reach makes every collection during a request cheaper
gc.freeze()
