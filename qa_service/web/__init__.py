"""The web layer: the search page, the source view and the JSON API (Flask), served by waitress."""
from .app import create_app

__all__ = ["create_app"]
