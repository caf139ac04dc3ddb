"""Wire models of the Chorus Pro API, one module per API family.

This package is the single place where our English attribute names meet Chorus Pro's French
field names (the pydantic aliases).
"""
