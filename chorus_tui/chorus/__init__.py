"""Chorus Pro client: settings, errors, models and the async `ChorusClient`."""
