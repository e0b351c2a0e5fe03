"""The design stage: a feature's meaning, as stack-neutral data the renderers and the
generated tests both start from (DESIGN.md §1).

`access` holds the access model: each action's condition and the decision function that
says what every caller gets. The rest of the design (storage, operations, rules, lists,
the whole test plan) moves here from the renderer's context step by step.
"""
