"""One router per resource: samples, the catalog (patterns and fabrics), health."""
