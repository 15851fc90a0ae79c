import gc

from service.app import create_app

app = create_app()
# the app's long-lived objects (routes, schemas, tariffs, catalogues) need no garbage collection:
# moving them out of its reach makes every collection during a request cheaper
gc.freeze()
