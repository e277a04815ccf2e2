"""For gunicorn and other WSGI servers: `gunicorn wsgi:app`. Settings come from HOMEWARD_*.

Run `homeward init` first: the app opens an initialised data folder and never creates one,
so a mistyped HOMEWARD_DATA_DIR stops it with a sentence instead of starting an empty clinic.
"""
from server import create_app

app = create_app()
