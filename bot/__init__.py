"""Keep an awesome list of arXiv papers up to date through reviewed pull requests."""

__version__ = "0.1.0"
