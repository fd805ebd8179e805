from django import template
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

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


@register.filter
def bedrooms(count):
    """A home's size or a household's need in words: a studio when there is no separate bedroom."""
    if count is None or count == "":
        return ""
    if count == 0:
        return _("studio (no separate bedroom)")
    return ngettext("%(n)d bedroom", "%(n)d bedrooms", count) % {"n": count}
