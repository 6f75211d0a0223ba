"""The cases pages, one module per part: `requests` (apply, dispatch, worklist, a request and its steps,
documents) and `items` (an item, its steps, checklist, clock stops, visits, chases, receipt)."""
