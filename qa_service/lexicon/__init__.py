"""General knowledge of Chinese news text: the cue table, the patterns built from it, synonyms.

The lowest layer above types/errors: every other layer reads text through these definitions,
so a unit, a period word or a year has exactly one definition in the package.
"""
