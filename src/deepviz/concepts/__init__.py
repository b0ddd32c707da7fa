"""One package per concept; each registers itself with :mod:`deepviz.catalog`."""
