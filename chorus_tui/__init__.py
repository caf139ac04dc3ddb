"""chorus-tui: deposit invoices on Chorus Pro and follow them until they are paid."""

__version__ = "0.1.0"
