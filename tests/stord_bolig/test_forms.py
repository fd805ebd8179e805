"""No form can assign fields it does not list: explicit `fields`, never "__all__" or `exclude`."""

import importlib
import inspect

from django import forms

APPS = ["stord_bolig", "cases", "allocation", "tenancies", "finance_advice", "reports"]
MODULES = [f"{app}.{module}" for app in APPS for module in ("forms", "views")]


def _model_forms():
    for name in MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError:
            continue
        for _name, obj in inspect.getmembers(module, inspect.isclass):
            if issubclass(obj, forms.ModelForm) and obj is not forms.ModelForm and obj.__module__ == name:
                yield obj


def test_model_forms__list_their_fields_explicitly():
    found = list(_model_forms())
    assert len(found) >= 6  # the assessment, health, decision, person, budget, startlån, consent forms …
    for form in found:
        fields = getattr(form._meta, "fields", None)
        assert fields not in (None, "__all__"), form
        assert not getattr(form._meta, "exclude", None), form


def test_select__the_projects_faster_template_writes_exactly_djangos_html():
    from django.forms.renderers import DjangoTemplates

    choices = [("", "---"), ("a", "Alfa & co"), ("Gruppe", [("b", "Bravo"), ("c", 'Charlie "C"')]), (3, "Tre")]
    widgets = [
        (forms.Select(choices=choices, attrs={"class": "form-select", "required": True, "disabled": False}), "b"),
        (forms.SelectMultiple(choices=choices), ["a", "c"]),
        (forms.NullBooleanSelect(), True),
    ]
    for widget, chosen in widgets:
        for value in ("", 3, None, chosen):
            ours = widget.render("field", value, attrs={"id": "id_field"})
            djangos = widget.render("field", value, attrs={"id": "id_field"}, renderer=DjangoTemplates())
            assert ours == djangos, (type(widget).__name__, value)
    # ... and it is the one in use
    from django.forms.renderers import get_default_renderer

    origin = get_default_renderer().get_template("django/forms/widgets/select.html").template.origin.name
    assert origin.endswith("templates/django/forms/widgets/select.html") and "site-packages" not in origin
