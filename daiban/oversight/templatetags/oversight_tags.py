from typing import Any

from django import template

register = template.Library()


@register.filter
def value_of(values: dict[str, Any], key: str) -> Any:
    """An indicator's value in a ranking row (templates cannot index a dict by a variable)."""
    return values.get(key)
