"""sitegen: a static-site generator for trustworthy health information."""

__version__ = "0.1.0"
