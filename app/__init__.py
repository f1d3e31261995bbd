"""Switchboard: a customer information workstation for utilities."""

__version__ = "0.1.0"
