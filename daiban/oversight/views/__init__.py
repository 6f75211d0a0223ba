"""The reform office's pages, one module per sub-domain: `issues` (the coordination issue list), `dashboard`,
`ledgers` (quarterly ledgers and their export), `ranking` (assessment) and `inspections`. Who may open a
page is in `..permissions`, which objects they see in `..selectors`; the views read, call a service, and
render."""
