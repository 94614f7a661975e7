"""HTTP service for garment3d: queue virtual samples, follow them, fetch their renders.

Run it with ``python -m server``; build an app with :func:`server.app.create_app`.
"""
