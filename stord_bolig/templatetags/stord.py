from django import template

from stord_bolig.formats import kr, nok

register = template.Library()


@register.filter
def get_item(mapping, key):
    """`{{ mapping|get_item:key }}` for dicts keyed by ids or years."""
    try:
        return mapping.get(key)
    except AttributeError:
        return None


# The amount formats live in stord_bolig.formats, for services and letters too; here they are filters.
register.filter("nok", nok)
register.filter("kr", kr)
