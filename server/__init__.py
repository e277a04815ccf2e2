"""Flask: the app factory, configuration, storage, staff auth, audit, the API and pages."""
from .app import create_app

__all__ = ["create_app"]
