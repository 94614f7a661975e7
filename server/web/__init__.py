"""The pages: the client viewer (``/s/{token}``) and the API docs (``/docs``), with their static files.

Third-party browser code (``@google/model-viewer``, ``swagger-ui-dist``) is
installed from npm at build time (``make web``) into ``static/vendor/``; it is
served from here, never from a CDN.
"""
