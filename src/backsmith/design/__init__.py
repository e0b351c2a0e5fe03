"""The design stage: a feature's meaning, as stack-neutral data the renderers and the
generated tests both start from (DESIGN.md §1).

`access` (each action's condition, and what every caller gets), `storage` (tables,
columns, keys, indexes), `values` (what each field accepts), `operations` (every endpoint
and each status it answers), `lists` (filters, sorts, search, pages), `samples` (test
data) and `checks` (test data that meets each cross-field check, and values that break
it). Other rules and the rest of the test plan move here from the renderer's context next.
"""
