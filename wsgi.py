"""For gunicorn and other WSGI servers: `gunicorn wsgi:app`. Settings come from HOMEWARD_*."""
from server import create_app

app = create_app()
