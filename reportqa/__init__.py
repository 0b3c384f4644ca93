"""reportqa: question answering with verified citations over Chinese government reports."""

__version__ = "0.1.0"
