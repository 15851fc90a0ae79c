"""The Flask application: web pages, the /api/v1 JSON API and the command line."""
